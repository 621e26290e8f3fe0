package retrieval

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/newsdesk/newsdesk/corpus"
)

// The storage seam. The embedded Index and other backends (package
// retrieval/weaviatestore) implement Backend; answerers and surfaces reach
// either through Live. The helpers below let another backend rank,
// count and match exactly as the embedded index does, so that both give
// the same answers.

// Counter is implemented by searchers that can count their articles
// without listing them (a remote archive may hold millions).
type Counter interface {
	ArticleCount() int
}

// Backend is everything answerers and surfaces use from an index.
type Backend interface {
	Searcher
	QuerySearcher
	TermStats
	Speller
	Phrases
	Acronyms
	DateRanger
	Counter
	// Stats describes the index.
	Stats() Stats
	// Generation is the article store generation the index reflects.
	Generation() (uint64, time.Time)
}

// Health describes the backend for /healthz and `index stats`.
type Health struct {
	Backend string `json:"backend"`           // "embedded" or "weaviate"
	OK      bool   `json:"ok"`                // reachable, every shard replica ready
	Nodes   int    `json:"nodes,omitempty"`   // cluster nodes
	Healthy int    `json:"healthy,omitempty"` // nodes reporting HEALTHY
	// Shards is the number of shard replicas of the backend's
	// collections, and Ready those on a healthy node and not read-only.
	Shards int `json:"shards,omitempty"`
	Ready  int `json:"ready,omitempty"`
	// Missing is the number of shards with fewer ready replicas than
	// their replication factor.
	Missing int    `json:"missing_replicas,omitempty"`
	Error   string `json:"error,omitempty"`
}

// HealthReporter is implemented by backends that can report their health.
type HealthReporter interface {
	Health(ctx context.Context) Health
}

// ArticleCount implements Counter.
func (ix *Index) ArticleCount() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.ids)
}

// Health implements HealthReporter: an open embedded index is always
// healthy.
func (ix *Index) Health(context.Context) Health { return Health{Backend: "embedded", OK: true} }

var (
	_ Backend        = (*Index)(nil)
	_ HealthReporter = (*Index)(nil)
)

// ChunkTerms returns the BM25 terms of a chunk's text in order, with
// repeats and without stop words, and the letter-set signatures of its
// words of five letters or more (see TermStats.Known): exactly what the
// embedded index counts for the chunk.
func ChunkTerms(text string) (terms, sigs []string) {
	seen := map[string]bool{}
	for _, w := range words(text) {
		if IsStopWord(w) {
			continue
		}
		terms = append(terms, Term(w))
		if len(w) >= 5 {
			if s := sortedLetters(w); !seen[s] {
				seen[s] = true
				sigs = append(sigs, s)
			}
		}
	}
	return terms, sigs
}

// Signature is the letter-set signature Known compares for a word of five
// letters or more ("" for shorter words).
func Signature(word string) string {
	if len(word) < 5 {
		return ""
	}
	return sortedLetters(word)
}

// MaxEdits is how far Speller.Correct looks from a term of n runes.
func MaxEdits(n int) int { return maxEdits(n) }

// MatchPhrase reports whether text has the phrase positions in the sense
// of Phrases.HasPhrase.
func MatchPhrase(text string, positions [][]string) bool { return hasPhrase(text, positions) }

// MaxPhraseDocs bounds the chunks HasPhrase reads; past it a phrase is
// assumed present.
const MaxPhraseDocs = maxPhraseDocs

// AcronymCounts returns, for one chunk text, how often each name spells
// each lower-cased acronym (an explicit "Name (ACR)" counting for many):
// summed over every chunk they give the embedded index's acronym table,
// and PickExpansion chooses from the sums.
func AcronymCounts(text string) map[string]map[string]int {
	idx := map[string]map[string]int{}
	buildAcronymCounts(text, func(acr, name string, n int) {
		m := idx[acr]
		if m == nil {
			m = map[string]int{}
			idx[acr] = m
		}
		m[name] += n
	})
	return idx
}

// PickExpansion chooses an acronym's expansion from its names' counts as
// Acronyms.Expand does: the most frequent, then the longer, then the
// alphabetically first.
func PickExpansion(names map[string]int) string {
	best, bestN := "", 0
	for name, n := range names {
		if n > bestN || (n == bestN && (len(name) > len(best) || (len(name) == len(best) && name < best))) {
			best, bestN = name, n
		}
	}
	return best
}

// ExpandableAcronym reports whether acronym has a length Expand considers.
func ExpandableAcronym(acronym string) bool {
	n := utf8.RuneCountInString(acronym)
	return n >= 2 && n <= 8
}

// CorpusStats are the collection-wide BM25 statistics: documents
// (chunks), their total length in terms, and each term's document
// frequency.
type CorpusStats struct {
	Docs  int
	Total int64
	DF    func(term string) int
}

// LexDoc is a chunk as BM25 sees it: its terms in order with repeats.
// Chunk needs only ID and ArticleID.
type LexDoc struct {
	Chunk Chunk
	Terms []string
}

