package weaviatestore_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/corpus"
	"github.com/newsdesk/newsdesk/internal/weaviatetest"
	"github.com/newsdesk/newsdesk/retrieval"
	"github.com/newsdesk/newsdesk/retrieval/weaviatestore"
)

func article(id, text string) corpus.Article {
	return corpus.Article{ID: id, Title: "T " + id, Source: "Wire", Published: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC),
		Paragraphs: strings.Split(text, "\n")}
}

func topArticle(t *testing.T, s retrieval.Searcher, q string) string {
	t.Helper()
	hits, err := s.Search(context.Background(), q, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) == 0 {
		return ""
	}
	return hits[0].Article.ID
}

// TestApplyUpdateRemove: an update replaces an article's chunks (the old
// text is no longer found), a removal deletes its chunks and article,
// unchanged articles are not re-embedded, and the generation is recorded.
func TestApplyUpdateRemove(t *testing.T) {
	node := weaviatetest.Start(t)
	s := openStore(t, node, weaviatetest.Prefix(t), nil)
	ctx := context.Background()
	a := article("a", "The harbour bridge closed after inspectors found cracks in the pylons.\nEngineers said repairs would take a year.")
	b := article("b", "The council approved a new tram line through the old town.")
	st, err := s.Apply(ctx, retrieval.Change{Add: []corpus.Article{a, b}, Generation: 1, Changed: time.Unix(100, 0)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Added != 2 || st.ChunksEmbedded == 0 {
		t.Fatalf("first apply: %+v", st)
	}
	if got := topArticle(t, s, "harbour bridge cracks"); got != "a" {
		t.Fatalf("search before update: %q", got)
	}
	a2 := article("a", "The harbour ferry service was suspended because of a strike by crews.")
	st, err = s.Apply(ctx, retrieval.Change{Add: []corpus.Article{a2, b}, Generation: 2}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Updated != 1 || st.Unchanged != 1 {
		t.Fatalf("update: %+v", st)
	}
	hits, err := s.Search(ctx, "pylons cracks inspectors", 5)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hits {
		if strings.Contains(h.Chunk.Text, "pylons") {
			t.Fatalf("old text still found after update: %q", h.Chunk.Text)
		}
	}
	if got := topArticle(t, s, "ferry strike crews"); got != "a" {
		t.Fatalf("search after update: %q", got)
	}
	if s.DocFreq(retrieval.Term("pylons")) != 0 {
		t.Error("the old text's terms are still counted")
	}
	if _, err := s.Apply(ctx, retrieval.Change{Remove: []string{"a"}, Generation: 3}, nil); err != nil {
		t.Fatal(err)
	}
	if s.Article("a") != nil {
		t.Error("removed article still there")
	}
	if got := topArticle(t, s, "ferry strike crews"); got == "a" {
		t.Error("removed article still found")
	}
	if n := s.ArticleCount(); n != 1 {
		t.Errorf("ArticleCount = %d after removal", n)
	}
	s.Invalidate()
	if g, _ := s.Generation(); g != 3 {
		t.Errorf("generation %d, want 3", g)
	}
	h, err := s.Hashes(ctx)
	if err != nil || len(h) != 1 || h["b"] != b.Hash() {
		t.Errorf("Hashes = %v, %v", h, err)
	}
}

// TestEmbedderMismatch: a reader refuses collections built with another
// embedder; a writer re-creates them empty (reconcile then re-indexes).
func TestEmbedderMismatch(t *testing.T) {
	node := weaviatetest.Start(t)
	prefix := weaviatetest.Prefix(t)
	s := openStore(t, node, prefix, nil)
	if _, err := s.Apply(context.Background(), retrieval.Change{Add: []corpus.Article{article("a", "Some text about tides.")}, Generation: 1}, nil); err != nil {
		t.Fatal(err)
	}
	other, _ := retrieval.NewHashEmbedderDim(64)
	_, err := weaviatestore.Open(context.Background(), weaviatestore.Options{URL: node.URL(), GRPCAddr: node.GRPCAddr(), Prefix: prefix, Embedder: other, ReadOnly: true})
	if err == nil || !strings.Contains(err.Error(), "another embedder") {
		t.Fatalf("read-only open with another embedder: %v", err)
	}
	w := openStore(t, node, prefix, func(o *weaviatestore.Options) { o.Embedder = other })
	if n := w.ArticleCount(); n != 0 {
		t.Errorf("after re-index %d articles remain", n)
	}
	if g, _ := w.Generation(); g != 0 {
		t.Errorf("generation %d after re-index, want 0 (behind the store)", g)
	}
}

// TestDedupeAcrossReplicas: two serve replicas (two clients of one
// Weaviate) share event ids: the second does not answer a redelivered
// event, also when both receive it at once; an expired id is new again.
func TestDedupeAcrossReplicas(t *testing.T) {
	node := weaviatetest.Start(t)
	prefix := weaviatetest.Prefix(t)
	r1 := openStore(t, node, prefix, nil)
	r2 := openStore(t, node, prefix, func(o *weaviatestore.Options) { o.ReadOnly = true })
	seen, err := r1.Seen("event:Ev1", time.Hour)
	if err != nil || seen {
		t.Fatalf("first delivery: seen=%v err=%v", seen, err)
	}
	seen, err = r2.Seen("event:Ev1", time.Hour)
	if err != nil || !seen {
		t.Fatalf("redelivery to the second replica: seen=%v err=%v", seen, err)
	}
	// Both replicas get the same redelivery at once: one answers.
	var fresh atomic.Int32
	var wg sync.WaitGroup
	for i := range 8 {
		r := r1
		if i%2 == 1 {
			r = r2
		}
		wg.Go(func() {
			if s, err := r.Seen("event:Ev2", time.Hour); err == nil && !s {
				fresh.Add(1)
			} else if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := fresh.Load(); n != 1 {
		t.Errorf("%d replicas answered one event", n)
	}
	// Expired (ttl 1s, recorded over a second ago): new again.
	if _, err := r1.Seen("event:Ev3", time.Hour); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		s, err := r2.Seen("event:Ev3", time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if !s {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("an expired id is still seen")
		}
		time.Sleep(200 * time.Millisecond)
	}
}
