package retrieval

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/newsdesk/newsdesk/corpus"
)

func relexArticle(id, text string) corpus.Article {
	return corpus.Article{ID: id, Source: "Test", Paragraphs: []string{text}}
}

// TestIncrementalBM25 adds and removes articles without re-tokenising the
// rest: the updated index answers like one built from scratch, term
// statistics forget removed articles at once, and the holes survive a
// save and reopen.
func TestIncrementalBM25(t *testing.T) {
	ctx := context.Background()
	base := []corpus.Article{
		relexArticle("a", "The harbour bridge will reopen on Friday after repairs, the city engineer said."),
		relexArticle("b", "Zorbanite miners walked out over unpaid overtime at the quarry."),
		relexArticle("c", "The council approved the tram extension budget on Tuesday."),
	}
	for i := range 7 { // enough documents that one hole does not compact
		base = append(base, relexArticle(fmt.Sprintf("f%d", i), fmt.Sprintf("Filler story %d on the weather and the markets.", i)))
	}
	keep := append([]corpus.Article{base[0], base[2]}, base[3:]...)
	dir := t.TempDir()
	ix, err := Open(Options{Dir: dir, Embedder: NewHashEmbedder()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Sync(ctx, base, nil); err != nil {
		t.Fatal(err)
	}
	lexBefore := ix.lex
	d := relexArticle("d", "Ferry crews will strike on Monday over unpaid overtime, their union said.")
	if _, err := ix.Sync(ctx, append(slices.Clone(keep), d), nil); err != nil {
		t.Fatal(err)
	}
	if ix.lex != lexBefore {
		t.Fatal("the update rebuilt BM25 instead of updating it")
	}
	if got := ix.DocFreq(Term("zorbanite")); got != 0 {
		t.Errorf("DocFreq of a removed article's word = %d, want 0", got)
	}
	if got := ix.DocFreq(Term("overtime")); got != 1 {
		t.Errorf("DocFreq(overtime) = %d, want 1 (the removed article's posting no longer counts)", got)
	}
	if n := ix.NumChunks(); n != 10 {
		t.Errorf("NumChunks = %d, want 10", n)
	}

	fresh, err := Open(Options{Embedder: NewHashEmbedder()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fresh.Sync(ctx, append(slices.Clone(keep), d), nil); err != nil {
		t.Fatal(err)
	}
	ids := func(ix *Index, q string) []string {
		hs, err := ix.Search(ctx, q, 3)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, h := range hs {
			if h.LexRank > 0 {
				out = append(out, fmt.Sprintf("%s@%d", h.Chunk.ArticleID, h.LexRank))
			}
		}
		return out
	}
	for _, q := range []string{"unpaid overtime strike", "bridge reopen", "tram budget", "zorbanite quarry"} {
		if got, want := ids(ix, q), ids(fresh, q); !slices.Equal(got, want) {
			t.Errorf("%q: updated index ranks %v, fresh index %v", q, got, want)
		}
	}

	re, err := Open(Options{Dir: dir, Embedder: NewHashEmbedder()})
	if err != nil {
		t.Fatal(err)
	}
	if got := re.DocFreq(Term("zorbanite")); got != 0 || re.NumChunks() != 10 {
		t.Errorf("after reopen: DocFreq(zorbanite) = %d, NumChunks = %d", got, re.NumChunks())
	}
	if got, want := ids(re, "unpaid overtime strike"), ids(fresh, "unpaid overtime strike"); !slices.Equal(got, want) {
		t.Errorf("after reopen: %v, want %v", got, want)
	}
}

// TestIncrementalBM25Compacts: once holes pass a fifth of the documents
// the BM25 index is rebuilt from the text.
func TestIncrementalBM25Compacts(t *testing.T) {
	ctx := context.Background()
	var arts []corpus.Article
	for i := range 10 {
		arts = append(arts, relexArticle(fmt.Sprintf("x%d", i), fmt.Sprintf("Article number %d about harbour works and tram lines.", i)))
	}
	ix, err := Open(Options{Embedder: NewHashEmbedder()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Sync(ctx, arts, nil); err != nil {
		t.Fatal(err)
	}
	before := ix.lex
	if _, err := ix.Sync(ctx, arts[:9], nil); err != nil { // one hole in ten
		t.Fatal(err)
	}
	if ix.lex != before {
		t.Fatal("one hole in ten rebuilt BM25")
	}
	if _, err := ix.Sync(ctx, arts[:6], nil); err != nil { // four holes in ten
		t.Fatal(err)
	}
	if ix.lex == before || len(ix.docs) != 6 {
		t.Fatalf("four holes in ten: want a compacted rebuild, have %d documents", len(ix.docs))
	}
}

// BenchmarkAddArticles measures adding 1,000 articles (about 7,000
// chunks) to an index of about 100,000 chunks: embedding the new chunks
// and updating BM25 incrementally, the vector index rebuilt.
func BenchmarkAddArticles(b *testing.B) {
	base := synthCorpus(100000/7, 7)
	more := synthCorpus(100000/7+1000, 7)[100000/7:]
	for i := range more {
		more[i].ID = fmt.Sprintf("more-%06d", i)
	}
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		ix, err := Open(Options{Embedder: NewHashEmbedder()})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := ix.Add(ctx, base, nil); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := ix.Add(ctx, more, nil); err != nil {
			b.Fatal(err)
		}
	}
}
