package retrieval

import (
	"cmp"
	"container/heap"
	"maps"
	"math"
	mbits "math/bits"
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
// largest length-normalised term frequency, tf/(tf + K1(1-B) + K1·B·len/avg),
// among its live documents in each window of 1<<windowShift documents,
// which bounds the term's score there at idf·(K1+1)·part; and whether
// the list can be walked by galloping (documents strictly increasing, in
// range, tf > 0).
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

	part   []float32 // by window
	usable bool
}

// windowShift sets the windows of searchPruned: 512 documents. Smaller
// windows bound scores more tightly but cost more to plan and to cache
// (a float32 per window per cached list).
const windowShift = 9

// statsCacheMin is the shortest posting list whose stats are cached;
// shorter ones are measured on the spot, which costs little.
const statsCacheMin = 2048

// statsFor returns ps's termStats under the current collection
// statistics, from the cache when it is still valid.
func (x *bm25) statsFor(ps []posting, per float64) termStats {
	if len(ps) < statsCacheMin {
		return x.measure(ps, per)
	}
	x.statsMu.Lock()
	s, ok := x.stats[&ps[0]]
	x.statsMu.Unlock()
	if ok && s.first == &ps[0] && s.n == len(ps) && s.live == x.live && s.total == x.total && s.docs == len(x.lens) {
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
// bounds: their length is -1, which the score formula would turn into a
// smaller (with a short average, even negative) denominator than any
// document's, and they are never returned.
func (x *bm25) measure(ps []posting, per float64) termStats {
	s := termStats{n: len(ps), live: x.live, total: x.total, docs: len(x.lens), usable: true}
	if len(ps) > 0 {
		s.first = &ps[0]
	}
	// Per window, the best posting's tf and its denominator's other
	// terms, c = K1(1-B) + K1·B·len/avg: tf/(tf+c) grows with tf/c, and
	// comparing tf/c by cross-multiplying spares a division a posting.
	nw := (len(x.lens) >> windowShift) + 1
	bestTF, bestC := make([]float64, nw), make([]float64, nw)
	norm, _ := x.scoreParams()
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
		tf, c := float64(p.tf), norm+per*float64(n)
		if w := p.doc >> windowShift; tf*bestC[w] > bestTF[w]*c || bestTF[w] == 0 {
			bestTF[w], bestC[w] = tf, c
		}
	}
	s.part = make([]float32, nw)
	for w, tf := range bestTF {
		if tf > 0 {
			// Rounded up: float32 rounding must not make the bound low.
			s.part[w] = math.Nextafter32(float32(tf/(tf+bestC[w])), 1)
		}
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
// bounds float64 from float32 parts: a document is skipped only when its
// bound, enlarged by pruneSlack, is still below the threshold, which
// covers the rounding of up to maxPruneGroups float32 additions many
// times over. Weighted idfs outside [minPruneIDF, maxPruneIDF] could
// underflow a float32 score to 0 or overflow a sum to Inf, where
// searchAll's arithmetic is the only definition of the result.
const (
	pruneSlack     = 1e-4
	maxPruneGroups = 256
	minPruneIDF    = 1e-15
	maxPruneIDF    = 1e30
)

// allCommonShare: a query whose every group is in more than one document
// in allCommonShare is scored exhaustively. Its documents' scores are all
// alike, the threshold never rises above the bounds of the common
// groups, and walking them a document at a time only costs more than
// adding them up a term at a time.
const allCommonShare = 4

// postCursor walks one member's postings in document order.
type postCursor struct {
	ps    []posting
	pos   int
	idf   float64
	part  []float32 // termStats.part
	group int       // index in the planned groups
}

// at returns the cursor's posting for document d, advancing it to the
// first posting at or after d.
func (c *postCursor) at(d int32) (posting, bool) {
	c.pos = gallop(c.ps, c.pos, d)
	if c.pos < len(c.ps) && c.ps[c.pos].doc == d {
		return c.ps[c.pos], true
	}
	return posting{}, false
}

// maxScore is the state of one searchPruned query.
type maxScore struct {
	x       *bm25
	alive   func(int32) bool
	norm    float64 // the scorer's constants (see bm25Score)
	per     float64
	cs      []postCursor
	members [][]int // by planned group, its cursors

	// By window, recomputed for each: the groups' bounds (by planned
	// group), the groups in increasing order of bound, pre[r], the sum
	// of the bounds of the groups before order[r], and ess: order[ess:]
	// are the essential groups.
	bound []float64
	order []int
	pre   []float64
	ess   int

	// The window's documents' scores in each planned group (row o, at
	// rows[o*len(gs):], is document lo+o), and which documents the
	// essential groups have (bit o).
	rows    []float32
	seen    [1 << windowShift / 64]uint64
	cand    [1 << windowShift / 64]uint64 // those still in the running
	partial [1 << windowShift]float64     // their scores so far

	h     scoreHeap
	k     int
	theta float64 // the k-th best score, once there are k
}

// newMaxScore checks that the groups can be pruned exactly and that
// pruning can help, and sets up their cursors.
func (x *bm25) newMaxScore(gs []planned, k int, alive func(int32) bool) (*maxScore, bool) {
	if len(gs) == 0 || len(gs) > maxPruneGroups {
		return nil, false
	}
	norm, per := x.scoreParams()
	m := &maxScore{x: x, alive: alive, norm: norm, per: per, k: k, members: make([][]int, len(gs)),
		bound: make([]float64, len(gs)), order: make([]int, len(gs)), pre: make([]float64, len(gs)+1),
		rows: make([]float32, len(gs)<<windowShift), h: make(scoreHeap, 0, k)}
	common := true // every group in most documents
	for g, pl := range gs {
		df := 0
		for i, ps := range pl.postings {
			idf := pl.idf[i]
			if !(idf >= minPruneIDF && idf <= maxPruneIDF) {
				return nil, false
			}
			s := x.statsFor(ps, per)
			if !s.usable {
				return nil, false
			}
			m.members[g] = append(m.members[g], len(m.cs))
			m.cs = append(m.cs, postCursor{ps: ps, idf: idf, part: s.part, group: g})
			df += len(ps)
		}
		if df <= len(x.lens)/allCommonShare {
			common = false
		}
	}
	return m, !common
}

// searchPruned is searchAll by MaxScore (Turtle and Flood 1995) over
// windows of documents, much as Lucene's MaxScore bulk scorer does: in
// each window, with the groups sorted by their bound there, the lowest
// ones whose bounds sum below the k-th best score so far (theta) are
// "non-essential", since a document in none of the others cannot enter
// the top k. The essential groups' postings in the window are scored a
// term at a time into a small buffer; each document they name is then,
// in document order, completed from the non-essential groups, highest
// bound first, by galloping search, and abandoned as soon as its partial
// score plus the bounds left cannot beat theta. A window whose bounds
// all add up below theta is skipped whole. As theta rises, more and more
// postings are skipped rather than read.
//
// Every completed document is scored exactly as searchAll scores it (the
// same float32 scores, maxed within a group and added in the planned
// groups' order) and kept by the same heap, so the result is identical.
// Documents come in increasing order, so one that only ties theta would
// lose to the earlier document holding it anyway. It reports false when
// pruning would not be exact or would not help (see newMaxScore).
func (x *bm25) searchPruned(gs []planned, k int, alive func(int32) bool) ([]scored, bool) {
	m, ok := x.newMaxScore(gs, k, alive)
	if !ok {
		return nil, false
	}
	for lo := 0; lo < len(x.lens); lo += 1 << windowShift {
		m.window(int32(lo), int32(min(lo+1<<windowShift, len(x.lens))))
	}
	return sortScored(m.h), true
}

// window scores the candidates among documents lo to hi-1, all in one
// window, in three passes: the essential groups' postings, a term at a
// time; then each non-essential group, highest bound first, for the
// candidates that can still beat theta with it and the groups below it;
// then the survivors, completely scored, in document order. The first
// two passes prune with theta as it was when the window began, which is
// never more than it is later.
func (m *maxScore) window(lo, hi int32) {
	if !m.plan(lo >> windowShift) {
		return
	}
	n := len(m.members)
	for _, g := range m.order[m.ess:] {
		for _, i := range m.members[g] {
			m.load(&m.cs[i], lo, hi, g, n)
		}
	}
	m.cand = m.seen
	live := 0
	for o := range m.each() {
		if d := lo + int32(o); m.x.lens[d] < 0 || m.alive != nil && !m.alive(d) {
			m.cand[o>>6] &^= 1 << (o & 63)
			continue
		}
		p := 0.0
		for _, s := range m.rows[o*n : (o+1)*n] { // the non-essential groups' are still 0
			p += float64(s)
		}
		m.partial[o] = p
		live++
	}
	for r := m.ess - 1; r >= 0 && live > 0; r-- {
		if live = m.filter(m.pre[r+1]); live == 0 {
			break
		}
		g := m.order[r]
		if m.bound[g] == 0 {
			continue // none of the window's documents is in the group
		}
		for _, i := range m.members[g] {
			m.probe(&m.cs[i], lo, hi, g, n, live)
		}
		for o := range m.each() {
			m.partial[o] += float64(m.rows[o*n+g])
		}
	}
	for o := range m.each() {
		if m.prunable(m.partial[o]) {
			continue
		}
		var total float32
		for _, s := range m.rows[o*n : (o+1)*n] { // in the planned groups' order, as searchAll adds
			total += s
		}
		m.h.offer(scored{lo + int32(o), float64(total)}, m.k)
		if len(m.h) == m.k {
			m.theta = m.h[0].score
		}
	}
	for wi, bits := range m.seen {
		for ; bits != 0; bits &= bits - 1 {
			o := wi<<6 + mbits.TrailingZeros64(bits)
			clear(m.rows[o*n : (o+1)*n])
		}
	}
	m.seen = [len(m.seen)]uint64{}
}

// each yields the window's candidates (offsets from its first document),
// in order.
func (m *maxScore) each() func(yield func(int) bool) {
	return func(yield func(int) bool) {
		for wi := range m.cand {
			for bits := m.cand[wi]; bits != 0; bits &= bits - 1 {
				if !yield(wi<<6 + mbits.TrailingZeros64(bits)) {
					return
				}
			}
		}
	}
}

// filter drops the candidates that cannot beat theta even with extra
// more, and returns how many are left.
func (m *maxScore) filter(extra float64) int {
	live := 0
	for o := range m.each() {
		if m.prunable(m.partial[o] + extra) {
			m.cand[o>>6] &^= 1 << (o & 63)
		} else {
			live++
		}
	}
	return live
}

// probe scores cursor c's postings of the live candidates among
// documents lo to hi-1 into group g's column: by galloping search from
// candidate to candidate when they are few beside the postings, else by
// reading the postings in the window.
func (m *maxScore) probe(c *postCursor, lo, hi int32, g, n, live int) {
	lens := m.x.lens
	if inWindow := len(c.ps) * int(hi-lo) / len(lens); live*8 < inWindow {
		for o := range m.each() {
			d := lo + int32(o)
			if p, ok := c.at(d); ok {
				if s, r := bm25Score(c.idf, p.tf, m.norm, m.per, lens[d]), &m.rows[o*n+g]; s > *r {
					*r = s
				}
			}
		}
		return
	}
	ps := c.ps
	j := gallop(ps, c.pos, lo)
	for ; j < len(ps) && ps[j].doc < hi; j++ {
		p := ps[j]
		o := int(p.doc - lo)
		if m.cand[o>>6]&(1<<(o&63)) == 0 {
			continue
		}
		if s, r := bm25Score(c.idf, p.tf, m.norm, m.per, lens[p.doc]), &m.rows[o*n+g]; s > *r {
			*r = s
		}
	}
	c.pos = j
}

// plan computes window w's bounds, orders the groups by them and splits
// off the non-essential ones; false when the window can be skipped.
func (m *maxScore) plan(w int32) bool {
	sum := 0.0
	for g, cs := range m.members {
		b := 0.0
		for _, i := range cs {
			c := &m.cs[i]
			b = max(b, c.idf*(bm25K1+1)*float64(c.part[w]))
		}
		m.bound[g] = b
		m.order[g] = g
		sum += b
	}
	if m.prunable(sum) {
		return false
	}
	slices.SortFunc(m.order, func(a, b int) int { return cmp.Compare(m.bound[a], m.bound[b]) })
	for r, g := range m.order {
		m.pre[r+1] = m.pre[r] + m.bound[g]
	}
	m.ess = 0
	for m.ess < len(m.order) && m.prunable(m.pre[m.ess+1]) {
		m.ess++
	}
	return true
}

// load scores cursor c's postings among documents lo to hi-1 into group
// g's column of the rows (n groups a row), and marks their documents.
func (m *maxScore) load(c *postCursor, lo, hi int32, g, n int) {
	ps, lens := c.ps, m.x.lens
	j := gallop(ps, c.pos, lo)
	for ; j < len(ps) && ps[j].doc < hi; j++ {
		p := ps[j]
		o := int(p.doc - lo)
		s := bm25Score(c.idf, p.tf, m.norm, m.per, lens[p.doc])
		if r := &m.rows[o*n+g]; s > *r {
			*r = s
		}
		m.seen[o>>6] |= 1 << (o & 63)
	}
	c.pos = j
}

// prunable reports whether a document whose score is at most ub cannot
// enter the top k.
func (m *maxScore) prunable(ub float64) bool {
	return len(m.h) == m.k && ub*(1+pruneSlack) < m.theta
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
	for lo+1 < hi {
		mid := int(uint(lo+hi) >> 1)
		if ps[mid].doc < d {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
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
	norm, per := x.scoreParams()
	return func(idf float64, p posting) float32 {
		return bm25Score(idf, p.tf, norm, per, x.lens[p.doc])
	}
}

// scoreParams returns bm25Score's norm and per under the collection's
// current statistics.
func (x *bm25) scoreParams() (norm, per float64) {
	avg := float64(x.total) / float64(x.live)
	if avg == 0 {
		avg = 1
	}
	return bm25K1 * (1 - bm25B), bm25K1 * bm25B / avg
}

// bm25Score is BM25's score of a term with weighted idf idf and frequency
// tf in a document of n terms. Every search scores with it, so that
// pruned and exhaustive searches agree to the bit; the explicit float64
// conversions keep the compiler from fusing a multiply-add on some
// platforms and not others.
func bm25Score(idf float64, tf uint16, norm, per float64, n int32) float32 {
	t := float64(tf)
	return float32(float64(idf*t*(bm25K1+1)) / (t + norm + float64(per*float64(n))))
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
