package retrieval

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"

	"github.com/philippgille/chromem-go"
)

// Vector search. chromem-go holds the chunk vectors and ranks them by
// cosine similarity, exhaustively: a query compares against every document
// of a collection, at a fixed cost per document (about 0.75 µs on the
// 2-core reference machine, most of it bookkeeping rather than arithmetic).
// That is fine for tens of thousands of chunks and 75 ms at 100k. So a
// small index is one collection, searched exactly, and a large one is an
// inverted file (IVF): the vectors are partitioned by their nearest
// centroid (spherical k-means) into one collection per partition, and a
// query searches only the partitions whose centroids are nearest to it,
// about probeBudget vectors in all. BenchmarkQuery reports the latency
// and the recall against an exact scan; the README has the numbers.
var (
	// exactLimit is the largest index searched exhaustively.
	exactLimit = 16384
	// probeBudget is roughly how many vectors one IVF query compares.
	probeBudget = 16384
)

const (
	// kmeansIters and kmeansSample bound training: iterations of Lloyd's
	// algorithm over a sample of kmeansSample vectors per centroid.
	kmeansIters  = 8
	kmeansSample = 40
)

// ivfModel is the trained part of the inverted file. It is persisted with
// the index, so that a warm start neither retrains nor reassigns.
type ivfModel struct {
	// Gen identifies the centroids; an entry whose ListGen differs has
	// partition numbers from another model and is reassigned.
	Gen uint64
	// Trained is how many vectors the index had when the model was
	// trained; it is retrained when the index doubles.
	Trained   int
	Centroids [][]float32 // unit length, all of the index dimension
}

// numLists is the number of IVF partitions for n vectors: about √n, the
// usual balance between scoring centroids and scanning partitions.
func numLists(n int) int {
	return min(max(int(math.Sqrt(float64(n))), 16), 4096)
}

// needsIVF reports whether an index of n vectors of dimension dim should be
// partitioned, and whether model (possibly nil) must be retrained for it.
func needsIVF(model *ivfModel, n, dim int) (partition, retrain bool) {
	if n <= exactLimit {
		return false, false
	}
	if model == nil || len(model.Centroids) == 0 || len(model.Centroids[0]) != dim || n > 2*model.Trained {
		return true, true
	}
	return true, false
}

// trainIVF runs spherical k-means (cosine similarity, unit centroids) over
// a deterministic sample of vecs. It is deterministic for a given input.
func trainIVF(vecs [][]float32) *ivfModel {
	k := numLists(len(vecs))
	r := rand.New(rand.NewPCG(0x6e657773, 0x6465736b))
	sample := vecs
	if limit := k * kmeansSample; len(vecs) > limit {
		sample = make([][]float32, limit)
		for i, j := range r.Perm(len(vecs))[:limit] {
			sample[i] = vecs[j]
		}
	}
	dim := len(sample[0])
	cents := make([][]float32, k)
	for i, j := range r.Perm(len(sample))[:k] {
		cents[i] = slices.Clone(sample[j])
	}
	assign := make([]int32, len(sample))
	sums := make([]float64, k*dim)
	counts := make([]int, k)
	for range kmeansIters {
		assignNearest(cents, sample, assign)
		clear(sums)
		clear(counts)
		for i, v := range sample {
			c := int(assign[i])
			counts[c]++
			s := sums[c*dim : (c+1)*dim]
			for d, x := range v {
				s[d] += float64(x)
			}
		}
		for c := range cents {
			if counts[c] == 0 {
				// An empty partition restarts at a random sample vector
				// rather than wasting a centroid.
				copy(cents[c], sample[r.IntN(len(sample))])
				continue
			}
			for d := range cents[c] {
				cents[c][d] = float32(sums[c*dim+d])
			}
			if !normalize(cents[c]) {
				copy(cents[c], sample[r.IntN(len(sample))])
			}
		}
	}
	h := fnv.New64a()
	var buf [4]byte
	for _, c := range cents {
		for _, x := range c {
			binary.LittleEndian.PutUint32(buf[:], math.Float32bits(x))
			h.Write(buf[:])
		}
	}
	return &ivfModel{Gen: h.Sum64() | 1, Trained: len(vecs), Centroids: cents}
}

// assignNearest sets assign[i] to the centroid nearest vecs[i], spreading
// the work over the available CPUs.
func assignNearest(cents, vecs [][]float32, assign []int32) {
	workers := min(runtime.GOMAXPROCS(0), max(len(vecs)/256, 1))
	var wg sync.WaitGroup
	per := (len(vecs) + workers - 1) / workers
	for w := range workers {
		lo, hi := w*per, min((w+1)*per, len(vecs))
		if lo >= hi {
			break
		}
		wg.Go(func() {
			for i := lo; i < hi; i++ {
				assign[i] = int32(nearest(cents, vecs[i]))
			}
		})
	}
	wg.Wait()
}

