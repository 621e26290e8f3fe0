package retrieval

import (
	"context"
	"errors"
	"iter"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"github.com/newsdesk/newsdesk/corpus"
)

// seqOf yields arts one at a time, then err (if not nil).
func seqOf(arts []corpus.Article, err error) iter.Seq2[corpus.Article, error] {
	return func(yield func(corpus.Article, error) bool) {
		for _, a := range arts {
			if !yield(a, nil) {
				return
			}
		}
		if err != nil {
			yield(corpus.Article{}, err)
		}
	}
}

// smallBatches makes update work a few articles at a time, so that small
// corpora span several build batches.
func smallBatches(t *testing.T, n int) {
	old := buildBatch
	buildBatch = n
	t.Cleanup(func() { buildBatch = old })
}

// indexDump is what two indexes must agree on: every article's hash and
// chunks, and the ranked hits of some queries.
func indexDump(t *testing.T, ix *Index, queries []string) (arts []string, chunks []Chunk, hits [][]string) {
	t.Helper()
	ix.EachHash(func(id, hash string) { arts = append(arts, id+" "+hash) })
	for _, a := range ix.Articles() {
		e := ix.entryMap()[a.ID]
		chunks = append(chunks, e.Chunks...)
	}
	for _, q := range queries {
		hs, err := ix.Search(context.Background(), q, 10)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, h := range hs {
			ids = append(ids, h.Chunk.ID)
		}
		hits = append(hits, ids)
	}
	return arts, chunks, hits
}

// A build streamed through ApplyFrom, in several batches, gives the index
// one Sync of the same articles gives: the same articles, chunks and
// search results, on disk too.
func TestApplyFromMatchesSync(t *testing.T) {
	ctx := context.Background()
	arts := synthCorpus(40, 3)
	queries := []string{arts[3].Paragraphs[2][:40], arts[31].Paragraphs[0][:50], "kamiro dorpi"}

	one, err := Open(Options{Dir: t.TempDir(), Embedder: NewHashEmbedder(), BatchSize: 16})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := one.Sync(ctx, arts, nil); err != nil { // in one batch
		t.Fatal(err)
	}
	smallBatches(t, 7)
	dir := t.TempDir()
	streamed, err := Open(Options{Dir: dir, Embedder: NewHashEmbedder(), BatchSize: 16})
	if err != nil {
		t.Fatal(err)
	}
	var last [2]int
	st, err := streamed.ApplyFrom(ctx, Change{Add: arts[:5], Generation: 3}, seqOf(arts[5:], nil), len(arts)-5, func(done, total int) {
		if done > total {
			t.Errorf("progress %d of %d", done, total)
		}
		last = [2]int{done, total}
	})
	if err != nil {
		t.Fatal(err)
	}
	if st.Added != len(arts) || last[0] != st.ChunksEmbedded || last[1] != st.ChunksEmbedded {
		t.Fatalf("stats %+v, last progress %v", st, last)
	}
	if g, _ := streamed.Generation(); g != 3 {
		t.Fatalf("generation %d, want 3", g)
	}
	wantA, wantC, wantH := indexDump(t, one, queries)
	gotA, gotC, gotH := indexDump(t, streamed, queries)
	if !slices.Equal(gotA, wantA) || !slices.Equal(gotC, wantC) || !slices.EqualFunc(gotH, wantH, slices.Equal) {
		t.Fatalf("streamed index differs from one Sync:\narticles %d/%d chunks %d/%d\nhits %v\nwant %v", len(gotA), len(wantA), len(gotC), len(wantC), gotH, wantH)
	}
	reopened, err := Open(Options{Dir: dir, Embedder: NewHashEmbedder()})
	if err != nil {
		t.Fatal(err)
	}
	gotA, gotC, gotH = indexDump(t, reopened, queries)
	if !slices.Equal(gotA, wantA) || !slices.Equal(gotC, wantC) || !slices.EqualFunc(gotH, wantH, slices.Equal) {
		t.Fatal("reopened streamed index differs from one Sync")
	}
	// Unchanged articles streamed again are not re-embedded.
	st, err = reopened.ApplyFrom(ctx, Change{}, seqOf(arts, nil), len(arts), nil)
	if err != nil || st.Unchanged != len(arts) || st.ChunksEmbedded != 0 {
		t.Fatalf("again: %+v %v", st, err)
	}
}

