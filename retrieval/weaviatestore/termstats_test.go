package weaviatestore

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/weaviate/weaviate/entities/models"

	"github.com/newsdesk/newsdesk/corpus"
	"github.com/newsdesk/newsdesk/internal/weaviatetest"
	"github.com/newsdesk/newsdesk/retrieval"
)

// checkStats compares the maintained statistics with counts Weaviate
// makes from the chunks themselves.
func checkStats(t *testing.T, s *Store, terms []string) {
	t.Helper()
	ctx := context.Background()
	s.Invalidate()
	truth, err := s.chunkTotals(ctx)
	if err != nil {
		t.Fatal(err)
	}
	m, _, err := s.readMeta(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if m.Chunks != truth.Docs || m.Total != truth.Total || m.Dirty {
		t.Errorf("meta chunks %d total %d dirty %v; counted %d %d", m.Chunks, m.Total, m.Dirty, truth.Docs, truth.Total)
	}
	counted, err := s.countWhere(ctx, suffixChunk, "terms", terms, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, term := range terms {
		if g := s.DocFreq(term); g != counted[term] {
			t.Errorf("DocFreq(%q) = %d, counted %d", term, g, counted[term])
		}
	}
}

// TestTermStatsMaintained: document frequencies and totals follow adds,
// updates and removals, and an interrupted Apply (Meta left dirty) is
// recounted by the next writer.
func TestTermStatsMaintained(t *testing.T) {
	node := weaviatetest.Start(t)
	ctx := context.Background()
	var logs bytes.Buffer
	prefix := "TStats" + strings.TrimPrefix(weaviatetest.Prefix(t), "T")
	open := func() *Store {
		s, err := Open(ctx, Options{URL: node.URL(), GRPCAddr: node.GRPCAddr(), Prefix: prefix, Embedder: retrieval.NewHashEmbedder(),
			Logger: slog.New(slog.NewTextHandler(&logs, nil))})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := open()
	art := func(id, text string) corpus.Article {
		return corpus.Article{ID: id, Published: time.Unix(0, 0), Paragraphs: []string{text}}
	}
	terms := []string{retrieval.Term("harbour"), retrieval.Term("ferry"), retrieval.Term("bridge"), retrieval.Term("tram")}
	a := art("a", "The harbour bridge closed. The harbour ferry ran.")
	b := art("b", "The tram and the ferry stopped at the bridge.")
	if _, err := s.Apply(ctx, retrieval.Change{Add: []corpus.Article{a, b}, Generation: 1}, nil); err != nil {
		t.Fatal(err)
	}
	checkStats(t, s, terms)
	a2 := art("a", "The tram depot flooded.")
	if _, err := s.Apply(ctx, retrieval.Change{Add: []corpus.Article{a2}, Remove: []string{"b"}, Generation: 2}, nil); err != nil {
		t.Fatal(err)
	}
	checkStats(t, s, terms)
	if strings.Contains(logs.String(), "recount") || strings.Contains(logs.String(), "interrupted") {
		t.Errorf("adds, updates and removals needed a recount:\n%s", logs.String())
	}
	// An interrupted import left a chunk of article "c" without its
	// article object: adding "c" deletes it and recounts.
	c := art("c", "The ferry harbour reopened.")
	orphan := s.chunkObject(retrieval.ChunkArticle(&c, 0, 0)[0], 0, make([]float32, 128), newDeltas())
	orphan.Vector[0] = 1
	if err := s.importObjects(ctx, []*models.Object{orphan}); err != nil {
		t.Fatal(err)
	}
	c.Paragraphs = []string{"The ferry harbour reopened on Monday after the storm."}
	if _, err := s.Apply(ctx, retrieval.Change{Add: []corpus.Article{c}, Generation: 3}, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "interrupted import") {
		t.Errorf("orphan chunks not noticed:\n%s", logs.String())
	}
	checkStats(t, s, terms)
	// Corrupt the statistics as an interrupted Apply would leave them.
	m, _, _ := s.readMeta(ctx)
	m.Chunks, m.Total, m.Dirty = 99, 999, true
	if err := s.writeMeta(ctx, m); err != nil {
		t.Fatal(err)
	}
	if err := s.importObjects(ctx, []*models.Object{s.termObject(terms[0], 42), s.termObject("zzgone", 3)}); err != nil {
		t.Fatal(err)
	}
	s2 := open() // a writer: recounts
	checkStats(t, s2, append(terms, "zzgone"))
}
