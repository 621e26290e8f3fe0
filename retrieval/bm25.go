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

	// stats caches the termStats of long posting lists for pruning;
	// searches run concurrently (under the index's read lock), hence
	// the mutex. Keyed by the list's first posting.
	statsMu sync.Mutex
	stats   map[*posting]termStats
}

func newBM25() *bm25 { return &bm25{postings: make(map[string][]posting)} }

// termDict is a v3 file's term dictionary, searched where it lies: the
// sorted terms (one string, term i at terms[toff[i]:toff[i+1]]) and the
// postings of term i, all[poff[i]:poff[i+1]].
type termDict struct {
	terms      string
	toff, poff []uint64
	all        []posting
}

func (d *termDict) len() int          { return len(d.toff) - 1 }
func (d *termDict) term(i int) string { return d.terms[d.toff[i]:d.toff[i+1]] }
func (d *termDict) postings(i int) []posting {
	lo, hi := d.poff[i], d.poff[i+1]
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
	x.resetStats()
}

// addAll indexes texts as the next documents, in order, and returns the
// words it saw with their terms (for spelling signatures). Tokenising and
// stemming, most of the cost, run on every CPU; postings are appended in
// document order, so the index is the same however the work was split.
func (x *bm25) addAll(texts []string) map[string]string {
	// In batches: a document's terms are held only until its postings
	// are appended, which bounds the memory of building a large index.
	x.thaw()
	defer x.resetStats()
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
	x.resetStats()
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
	x.resetStats()
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

// planned is one term group as searchAll scores it: its members'
// postings and weighted idfs, in the order searchAll visits them.
type planned struct {
	postings [][]posting
	idf      []float64
}

// plan resolves groups as searchAll would (a term counts in the first
// group that names it; unknown terms and terms whose weight is not a
// positive finite number drop out) and returns them with their total
// number of postings.
func (x *bm25) plan(groups [][]WeightedTerm) ([]planned, int) {
	seen := make(map[string]bool)
	var out []planned
	total := 0
	for _, g := range groups {
		var p planned
		for _, wt := range g {
			t := wt.Term
			// NaN and ±Inf would make every score (and every bound) NaN
			// or Inf; the !(w > 0) form also catches NaN.
			if seen[t] || !(wt.Weight > 0) || math.IsInf(wt.Weight, 0) {
				continue
			}
			seen[t] = true
			ps := x.get(t)
			if len(ps) == 0 {
				continue
			}
			p.postings = append(p.postings, ps)
			p.idf = append(p.idf, x.idf(t)*wt.Weight)
			total += len(ps)
		}
		if p.postings != nil {
			out = append(out, p)
		}
	}
	return out, total
}

// termStats is what pruning needs to know about one posting list: the
// largest length-normalised term frequency among its live documents,
// tf/(tf + K1(1-B) + K1·B·len/avg), which bounds the term's score in any
// document at idf·(K1+1)·part, and whether the list can be walked by
// galloping (documents strictly increasing, in range, tf > 0).
//
// A long list takes a pass to measure, so stats are cached between
// queries, keyed by everything they depend on: a changed list (appended
// to, moved by thaw) or changed collection statistics miss the cache.
type termStats struct {
	first *posting // the list measured, by identity and length
	n     int
	live  int // collection statistics it was measured under
	total int64
	docs  int

	part   float64
	usable bool
}

// statsCacheMin is the shortest posting list whose stats are cached;
// shorter ones are measured on the spot, which costs less than a lookup
// is worth.
const statsCacheMin = 2048

// statsFor returns ps's termStats under the current collection
// statistics, from the cache when it is still valid.
func (x *bm25) statsFor(ps []posting, per float64) termStats {
	if len(ps) < statsCacheMin {
		return x.measure(ps, per)
	}
	valid := func(s termStats) bool {
		return s.first == &ps[0] && s.n == len(ps) && s.live == x.live && s.total == x.total && s.docs == len(x.lens)
	}
	x.statsMu.Lock()
	s, ok := x.stats[&ps[0]]
	x.statsMu.Unlock()
	if ok && valid(s) {
		return s
	}
	s = x.measure(ps, per)
	x.statsMu.Lock()
	if x.stats == nil {
		x.stats = make(map[*posting]termStats)
	}
	x.stats[&ps[0]] = s
	x.statsMu.Unlock()
	return s
}

// measure computes ps's termStats in one pass. Holes are left out of the
// bound: their length is -1, which the score formula would turn into a
// larger (with a short average, even negative) denominator than any
// document's, and they are never returned.
func (x *bm25) measure(ps []posting, per float64) termStats {
	s := termStats{n: len(ps), live: x.live, total: x.total, docs: len(x.lens), usable: true}
	if len(ps) > 0 {
		s.first = &ps[0]
	}
	norm := bm25K1 * (1 - bm25B)
	prev := int32(-1)
	for _, p := range ps {
		if p.doc <= prev || int(p.doc) >= len(x.lens) || p.tf == 0 {
			s.usable = false
			return s
		}
		prev = p.doc
		n := x.lens[p.doc]
		if n < 0 {
			continue
		}
		tf := float64(p.tf)
		s.part = max(s.part, tf/(tf+norm+per*float64(n)))
	}
	return s
}

// resetStats drops the cached termStats, after a change to the index
// (they would miss anyway; this frees them).
func (x *bm25) resetStats() {
	x.statsMu.Lock()
	x.stats = nil
	x.statsMu.Unlock()
}

// Limits of pruning. Scores are float32 sums (as searchAll adds them) and
// bounds float64: a document is skipped only when its bound, enlarged by
// pruneSlack, is still below the threshold, which covers the rounding of
// up to maxPruneGroups float32 additions many times over. Weighted idfs
// outside [minPruneIDF, maxPruneIDF] could underflow a float32 score to 0
// or overflow a sum to Inf, where searchAll's arithmetic is the only
// definition of the result.
const (
	pruneSlack     = 1e-4
	maxPruneGroups = 256
	minPruneIDF    = 1e-15
	maxPruneIDF    = 1e30
)

// msGroup is a group as searchPruned walks it: its members' cursors are
// cs[lo:hi], and bound is the most it adds to any document's score.
type msGroup struct {
	orig   int // index in the planned groups: searchAll's order of addition
	lo, hi int
	bound  float64
}

// postCursor walks one member's postings in document order.
type postCursor struct {
	ps    []posting
	pos   int
	idf   float64
	group int // the group's rank (index in the sorted msGroups)
}

// maxScorePlan sorts the groups by bound, lowest first, and lays their
// members' cursors out in that order, so that the essential groups'
// cursors (see searchPruned) are always a suffix of cs. It reports false
// when pruning cannot be exact or cannot help.
func (x *bm25) maxScorePlan(gs []planned) ([]msGroup, []postCursor, bool) {
	if len(gs) == 0 || len(gs) > maxPruneGroups {
		return nil, nil, false
	}
	avg := float64(x.total) / float64(x.live)
	if avg == 0 {
		avg = 1 // as scorer
	}
	per := bm25K1 * bm25B / avg
	mg := make([]msGroup, len(gs))
	common := true // every group in most documents
	for i, g := range gs {
		mg[i].orig = i
		df := 0
		for m, ps := range g.postings {
			idf := g.idf[m]
			if !(idf >= minPruneIDF && idf <= maxPruneIDF) {
				return nil, nil, false
			}
			s := x.statsFor(ps, per)
			if !s.usable {
				return nil, nil, false
			}
			mg[i].bound = max(mg[i].bound, idf*(bm25K1+1)*s.part)
			df += len(ps)
		}
		if df < len(x.lens)/allCommonShare {
			common = false
		}
	}
	if common {
		return nil, nil, false
	}
	slices.SortStableFunc(mg, func(a, b msGroup) int { return cmp.Compare(a.bound, b.bound) })
	var cs []postCursor
	for r := range mg {
		g := gs[mg[r].orig]
		mg[r].lo = len(cs)
		for m, ps := range g.postings {
			cs = append(cs, postCursor{ps: ps, idf: g.idf[m], group: r})
		}
		mg[r].hi = len(cs)
	}
	return mg, cs, true
}

// allCommonShare: a query whose every group is in more than one document
// in allCommonShare is scored exhaustively. Its documents' scores are all
// alike, the threshold never rises above the bounds of the common
// groups, and walking them a document at a time only costs more than
// adding them up a term at a time.
const allCommonShare = 4

// searchPruned is searchAll by document-at-a-time MaxScore (Turtle and
// Flood 1995, as in Lucene): with the groups sorted by bound, the lowest
// ones whose bounds sum below the k-th best score so far (theta) are
// "non-essential": a document in none of the others cannot enter the
// top k. Candidates therefore come only from the essential groups'
// postings, in document order; each is completed from the non-essential
// groups, highest bound first, by galloping search, and abandoned as soon
// as its partial score plus the bounds left cannot beat theta. As theta
// rises, more groups become non-essential and their postings are skipped
// rather than read.
//
// Every completed document is scored exactly as searchAll scores it (the
// same float32 scores, maxed within a group and added in the planned
// groups' order) and kept by the same heap, so the result is identical.
// Documents come in increasing order, so one that only ties theta would
// lose to the earlier document holding it anyway. It reports false when
// pruning would not be exact or would not help (see maxScorePlan).
func (x *bm25) searchPruned(gs []planned, k int, alive func(int32) bool) ([]scored, bool) {
	mg, cs, ok := x.maxScorePlan(gs)
	if !ok {
		return nil, false
	}
	n := len(mg)
	// pre[r] is the sum of the bounds of the groups ranked below r;
	// rank[i] is planned group i's rank.
	pre := make([]float64, n+1)
	rank := make([]int, n)
	for r, g := range mg {
		pre[r+1] = pre[r] + g.bound
		rank[g.orig] = r
	}
	score := x.scorer()
	contrib := make([]float32, n) // the candidate's score in each group, by rank
	h := make(scoreHeap, 0, k)
	theta := 0.0 // until the heap is full, any document enters
	ess := 0     // groups ranked below ess are non-essential
	for ess < n {
		d, ok := nextDoc(cs[mg[ess].lo:])
		if !ok {
			break
		}
		for i := mg[ess].lo; i < len(cs); i++ {
			c := &cs[i]
			if c.pos < len(c.ps) && c.ps[c.pos].doc == d {
				contrib[c.group] = max(contrib[c.group], score(c.idf, c.ps[c.pos]))
				c.pos++
			}
		}
		if x.lens[d] >= 0 && (alive == nil || alive(d)) &&
			complete(d, contrib, mg[:ess], cs, pre, theta, score) {
			var total float32
			for _, r := range rank {
				total += contrib[r]
			}
			h.offer(scored{d, float64(total)}, k)
			if len(h) == k && h[0].score > theta {
				theta = h[0].score
				for ess < n && pre[ess+1]*(1+pruneSlack) < theta {
					ess++
				}
			}
		}
		clear(contrib)
	}
	return sortScored(h), true
}

// nextDoc is the lowest document at the cursors, false when all are done.
func nextDoc(cs []postCursor) (int32, bool) {
	d, ok := int32(0), false
	for i := range cs {
		c := &cs[i]
		if c.pos < len(c.ps) && (!ok || c.ps[c.pos].doc < d) {
			d, ok = c.ps[c.pos].doc, true
		}
	}
	return d, ok
}

// complete adds to contrib document d's scores in the non-essential
// groups ne (ranked 0 to len(ne)-1), highest bound first, and reports
// whether d can still beat theta; it stops at the first group where it
// cannot.
func complete(d int32, contrib []float32, ne []msGroup, cs []postCursor, pre []float64, theta float64, score func(float64, posting) float32) bool {
	partial := 0.0
	for r := len(ne); r < len(contrib); r++ {
		partial += float64(contrib[r])
	}
	for r := len(ne) - 1; r >= 0; r-- {
		if (partial+pre[r+1])*(1+pruneSlack) < theta {
			return false
		}
		for i := ne[r].lo; i < ne[r].hi; i++ {
			c := &cs[i]
			c.pos = gallop(c.ps, c.pos, d)
			if c.pos < len(c.ps) && c.ps[c.pos].doc == d {
				contrib[r] = max(contrib[r], score(c.idf, c.ps[c.pos]))
			}
		}
		partial += float64(contrib[r])
	}
	return partial*(1+pruneSlack) >= theta
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
		if x.lens[d] < 0 || alive != nil && !alive(d) {
			continue // holes are never returned (see drop)
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
