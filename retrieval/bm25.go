package retrieval

import (
	"cmp"
	"container/heap"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
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
	// postings by term; nil while dict holds them (an index read from a
	// v3 file, until its first change: see thaw).
	postings map[string][]posting
	dict     *termDict
	lens     []int32 // -1 for a hole
	live     int
	total    int64
	dead     map[string]int32 // postings of holes, by term
}

func newBM25() *bm25 { return &bm25{postings: make(map[string][]posting)} }

// termDict is a v3 file's term dictionary, searched where it lies: the
// sorted terms (one string, term i at terms[toff[i]:toff[i+1]]) and the
// postings of term i, all[poff[i]:poff[i+1]].
type termDict struct {
	terms      string
	toff, poff []uint64
	all        []posting
	// check, when set, verifies postings [lo, hi) before they are read (a
	// v4 file's are checked on first use: see store3.go); a term whose
	// postings fail it has none.
	check func(lo, hi uint64) bool
}

func (d *termDict) len() int          { return len(d.toff) - 1 }
func (d *termDict) term(i int) string { return d.terms[d.toff[i]:d.toff[i+1]] }
func (d *termDict) postings(i int) []posting {
	lo, hi := d.poff[i], d.poff[i+1]
	if d.check != nil && !d.check(lo, hi) {
		return nil
	}
	return d.all[lo:hi:hi]
}

// find returns term t's index, or -1.
func (d *termDict) find(t string) int {
	i := sort.Search(d.len(), func(i int) bool { return d.term(i) >= t })
	if i < d.len() && d.term(i) == t {
		return i
	}
	return -1
}

// get returns the postings of term t.
func (x *bm25) get(t string) []posting {
	if d := x.dict; d != nil {
		if i := d.find(t); i >= 0 {
			return d.postings(i)
		}
		return nil
	}
	return x.postings[t]
}

// numTerms is the number of distinct terms.
func (x *bm25) numTerms() int {
	if x.dict != nil {
		return x.dict.len()
	}
	return len(x.postings)
}

// each calls f with every term and its postings, in no particular order.
func (x *bm25) each(f func(t string, ps []posting)) {
	if d := x.dict; d != nil {
		for i := range d.len() {
			f(d.term(i), d.postings(i))
		}
		return
	}
	for t, ps := range x.postings {
		f(t, ps)
	}
}

// thaw moves the postings to a map on the heap (copying them out of the
// mapped file), for the update code.
func (x *bm25) thaw() {
	if x.postings != nil && x.dict == nil {
		return
	}
	n := 0
	x.each(func(_ string, ps []posting) { n += len(ps) })
	all := make([]posting, 0, n)
	m := make(map[string][]posting, x.numTerms())
	x.each(func(t string, ps []posting) {
		all = append(all, ps...)
		m[strings.Clone(t)] = all[len(all)-len(ps) : len(all) : len(all)]
	})
	x.postings, x.dict = m, nil
}

// addAll indexes texts as the next documents, in order, and returns the
// words it saw with their terms (for spelling signatures). Tokenising and
// stemming, most of the cost, run on every CPU; postings are appended in
// document order, so the index is the same however the work was split.
func (x *bm25) addAll(texts []string) map[string]string {
	// In batches: a document's terms are held only until its postings
	// are appended, which bounds the memory of building a large index.
	x.thaw()
	stems := make(map[string]string)
	for lo := 0; lo < len(texts); lo += addBatch {
		maps.Copy(stems, x.addBatch(texts[lo:min(lo+addBatch, len(texts))]))
	}
	return stems
}

// addBatch is how many documents addAll analyses at a time.
const addBatch = 1 << 15

func (x *bm25) addBatch(texts []string) map[string]string {
	type doc struct {
		terms []string
		tfs   []uint16
		n     int32
	}
	docs := make([]doc, len(texts))
	var mu sync.Mutex
	stems := make(map[string]string)
	parallel(len(texts), func(lo, hi int) {
		local := make(map[string]string)
		tf := make(map[string]int)
		for i := lo; i < hi; i++ {
			n := 0
			// scan, not words: the words are counted as they come, so a
			// build does not grow a slice of every document's words
			// (about 2 KB a chunk of garbage, at the build's peak).
			scan(texts[i], func(w string, _ int, _ bool) {
				if IsStopWord(w) {
					return
				}
				t, ok := local[w]
				if !ok {
					t = Term(w)
					local[w] = t
				}
				tf[t]++
				n++
			})
			d := doc{terms: make([]string, 0, len(tf)), tfs: make([]uint16, 0, len(tf)), n: int32(n)}
			for t, c := range tf {
				d.terms = append(d.terms, t)
				d.tfs = append(d.tfs, uint16(min(c, math.MaxUint16)))
			}
			clear(tf)
			docs[i] = d
		}
		mu.Lock()
		maps.Copy(stems, local)
		mu.Unlock()
	})
	for _, d := range docs {
		doc := int32(len(x.lens))
		for j, t := range d.terms {
			x.postings[t] = append(x.postings[t], posting{doc: doc, tf: d.tfs[j]})
		}
		x.lens = append(x.lens, d.n)
		x.live++
		x.total += int64(d.n)
	}
	return stems
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
	x.each(func(t string, ps []posting) {
		for _, p := range ps {
			if x.lens[p.doc] < 0 {
				if x.dead == nil {
					x.dead = make(map[string]int32)
				}
				x.dead[t]++
			}
		}
	})
}

