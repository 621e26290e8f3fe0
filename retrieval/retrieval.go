// Package retrieval finds the passages of a corpus that bear on a question:
// it chunks articles, embeds the chunks (Embedder), keeps them in a
// persistent chromem-go collection beside a BM25 index (Index), and fuses the
// two rankings by reciprocal rank fusion.
package retrieval

import (
	"context"
	"time"

	"github.com/newsdesk/newsdesk/corpus"
)

// Chunk is a passage of one article: whole sentences, possibly overlapping
// its neighbours.
type Chunk struct {
	ID        string // "<article id>#<n>"
	ArticleID string
	Para      int    // paragraph of the first sentence
	Start     int    // byte offset in Article.Text()
	End       int    // byte offset just past the chunk in Article.Text()
	Text      string // Article.Text()[Start:End]
}

// Embedder turns texts into vectors. Implementations must return one
// L2-normalised, non-zero vector per input text, all of the same dimension.
type Embedder interface {
	// ID names the model and its settings; the index re-embeds everything
	// when it changes (e.g. "hash-v1-384", "openai:text-embedding-3-small").
	ID() string
	// Embed embeds texts in order. It may batch internally.
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// Hit is one retrieved chunk with its fused score and the ranks it had in
// each ranking (0 when absent from that ranking).
type Hit struct {
	Chunk   Chunk
	Article *corpus.Article
	Score   float64
	VecRank int
	LexRank int
}

// Searcher is what answerers need from an index.
type Searcher interface {
	// Search returns up to k chunks, best first.
	Search(ctx context.Context, query string, k int) ([]Hit, error)
	// Articles returns every indexed article, in id order.
	Articles() []*corpus.Article
	// Article returns the article with the given id, or nil.
	Article(id string) *corpus.Article
}

// TermStats is implemented by searchers that can tell how common a search
// term is; answerers use it to weigh question words and to notice words the
// corpus has never seen.
type TermStats interface {
	// DocFreq is the number of chunks that contain term (see Terms).
	DocFreq(term string) int
	// NumChunks is the number of chunks indexed.
	NumChunks() int
	// Known reports whether a lower-cased word, or a spelling variant of
	// it, occurs in the corpus.
	Known(word string) bool
}

// DateRanger is implemented by searchers that know the publication dates
// their articles span (zero when no article is dated).
type DateRanger interface {
	DateRange() (first, last time.Time)
}
