package retrieval

import (
	"cmp"
	"context"
	"slices"

	"github.com/agnivade/levenshtein"
)

// WeightedTerm is a search term with the weight its matches count for.
type WeightedTerm struct {
	Term   string
	Weight float64
}

// Query is a search whose BM25 terms carry weights: an answerer's
// expansions of a question (paraphrases, corrected spellings) count for
// less than the words the user typed.
type Query struct {
	// Text is embedded for the vector ranking.
	Text string
	// Terms are the BM25 terms; nil means Terms(Text), each at weight 1.
	Terms []WeightedTerm
	// Groups are sets of alternatives (a word, its spellings and
	// paraphrases): a chunk earns the best of each group, not the sum.
	// They are searched beside Terms.
	Groups [][]WeightedTerm
}

// QuerySearcher is implemented by searchers that take weighted queries.
type QuerySearcher interface {
	SearchQuery(ctx context.Context, q Query, k int) ([]Hit, error)
}

// Speller is implemented by searchers that can suggest the archive's own
// spelling of a word it never uses ("reinforcments", "balakleya").
type Speller interface {
	// Correct returns the archive's terms within a small edit distance of
	// word's term, most common first; nil when the archive has the term
	// itself or nothing close.
	Correct(word string) []string
}

func weighted(terms []string) []WeightedTerm {
	out := make([]WeightedTerm, len(terms))
	for i, t := range terms {
		out[i] = WeightedTerm{Term: t, Weight: 1}
	}
	return out
}

// maxEdits is how far a misspelling may be from the archive's word: one
// edit for words of four to seven letters, two from eight letters on.
// Shorter words are left alone: one letter changes too many of them into
// other words.
func maxEdits(n int) int {
	switch {
	case n < 4:
		return 0
	case n < 8:
		return 1
	}
	return 2
}

// Correct implements Speller. It scans the vocabulary, which it does only
// for words the archive does not have; at a few hundred thousand terms
// that is milliseconds.
func (ix *Index) Correct(word string) []string {
	t := Term(word)
	d := maxEdits(len([]rune(t)))
	if d == 0 {
		return nil
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.lex.df(t) > 0 {
		return nil
	}
	type cand struct {
		term string
		dist int
		df   int
	}
	var out []cand
	n := len(t)
	ix.lex.each(func(v string, ps []posting) {
		if len(ps) == 0 || len(v) < n-d || len(v) > n+d || v[0] != t[0] && d < 2 {
			return
		}
		if k := levenshtein.ComputeDistance(t, v); k <= d {
			out = append(out, cand{v, k, len(ps)})
		}
	})
	slices.SortFunc(out, func(a, b cand) int {
		if a.dist != b.dist {
			return cmp.Compare(a.dist, b.dist)
		}
		if a.df != b.df {
			return cmp.Compare(b.df, a.df)
		}
		return cmp.Compare(a.term, b.term)
	})
	terms := make([]string, 0, min(len(out), 3))
	for i := 0; i < len(out) && i < 3; i++ {
		terms = append(terms, out[i].term)
	}
	return terms
}
