package retrieval

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/corpus"
)

func TestApplyRecordsGeneration(t *testing.T) {
	dir := t.TempDir()
	ix, err := Open(Options{Dir: dir, Embedder: NewHashEmbedder()})
	if err != nil {
		t.Fatal(err)
	}
	a := corpus.Article{ID: "a", Paragraphs: []string{"The mayor opened the bridge."}}
	b := corpus.Article{ID: "b", Paragraphs: []string{"The storm closed the schools."}}
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	if _, err := ix.Apply(context.Background(), Change{Add: []corpus.Article{a, b}, Generation: 3, Changed: at}, nil); err != nil {
		t.Fatal(err)
	}
	st, err := ix.Apply(context.Background(), Change{Remove: []string{"a"}, Generation: 4, Changed: at}, nil)
	if err != nil || st.Removed != 1 {
		t.Fatalf("remove: %+v %v", st, err)
	}
	ro, err := Open(Options{Dir: dir, Embedder: NewHashEmbedder(), ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if g, c := ro.Generation(); g != 4 || !c.Equal(at) {
		t.Errorf("generation %d %v after reopen", g, c)
	}
	if ro.Article("a") != nil || ro.Article("b") == nil {
		t.Errorf("articles after reopen: %v", ro.Articles())
	}
	if _, err := ro.Add(context.Background(), []corpus.Article{a}, nil); !errors.Is(err, ErrReadOnly) {
		t.Errorf("add to a read-only index: %v", err)
	}
}

func TestReadOnlyCorruptIsAnError(t *testing.T) {
	dir := t.TempDir()
	path := IndexPath(dir)
	if err := os.WriteFile(path, []byte("NEWSDESK-INDEX v1\ntruncated"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(Options{Dir: dir, Embedder: NewHashEmbedder(), ReadOnly: true}); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("read-only open of a corrupt index: %v", err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Errorf("a reader moved the corrupt file: %v", err)
	}
}

func TestRemoveStaleTemp(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"index.gob.tmp-1", "index.gob.tmp-2", "other"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	n, err := RemoveStaleTemp(dir)
	if err != nil || n != 2 {
		t.Fatalf("removed %d, %v", n, err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(left) != 1 || filepath.Base(left[0]) != "other" {
		t.Errorf("left %v", left)
	}
}

// TestLiveSwapUnderLoad searches while the index is swapped; run with
// -race.
func TestLiveSwapUnderLoad(t *testing.T) {
	mk := func(id, text string) *Index {
		ix, err := Open(Options{Embedder: NewHashEmbedder()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ix.Add(context.Background(), []corpus.Article{{ID: id, Paragraphs: []string{text}}}, nil); err != nil {
			t.Fatal(err)
		}
		return ix
	}
	l := NewLive(mk("old", "The old bridge reopened."))
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				hits, err := l.Search(context.Background(), "bridge", 3)
				if err != nil || len(hits) == 0 || hits[0].Article == nil {
					t.Errorf("search during swap: %v %v", hits, err)
					return
				}
				_ = l.DocFreq("bridg") + l.NumChunks()
				_ = l.Known("bridge")
			}
		})
	}
	for i := range 20 {
		l.Swap(mk(fmt.Sprintf("new%d", i), "The new bridge opened."))
	}
	close(stop)
	wg.Wait()
	if l.Article("new19") == nil || l.Article("old") != nil {
		t.Errorf("after swaps: %v", l.Articles())
	}
}

// BenchmarkReload measures what a running serve spends between a writer
// saving the index and answering from it: loading the new file read-only,
// swapping it in and the first search that finds the new article. The
// detection delay (serve polls the file every 2 s; SIGHUP is immediate)
// comes on top.
func BenchmarkReload(b *testing.B) {
	for _, n := range []int{1000, 100000} {
		b.Run(fmt.Sprintf("chunks=%d", n), func(b *testing.B) {
			dir := b.TempDir()
			ix, err := Open(Options{Dir: dir, Embedder: NewHashEmbedder()})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := ix.Add(context.Background(), synthCorpus(n/7+1, 3), nil); err != nil {
				b.Fatal(err)
			}
			live := NewLive(ix)
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				id := fmt.Sprintf("fresh-%d", i)
				word := fmt.Sprintf("zorblax%d", i)
				if _, err := ix.Apply(context.Background(), Change{Add: []corpus.Article{{ID: id,
					Paragraphs: []string{"The " + word + " committee met on Tuesday."}}}, Generation: uint64(i + 1)}, nil); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				nx, err := Open(Options{Dir: dir, Embedder: NewHashEmbedder(), ReadOnly: true})
				if err != nil {
					b.Fatal(err)
				}
				live.Swap(nx)
				hits, err := live.Search(context.Background(), word+" committee", 1)
				if err != nil || len(hits) == 0 || hits[0].Article.ID != id {
					b.Fatalf("new article not found after reload: %v %v", hits, err)
				}
			}
			b.ReportMetric(float64(live.Stats().Chunks), "chunks")
		})
	}
}
