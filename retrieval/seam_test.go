package retrieval

import (
	"context"
	"slices"
	"testing"
)

// TestRankLexMatchesBM25: ranking every chunk with RankLex and the
// index's own statistics gives exactly the embedded BM25 ranking, for
// plain, weighted and grouped queries.
func TestRankLexMatchesBM25(t *testing.T) {
	arts := synthCorpus(60, 3)
	ix, err := Open(Options{Embedder: NewHashEmbedder()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Add(context.Background(), arts, nil); err != nil {
		t.Fatal(err)
	}
	var docs []LexDoc
	for _, ref := range ix.docs {
		c := ref.e.Chunks[ref.i]
		terms, _ := ChunkTerms(c.Text)
		docs = append(docs, LexDoc{Chunk: c, Terms: terms})
	}
	st := CorpusStats{Docs: ix.lex.live, Total: ix.lex.total, DF: ix.lex.df}
	w := Terms(arts[5].Paragraphs[2])
	queries := []Query{
		{Text: arts[3].Paragraphs[1][:50]},
		{Text: "x", Terms: []WeightedTerm{{w[0], 1}, {w[1], 0.4}, {w[2], 0}}},
		{Text: "y", Groups: [][]WeightedTerm{{{w[0], 1}, {w[3], 0.6}}, {{w[1], 1}}}, Terms: []WeightedTerm{{w[2], 0.7}}},
	}
	for _, q := range queries {
		want := ix.lex.searchGroups(queryGroups(q), Candidates, nil)
		got := RankLex(q, docs, st, Candidates)
		var wantIDs, gotIDs []string
		for _, s := range want {
			wantIDs = append(wantIDs, ix.docs[s.doc].e.Chunks[ix.docs[s.doc].i].ID)
		}
		for _, i := range got {
			gotIDs = append(gotIDs, docs[i].Chunk.ID)
		}
		if !slices.Equal(gotIDs, wantIDs) {
			t.Errorf("query %+v:\nRankLex %v\nBM25    %v", q, gotIDs, wantIDs)
		}
	}
}

// TestFuseMatchesSearch: fusing the index's two rankings with Fuse gives
// SearchQuery's hits.
func TestFuseMatchesSearch(t *testing.T) {
	arts := synthCorpus(40, 4)
	ix, err := Open(Options{Embedder: NewHashEmbedder()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := ix.Add(ctx, arts, nil); err != nil {
		t.Fatal(err)
	}
	q := Query{Text: arts[7].Paragraphs[3][:70]}
	want, err := ix.SearchQuery(ctx, q, 12)
	if err != nil {
		t.Fatal(err)
	}
	var lex, vec []Hit
	for _, s := range ix.lex.searchGroups(queryGroups(q), Candidates, nil) {
		ref := ix.docs[s.doc]
		lex = append(lex, Hit{Chunk: ref.e.Chunks[ref.i], Article: &ref.e.Article})
	}
	qv, _ := ix.opts.Embedder.Embed(ctx, []string{q.Text})
	vres, err := ix.vec.query(ctx, qv[0], Candidates)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range vres {
		ref, _ := ix.chunk(d.ID)
		vec = append(vec, Hit{Chunk: ref.e.Chunks[ref.i], Article: &ref.e.Article})
	}
	got := Fuse(lex, vec, 12)
	if len(got) != len(want) {
		t.Fatalf("Fuse gave %d hits, SearchQuery %d", len(got), len(want))
	}
	for i := range got {
		if got[i].Chunk.ID != want[i].Chunk.ID || got[i].LexRank != want[i].LexRank || got[i].VecRank != want[i].VecRank {
			t.Errorf("hit %d: Fuse %s (%d,%d), SearchQuery %s (%d,%d)", i, got[i].Chunk.ID, got[i].LexRank, got[i].VecRank,
				want[i].Chunk.ID, want[i].LexRank, want[i].VecRank)
		}
	}
}

func TestChunkNumber(t *testing.T) {
	for id, want := range map[string]int{"a#0": 0, "x#12": 12, "a#b#3": 3, "nohash": -1, "a#1x": -1} {
		if got := ChunkNumber(id); got != want {
			t.Errorf("ChunkNumber(%q) = %d, want %d", id, got, want)
		}
	}
}

func TestPickExpansion(t *testing.T) {
	if got := PickExpansion(map[string]int{"Bee Cee": 2, "Big Cat": 2, "Blue Crab Co": 1}); got != "Bee Cee" {
		// a tie on count: the longer name wins ("Big Cat" and "Bee Cee"
		// are as long: alphabetical)
		t.Errorf("PickExpansion = %q", got)
	}
}
