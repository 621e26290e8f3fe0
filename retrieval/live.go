package retrieval

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/newsdesk/newsdesk/corpus"
)

// Live is a Searcher whose Index can be replaced while it is in use: a
// long-running reader (serve, repl) loads a newer index in the background
// and swaps it in with Swap. Each call goes to the index current when it
// starts; a call in flight finishes on the index it started with (whose
// articles stay valid after the swap), so no answer is dropped. Live
// implements every optional interface Index does (TermStats, QuerySearcher,
// Speller, Phrases, Acronyms). It is safe for concurrent use.
type Live struct {
	cur atomic.Pointer[Index]
}

// NewLive returns a Live serving ix.
func NewLive(ix *Index) *Live {
	l := &Live{}
	l.cur.Store(ix)
	return l
}

// Current returns the index in use.
func (l *Live) Current() *Index { return l.cur.Load() }

// Swap makes ix the index in use and returns the previous one.
func (l *Live) Swap(ix *Index) *Index { return l.cur.Swap(ix) }

// Search implements Searcher.
func (l *Live) Search(ctx context.Context, query string, k int) ([]Hit, error) {
	return l.Current().Search(ctx, query, k)
}

// SearchQuery implements QuerySearcher.
func (l *Live) SearchQuery(ctx context.Context, q Query, k int) ([]Hit, error) {
	return l.Current().SearchQuery(ctx, q, k)
}

// Articles implements Searcher.
func (l *Live) Articles() []*corpus.Article { return l.Current().Articles() }

// Article implements Searcher.
func (l *Live) Article(id string) *corpus.Article { return l.Current().Article(id) }

// DocFreq implements TermStats.
func (l *Live) DocFreq(term string) int { return l.Current().DocFreq(term) }

// NumChunks implements TermStats.
func (l *Live) NumChunks() int { return l.Current().NumChunks() }

// Known implements TermStats.
func (l *Live) Known(word string) bool { return l.Current().Known(word) }

// Correct implements Speller.
func (l *Live) Correct(word string) []string { return l.Current().Correct(word) }

// HasPhrase implements Phrases.
func (l *Live) HasPhrase(positions [][]string) bool { return l.Current().HasPhrase(positions) }

// Expand implements Acronyms.
func (l *Live) Expand(acronym string) string { return l.Current().Expand(acronym) }

// Stats describes the index in use.
func (l *Live) Stats() Stats { return l.Current().Stats() }

// Generation is the article store generation of the index in use.
func (l *Live) Generation() (uint64, time.Time) { return l.Current().Generation() }

var (
	_ Searcher      = (*Live)(nil)
	_ TermStats     = (*Live)(nil)
	_ QuerySearcher = (*Live)(nil)
	_ Speller       = (*Live)(nil)
	_ Phrases       = (*Live)(nil)
	_ Acronyms      = (*Live)(nil)
)

// DateRange implements DateRanger.
func (l *Live) DateRange() (first, last time.Time) { return l.Current().DateRange() }

// Live must offer everything Index does, or an answerer given a Live
// would silently lose a capability (spelling correction, date ranges…).
var (
	_ Searcher      = (*Live)(nil)
	_ QuerySearcher = (*Live)(nil)
	_ TermStats     = (*Live)(nil)
	_ Speller       = (*Live)(nil)
	_ Phrases       = (*Live)(nil)
	_ Acronyms      = (*Live)(nil)
	_ DateRanger    = (*Live)(nil)
)
