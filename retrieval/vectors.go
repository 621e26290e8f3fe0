package retrieval

import (
	"cmp"
	"context"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/philippgille/chromem-go"
)

// Vector search. chromem-go holds the chunk vectors and ranks them by
// cosine similarity, exhaustively: a query compares against every document
// of a collection, at a fixed cost per document (about 1 µs on the 2-core
// reference machine, most of it visiting documents in map order rather
// than arithmetic). That is fine for tens of thousands of chunks and
// 1.8 s at a million. So a small index is one collection, searched
// exactly, and a large one is searched in two steps:
//
//  1. A pre-filter over binary codes: every vector has a codeBits-bit
//     signature, the signs of a structured random rotation of it (random
//     sign flips followed by a Walsh–Hadamard transform, repeated with
//     independent signs: SimHash with an orthogonal projection). The
//     Hamming distance between two codes estimates the angle between the
//     vectors. The codes of all chunks lie in one contiguous array, and a
//     scan costs a few nanoseconds a chunk. On a large index the scan is
//     two passes: the first prefixBits bits of every code (themselves a
//     shorter code of the same kind, copied into an array of their own)
//     shortlist shortlistFactor × rerankCandidates chunks, and their full
//     codes choose the candidates; at a million chunks the scan is bound
//     by memory, and the first pass reads a quarter of it.
//  2. chromem-go re-ranks the rerankCandidates closest codes by exact
//     cosine similarity.
//
// Nothing is trained, so adding articles never retrains or reassigns
// anything. BenchmarkQuery and BenchmarkVectorSearch report latency and
// recall against an exact scan; the README has the curve the two
// constants were chosen from.
var (
	// exactLimit is the largest index searched exhaustively. Above it the
	// pre-filter is faster at the same recall (10k chunks: 3.3 ms against
	// 6.5 ms hybrid p50, recall@10 1.000 both, BenchmarkQuery).
	exactLimit = 4096
	// rerankCandidates is how many pre-filtered chunks chromem-go
	// re-ranks.
	rerankCandidates = 2000
	// shortlistFactor × rerankCandidates is how many vectors the first
	// pass of the pre-filter, over code prefixes, passes to the second,
	// over full codes.
	shortlistFactor = 16
)

// codeBits is the length of a vector's binary code; codeWords the number
// of uint64s that hold it; codesPerBlock how many codes a checksum block
// of a v4 file holds.
const (
	codeBits      = 1024
	codeWords     = codeBits / 64
	codesPerBlock = blockSize / (8 * codeWords)
	// prefixWords is how many leading words of a code the first pass of
	// a large search compares (prefixBits bits: the first rotations' signs,
	// a shorter code of the same kind).
	prefixWords = 4
	prefixBits  = 64 * prefixWords
)

// codeVersion names the code construction (bits, seed, transform); codes
// saved under another version are recomputed.
const codeVersion = "srht-1024-v1"

// coder computes binary codes for vectors of one dimension.
type coder struct {
	dim, pad int
	signs    [][]float32 // per round, pad random ±1
}

var coders sync.Map // dim -> *coder

// coderFor returns the (deterministic) coder of dimension dim.
func coderFor(dim int) *coder {
	if c, ok := coders.Load(dim); ok {
		return c.(*coder)
	}
	pad := 1
	for pad < dim {
		pad <<= 1
	}
	rounds := (codeBits + pad - 1) / pad
	r := rand.New(rand.NewPCG(0x73696d68, uint64(dim)))
	c := &coder{dim: dim, pad: pad, signs: make([][]float32, rounds)}
	for i := range c.signs {
		c.signs[i] = make([]float32, pad)
		for d := range c.signs[i] {
			c.signs[i][d] = float32(r.IntN(2)*2 - 1)
		}
	}
	v, _ := coders.LoadOrStore(dim, c)
	return v.(*coder)
}

// code writes v's code into out (codeWords words, overwritten).
func (c *coder) code(v []float32, out []uint64) {
	clear(out[:codeWords])
	y := make([]float32, c.pad)
	b := 0
	for _, s := range c.signs {
		for d := range y {
			y[d] = 0
		}
		for d, x := range v[:c.dim] {
			y[d] = x * s[d]
		}
		fwht(y)
		for _, x := range y {
			if b == codeBits {
				return
			}
			if x > 0 {
				out[b>>6] |= 1 << (b & 63)
			}
			b++
		}
	}
}

