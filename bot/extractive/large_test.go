package extractive

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/newsdesk/newsdesk/bot"
	"github.com/newsdesk/newsdesk/corpus"
	"github.com/newsdesk/newsdesk/retrieval"
)

// longArticle is one article of n paragraphs, each naming its own town.
func longArticle(n int) corpus.Article {
	paras := make([]string, n)
	for i := range paras {
		paras[i] = fmt.Sprintf("Officials in Town%d said the bridge there would reopen after repairs costing %d euros. "+
			"Residents of Town%d welcomed the decision.", i, 1000+i, i)
	}
	paras[n/2] = "Mayor Ilse Brandvik said the Kessler Bridge would reopen on Friday after repairs costing 4 million euros."
	return corpus.Article{ID: "long", Title: "Bridges", Paragraphs: paras}
}

// TestLongArticleWorkIsBounded: a question that reaches one passage of a
// very long article derives data for the sentences it reads, not for the
// whole article, and concurrent first questions split it once (red-team:
// a 19 MiB article cost 84 s per ask; four concurrent first questions
// took 40 s each).
func TestLongArticleWorkIsBounded(t *testing.T) {
	const paras = 20000 // 40,000 sentences
	art := longArticle(paras)
	ix, err := retrieval.Open(retrieval.Options{Embedder: retrieval.NewHashEmbedder()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Sync(context.Background(), []corpus.Article{art}, nil); err != nil {
		t.Fatal(err)
	}
	ex := New(ix, bot.Linker{})
	var wg sync.WaitGroup
	answers := make([]*bot.Answer, 4)
	for i := range answers {
		wg.Go(func() {
			a, err := ex.Answer(context.Background(), bot.Request{Question: "When will the Kessler Bridge reopen?"})
			if err != nil {
				t.Error(err)
			}
			answers[i] = a
		})
	}
	wg.Wait()
	if len(ex.cache) != 1 {
		t.Fatalf("%d analyses cached, want 1", len(ex.cache))
	}
	var an *analysis
	for _, v := range ex.cache {
		an = v
	}
	// Each of Passages chunks holds a few sentences; attribution looks
	// back maxNameLookback sentences but derives nothing for them.
	if got, limit := an.computed(), ex.Passages*20; got > limit {
		t.Errorf("derived data for %d of %d sentences, want at most %d", got, len(an.sents), limit)
	}
	for _, a := range answers {
		if a == nil || len(a.Citations) == 0 || !strings.Contains(a.Citations[0].Quote, "Kessler Bridge") {
			t.Fatalf("answer: %+v", a)
		}
	}
}