// A stream that fails part way keeps (and saves) the articles embedded
// before the failure, records no generation, leaves no temporary file,
// and the next run finishes the work.
func TestApplyFromFailedStreamLosesNothing(t *testing.T) {
	smallBatches(t, 4)
	ctx := context.Background()
	arts := synthCorpus(20, 5)
	dir := t.TempDir()
	ix, err := Open(Options{Dir: dir, Embedder: NewHashEmbedder(), BatchSize: 8})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Sync(ctx, arts[:2], nil); err != nil {
		t.Fatal(err)
	}
	broken := errors.New("disk on fire")
	_, err = ix.ApplyFrom(ctx, Change{Generation: 9}, seqOf(arts[2:13], broken), 18, nil)
	if !errors.Is(err, broken) {
		t.Fatalf("err %v, want the stream's", err)
	}
	if tmp, _ := filepath.Glob(filepath.Join(dir, "*.tmp-*")); len(tmp) > 0 {
		t.Fatalf("temporary files left: %v", tmp)
	}
	again, err := Open(Options{Dir: dir, Embedder: NewHashEmbedder()})
	if err != nil {
		t.Fatal(err)
	}
	if g, _ := again.Generation(); g != 0 {
		t.Fatalf("generation %d recorded by a failed update", g)
	}
	kept := again.Stats().Articles
	// The two indexed before, and some of the streamed ones: those whose
	// every chunk was embedded before the stream failed (two batches of
	// four articles were read and chunked; the embedder's batches span
	// articles, so the last of them may be unfinished).
	if kept <= 2 || kept > 10 || again.Stats().Stale != 0 {
		t.Fatalf("%d articles kept (%d stale), want the 2 indexed before and some of the first 8 streamed", kept, again.Stats().Stale)
	}
	for _, a := range arts[:kept] {
		if again.Article(a.ID) == nil {
			t.Fatalf("article %s lost", a.ID)
		}
	}
	st, err := again.ApplyFrom(ctx, Change{Generation: 9}, seqOf(arts, nil), len(arts), nil)
	if err != nil || st.Unchanged != kept || st.Added != len(arts)-kept {
		t.Fatalf("resume: %+v %v", st, err)
	}
	if g, _ := again.Generation(); g != 9 || again.Stats().Articles != len(arts) {
		t.Fatalf("after resume: generation %d, %d articles", g, again.Stats().Articles)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("index dir holds %d files, want the index alone", len(entries))
	}
}

// A streamed id seen twice, or both streamed and removed, is an error.
func TestApplyFromRejectsRepeatedIDs(t *testing.T) {
	ctx := context.Background()
	arts := testArticles()
	ix, err := Open(Options{Embedder: NewHashEmbedder()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ix.ApplyFrom(ctx, Change{Add: arts[:1]}, seqOf(arts[:2], nil), 2, nil); err == nil || !strings.Contains(err.Error(), "given twice") {
		t.Fatalf("an id both in Add and streamed: %v", err)
	}
	if _, err := ix.ApplyFrom(ctx, Change{Remove: []string{"c"}}, seqOf(arts, nil), 3, nil); err == nil || !strings.Contains(err.Error(), "both added and removed") {
		t.Fatalf("an id both streamed and removed: %v", err)
	}
}

// An update that fails before changing anything leaves the index file as
// it was: no rebuild, no save, nothing for a running bot to reload.
func TestFailedUpdateChangingNothingDoesNotSave(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ix, err := Open(Options{Dir: dir, Embedder: NewHashEmbedder()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Sync(ctx, testArticles(), nil); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, indexFile)
	before, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	broken := errors.New("store locked")
	if _, err := ix.ApplyFrom(ctx, Change{Generation: 7}, seqOf(nil, broken), 1, nil); !errors.Is(err, broken) {
		t.Fatalf("err %v, want the stream's", err)
	}
	after, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(before, after) {
		t.Fatal("a failed update that changed nothing replaced the index file")
	}
	if g, _ := ix.Generation(); g != 0 {
		t.Fatalf("generation %d recorded by a failed update", g)
	}
}

// gcPercent reads GOGC.
func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

// lowerGC lowers GOGC while any update holds it and restores the
// setting after the last; a setting already lower, or off, is kept.
func TestLowerGC(t *testing.T) {
	orig := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(orig) })
	r1 := lowerGC()
	r2 := lowerGC()
	if p := gcPercent(); p != buildGCPercent {
		t.Fatalf("GOGC %d while building, want %d", p, buildGCPercent)
	}
	r1()
	if p := gcPercent(); p != buildGCPercent {
		t.Fatalf("GOGC %d with one build still running, want %d", p, buildGCPercent)
	}
	r2()
	if p := gcPercent(); p != 100 {
		t.Fatalf("GOGC %d after the builds, want 100 restored", p)
	}
	for _, was := range []int{20, -1} {
		debug.SetGCPercent(was)
		r := lowerGC()
		if p := gcPercent(); p != was {
			t.Fatalf("GOGC %d set to %d by a build", was, p)
		}
		r()
		if p := gcPercent(); p != was {
			t.Fatalf("GOGC %d not restored: %d", was, p)
		}
	}
}
