package retrieval

import (
	"container/heap"
	"math"
	"slices"
	"sync"
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
	lens     []int32 // -1 for a hole
	live     int
	total    int64
	dead     map[string]int32 // postings of holes, by term
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

// drop removes document doc, leaving a hole: its postings stay until the
// index is rebuilt, but it is never returned and no longer counts in the
// collection statistics.
func (x *bm25) drop(doc int32, text string) {
	if int(doc) >= len(x.lens) || x.lens[doc] < 0 {
		return
	}
	x.total -= int64(x.lens[doc])
	x.lens[doc] = -1
	x.live--
	if x.dead == nil {
		x.dead = make(map[string]int32)
	}
	seen := map[string]bool{}
	for _, t := range Terms(text) {
		if !seen[t] {
			seen[t] = true
			x.dead[t]++
		}
	}
}

// countDead fills x.dead from the holes' postings (after a restore).
func (x *bm25) countDead() {
	x.dead = nil
	for t, ps := range x.postings {
		for _, p := range ps {
			if x.lens[p.doc] < 0 {
				if x.dead == nil {
					x.dead = make(map[string]int32)
				}
				x.dead[t]++
			}
		}
	}
}

// alive reports whether doc is not a hole.
func (x *bm25) alive(doc int32) bool { return x.lens[doc] >= 0 }

// df is the number of documents containing term.
func (x *bm25) df(term string) int { return len(x.postings[term]) - int(x.dead[term]) }

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

// accPool recycles the dense score accumulators of search: a query over
// 100k chunks touches most of them through common words, and a dense slice
// beats a map by an order of magnitude there.
var accPool sync.Pool

// searchGroups returns up to k documents for groups of alternative terms,
// best first: a document earns, for each group, the best of its members'
// weighted BM25 scores (Lucene's synonym-query idea), so that a word with
// many paraphrases does not outweigh a word with none.
func (x *bm25) searchGroups(groups [][]WeightedTerm, k int, alive func(int32) bool) []scored {
	if x.live == 0 || k <= 0 {
		return nil
	}
	avg := float64(x.total) / float64(x.live)
	if avg == 0 {
		avg = 1
	}
	acc, _ := accPool.Get().(*[]float32)
	if acc == nil || cap(*acc) < len(x.lens) {
		a := make([]float32, len(x.lens))
		acc = &a
	}
	scores := (*acc)[:len(x.lens)]
	defer func() {
		clear(scores)
		accPool.Put(acc)
	}()
	var touched []int32
	seen := make(map[string]bool)
	norm := bm25K1 * (1 - bm25B)
	per := bm25K1 * bm25B / avg
	for _, g := range groups {
		var best map[int32]float32 // per document, the group's best member
		if len(g) > 1 {
			best = make(map[int32]float32)
		}
		for _, wt := range g {
			t := wt.Term
			if seen[t] || wt.Weight <= 0 {
				continue
			}
			seen[t] = true
			ps := x.postings[t]
			if len(ps) == 0 {
				continue
			}
			idf := x.idf(t) * wt.Weight
			for _, p := range ps {
				tf := float64(p.tf)
				s := float32(idf * tf * (bm25K1 + 1) / (tf + norm + per*float64(x.lens[p.doc])))
				if best != nil {
					if s > best[p.doc] {
						best[p.doc] = s
					}
					continue
				}
				if scores[p.doc] == 0 {
					touched = append(touched, p.doc)
				}
				scores[p.doc] += s
			}
		}
		for d, s := range best {
			if scores[d] == 0 {
				touched = append(touched, d)
			}
			scores[d] += s
		}
	}
	// Keep the k best in a min-heap.
	h := make(scoreHeap, 0, k)
	for _, d := range touched {
		if alive != nil && !alive(d) {
			continue
		}
		sc := scored{d, float64(scores[d])}
		if len(h) < k {
			heap.Push(&h, sc)
		} else if better(sc, h[0]) {
			h[0] = sc
			heap.Fix(&h, 0)
		}
	}
	out := []scored(h)
	slices.SortFunc(out, func(a, b scored) int {
		if better(a, b) {
			return -1
		}
		if better(b, a) {
			return 1
		}
		return 0
	})
	return out
}

// better orders by score, then by document number for stable results.
func better(a, b scored) bool {
	if a.score != b.score {
		return a.score > b.score
	}
	return a.doc < b.doc
}

type scoreHeap []scored

func (h scoreHeap) Len() int           { return len(h) }
func (h scoreHeap) Less(i, j int) bool { return better(h[j], h[i]) }
func (h scoreHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *scoreHeap) Push(x any)        { *h = append(*h, x.(scored)) }
func (h *scoreHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
