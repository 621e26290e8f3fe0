package retrieval

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// clustered returns n unit vectors of dimension dim drawn around k random
// centres, the shape real embeddings have (topics), not uniform noise.
func clustered(n, dim, k int, seed uint64) [][]float32 {
	r := rand.New(rand.NewPCG(seed, 1))
	centres := make([][]float32, k)
	for i := range centres {
		centres[i] = make([]float32, dim)
		for d := range centres[i] {
			centres[i][d] = float32(r.NormFloat64())
		}
	}
	out := make([][]float32, n)
	for i := range out {
		c := centres[r.IntN(k)]
		v := make([]float32, dim)
		for d := range v {
			v[d] = c[d] + 0.6*float32(r.NormFloat64())
		}
		normalize(v)
		out[i] = v
	}
	return out
}

// exactTop is the brute-force reference: indexes of the n vectors most
// similar to q.
func exactTop(vecs [][]float32, q []float32, n int) []int {
	sims := make([]float32, len(vecs))
	idx := make([]int, len(vecs))
	for i, v := range vecs {
		idx[i], sims[i] = i, dot(v, q)
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(sims[b], sims[a]) })
	return idx[:min(n, len(idx))]
}

// recallAt measures how many of the exact top n each query's vector-index
// result contains, averaged over queries.
func recallAt(t testing.TB, vi *vectorIndex, vecs, queries [][]float32, n int) float64 {
	t.Helper()
	found, total := 0, 0
	for _, q := range queries {
		res, err := vi.query(context.Background(), q, n)
		if err != nil {
			t.Fatal(err)
		}
		got := make(map[string]bool, len(res))
		for _, r := range res {
			got[r.ID] = true
		}
		for _, i := range exactTop(vecs, q, n) {
			total++
			if got[fmt.Sprint(i)] {
				found++
			}
		}
	}
	return float64(found) / float64(total)
}

func withIVFLimits(t *testing.T, exact, budget int) {
	t.Helper()
	oe, ob := exactLimit, probeBudget
	exactLimit, probeBudget = exact, budget
	t.Cleanup(func() { exactLimit, probeBudget = oe, ob })
}

func TestIVFRecall(t *testing.T) {
	vecs := clustered(6000, 48, 40, 1)
	ids := make([]string, len(vecs))
	for i := range ids {
		ids[i] = fmt.Sprint(i)
	}
	model := trainIVF(vecs)
	if len(model.Centroids) != numLists(len(vecs)) || model.Trained != len(vecs) {
		t.Fatalf("model: %d centroids, trained %d", len(model.Centroids), model.Trained)
	}
	lists := make([]int32, len(vecs))
	assignNearest(model.Centroids, vecs, lists)
	vi, err := newVectorIndex(ids, vecs, lists, model)
	if err != nil {
		t.Fatal(err)
	}
	queries := clustered(40, 48, 40, 2)

	// Probing every partition is the exact search.
	withIVFLimits(t, 0, len(vecs))
	if r := recallAt(t, vi, vecs, queries, 20); r != 1 {
		t.Fatalf("recall@20 probing all partitions = %.3f, want 1", r)
	}
	// Probing a fifth of the vectors still finds nearly all neighbours,
	// because the nearest partitions are probed first.
	probeBudget = len(vecs) / 5
	if r := recallAt(t, vi, vecs, queries, 20); r < 0.9 {
		t.Fatalf("recall@20 probing 20%% = %.3f, want >= 0.9", r)
	}
	if p := vi.probes(queries[0]); len(p) == 0 || len(p) == len(model.Centroids) {
		t.Fatalf("probed %d of %d partitions", len(p), len(model.Centroids))
	}
}

func TestIVFTrainingIsDeterministic(t *testing.T) {
	vecs := clustered(3000, 16, 10, 3)
	a, b := trainIVF(vecs), trainIVF(vecs)
	if a.Gen != b.Gen || a.Gen == 0 {
		t.Fatalf("gen %x vs %x", a.Gen, b.Gen)
	}
	for _, c := range a.Centroids {
		if !normalize(slices.Clone(c)) {
			t.Fatal("zero centroid")
		}
	}
}

func TestDot(t *testing.T) {
	for n := range 11 {
		a, b := make([]float32, n), make([]float32, n)
		var want float32
		for i := range a {
			a[i], b[i] = float32(i+1), float32(2*i-3)
			want += a[i] * b[i]
		}
		if got := dot(a, b); got != want {
			t.Fatalf("dot len %d = %v, want %v", n, got, want)
		}
	}
}

// A large index (here: large by lowered limits) is partitioned, finds a
// chunk by its own text, keeps its model across a warm start, and is
// retrained only when it doubles.
func TestIndexPartitionsLargeIndex(t *testing.T) {
	withIVFLimits(t, 100, 60)
	ctx := context.Background()
	dir := t.TempDir()
	var logs bytes.Buffer
	opts := Options{Dir: dir, Embedder: NewHashEmbedder(), Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	ix, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	arts := synthCorpus(60, 5)
	if _, err := ix.Sync(ctx, arts[:40], nil); err != nil {
		t.Fatal(err)
	}
	n := ix.Stats().Chunks
	if ix.ivf == nil || len(ix.vec.lists) != numLists(n) || ix.ivf.Trained != n || ix.Stats().Partitions != numLists(n) {
		t.Fatalf("%d chunks: model %v, %d lists", n, ix.ivf != nil, len(ix.vec.lists))
	}
	gen := ix.ivf.Gen
	for _, id := range []string{arts[3].ID, arts[31].ID} {
		chunks := ix.entries[id].Chunks
		want := chunks[len(chunks)/2]
		hits, err := ix.Search(ctx, want.Text, 5)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(hits, func(h Hit) bool { return h.Chunk.ID == want.ID && h.VecRank == 1 }) {
			t.Fatalf("chunk %s not the vector top hit for its own text: %+v", want.ID, hits)
		}
	}

	// Warm start: the model and the partitions come from disk.
	logs.Reset()
	ix2, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	if ix2.ivf == nil || ix2.ivf.Gen != gen || strings.Contains(logs.String(), "training") {
		t.Fatalf("warm start retrained: %v\n%s", ix2.ivf != nil, logs.String())
	}
	// A modest addition is assigned to the existing partitions...
	if _, err := ix2.Add(ctx, arts[40:50], nil); err != nil {
		t.Fatal(err)
	}
	if ix2.ivf.Gen != gen {
		t.Fatal("retrained after a modest addition")
	}
	for _, e := range ix2.entries {
		if e.ListGen != gen || len(e.Lists) != len(e.Chunks) {
			t.Fatalf("%s: partitions not assigned", e.Article.ID)
		}
	}
	// ...and doubling the index retrains.
	more := synthCorpus(60, 6)
	for i := range more {
		more[i].ID = fmt.Sprintf("more-%d", i)
	}
	if _, err := ix2.Add(ctx, more, nil); err != nil {
		t.Fatal(err)
	}
	if ix2.ivf.Gen == gen || ix2.ivf.Trained != ix2.Stats().Chunks {
		t.Fatalf("not retrained after doubling: trained %d of %d", ix2.ivf.Trained, ix2.Stats().Chunks)
	}
	// Shrinking below the limit drops the partitions: exact search again.
	if _, err := ix2.Sync(ctx, arts[:5], nil); err != nil {
		t.Fatal(err)
	}
	if ix2.ivf != nil || len(ix2.vec.lists) != 1 || ix2.Stats().Partitions != 0 {
		t.Fatalf("small index still partitioned")
	}
}
