package retrieval

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
)

// v4File writes a v4 index of 12 articles and returns its directory, the
// writer and the file's bytes.
func v4File(t *testing.T) (string, *Index, []byte) {
	t.Helper()
	dir, w := indexOf(t, 12)
	data, err := os.ReadFile(IndexPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	if string(data[:len(indexMagicV4)]) != indexMagicV4 {
		t.Fatalf("written with header %q", data[:len(indexMagicV4)])
	}
	return dir, w, data
}

// flipped writes data with the byte at off changed into dir's index file.
func flipped(t *testing.T, dir string, data []byte, off int) {
	t.Helper()
	bad := bytes.Clone(data)
	bad[off] ^= 0x10
	if err := os.WriteFile(IndexPath(dir), bad, 0o644); err != nil {
		t.Fatal(err)
	}
}

// isCorrupt reports whether err is ErrCorrupt naming section (and how to
// repair it).
func isCorrupt(err error, section string) bool {
	return errors.Is(err, ErrCorrupt) && strings.Contains(err.Error(), section+" section") &&
		strings.Contains(err.Error(), "rebuild the index (newsdesk index rebuild)")
}

// A damaged byte in a large section of a v4 file does not stop a
// read-only open; the first query, record or Verify that reads its block
// is ErrCorrupt naming the section and the bytes, and so is every later
// one (sticky), while what lies in other blocks still reads.
func TestV4LazyDamage(t *testing.T) {
	withLimits(t, 20, 30)
	ctx := context.Background()
	dir, w, data := v4File(t)
	secs := sections(t, data)
	open := func() *Index {
		t.Helper()
		r, err := Open(Options{Dir: dir, Embedder: NewHashEmbedder(), ReadOnly: true})
		if err != nil {
			t.Fatalf("read-only open: %v", err)
		}
		t.Cleanup(func() { r.Close() })
		return r
	}
	// Chunk texts in storage order (vector i is chunk i).
	var chunkText []string
	for _, id := range w.ids {
		for _, c := range w.entries[id].Chunks {
			chunkText = append(chunkText, c.Text)
		}
	}

	t.Run("articles", func(t *testing.T) {
		first := w.Articles()[0]
		last := w.Articles()[len(w.ids)-2] // the last has no chunks
		flipped(t, dir, data, secs[secArticles-1][0]+len(first.ID)+3)
		r := open()
		_, err := r.Search(ctx, first.Paragraphs[0], 5)
		if !isCorrupt(err, "articles") || !strings.Contains(err.Error(), IndexPath(dir)) || !strings.Contains(err.Error(), "bytes ") {
			t.Fatalf("search for the damaged article: %v", err)
		}
		if _, err2 := r.Search(ctx, first.Paragraphs[0], 5); err2 == nil || err2.Error() != err.Error() {
			t.Fatalf("not sticky: %v, then %v", err, err2)
		}
		if a := r.Article(first.ID); a == nil || len(a.Paragraphs) != 0 {
			t.Fatalf("damaged article read as %+v", a)
		}
		if a := r.Article(last.ID); a == nil || a.Text() != last.Text() {
			t.Fatal("an article in another block did not read")
		}
		if err := r.Verify(ctx); !isCorrupt(err, "articles") {
			t.Fatalf("Verify: %v", err)
		}
	})
	t.Run("vectors", func(t *testing.T) {
		off := (secs[secVectors-1][0] + secs[secVectors-1][1]) / 2
		chunk := (off - secs[secVectors-1][0]) / (4 * w.dim)
		flipped(t, dir, data, off)
		r := open()
		if _, err := r.Search(ctx, chunkText[chunk], 5); !isCorrupt(err, "vectors") {
			t.Fatalf("search near the damaged vector: %v", err)
		}
		if err := r.Verify(ctx); !isCorrupt(err, "vectors") {
			t.Fatalf("Verify: %v", err)
		}
		if err := r.Verify(ctx); !isCorrupt(err, "vectors") {
			t.Fatalf("Verify again: %v", err)
		}
	})
	t.Run("codes", func(t *testing.T) {
		flipped(t, dir, data, (secs[secCodes-1][0]+secs[secCodes-1][1])/2)
		r := open()
		for _, q := range []string{chunkText[0], "kaka"} { // every query scans the codes
			if _, err := r.Search(ctx, q, 5); !isCorrupt(err, "codes") {
				t.Fatalf("search %q: %v", q, err)
			}
		}
		// The two-pass pre-filter (code prefixes, then a shortlist's
		// codes) checks them too.
		defer func(f int) { shortlistFactor = f }(shortlistFactor)
		shortlistFactor = 1
		r = open()
		q := make([]float32, r.dim)
		q[0] = 1
		if 5 > r.vec.n/8 {
			t.Fatalf("%d vectors: too few for two passes", r.vec.n)
		}
		for range 2 {
			if _, err := r.vec.candidates(ctx, q, 5); !isCorrupt(err, "codes") {
				t.Fatalf("two passes: %v", err)
			}
		}
	})
	t.Run("postings", func(t *testing.T) {
		off := (secs[secPostings-1][0] + secs[secPostings-1][1]) / 2
		flipped(t, dir, data, off)
		r := open()
		d := r.lex.dict
		n := uint64(off-secs[secPostings-1][0]) / 8
		term := ""
		for i := range d.len() {
			if d.poff[i] <= n && n < d.poff[i+1] {
				term = d.term(i)
			}
		}
		if term == "" {
			t.Fatal("no term owns the damaged posting")
		}
		_, err := r.SearchQuery(ctx, Query{Text: term, Terms: []WeightedTerm{{Term: term, Weight: 1}}}, 5)
		if !isCorrupt(err, "postings") {
			t.Fatalf("search for %q: %v", term, err)
		}
		if r.DocFreq(term) != 0 {
			t.Fatal("damaged postings were counted")
		}
		if err := r.Verify(ctx); !isCorrupt(err, "postings") {
			t.Fatalf("Verify: %v", err)
		}
	})
	t.Run("writable", func(t *testing.T) {
		// A writer checks the whole file on open: damage is moved aside.
		flipped(t, dir, data, (secs[secVectors-1][0]+secs[secVectors-1][1])/2)
		ix, err := Open(Options{Dir: dir, Embedder: NewHashEmbedder()})
		if err != nil || ix.Stats().Articles != 0 {
			t.Fatalf("writable open of a damaged file: %v, %+v", err, ix.Stats())
		}
	})
	if err := os.WriteFile(IndexPath(dir), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := open().Verify(ctx); err != nil {
		t.Fatalf("Verify of an undamaged file: %v", err)
	}
}

// A damaged byte in a small section of a v4 file (checked whole on open),
// its header or table is ErrCorrupt on open, as in v3.
func TestV4EagerDamage(t *testing.T) {
	withLimits(t, 20, 30)
	dir, _, data := v4File(t)
	at := map[string]int{"magic": 3, "header": 20, "count": 25, "table": v3HeaderSize + 30}
	for i, s := range sections(t, data) {
		if !isLazy(i+1) && s[1] > s[0] {
			at[sectionNames[i+1]] = (s[0] + s[1]) / 2
		}
	}
	for name, off := range at {
		flipped(t, dir, data, off)
		if _, err := Open(Options{Dir: dir, Embedder: NewHashEmbedder(), ReadOnly: true}); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s (byte %d) flipped: err %v, want ErrCorrupt", name, off, err)
		}
	}
}

// A v3 file opens (checked whole) and the next save rewrites it as v4.
func TestV3RewrittenAsV4(t *testing.T) {
	withLimits(t, 20, 30)
	ctx := context.Background()
	dir, w := v3Index(t)
	want, err := w.Search(ctx, "kaka shkaro", 5)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := Open(Options{Dir: dir, Embedder: NewHashEmbedder()})
	if err != nil {
		t.Fatal(err)
	}
	if ix.file == nil || ix.file.version != 3 {
		t.Fatal("not read as a v3 file")
	}
	if _, err := ix.Apply(ctx, Change{Generation: 9}, nil); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(IndexPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	if string(data[:len(indexMagicV4)]) != indexMagicV4 {
		t.Fatalf("rewritten with header %q", data[:len(indexMagicV4)])
	}
	r, err := Open(Options{Dir: dir, Embedder: NewHashEmbedder(), ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got, err := r.Search(ctx, "kaka shkaro", 5)
	if err != nil || len(got) != len(want) {
		t.Fatalf("v4 search: %d hits, %v; want %d", len(got), err, len(want))
	}
	for i := range got {
		if got[i].Chunk != want[i].Chunk {
			t.Fatalf("hit %d: %s, want %s", i, got[i].Chunk.ID, want[i].Chunk.ID)
		}
	}
	if err := r.Verify(ctx); err != nil {
		t.Fatal(err)
	}
}

// syncBuffer is a log destination safe for concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Queries on a v4 file check its blocks as they go, concurrently with
// each other, with Verify and with the background verification, and all
// agree with the writer (run with -race).
func TestV4ConcurrentChecks(t *testing.T) {
	withLimits(t, 20, 30)
	ctx := context.Background()
	dir, w, _ := v4File(t)
	var log syncBuffer
	r, err := Open(Options{Dir: dir, Embedder: NewHashEmbedder(), ReadOnly: true, VerifyInBackground: true,
		Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	arts := w.Articles()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			a := arts[g%(len(arts)-1)]
			q := a.Paragraphs[g%len(a.Paragraphs)]
			want, err := w.Search(ctx, q, 5)
			if err != nil {
				t.Error(err)
				return
			}
			got, err := r.Search(ctx, q, 5)
			if err != nil || len(got) != len(want) {
				t.Errorf("search %q: %d hits, %v; want %d", q, len(got), err, len(want))
				return
			}
			for i := range got {
				if got[i].Chunk != want[i].Chunk {
					t.Errorf("search %q hit %d differs", q, i)
				}
			}
			if g%2 == 0 {
				if err := r.Verify(ctx); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(log.String(), "damaged") {
		t.Fatalf("an undamaged file was reported: %s", log.String())
	}
}

// The background verification of a long-running reader logs damage it
// finds, with the section and the repair.
func TestV4BackgroundVerifyLogs(t *testing.T) {
	withLimits(t, 20, 30)
	dir, _, data := v4File(t)
	s := sections(t, data)[secPostings-1]
	flipped(t, dir, data, s[1]-1)
	var log syncBuffer
	r, err := Open(Options{Dir: dir, Embedder: NewHashEmbedder(), ReadOnly: true, VerifyInBackground: true,
		Logger: slog.New(slog.NewTextHandler(&log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	<-r.verified
	got := log.String()
	if !strings.Contains(got, "index file is damaged: "+IndexPath(dir)+": postings section, bytes ") ||
		!strings.Contains(got, "rebuild the index (newsdesk index rebuild)") || !strings.Contains(got, "level=ERROR") {
		t.Fatalf("log: %s", got)
	}
}

// The block checksums of a v4 file cover every byte of its large
// sections: one per started block, in lazyKinds order.
func TestV4BlockTable(t *testing.T) {
	_, _, data := v4File(t)
	secs := sections(t, data)
	b := secs[secBlocks-1]
	var want []uint32
	for _, k := range lazyKinds {
		s := data[secs[k-1][0]:secs[k-1][1]]
		for lo := 0; lo < len(s); lo += blockSize {
			want = append(want, crc32.Checksum(s[lo:min(lo+blockSize, len(s))], crc32c))
		}
	}
	var got []uint32
	for i := b[0]; i < b[1]; i += 4 {
		got = append(got, binary.LittleEndian.Uint32(data[i:]))
	}
	if !slices.Equal(got, want) {
		t.Fatalf("%d block checksums, want %d (or they differ)", len(got), len(want))
	}
}