// alive reports whether doc is not a hole.
func (x *bm25) alive(doc int32) bool { return x.lens[doc] >= 0 }

// df is the number of documents containing term.
func (x *bm25) df(term string) int { return len(x.get(term)) - int(x.dead[term]) }

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
//
// On a large index the common terms' postings dominate the cost, and
// most of their documents cannot reach the top k: searchGroups then
// prunes (see searchPruned), with the same result.
func (x *bm25) searchGroups(groups [][]WeightedTerm, k int, alive func(int32) bool) []scored {
	if x.live == 0 || k <= 0 {
		return nil
	}
	gs, n := x.plan(groups)
	if n > pruneMinPostings && n > 4*len(x.lens)/10 {
		if out, ok := x.searchPruned(gs, k, alive); ok {
			return out
		}
	}
	return x.searchAll(gs, k, alive)
}

// pruneMinPostings: queries visiting fewer postings are scored
// exhaustively; pruning does not pay below it.
var pruneMinPostings = 200000

// planned is one term group as searchPruned scores it: its members'
// postings and weighted idfs, in the order searchAll would visit them,
// and an upper bound of the group's contribution to any document.
type planned struct {
	postings [][]posting
	idf      []float64
	bound    float64
}

// plan resolves groups as searchAll would (a term counts in the first
// group that names it; unknown and zero-weight terms drop out) and
// returns them with their total number of postings.
func (x *bm25) plan(groups [][]WeightedTerm) ([]planned, int) {
	seen := make(map[string]bool)
	var out []planned
	total := 0
	for _, g := range groups {
		var p planned
		for _, wt := range g {
			t := wt.Term
			if seen[t] || wt.Weight <= 0 {
				continue
			}
			seen[t] = true
			ps := x.get(t)
			if len(ps) == 0 {
				continue
			}
			idf := x.idf(t) * wt.Weight
			p.postings = append(p.postings, ps)
			p.idf = append(p.idf, idf)
			// tf/(tf+K) < 1 for any tf and length.
			p.bound = max(p.bound, idf*(bm25K1+1))
			total += len(ps)
		}
		if p.postings != nil {
			out = append(out, p)
		}
	}
	return out, total
}