// codes computes the codes of vecs into one array, spreading the work over
// the CPUs.
func (c *coder) codes(vecs [][]float32) []uint64 {
	out := make([]uint64, len(vecs)*codeWords)
	parallel(len(vecs), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			c.code(vecs[i], out[i*codeWords:(i+1)*codeWords])
		}
	})
	return out
}

// fwht is the in-place, unnormalised fast Walsh–Hadamard transform of a
// power-of-two-length slice.
func fwht(y []float32) {
	n := len(y)
	for h := 1; h < n; h <<= 1 {
		for i := 0; i < n; i += h << 1 {
			a, b := y[i:i+h], y[i+h:i+2*h]
			for j := range a {
				x, z := a[j], b[j]
				a[j], b[j] = x+z, x-z
			}
		}
	}
}

// span is a range [lo, hi) of indexes.
type span struct{ lo, hi int }

// spans splits [0, n) into contiguous ranges, one per CPU (one when n is
// small).
func spans(n int) []span {
	workers := min(runtime.GOMAXPROCS(0), max(n/256, 1))
	per := (n + workers - 1) / workers
	var rs []span
	for w := range workers {
		lo, hi := w*per, min((w+1)*per, n)
		if lo >= hi {
			break
		}
		rs = append(rs, span{lo, hi})
	}
	return rs
}

// parallel calls f over [0, n) in contiguous ranges, one per CPU.
func parallel(n int, f func(lo, hi int)) {
	eachSpan(spans(n), func(_, lo, hi int) { f(lo, hi) })
}

// eachSpan calls f(w, rs[w].lo, rs[w].hi) for every range, each in a
// goroutine of its own, and waits for them.
func eachSpan(rs []span, f func(w, lo, hi int)) {
	var wg sync.WaitGroup
	for w, r := range rs {
		wg.Go(func() { f(w, r.lo, r.hi) })
	}
	wg.Wait()
}

// dot is the inner product of two vectors of equal length, unrolled by
// four.
func dot(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return s0 + s1 + s2 + s3
}

// vectorIndex is the chromem-go side of an Index: one collection searched
// exactly, or (large) the codes of every vector for the pre-filter, whose
// candidates a per-query chromem-go collection re-ranks.
type vectorIndex struct {
	exact *chromem.Collection // nil when large
	n     int
	// Large indexes only: vector i has chromem id id(i) and code
	// codes[i*codeWords:(i+1)*codeWords].
	id    func(i int) string
	vecs  [][]float32
	codes []uint64
	coder *coder
	// flat, when set, holds the vectors instead of vecs, dim each, in
	// order (a mapped file's vectors section, used where it lies).
	flat []float32
	dim  int
	// checkCodes and checkVec, for vectors and codes read in place from a
	// v4 file, verify their bytes before they are read (see
	// checkedSection): the codes of vectors [lo, hi) as the first scan
	// reaches them (each block checked just before it is scanned, while
	// it is in the cache: one pass over the codes rather than two), a
	// vector as it becomes a candidate. nil otherwise. codesChecked is
	// set once a scan has checked them all.
	checkCodes   func(lo, hi int) error
	checkVec     func(i int) error
	codesChecked atomic.Bool
	// prefix is the first prefixWords words of every code, contiguous,
	// copied by the first search that needs it (nearestPrefixes);
	// prefixErr is why it could not be.
	prefixOnce sync.Once
	prefix     []uint64
	prefixErr  error
}

// vecResult is one vector-ranked chunk.
type vecResult struct {
	ID  string
	Sim float32
}

// noEmbed is the collections' embedding function, never called: documents
// carry their vectors and queries use QueryEmbedding. It must not be nil,
// or chromem-go would fall back to calling OpenAI.
func noEmbed(context.Context, string) ([]float32, error) {
	return nil, fmt.Errorf("vector index: embedding must be supplied by the caller")
}

