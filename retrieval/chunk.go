package retrieval

import (
	"fmt"

	"github.com/newsdesk/newsdesk/corpus"
)

// Chunking defaults: news paragraphs are one to three sentences, so a chunk
// of about three sentences holds a claim and its attribution, and one
// sentence of overlap keeps "…," he said. with the sentence before it.
const (
	DefaultChunkChars   = 700
	DefaultChunkOverlap = 1
)

// ChunkArticle splits a into chunks of whole sentences, each at most
// maxChars long (a longer single sentence is its own chunk), consecutive
// chunks sharing overlap sentences. Offsets refer to a.Text().
func ChunkArticle(a *corpus.Article, maxChars, overlap int) []Chunk {
	if maxChars <= 0 {
		maxChars = DefaultChunkChars
	}
	if overlap < 0 {
		overlap = 0
	}
	sents := a.Sentences()
	if len(sents) == 0 {
		return nil
	}
	text := a.Text()
	paraOff := make([]int, len(a.Paragraphs))
	off := 0
	for i, p := range a.Paragraphs {
		paraOff[i] = off
		off += len(p) + 2
	}
	abs := func(s corpus.Sentence) (int, int) { return paraOff[s.Para] + s.Start, paraOff[s.Para] + s.End }

	var chunks []Chunk
	for i := 0; i < len(sents); {
		start, end := abs(sents[i])
		j := i + 1
		for j < len(sents) {
			_, e := abs(sents[j])
			if e-start > maxChars {
				break
			}
			end = e
			j++
		}
		chunks = append(chunks, Chunk{
			ID:        fmt.Sprintf("%s#%d", a.ID, len(chunks)),
			ArticleID: a.ID,
			Para:      sents[i].Para,
			Start:     start,
			End:       end,
			Text:      text[start:end],
		})
		if j >= len(sents) {
			break
		}
		next := j - overlap
		if next <= i {
			next = i + 1
		}
		i = next
	}
	return chunks
}