// searchPruned is searchAll with the standard "stop adding documents"
// bound (Moffat and Zobel's continue strategy, made exact): groups are
// accumulated rarest (highest bound) first; once the bounds of the groups
// left sum below the k-th best partial score, no document not yet seen
// can enter the top k, and only the documents seen that still can are
// scored further, by binary search in the remaining postings. The
// survivors are then scored exactly as searchAll scores them (the same
// float32 arithmetic in the same group order), so the result is
// identical. It reports false when pruning would not help.
func (x *bm25) searchPruned(gs []planned, k int, alive func(int32) bool) ([]scored, bool) {
	score := x.scorer()
	order := make([]int, len(gs))
	rest := 0.0
	for i := range order {
		order[i] = i
		rest += gs[i].bound
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(gs[b].bound, gs[a].bound) })

	acc := make([]float64, len(x.lens))
	var touched []int32
	var gbest []float64 // a multi-member group's best member, per document
	var gtouched []int32
	var theta float64
	done := 0
	for ; done < len(order); done++ {
		// Leave a margin for float32 rounding: the survivors are a
		// superset of the exact top k.
		if len(touched) >= k && rest < theta*(1-1e-4) {
			break
		}
		g := gs[order[done]]
		rest -= g.bound
		add := func(d int32, s float64) {
			if acc[d] == 0 {
				touched = append(touched, d)
			}
			acc[d] += s
		}
		if len(g.postings) == 1 {
			for _, p := range g.postings[0] {
				add(p.doc, float64(score(g.idf[0], p)))
			}
		} else {
			if gbest == nil {
				gbest = make([]float64, len(x.lens))
			}
			for m, ps := range g.postings {
				for _, p := range ps {
					s := float64(score(g.idf[m], p))
					if gbest[p.doc] == 0 {
						gtouched = append(gtouched, p.doc)
					}
					gbest[p.doc] = max(gbest[p.doc], s)
				}
			}
			for _, d := range gtouched {
				add(d, gbest[d])
				gbest[d] = 0
			}
			gtouched = gtouched[:0]
		}
		theta = kthBest(acc, touched, k, alive)
	}
	if done == len(order) {
		return nil, false // nothing was pruned
	}
	// Survivors: documents whose partial score plus what is left could
	// still reach theta.
	var cands []int32
	for _, d := range touched {
		if acc[d]+rest >= theta*(1-1e-4) && (alive == nil || alive(d)) {
			cands = append(cands, d)
		}
	}
	slices.Sort(cands)
	// Score the survivors group by group in searchAll's order, walking
	// each posting list once with galloping search (both are sorted by
	// document).
	totals := make([]float32, len(cands))
	vals := make([]float32, len(cands))
	for _, g := range gs {
		clear(vals)
		for m, ps := range g.postings {
			pos := 0
			for ci, d := range cands {
				pos = gallop(ps, pos, d)
				if pos == len(ps) {
					break
				}
				if ps[pos].doc == d {
					vals[ci] = max(vals[ci], score(g.idf[m], ps[pos]))
				}
			}
		}
		for ci, v := range vals {
			totals[ci] += v
		}
	}
	h := make(scoreHeap, 0, k)
	for ci, d := range cands {
		if totals[ci] == 0 {
			continue
		}
		sc := scored{d, float64(totals[ci])}
		h.offer(sc, k)
	}
	return sortScored(h), true
}

// gallop returns the first position at or after from whose document is at
// least d (len(ps) if none), by exponential then binary search.
func gallop(ps []posting, from int, d int32) int {
	if from >= len(ps) || ps[from].doc >= d {
		return from
	}
	lo, step := from, 1
	for lo+step < len(ps) && ps[lo+step].doc < d {
		lo += step
		step <<= 1
	}
	hi := min(lo+step, len(ps)) // ps[lo].doc < d; ps[hi].doc >= d or hi = len
	i, _ := slices.BinarySearchFunc(ps[lo+1:hi], d, func(p posting, d int32) int { return cmp.Compare(p.doc, d) })
	return lo + 1 + i
}

// kthBest is the k-th largest score in acc among the live documents of
// touched, 0 when there are fewer than k.
func kthBest(acc []float64, touched []int32, k int, alive func(int32) bool) float64 {
	h := make(minHeap, 0, k)
	for _, d := range touched {
		if alive != nil && !alive(d) {
			continue
		}
		if s := acc[d]; len(h) < k {
			heap.Push(&h, s)
		} else if s > h[0] {
			h[0] = s
			heap.Fix(&h, 0)
		}
	}
	if len(h) < k {
		return 0
	}
	return h[0]
}

type minHeap []float64

func (h minHeap) Len() int           { return len(h) }
func (h minHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h minHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *minHeap) Push(x any)        { *h = append(*h, x.(float64)) }
func (h *minHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// searchAll is searchGroups scoring every posting of every term.
func (x *bm25) searchAll(gs []planned, k int, alive func(int32) bool) []scored {
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
	score := x.scorer()
	var touched []int32
	for _, g := range gs {
		var best map[int32]float32 // per document, the group's best member
		if len(g.postings) > 1 {
			best = make(map[int32]float32)
		}
		for m, ps := range g.postings {
			for _, p := range ps {
				s := score(g.idf[m], p)
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
		h.offer(sc, k)
	}
	return sortScored(h)
}

// scorer returns BM25's score of one posting of a term with weighted idf
// idf, under the collection's current statistics.
func (x *bm25) scorer() func(idf float64, p posting) float32 {
	avg := float64(x.total) / float64(x.live)
	if avg == 0 {
		avg = 1
	}
	norm := bm25K1 * (1 - bm25B)
	per := bm25K1 * bm25B / avg
	return func(idf float64, p posting) float32 {
		tf := float64(p.tf)
		return float32(idf * tf * (bm25K1 + 1) / (tf + norm + per*float64(x.lens[p.doc])))
	}
}

// sortScored sorts a heap's documents best first.
func sortScored(h scoreHeap) []scored {
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

// offer keeps sc if it is among the k best seen.
func (h *scoreHeap) offer(sc scored, k int) {
	if len(*h) < k {
		heap.Push(h, sc)
	} else if better(sc, (*h)[0]) {
		(*h)[0] = sc
		heap.Fix(h, 0)
	}
}

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
