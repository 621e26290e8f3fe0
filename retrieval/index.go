package retrieval

import (
	"context"
	"errors"
	"log/slog"

	"github.com/newsdesk/newsdesk/corpus"
)

// Options configure an Index.
type Options struct {
	// Dir is where the index persists; "" keeps it in memory only.
	Dir string
	// Embedder embeds chunks and queries. Required.
	Embedder Embedder
	// Logger receives warnings (a corrupt index rebuilt, an embedder change);
	// nil discards them.
	Logger *slog.Logger
}

// SyncStats reports what a Sync did.
type SyncStats struct {
	Added, Updated, Unchanged, Removed int // articles
	ChunksEmbedded                     int
}

// Stats describes an index.
type Stats struct {
	Dir        string
	EmbedderID string
	Dim        int
	Articles   int
	Chunks     int
	Terms      int       // distinct BM25 terms
	Bytes      int64     // size on disk, 0 in memory
	Dates      [2]string // earliest and latest publication date, "" if none
}

// Index is a persistent hybrid (vector + BM25) index of articles.
// It is safe for concurrent Search calls; Sync must not run concurrently
// with other calls.
type Index struct {
	opts Options
}

// Open loads the index in opts.Dir, or starts an empty one. An index written
// by another embedder, or one that is corrupt or half-written, is discarded
// with a warning and rebuilt by the next Sync.
func Open(opts Options) (*Index, error) {
	return nil, errors.New("not implemented")
}

// Add indexes articles, replacing any with the same id; unchanged articles
// (same Hash) are not re-embedded. progress, if non-nil, is called with the
// number of chunks embedded so far and the total to embed.
func (ix *Index) Add(ctx context.Context, articles []corpus.Article, progress func(done, total int)) (SyncStats, error) {
	return SyncStats{}, errors.New("not implemented")
}

// Sync makes the index hold exactly articles: like Add, and it also removes
// indexed articles that are not in the list.
func (ix *Index) Sync(ctx context.Context, articles []corpus.Article, progress func(done, total int)) (SyncStats, error) {
	return SyncStats{}, errors.New("not implemented")
}

// Search implements Searcher.
func (ix *Index) Search(ctx context.Context, query string, k int) ([]Hit, error) {
	return nil, errors.New("not implemented")
}

// Articles implements Searcher.
func (ix *Index) Articles() []*corpus.Article { return nil }

// Article implements Searcher.
func (ix *Index) Article(id string) *corpus.Article { return nil }

// Stats describes the index.
func (ix *Index) Stats() Stats { return Stats{} }