// nearest returns the index of the centroid most similar to v.
func nearest(cents [][]float32, v []float32) int {
	best, bestSim := 0, float32(math.Inf(-1))
	for c, cv := range cents {
		if s := dot(cv, v); s > bestSim {
			best, bestSim = c, s
		}
	}
	return best
}

// dot is the inner product of two vectors of equal length, unrolled by
// four: it is the inner loop of training and partition assignment.
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

// vectorIndex is the chromem-go side of an Index: one collection, or one
// per IVF partition.
type vectorIndex struct {
	lists     []*chromem.Collection
	centroids [][]float32 // nil when exact (one list)
	n         int
}

// vecResult is one vector-ranked chunk.
type vecResult struct {
	ID  string
	Sim float32
}

// newVectorIndex builds the collections. vecs[i] has chromem id ids[i] and,
// when model is non-nil, lies in partition lists[i].
func newVectorIndex(ids []string, vecs [][]float32, lists []int32, model *ivfModel) (*vectorIndex, error) {
	db := chromem.NewDB()
	// The embedding function is never called: documents carry their
	// vectors and queries use QueryEmbedding. It must not be nil, or
	// chromem-go would fall back to calling OpenAI.
	noEmbed := func(context.Context, string) ([]float32, error) {
		return nil, fmt.Errorf("vector index: embedding must be supplied by the caller")
	}
	nl := 1
	vi := &vectorIndex{n: len(ids)}
	if model != nil {
		nl = len(model.Centroids)
		vi.centroids = model.Centroids
	}
	vi.lists = make([]*chromem.Collection, nl)
	for l := range vi.lists {
		col, err := db.CreateCollection(fmt.Sprintf("chunks-%d", l), nil, noEmbed)
		if err != nil {
			return nil, fmt.Errorf("vector index: create collection: %w", err)
		}
		vi.lists[l] = col
	}
	ctx := context.Background()
	for i, id := range ids {
		l := 0
		if model != nil {
			l = int(lists[i])
		}
		// AddDocument, not AddDocuments: the vectors are ours already, and
		// AddDocuments starts a goroutine per document.
		if err := vi.lists[l].AddDocument(ctx, chromem.Document{ID: id, Embedding: vecs[i]}); err != nil {
			return nil, fmt.Errorf("vector index: add %s: %w", id, err)
		}
	}
	return vi, nil
}

// query returns the n chunks most similar to q, best first: exactly when
// the index is one collection, else from the partitions nearest to q.
func (vi *vectorIndex) query(ctx context.Context, q []float32, n int) ([]vecResult, error) {
	if vi == nil || vi.n == 0 || n <= 0 {
		return nil, nil
	}
	probe := []int{0}
	if vi.centroids != nil {
		probe = vi.probes(q)
	}
	// chromem-go spreads one collection's scan over the CPUs but feeds
	// it from a single goroutine; querying partitions concurrently keeps
	// the CPUs busy between those hand-offs.
	workers := min(len(probe), runtime.GOMAXPROCS(0))
	parts := make([][]vecResult, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for j := w; j < len(probe); j += workers {
				col := vi.lists[probe[j]]
				m := min(n, col.Count())
				if m == 0 {
					continue
				}
				res, err := col.QueryEmbedding(ctx, q, m, nil, nil)
				if err != nil {
					errs[w] = err
					return
				}
				for _, r := range res {
					parts[w] = append(parts[w], vecResult{ID: r.ID, Sim: r.Similarity})
				}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	out := slices.Concat(parts...)
	slices.SortFunc(out, func(a, b vecResult) int {
		if a.Sim != b.Sim {
			return cmp.Compare(b.Sim, a.Sim)
		}
		return cmp.Compare(a.ID, b.ID)
	})
	if len(out) > n {
		out = out[:n]
	}
	return out, nil
}

// probes lists the partitions to search for q: nearest centroid first,
// until about probeBudget vectors are covered. Counting vectors rather
// than partitions keeps the cost bounded when k-means leaves partitions of
// uneven size.
func (vi *vectorIndex) probes(q []float32) []int {
	type cs struct {
		l   int
		sim float32
	}
	order := make([]cs, len(vi.centroids))
	for l, c := range vi.centroids {
		order[l] = cs{l, dot(c, q)}
	}
	slices.SortFunc(order, func(a, b cs) int {
		if a.sim != b.sim {
			return cmp.Compare(b.sim, a.sim)
		}
		return cmp.Compare(a.l, b.l)
	})
	var out []int
	covered := 0
	for _, o := range order {
		if covered >= probeBudget {
			break
		}
		out = append(out, o.l)
		covered += vi.lists[o.l].Count()
	}
	return out
}