// RankLex ranks docs for weighted term groups exactly as the embedded
// index's BM25 does (each group contributes its best member's weighted
// score), with collection statistics st, and returns the indexes of the
// best k with a positive score, best first. Ties go, as in the embedded
// index's document order, to the lower article id, then the lower chunk
// number.
func RankLex(q Query, docs []LexDoc, st CorpusStats, k int) []int {
	if st.Docs == 0 || k <= 0 {
		return nil
	}
	groups := queryGroups(q)
	avg := float64(st.Total) / float64(st.Docs)
	if avg == 0 {
		avg = 1
	}
	norm := bm25K1 * (1 - bm25B)
	per := bm25K1 * bm25B / avg
	tfs := make([]map[string]int, len(docs))
	for i, d := range docs {
		m := make(map[string]int, len(d.Terms))
		for _, t := range d.Terms {
			m[t]++
		}
		tfs[i] = m
	}
	scores := make([]float32, len(docs))
	seen := map[string]bool{}
	n := float64(st.Docs)
	for _, g := range groups {
		best := make([]float32, len(docs))
		for _, wt := range g {
			t := wt.Term
			if seen[t] || wt.Weight <= 0 {
				continue
			}
			seen[t] = true
			df := float64(st.DF(t))
			if df == 0 {
				continue
			}
			idf := math.Log(1+(n-df+0.5)/(df+0.5)) * wt.Weight
			for i := range docs {
				c := tfs[i][t]
				if c == 0 {
					continue
				}
				tf := float64(min(c, math.MaxUint16))
				s := float32(idf * tf * (bm25K1 + 1) / (tf + norm + per*float64(len(docs[i].Terms))))
				if len(g) > 1 {
					best[i] = max(best[i], s)
				} else {
					scores[i] += s
				}
			}
		}
		if len(g) > 1 {
			for i, s := range best {
				scores[i] += s
			}
		}
	}
	var out []int
	for i, s := range scores {
		if s > 0 {
			out = append(out, i)
		}
	}
	slices.SortFunc(out, func(a, b int) int {
		if scores[a] != scores[b] {
			return cmp.Compare(scores[b], scores[a])
		}
		ca, cb := docs[a].Chunk, docs[b].Chunk
		if ca.ArticleID != cb.ArticleID {
			return cmp.Compare(ca.ArticleID, cb.ArticleID)
		}
		return cmp.Compare(ChunkNumber(ca.ID), ChunkNumber(cb.ID))
	})
	if len(out) > k {
		out = out[:k]
	}
	return out
}

// QueryTerms returns every distinct BM25 term of q, in order: what a
// backend must fetch candidates and document frequencies for.
func QueryTerms(q Query) []string {
	var out []string
	seen := map[string]bool{}
	for _, g := range queryGroups(q) {
		for _, t := range g {
			if !seen[t.Term] && t.Weight > 0 {
				seen[t.Term] = true
				out = append(out, t.Term)
			}
		}
	}
	return out
}

// queryGroups is the group list SearchQuery scores.
func queryGroups(q Query) [][]WeightedTerm {
	terms := q.Terms
	if terms == nil && q.Groups == nil {
		terms = weighted(Terms(q.Text))
	}
	groups := slices.Clone(q.Groups)
	for _, t := range terms {
		groups = append(groups, []WeightedTerm{t})
	}
	return groups
}

// Fuse merges a BM25 ranking and a vector ranking (each best first, at
// most Candidates long) by reciprocal rank fusion as the embedded index
// does, keeping the head of each ranking, and returns up to k hits.
func Fuse(lex, vec []Hit, k int) []Hit {
	fused := make(map[string]*Hit)
	get := func(h Hit) *Hit {
		f := fused[h.Chunk.ID]
		if f == nil {
			f = &Hit{Chunk: h.Chunk, Article: h.Article}
			fused[h.Chunk.ID] = f
		}
		return f
	}
	for r, h := range lex {
		f := get(h)
		f.LexRank = r + 1
		f.Score += 1 / float64(rrfK+r+1)
	}
	for r, h := range vec {
		f := get(h)
		f.VecRank = r + 1
		f.Score += 1 / float64(rrfK+r+1)
	}
	hits := make([]Hit, 0, len(fused))
	for _, h := range fused {
		hits = append(hits, *h)
	}
	slices.SortFunc(hits, func(a, b Hit) int {
		if a.Score != b.Score {
			return cmp.Compare(b.Score, a.Score)
		}
		return cmp.Compare(a.Chunk.ID, b.Chunk.ID)
	})
	return headsKept(hits, k)
}

// Candidates is how many hits each ranking contributes to the fusion.
const Candidates = candidates

// ChunkNumber is the number n of a chunk id "<article id>#<n>", or -1.
func ChunkNumber(chunkID string) int {
	i := strings.LastIndexByte(chunkID, '#')
	if i < 0 {
		return -1
	}
	n := 0
	for _, c := range chunkID[i+1:] {
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// ArticleSpan returns the earliest and latest publication dates of arts
// (zero when none is dated).
func ArticleSpan(arts []*corpus.Article) (first, last time.Time) {
	for _, a := range arts {
		p := a.Published
		if p.IsZero() {
			continue
		}
		if first.IsZero() || p.Before(first) {
			first = p
		}
		if p.After(last) {
			last = p
		}
	}
	return first, last
}
