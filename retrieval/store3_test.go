package retrieval

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/corpus"
)

// v3Index writes a v3 index of a few articles (large enough, under test
// limits, to carry binary codes) and returns its directory and the
// writer.
func v3Index(t testing.TB) (string, *Index) { return v3IndexOf(t, 12) }

// v3IndexOf is v3Index of n articles (at least 5).
func v3IndexOf(t testing.TB, n int) (string, *Index) {
	t.Helper()
	dir, ix := indexOf(t, n)
	if _, err := ix.saveVersion(3); err != nil {
		t.Fatal(err)
	}
	return dir, ix
}

// indexOf writes an index of n articles (at least 5) as Index does (v4)
// and returns its directory and the writer.
func indexOf(t testing.TB, n int) (string, *Index) {
	t.Helper()
	dir := t.TempDir()
	ix, err := Open(Options{Dir: dir, Embedder: NewHashEmbedder()})
	if err != nil {
		t.Fatal(err)
	}
	arts := synthCorpus(n, 5)
	arts[3].Published = time.Date(2024, 3, 1, 9, 30, 0, 0, time.FixedZone("CET", 3600))
	arts[4].Title, arts[4].URL, arts[4].Byline = "A title", "https://example.org/a", "Jane Roe"
	arts = append(arts, corpus.Article{ID: "zz-empty"}) // no chunks
	if _, err := ix.Add(context.Background(), arts, nil); err != nil {
		t.Fatal(err)
	}
	// A hole in the BM25 index: the saved document order must survive.
	if _, err := ix.Apply(context.Background(), Change{Remove: []string{arts[1].ID}, Generation: 7}, nil); err != nil {
		t.Fatal(err)
	}
	return dir, ix
}

// sections returns the [offset, end) of each section of a v3 or v4 file.
func sections(t testing.TB, data []byte) [][2]int {
	t.Helper()
	var out [][2]int
	for i := range int(binary.LittleEndian.Uint32(data[24:])) {
		e := data[v3HeaderSize+i*v3TableEntry:]
		off := int(binary.LittleEndian.Uint64(e[8:]))
		out = append(out, [2]int{off, off + int(binary.LittleEndian.Uint64(e[16:]))})
	}
	return out
}

