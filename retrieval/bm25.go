package retrieval

import (
	"math"
	"slices"
)

// BM25 parameters (the usual Robertson/Zaragoza values).
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

type posting struct {
	doc int32
	tf  uint16
}

// bm25 is an in-memory inverted index over chunk texts. Documents are
// numbered densely; a removed document leaves a hole (length 0) until the
// index is rebuilt.
type bm25 struct {
	postings map[string][]posting
	lens     []int32
	live     int
	total    int64
}

func newBM25() *bm25 { return &bm25{postings: make(map[string][]posting)} }

// addCached indexes a document and returns its number. stems memoises
// word -> term across calls, since stemming dominates indexing time.
func (x *bm25) addCached(text string, stems map[string]string) int32 {
	doc := int32(len(x.lens))
	tf := make(map[string]int)
	n := 0
	for _, w := range words(text) {
		if IsStopWord(w) {
			continue
		}
		t, ok := stems[w]
		if !ok {
			t = Term(w)
			stems[w] = t
		}
		tf[t]++
		n++
	}
	for t, c := range tf {
		if c > math.MaxUint16 {
			c = math.MaxUint16
		}
		x.postings[t] = append(x.postings[t], posting{doc: doc, tf: uint16(c)})
	}
	x.lens = append(x.lens, int32(n))
	x.live++
	x.total += int64(n)
	return doc
}

// df is the number of documents containing term.
func (x *bm25) df(term string) int { return len(x.postings[term]) }

// idf is BM25's inverse document frequency (never negative).
func (x *bm25) idf(term string) float64 {
	n := float64(x.live)
	df := float64(x.df(term))
	return math.Log(1 + (n-df+0.5)/(df+0.5))
}

type scored struct {
	doc   int32
	score float64
}

// search returns up to k documents for the query terms, best first.
func (x *bm25) search(terms []string, k int, alive func(int32) bool) []scored {
	if x.live == 0 || k <= 0 {
		return nil
	}
	avg := float64(x.total) / float64(x.live)
	if avg == 0 {
		avg = 1
	}
	acc := make(map[int32]float64)
	seen := make(map[string]bool, len(terms))
	for _, t := range terms {
		if seen[t] {
			continue
		}
		seen[t] = true
		ps := x.postings[t]
		if len(ps) == 0 {
			continue
		}
		idf := x.idf(t)
		for _, p := range ps {
			tf := float64(p.tf)
			dl := float64(x.lens[p.doc])
			acc[p.doc] += idf * tf * (bm25K1 + 1) / (tf + bm25K1*(1-bm25B+bm25B*dl/avg))
		}
	}
	out := make([]scored, 0, len(acc))
	for d, s := range acc {
		if alive == nil || alive(d) {
			out = append(out, scored{d, s})
		}
	}
	slices.SortFunc(out, func(a, b scored) int {
		if a.score != b.score {
			if a.score > b.score {
				return -1
			}
			return 1
		}
		return int(a.doc - b.doc)
	})
	if len(out) > k {
		out = out[:k]
	}
	return out
}