// newVectorIndex builds the vector index of ids and vecs. codes, when the
// index is large, are their codes (codeWords each, as coder gives).
func newVectorIndex(ids []string, vecs [][]float32, codes []uint64) (*vectorIndex, error) {
	return newVectorIndexOf(len(ids), func(i int) string { return ids[i] }, vecs, codes)
}

// newVectorIndexOf is newVectorIndex of n vectors whose ids id gives (a
// large index asks only for its candidates').
func newVectorIndexOf(n int, id func(i int) string, vecs [][]float32, codes []uint64) (*vectorIndex, error) {
	vi := &vectorIndex{n: n}
	if n > exactLimit {
		if len(codes) != n*codeWords {
			return nil, fmt.Errorf("vector index: %d codes for %d vectors", len(codes)/codeWords, n)
		}
		vi.id, vi.vecs, vi.codes = id, vecs, codes
		if len(vecs) > 0 {
			vi.coder = coderFor(len(vecs[0]))
		}
		return vi, nil
	}
	col, err := chromem.NewDB().CreateCollection("chunks", nil, noEmbed)
	if err != nil {
		return nil, fmt.Errorf("vector index: create collection: %w", err)
	}
	ctx := context.Background()
	for i := range n {
		// AddDocument, not AddDocuments: the vectors are ours already, and
		// AddDocuments starts a goroutine per document.
		if err := col.AddDocument(ctx, chromem.Document{ID: id(i), Embedding: vecs[i]}); err != nil {
			return nil, fmt.Errorf("vector index: add %s: %w", id(i), err)
		}
	}
	vi.exact = col
	return vi, nil
}

