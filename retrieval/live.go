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
//
// A Live made by NewLiveBackend serves another Backend (a remote index
// such as Weaviate, which is always current) and cannot be swapped.
type Live struct {
	cur    atomic.Pointer[Index]
	remote Backend
}

// NewLiveBackend returns a Live serving b.
func NewLiveBackend(b Backend) *Live { return &Live{remote: b} }

// Backend returns the backend in use: the current Index, or the remote
// backend of NewLiveBackend.
func (l *Live) Backend() Backend {
	if l.remote != nil {
		return l.remote
	}
	return l.cur.Load()
}

// b is the backend calls go to.
func (l *Live) b() Backend { return l.Backend() }

// NewLive returns a Live serving ix.
func NewLive(ix *Index) *Live {
	l := &Live{}
	l.cur.Store(ix)
	return l
}

// Current returns the embedded index in use (nil for a Live of
// NewLiveBackend).
func (l *Live) Current() *Index { return l.cur.Load() }

// Swap makes ix the index in use and returns the previous one. It must
// not be called on a Live of NewLiveBackend.
func (l *Live) Swap(ix *Index) *Index { return l.cur.Swap(ix) }

// Search implements Searcher.
func (l *Live) Search(ctx context.Context, query string, k int) ([]Hit, error) {
	return l.b().Search(ctx, query, k)
}

// SearchQuery implements QuerySearcher.
func (l *Live) SearchQuery(ctx context.Context, q Query, k int) ([]Hit, error) {
	return l.b().SearchQuery(ctx, q, k)
}

// Articles implements Searcher.
func (l *Live) Articles() []*corpus.Article { return l.b().Articles() }

// Article implements Searcher.
func (l *Live) Article(id string) *corpus.Article { return l.b().Article(id) }

// DocFreq implements TermStats.
func (l *Live) DocFreq(term string) int { return l.b().DocFreq(term) }

// NumChunks implements TermStats.
func (l *Live) NumChunks() int { return l.b().NumChunks() }

// Known implements TermStats.
func (l *Live) Known(word string) bool { return l.b().Known(word) }

// Correct implements Speller.
func (l *Live) Correct(word string) []string { return l.b().Correct(word) }

// HasPhrase implements Phrases.
func (l *Live) HasPhrase(positions [][]string) bool { return l.b().HasPhrase(positions) }

// Expand implements Acronyms.
func (l *Live) Expand(acronym string) string { return l.b().Expand(acronym) }

// Stats describes the index in use.
func (l *Live) Stats() Stats { return l.b().Stats() }

// Generation is the article store generation of the index in use.
func (l *Live) Generation() (uint64, time.Time) { return l.b().Generation() }

// ArticleCount implements Counter.
func (l *Live) ArticleCount() int { return l.b().ArticleCount() }

// DateRange implements DateRanger.
func (l *Live) DateRange() (first, last time.Time) { return l.b().DateRange() }

// Health implements HealthReporter.
func (l *Live) Health(ctx context.Context) Health {
	if h, ok := l.b().(HealthReporter); ok {
		return h.Health(ctx)
	}
	return Health{Backend: "unknown", OK: true}
}

var (
	_ Backend        = (*Live)(nil)
	_ HealthReporter = (*Live)(nil)
	_ Searcher       = (*Live)(nil)
	_ TermStats      = (*Live)(nil)
	_ QuerySearcher  = (*Live)(nil)
	_ Speller        = (*Live)(nil)
	_ Phrases        = (*Live)(nil)
	_ Acronyms       = (*Live)(nil)
	_ DateRanger     = (*Live)(nil)
)