func TestV3RoundTrip(t *testing.T) {
	withLimits(t, 20, 30)
	ctx := context.Background()
	dir, w := v3Index(t)
	r, err := Open(Options{Dir: dir, Embedder: NewHashEmbedder(), ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.m == nil && nativeLE {
		t.Fatal("v3 file not mapped")
	}
	if !r.Stats().Approximate || r.codesComputed != 0 {
		t.Fatalf("codes not read from the file: %+v, computed %d", r.Stats(), r.codesComputed)
	}
	ws, rs := w.Stats(), r.Stats()
	ws.Bytes, rs.Bytes = 0, 0
	if ws != rs {
		t.Fatalf("stats differ: writer %+v, reader %+v", ws, rs)
	}
	if g, _ := r.Generation(); g != 7 {
		t.Fatalf("generation %d, want 7", g)
	}
	wa, ra := w.Articles(), r.Articles()
	if len(wa) != len(ra) {
		t.Fatalf("%d articles, want %d", len(ra), len(wa))
	}
	for i := range wa {
		a, b := *wa[i], *ra[i]
		if !a.Published.Equal(b.Published) {
			t.Fatalf("article %s published %v, want %v", a.ID, b.Published, a.Published)
		}
		a.Published, b.Published = time.Time{}, time.Time{}
		if !reflect.DeepEqual(a, b) && !(len(a.Paragraphs) == 0 && len(b.Paragraphs) == 0) {
			t.Fatalf("article %s differs:\n%+v\n%+v", a.ID, b, a)
		}
		if !reflect.DeepEqual(w.entries[a.ID].Chunks, r.lookup(a.ID).Chunks) {
			t.Fatalf("article %s chunks differ", a.ID)
		}
	}
	for _, q := range []string{wa[2].Paragraphs[1][:50], "kalocated shkaro", wa[5].Paragraphs[0]} {
		want, err := w.Search(ctx, q, 10)
		if err != nil {
			t.Fatal(err)
		}
		got, err := r.Search(ctx, q, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) || len(got) == 0 {
			t.Fatalf("%q: %d hits, want %d", q, len(got), len(want))
		}
		for i := range got {
			if got[i].Chunk != want[i].Chunk || got[i].Score != want[i].Score {
				t.Fatalf("%q hit %d: %+v, want %+v", q, i, got[i], want[i])
			}
		}
	}
	known := ""
	for _, wd := range strings.Fields(strings.ToLower(wa[2].Paragraphs[0])) {
		if len(wd) >= 7 && !strings.ContainsAny(wd, ".,") {
			known = wd
			break
		}
	}
	typo := known[:len(known)-1] + "q"
	for _, word := range []string{"kaka", "shkaro", known, typo, "zzzzzz"} {
		if r.DocFreq(Term(word)) != w.DocFreq(Term(word)) || r.Known(word) != w.Known(word) ||
			!slices.Equal(r.Correct(word), w.Correct(word)) {
			t.Fatalf("term statistics of %q differ", word)
		}
	}
	if !r.Known(known) || len(r.Correct(typo)) == 0 {
		t.Fatal("the test words are not in the archive")
	}
}

// A writable index opened from a v3 file moves off the mapping at its
// first change, and what it then saves reads back.
func TestV3UpdateAfterOpen(t *testing.T) {
	withLimits(t, 20, 30)
	ctx := context.Background()
	dir, _ := v3Index(t)
	ix, err := Open(Options{Dir: dir, Embedder: NewHashEmbedder()})
	if err != nil {
		t.Fatal(err)
	}
	before := ix.Stats().Chunks
	add := []corpus.Article{{ID: "fresh", Paragraphs: []string{"The zorblax committee met on Tuesday."}}}
	if _, err := ix.Apply(ctx, Change{Add: add, Remove: []string{ix.Articles()[0].ID}, Generation: 8}, nil); err != nil {
		t.Fatal(err)
	}
	if ix.m != nil {
		t.Fatal("still mapped after a change")
	}
	after := ix.Stats().Chunks
	r, err := Open(Options{Dir: dir, Embedder: NewHashEmbedder(), ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if r.Stats().Chunks != after || after == before {
		t.Fatalf("chunks: before %d, after %d, reread %d", before, after, r.Stats().Chunks)
	}
	hits, err := r.Search(ctx, "zorblax committee", 1)
	if err != nil || len(hits) == 0 || hits[0].Article.ID != "fresh" {
		t.Fatalf("new article not found: %v %v", hits, err)
	}
}

// Close unmaps the file; the index is then empty, not a crash.
func TestV3Close(t *testing.T) {
	dir, _ := v3Index(t)
	ix, err := Open(Options{Dir: dir, Embedder: NewHashEmbedder()})
	if err != nil {
		t.Fatal(err)
	}
	hits, err := ix.Search(context.Background(), "kaka", 3)
	if err != nil || len(hits) == 0 {
		t.Fatalf("before Close: %v %v", hits, err)
	}
	art := hits[0].Article
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	if hits, err := ix.Search(context.Background(), "kaka", 3); err != nil || len(hits) != 0 {
		t.Fatalf("after Close: %v %v", hits, err)
	}
	if _, err := ix.Add(context.Background(), nil, nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("Add after Close: %v", err)
	}
	// What a search handed out is heap memory: still readable.
	if len(art.Text()) == 0 || hits[0].Chunk.Text == "" {
		t.Fatal("hit lost its text")
	}
}

// A flipped byte anywhere in a v3 file (header, table, any section,
// padding) is ErrCorrupt for a reader, and a writer moves the file aside.
func TestV3FlippedByte(t *testing.T) {
	withLimits(t, 20, 30)
	dir, _ := v3Index(t)
	data, err := os.ReadFile(IndexPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	at := map[string]int{"magic": 3, "header": 20, "count": 25, "table": v3HeaderSize + 30}
	prev := v3HeaderSize + numSectionsV3*v3TableEntry
	for i, s := range sections(t, data) {
		if s[1] == s[0] {
			t.Fatalf("section %d is empty in the test index", i+1)
		}
		at["section "+string(rune('a'+i))] = (s[0] + s[1]) / 2
		if s[0] > prev {
			at["padding before "+string(rune('a'+i))] = prev
		}
		prev = s[1]
	}
	for name, off := range at {
		bad := append([]byte(nil), data...)
		bad[off] ^= 0x10
		if err := os.WriteFile(IndexPath(dir), bad, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(Options{Dir: dir, Embedder: NewHashEmbedder(), ReadOnly: true}); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s (byte %d) flipped: err %v, want ErrCorrupt", name, off, err)
		}
	}
	ix, err := Open(Options{Dir: dir, Embedder: NewHashEmbedder()})
	if err != nil || ix.Stats().Articles != 0 {
		t.Fatalf("writable open of a corrupt file: %v, %+v", err, ix.Stats())
	}
}

// The copying fallbacks (big-endian hosts, misaligned data) decode as the
// in-place views do.
func TestV3ArrayFallbacks(t *testing.T) {
	raw := make([]byte, 1+8*4)
	b := raw[1:]
	for i := range 4 {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(float64(i))^uint64(i)<<60)
	}
	al := append(make([]byte, 0, len(b)+8), b...)
	if aligned(b, 4) || !aligned(al, 8) {
		t.Skip("allocator alignment not as expected")
	}
	if !reflect.DeepEqual(asUint64s(b), asUint64s(al)) || !reflect.DeepEqual(asInt32s(b), asInt32s(al)) ||
		!reflect.DeepEqual(asPostings(b), asPostings(al)) || len(asPostings(b)) != 4 {
		t.Fatal("misaligned decoding differs")
	}
	f, g := asFloat32s(b), asFloat32s(al)
	for i := range f {
		if math.Float32bits(f[i]) != math.Float32bits(g[i]) {
			t.Fatal("misaligned float decoding differs")
		}
	}
}

// fixChecksums recomputes a v3 or v4 file's checksums where its table
// allows (a v4 file's block checksums too, where the block section is as
// long as they need), so that fuzzing reaches the checks behind them.
func fixChecksums(data []byte) {
	if len(data) < v3HeaderSize {
		return
	}
	n := 0
	switch string(data[:len(indexMagicV3)]) {
	case indexMagicV3:
		n = numSectionsV3
	case indexMagicV4:
		n = numSections
	default:
		return
	}
	if len(data) < v3HeaderSize+n*v3TableEntry {
		return
	}
	sec := func(kind int) []byte {
		e := data[v3HeaderSize+(kind-1)*v3TableEntry:]
		off, ln := binary.LittleEndian.Uint64(e[8:]), binary.LittleEndian.Uint64(e[16:])
		if off <= uint64(len(data)) && ln <= uint64(len(data))-off {
			return data[off : off+ln]
		}
		return nil
	}
	if n == numSections {
		var crcs []uint32
		for _, k := range lazyKinds {
			b := sec(k)
			for lo := 0; lo < len(b); lo += blockSize {
				crcs = append(crcs, crc32.Checksum(b[lo:min(lo+blockSize, len(b))], crc32c))
			}
		}
		if blocks := sec(secBlocks); len(blocks) == 4*len(crcs) {
			for i, c := range crcs {
				binary.LittleEndian.PutUint32(blocks[4*i:], c)
			}
		}
	}
	for k := 1; k <= n; k++ {
		e := data[v3HeaderSize+(k-1)*v3TableEntry:]
		if b := sec(k); b != nil || binary.LittleEndian.Uint64(e[16:]) == 0 {
			crc := crc32.Checksum(b, crc32c)
			if n == numSections && isLazy(k) {
				crc = 0
			}
			binary.LittleEndian.PutUint32(e[4:], crc)
		}
	}
	binary.LittleEndian.PutUint32(data[28:], crc32.Checksum(data[v3HeaderSize:v3HeaderSize+n*v3TableEntry], crc32c))
}

// FuzzOpenIndex opens arbitrary bytes as an index file: an error must be
// ErrCorrupt, and an index that opens must answer without panicking.
// With fix set, the v3 checksums are made to match first.
func FuzzOpenIndex(f *testing.F) {
	// A small file: the fuzzer slows to a crawl on inputs of 100 kB.
	dir, ix := indexOf(f, 5)
	data, err := os.ReadFile(IndexPath(dir))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data, false)
	f.Add(data, true)
	if _, err := ix.saveVersion(3); err != nil {
		f.Fatal(err)
	}
	if d3, err := os.ReadFile(IndexPath(dir)); err == nil {
		f.Add(d3, true)
	}
	v2 := f.TempDir()
	if _, err := saveV2(v2, ix.snapshot()); err != nil {
		f.Fatal(err)
	}
	if d2, err := os.ReadFile(IndexPath(v2)); err == nil {
		f.Add(d2, false)
	}
	f.Add([]byte(indexMagicV3), true)
	f.Add([]byte(indexMagicV4), true)
	f.Fuzz(func(t *testing.T, data []byte, fix bool) {
		if fix {
			data = bytes.Clone(data) // the fuzzer's input must not change
			fixChecksums(data)
		}
		dir := t.TempDir()
		if err := os.WriteFile(IndexPath(dir), data, 0o644); err != nil {
			t.Fatal(err)
		}
		ix, err := Open(Options{Dir: dir, Embedder: NewHashEmbedder(), ReadOnly: true})
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("err %v, want ErrCorrupt", err)
			}
			return
		}
		defer ix.Close()
		// A damaged block of a v4 file is found by the query that reads
		// it: ErrCorrupt, like an open's.
		for _, q := range []string{"kaka shkaro", "lanro", "the"} {
			if _, err := ix.Search(context.Background(), q, 5); err != nil && !errors.Is(err, ErrCorrupt) {
				t.Fatal(err)
			}
			ix.HasPhrase([][]string{{Term(q)}})
			ix.Correct(q + "x")
		}
		ix.Expand("NATO")
		ix.Stats()
		ix.DateRange()
		ix.Articles()
		if err := ix.Verify(context.Background()); err != nil && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("Verify: %v, want nil or ErrCorrupt", err)
		}
	})
}