// query returns the n chunks most similar to q, best first: exactly when
// the index is small, else chromem-go's ranking of the pre-filter's
// candidates.
func (vi *vectorIndex) query(ctx context.Context, q []float32, n int) ([]vecResult, error) {
	if vi == nil || vi.n == 0 || n <= 0 {
		return nil, nil
	}
	col := vi.exact
	if col == nil {
		var err error
		if col, err = vi.candidates(ctx, q, max(n, rerankCandidates)); err != nil {
			return nil, err
		}
	}
	res, err := col.QueryEmbedding(ctx, q, min(n, col.Count()), nil, nil)
	if err != nil {
		return nil, err
	}
	out := make([]vecResult, len(res))
	for i, r := range res {
		out[i] = vecResult{ID: r.ID, Sim: r.Similarity}
	}
	slices.SortStableFunc(out, func(a, b vecResult) int {
		if a.Sim != b.Sim {
			return cmp.Compare(b.Sim, a.Sim)
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out, nil
}

// candidates returns a chromem-go collection of the m vectors whose codes
// are nearest q's (ties at the cut broken by storage order). When m is
// small beside the index it compares codes in two passes: the first
// prefixWords words of every code (a prefixBits-bit code of its own, read
// from the contiguous prefix array) shortlist shortlistFactor × m vectors,
// and the full codes of those choose the m.
func (vi *vectorIndex) candidates(ctx context.Context, q []float32, m int) (*chromem.Collection, error) {
	qc := make([]uint64, codeWords)
	vi.coder.code(q, qc)
	pick, err := vi.nearest(qc, m)
	if err != nil {
		return nil, err
	}
	col, err := chromem.NewDB().CreateCollection("candidates", nil, noEmbed)
	if err != nil {
		return nil, fmt.Errorf("vector index: create collection: %w", err)
	}
	for _, i := range pick {
		if vi.checkVec != nil {
			if err := vi.checkVec(int(i)); err != nil {
				return nil, err
			}
		}
		id := vi.id(int(i))
		if err := col.AddDocument(ctx, chromem.Document{ID: id, Embedding: vi.vec(int(i))}); err != nil {
			return nil, fmt.Errorf("vector index: add %s: %w", id, err)
		}
	}
	return col, nil
}

// nearest returns, in storage order, the m vectors whose codes are
// nearest the code qc, in one pass or two (see candidates). Two passes
// read a quarter of the bytes of every code and then whole codes of the
// shortlist, scattered: they pay once the shortlist is at most an eighth
// of the index (hybrid BenchmarkQuery p50 at 103k chunks and a 32k
// shortlist: one pass 7.5 ms, two 9.2; BenchmarkVectorSearch at 1M: one
// pass 24–33 ms a query, two 16–21 ms p50).
func (vi *vectorIndex) nearest(qc []uint64, m int) ([]int32, error) {
	if k := m * shortlistFactor; k <= vi.n/8 {
		short, err := vi.nearestPrefixes(qc, k)
		if err != nil {
			return nil, err
		}
		return nearestAmong(vi.codes, qc, short, m), nil
	}
	return vi.nearestAll(qc, m)
}

// hamming is the Hamming distance between two codes.
func hamming(a, b *[codeWords]uint64) int {
	return bits.OnesCount64(a[0]^b[0]) + bits.OnesCount64(a[1]^b[1]) + bits.OnesCount64(a[2]^b[2]) + bits.OnesCount64(a[3]^b[3]) +
		bits.OnesCount64(a[4]^b[4]) + bits.OnesCount64(a[5]^b[5]) + bits.OnesCount64(a[6]^b[6]) + bits.OnesCount64(a[7]^b[7]) +
		bits.OnesCount64(a[8]^b[8]) + bits.OnesCount64(a[9]^b[9]) + bits.OnesCount64(a[10]^b[10]) + bits.OnesCount64(a[11]^b[11]) +
		bits.OnesCount64(a[12]^b[12]) + bits.OnesCount64(a[13]^b[13]) + bits.OnesCount64(a[14]^b[14]) + bits.OnesCount64(a[15]^b[15])
}

// hammingPrefix is the Hamming distance between two code prefixes.
func hammingPrefix(a, b *[prefixWords]uint64) int {
	return bits.OnesCount64(a[0]^b[0]) + bits.OnesCount64(a[1]^b[1]) + bits.OnesCount64(a[2]^b[2]) + bits.OnesCount64(a[3]^b[3])
}

// cut returns the smallest distance at which the histograms (summed)
// admit m items, and how many of the items at that distance are admitted;
// past the largest distance when they hold fewer than m.
func cut(hists [][]int32, m int) (d, ties int) {
	if len(hists) == 0 {
		return 0, 0
	}
	below := 0
	for d = 0; d < len(hists[0]); d++ {
		at := 0
		for _, h := range hists {
			at += int(h[d])
		}
		if below+at >= m {
			return d, m - below
		}
		below += at
	}
	return d, 0
}

// pick returns, in order, the indexes of the m smallest distances of dist
// (ties going to the earlier), given hists[w], the histogram of dist over
// rs[w]; of, when set, maps an index to what is returned. The ranges are
// read in parallel.
func pick(dist []uint16, rs []span, hists [][]int32, m int, of []int32) []int32 {
	c, ties := cut(hists, m)
	outs := make([][]int32, len(rs))
	var wg sync.WaitGroup
	for w, r := range rs {
		t, size := 0, 0
		if c < len(hists[w]) {
			t = min(ties, int(hists[w][c]))
			ties -= t
		}
		for _, x := range hists[w][:min(c, len(hists[w]))] {
			size += int(x)
		}
		wg.Go(func() {
			out := make([]int32, 0, size+t)
			for i := r.lo; i < r.hi; i++ {
				d := int(dist[i])
				if d > c || (d == c && t == 0) {
					continue
				}
				if d == c {
					t--
				}
				if of != nil {
					out = append(out, of[i])
				} else {
					out = append(out, int32(i))
				}
			}
			outs[w] = out
		})
	}
	wg.Wait()
	return slices.Concat(outs...)
}

// nearestAll compares q's code with every code and returns, in storage
// order, the m nearest, checking the codes' blocks first if they are
// read from a file that has not had them checked.
func (vi *vectorIndex) nearestAll(qc []uint64, m int) ([]int32, error) {
	q := (*[codeWords]uint64)(qc)
	dist := make([]uint16, vi.n)
	rs := spans(vi.n)
	hists := make([][]int32, len(rs))
	err := vi.eachCode(rs, func(w, lo, hi int) {
		if hists[w] == nil {
			hists[w] = make([]int32, codeBits+1)
		}
		h := hists[w]
		for i := lo; i < hi; i++ {
			d := hamming((*[codeWords]uint64)(vi.codes[i*codeWords:]), q)
			dist[i] = uint16(d)
			h[d]++
		}
	})
	if err != nil {
		return nil, err
	}
	return pick(dist, rs, hists, m, nil), nil
}

// eachCode calls f(w, lo, hi) over the ranges rs of [0, n), range w in a
// goroutine of its own, after checking (the first time) the blocks of
// codes a file holds: block by block, each just before f reads it while
// it is in the cache (so f may be called several times for one range).
// It returns the first check's error.
func (vi *vectorIndex) eachCode(rs []span, f func(w, lo, hi int)) error {
	check := vi.checkCodes
	if vi.codesChecked.Load() {
		check = nil
	}
	if check == nil {
		eachSpan(rs, f)
		return nil
	}
	var mu sync.Mutex
	var bad error
	eachSpan(rs, func(w, lo, hi int) {
		for b := lo; b < hi; {
			e := min(hi, (b/codesPerBlock+1)*codesPerBlock)
			if err := check(b, e); err != nil {
				mu.Lock()
				bad = err
				mu.Unlock()
				return
			}
			f(w, b, e)
			b = e
		}
	})
	if bad != nil {
		return bad
	}
	vi.codesChecked.Store(true)
	return nil
}

// nearestPrefixes returns, in storage order, the k vectors whose code
// prefixes are nearest qc's. The first call copies the prefixes into
// their contiguous array (vi.prefix) as it compares them, in the pass
// that checks the codes of a file; later calls read only that array.
func (vi *vectorIndex) nearestPrefixes(qc []uint64, k int) ([]int32, error) {
	q := (*[prefixWords]uint64)(qc)
	dist := make([]uint16, vi.n)
	rs := spans(vi.n)
	hists := make([][]int32, len(rs))
	for w := range hists {
		hists[w] = make([]int32, prefixBits+1)
	}
	first := false
	vi.prefixOnce.Do(func() {
		first = true
		pre := make([]uint64, vi.n*prefixWords)
		vi.prefixErr = vi.eachCode(rs, func(w, lo, hi int) {
			h := hists[w]
			for i := lo; i < hi; i++ {
				p := (*[prefixWords]uint64)(pre[i*prefixWords:])
				copy(p[:], vi.codes[i*codeWords:])
				d := hammingPrefix(p, q)
				dist[i] = uint16(d)
				h[d]++
			}
		})
		if vi.prefixErr == nil {
			vi.prefix = pre
		}
	})
	if vi.prefixErr != nil {
		return nil, vi.prefixErr
	}
	if !first {
		pre := vi.prefix
		eachSpan(rs, func(w, lo, hi int) {
			h := hists[w]
			for i := lo; i < hi; i++ {
				d := hammingPrefix((*[prefixWords]uint64)(pre[i*prefixWords:]), q)
				dist[i] = uint16(d)
				h[d]++
			}
		})
	}
	return pick(dist, rs, hists, k, nil), nil
}

// nearestAmong returns, in the order given, the m of the vectors short
// whose full codes are nearest qc's.
func nearestAmong(codes, qc []uint64, short []int32, m int) []int32 {
	q := (*[codeWords]uint64)(qc)
	dist := make([]uint16, len(short))
	rs := spans(len(short))
	hists := make([][]int32, len(rs))
	eachSpan(rs, func(w, lo, hi int) {
		h := make([]int32, codeBits+1)
		for j := lo; j < hi; j++ {
			d := hamming((*[codeWords]uint64)(codes[int(short[j])*codeWords:]), q)
			dist[j] = uint16(d)
			h[d]++
		}
		hists[w] = h
	})
	return pick(dist, rs, hists, m, short)
}

// vec is vector i of a large index.
func (vi *vectorIndex) vec(i int) []float32 {
	if vi.flat != nil {
		lo, hi := i*vi.dim, (i+1)*vi.dim
		return vi.flat[lo:hi:hi]
	}
	return vi.vecs[i]
}

// RerankCandidates is how many chunks a large index's vector search
// re-ranks exactly after its binary-code pre-filter.
func RerankCandidates() int { return rerankCandidates }
