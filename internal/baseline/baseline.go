// Package baseline is the search box a newsroom would otherwise use: plain
// BM25 over every sentence of the archive, the top k sentences quoted as
// they stand. `newsdesk eval --baseline` runs it beside the configured
// answerer so a desk sees what the bot adds over keyword search.
package baseline

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/newsdesk/newsdesk/bot"
	"github.com/newsdesk/newsdesk/corpus"
	"github.com/newsdesk/newsdesk/retrieval"
)

// Mode is the Answer.Mode of the baseline.
const Mode = "bm25-sentences"

// BM25Sentences answers with the k sentences that score highest under
// BM25, each sentence of the archive a document of its own. It abstains
// only when no word of the question occurs in the archive.
type BM25Sentences struct {
	k     int
	ix    *retrieval.Index
	sents map[string]sentence // by document id
}

type sentence struct {
	article *corpus.Article
	s       corpus.Sentence
}

// New indexes the sentences of articles in memory. k <= 0 means three.
// The index is the project's retrieval.Index (its BM25 and tokeniser);
// only its keyword ranking is read.
func New(ctx context.Context, articles []corpus.Article, k int) (*BM25Sentences, error) {
	if k <= 0 {
		k = 3
	}
	b := &BM25Sentences{k: k, sents: map[string]sentence{}}
	var docs []corpus.Article
	for i := range articles {
		a := &articles[i]
		for _, s := range a.Sentences() {
			id := a.ID + "/" + strconv.Itoa(len(docs))
			docs = append(docs, corpus.Article{ID: id, Paragraphs: []string{s.Text}})
			b.sents[id] = sentence{article: a, s: s}
		}
	}
	ix, err := retrieval.Open(retrieval.Options{Embedder: retrieval.NewHashEmbedder()})
	if err != nil {
		return nil, fmt.Errorf("baseline index: %w", err)
	}
	if _, err := ix.Sync(ctx, docs, nil); err != nil {
		return nil, fmt.Errorf("baseline index: %w", err)
	}
	b.ix = ix
	return b, nil
}

// Answer implements bot.Answerer: the top k sentences by BM25, the first
// of them as the answer line.
func (b *BM25Sentences) Answer(ctx context.Context, req bot.Request) (*bot.Answer, error) {
	q := strings.TrimSpace(req.Question)
	if q == "" {
		return nil, bot.ErrEmptyQuestion
	}
	hits, err := b.ix.Search(ctx, q, 1<<20)
	if err != nil {
		return nil, fmt.Errorf("baseline search: %w", err)
	}
	hits = slices.DeleteFunc(hits, func(h retrieval.Hit) bool { return h.LexRank < 1 || h.LexRank > b.k })
	slices.SortFunc(hits, func(x, y retrieval.Hit) int { return cmp.Compare(x.LexRank, y.LexRank) })
	a := &bot.Answer{Question: q, Mode: Mode, Citations: []bot.Citation{}}
	for _, h := range hits {
		s, ok := b.sents[h.Article.ID]
		if !ok {
			continue
		}
		a.Citations = append(a.Citations, bot.Citation{
			N:         len(a.Citations) + 1,
			ArticleID: s.article.ID,
			Title:     s.article.Title,
			Source:    s.article.SourceName(),
			Published: s.article.Date(),
			URL:       s.article.URL,
			Quote:     s.s.Text,
			Para:      s.s.Para,
			Start:     s.article.ParagraphOffset(s.s.Para) + s.s.Start,
		})
	}
	if len(a.Citations) == 0 {
		a.Abstained = true
		a.Text = "No sentence matches a word of the question."
		return a, nil
	}
	lines := make([]string, len(a.Citations))
	for i, c := range a.Citations {
		lines[i] = fmt.Sprintf("[%d] %s", c.N, c.Quote)
	}
	a.Text = strings.Join(lines, "\n")
	a.Lead = a.Citations[0].Quote
	return a, nil
}