// Articles are decoded on first use, by whichever search gets there
// first: concurrent first uses must agree (run with -race).
func TestV3ConcurrentFirstUse(t *testing.T) {
	withLimits(t, 20, 30)
	dir, w := v3Index(t)
	r, err := Open(Options{Dir: dir, Embedder: NewHashEmbedder(), ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	arts := w.Articles()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			a := arts[g%len(arts)]
			if len(a.Paragraphs) == 0 {
				return
			}
			q := a.Paragraphs[g%len(a.Paragraphs)]
			hits, err := r.Search(context.Background(), q, 5)
			if err != nil || len(hits) == 0 {
				t.Errorf("search %q: %v %v", q, hits, err)
				return
			}
			if got := r.Article(a.ID); got == nil || got.Text() != a.Text() {
				t.Errorf("article %s differs", a.ID)
			}
			r.HasPhrase([][]string{{Term("kaka")}, {Term("ro")}})
			r.Expand("KR")
		})
	}
	wg.Wait()
}

// A record that does not decode, in a file whose checksums match (a
// writer's bug, not damage on disk), reads as an article without text,
// and a search that would return it is ErrCorrupt naming the articles
// section: the index stays usable for the others.
func TestV3BadRecord(t *testing.T) {
	withLimits(t, 20, 30)
	dir, w := v3Index(t)
	data, err := os.ReadFile(IndexPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	arts := sections(t, data)[secArticles-1]
	id := w.Articles()[0].ID
	data[arts[0]+1+len(id)] = 0xff // the title's length: past the record
	fixChecksums(data)
	if err := os.WriteFile(IndexPath(dir), data, 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Open(Options{Dir: dir, Embedder: NewHashEmbedder(), ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	a := r.Article(id)
	if a == nil || a.ID != id || len(a.Paragraphs) != 0 || r.lookup(id).lazy.err == nil {
		t.Fatalf("damaged record read as %+v", a)
	}
	if len(r.lookup(id).Chunks) != len(w.entries[id].Chunks) {
		t.Fatal("damaged record lost its chunk count")
	}
	for _, q := range w.Articles()[0].Paragraphs[:1] {
		_, err := r.Search(context.Background(), q, 5)
		if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "articles section") {
			t.Fatalf("search for the damaged article: %v, want ErrCorrupt naming the articles section", err)
		}
	}
	if got := r.Article(w.Articles()[1].ID); got == nil || got.Text() != w.Articles()[1].Text() {
		t.Fatal("the next article was damaged too")
	}
}

// FuzzDecodeV3 is FuzzOpenIndex's v3 path in memory (no file, so many
// more inputs a second): checksums made to match, then the tables read
// as Open reads them and the index searched.
func FuzzDecodeV3(f *testing.F) {
	dir, _ := v3IndexOf(f, 5)
	data, err := os.ReadFile(IndexPath(dir))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	dir4, _ := indexOf(f, 5)
	if d4, err := os.ReadFile(IndexPath(dir4)); err == nil {
		f.Add(d4) // and v4, whose blocks are checked as they are read
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		data = bytes.Clone(data) // the fuzzer's input must not change
		fixChecksums(data)
		v3, err := parseV3(&mapping{data: data})
		if err != nil {
			return
		}
		ix := &Index{opts: Options{Embedder: NewHashEmbedder(), ReadOnly: true},
			log: slog.New(slog.NewTextHandler(io.Discard, nil)), entries: make(map[string]*entry), file: v3}
		loaded, err := ix.loadV3(v3)
		if err != nil {
			return
		}
		if loaded.lex == nil {
			if err := ix.rebuild(nil); err != nil {
				return
			}
		} else if err := ix.finish(loaded.lex, nil, loaded.docs, loaded.codes); err != nil {
			return
		} else {
			ix.sigsSorted = loaded.sigs
		}
		for _, q := range []string{"kaka shkaro", "lanro"} {
			if _, err := ix.Search(context.Background(), q, 5); err != nil && !errors.Is(err, ErrCorrupt) {
				t.Fatal(err)
			}
			ix.HasPhrase([][]string{{Term(q)}})
			ix.Correct(q + "x")
			ix.Known(q + "ovka")
		}
		ix.Articles()
		ix.Expand("KR")
		ix.Stats()
	})
}

// The reader used where memory mapping is not available reads the file
// from its start, though the header was read first (the file's offset has
// moved): it gives the same bytes as the mapping.
func TestReadWholeFromStart(t *testing.T) {
	dir := t.TempDir()
	ix, err := Open(Options{Dir: dir, Embedder: NewHashEmbedder()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Add(context.Background(), synthCorpus(3, 1), nil); err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(IndexPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(IndexPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Read(make([]byte, len(indexMagicV3)+7)); err != nil { // as load's buffered peek does
		t.Fatal(err)
	}
	m, err := readWhole(f, int64(len(want)))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(m.data, want) {
		t.Fatal("readWhole did not read the file from its start")
	}
	if _, err := parseV3(m); err != nil {
		t.Fatalf("parseV3 of the read file: %v", err)
	}
}

// A file that cannot be read is reported, not taken for corrupt and moved
// aside (here a directory where the file should be: reading it fails,
// for root too).
func TestUnreadableIndexIsNotQuarantined(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(IndexPath(dir), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, ro := range []bool{false, true} {
		_, err := Open(Options{Dir: dir, Embedder: NewHashEmbedder(), ReadOnly: ro})
		if err == nil || errors.Is(err, ErrCorrupt) || !errors.Is(err, errUnreadable) {
			t.Fatalf("read-only %v: Open of an unreadable file: %v, want a read error", ro, err)
		}
	}
	if moved, _ := filepath.Glob(IndexPath(dir) + ".corrupt-*"); len(moved) > 0 {
		t.Fatalf("an unreadable file was moved aside: %v", moved)
	}
	if fi, err := os.Stat(IndexPath(dir)); err != nil || !fi.IsDir() {
		t.Fatalf("the unreadable file was touched: %v", err)
	}
}
