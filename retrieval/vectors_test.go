package retrieval

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"math/bits"
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

func withLimits(t *testing.T, exact, rerank int) {
	t.Helper()
	oe, or := exactLimit, rerankCandidates
	exactLimit, rerankCandidates = exact, rerank
	t.Cleanup(func() { exactLimit, rerankCandidates = oe, or })
}

func largeIndex(t *testing.T, vecs [][]float32) *vectorIndex {
	t.Helper()
	ids := make([]string, len(vecs))
	for i := range ids {
		ids[i] = fmt.Sprint(i)
	}
	vi, err := newVectorIndex(ids, vecs, coderFor(len(vecs[0])).codes(vecs))
	if err != nil {
		t.Fatal(err)
	}
	if vi.exact != nil {
		t.Fatal("index is exact")
	}
	return vi
}

func TestPrefilterRecall(t *testing.T) {
	withLimits(t, 100, 600)
	for _, dim := range []int{48, 128} { // 48 is padded to 64
		vecs := clustered(6000, dim, 40, 1)
		vi := largeIndex(t, vecs)
		queries := clustered(40, dim, 40, 2)
		// Re-ranking a tenth of the vectors finds nearly all neighbours.
		if r := recallAt(t, vi, vecs, queries, 20); r < 0.95 {
			t.Fatalf("dim %d: recall@20 re-ranking 10%% = %.3f, want >= 0.95", dim, r)
		}
		// Re-ranking all of them is the exact search.
		rerankCandidates = len(vecs)
		if r := recallAt(t, vi, vecs, queries, 20); r != 1 {
			t.Fatalf("dim %d: recall@20 re-ranking all = %.3f, want 1", dim, r)
		}
		rerankCandidates = 600
	}
}

// The candidate cut admits exactly the number asked for, ties included.
func TestCandidatesCount(t *testing.T) {
	withLimits(t, 100, 600)
	vecs := clustered(500, 16, 2, 4)
	vecs = append(vecs, vecs...) // every code twice: ties at the cut
	vi := largeIndex(t, vecs)
	for _, m := range []int{1, 7, 100, 999, 1000, 5000} {
		col, err := vi.candidates(context.Background(), vecs[3], m)
		if err != nil {
			t.Fatal(err)
		}
		if want := min(m, len(vecs)); col.Count() != want {
			t.Fatalf("candidates(%d) = %d, want %d", m, col.Count(), want)
		}
	}
}

// Codes are deterministic, and their Hamming distance orders vectors as
// their angles do: a vector's own code is nearest, a close vector's
// closer than an unrelated one's.
func TestCodes(t *testing.T) {
	vecs := clustered(3, 128, 1, 5)
	far := clustered(1, 128, 1, 99)[0]
	c := coderFor(128)
	a, b := c.codes(vecs), coderFor(128).codes(vecs)
	if !slices.Equal(a, b) {
		t.Fatal("codes differ between runs")
	}
	ham := func(x, y []uint64) int {
		d := 0
		for i := range x {
			d += bits.OnesCount64(x[i] ^ y[i])
		}
		return d
	}
	f := make([]uint64, codeWords)
	c.code(far, f)
	if d0, d1, d2 := ham(a[:codeWords], a[:codeWords]), ham(a[:codeWords], a[codeWords:2*codeWords]), ham(a[:codeWords], f); d0 != 0 || d1 >= d2 {
		t.Fatalf("hamming: self %d, neighbour %d, unrelated %d", d0, d1, d2)
	}
	if got := bits.OnesCount64(a[0]) + bits.OnesCount64(a[1]); got < 32 || got > 96 {
		t.Fatalf("code bits unbalanced: %d of 128 set", got)
	}
}

func TestFWHT(t *testing.T) {
	y := []float32{1, 0, 1, 0, 0, 1, 1, 0}
	fwht(y)
	want := []float32{4, 2, 0, -2, 0, 2, 0, 2}
	if !slices.Equal(y, want) {
		t.Fatalf("fwht = %v, want %v", y, want)
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

// A large index (here: large by a lowered limit) pre-filters by codes,
// finds a chunk by its own text, keeps its codes across a warm start and
// an addition, and is exact again when it shrinks.
func TestIndexLargeIndex(t *testing.T) {
	withLimits(t, 100, 60)
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
	if ix.vec.exact != nil || !ix.Stats().Approximate || len(ix.vec.codes) != ix.Stats().Chunks*codeWords {
		t.Fatalf("%d chunks: not pre-filtered", ix.Stats().Chunks)
	}
	for _, id := range []string{arts[3].ID, arts[31].ID} {
		chunks := ix.entryMap()[id].Chunks
		want := chunks[len(chunks)/2]
		hits, err := ix.Search(ctx, want.Text, 5)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(hits, func(h Hit) bool { return h.Chunk.ID == want.ID && h.VecRank == 1 }) {
			t.Fatalf("chunk %s not the vector top hit for its own text: %+v", want.ID, hits)
		}
	}
	codes := slices.Clone(ix.vec.codes)

	// Warm start: the codes come from disk.
	logs.Reset()
	ix2, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ix2.vec.codes, codes) || strings.Contains(logs.String(), "computing") {
		t.Fatalf("warm start recomputed the codes:\n%s", logs.String())
	}
	// An addition computes only the new articles' codes.
	if _, err := ix2.Add(ctx, arts[40:50], nil); err != nil {
		t.Fatal(err)
	}
	added := 0
	for _, a := range arts[40:50] {
		added += len(ix2.entryMap()[a.ID].Chunks)
	}
	if !strings.Contains(logs.String(), fmt.Sprintf("vectors=%d", added)) {
		t.Fatalf("addition of %d chunks:\n%s", added, logs.String())
	}
	for _, e := range ix2.entryMap() {
		if len(e.Codes) != len(e.Chunks)*codeWords {
			t.Fatalf("%s: no codes", e.Article.ID)
		}
	}
	// Shrinking below the limit: exact search again.
	if _, err := ix2.Sync(ctx, arts[:5], nil); err != nil {
		t.Fatal(err)
	}
	if ix2.vec.exact == nil || ix2.Stats().Approximate {
		t.Fatalf("small index still pre-filtered")
	}
}

// An index file without codes (from before them) gets them computed once:
// a writable open saves them, and later opens read them.
func TestCodesSavedOnUpgrade(t *testing.T) {
	withLimits(t, 100, 60)
	dir := t.TempDir()
	var logs bytes.Buffer
	opts := Options{Dir: dir, Embedder: NewHashEmbedder(), Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	ix, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Add(context.Background(), synthCorpus(30, 8), nil); err != nil {
		t.Fatal(err)
	}
	snap := ix.snapshot()
	snap.CodeVersion = "" // as a file from before codes
	if _, err := saveV2(dir, snap); err != nil {
		t.Fatal(err)
	}
	for i, ro := range []bool{false, true} {
		logs.Reset()
		o := opts
		o.ReadOnly = ro
		if _, err := Open(o); err != nil {
			t.Fatal(err)
		}
		if computed := strings.Contains(logs.String(), "computing binary codes"); computed != (i == 0) {
			t.Fatalf("open %d (read-only %v): computed codes %v\n%s", i, ro, computed, logs.String())
		}
	}
}

// The pre-filter's two passes choose what a sort does: the k vectors of
// nearest code prefixes (ties to the earlier), then the m of those with
// the nearest full codes (ties to the earlier), in storage order; one
// pass chooses the m nearest full codes.
func TestNearestMatchesSort(t *testing.T) {
	withLimits(t, 100, 600)
	defer func(f int) { shortlistFactor = f }(shortlistFactor)
	vecs := clustered(3000, 128, 30, 7)
	vecs = append(vecs, vecs[:500]...) // ties
	vi := largeIndex(t, vecs)
	dist := func(a, b []uint64) int {
		d := 0
		for i := range a {
			d += bits.OnesCount64(a[i] ^ b[i])
		}
		return d
	}
	ref := func(qc []uint64, pool []int, words, m int) []int {
		out := slices.Clone(pool)
		slices.SortStableFunc(out, func(a, b int) int {
			return cmp.Compare(dist(vi.codes[a*codeWords:a*codeWords+words], qc[:words]), dist(vi.codes[b*codeWords:b*codeWords+words], qc[:words]))
		})
		out = out[:min(m, len(out))]
		slices.Sort(out)
		return out
	}
	all := make([]int, len(vecs))
	for i := range all {
		all[i] = i
	}
	for qi, q := range clustered(12, 128, 30, 8) {
		qc := make([]uint64, codeWords)
		vi.coder.code(q, qc)
		for _, c := range []struct{ m, factor int }{{5, 4}, {20, 16}, {60, 3}, {1, 1}, {40, 1000}} {
			shortlistFactor = c.factor
			var want []int
			if k := c.m * c.factor; k <= vi.n/8 {
				want = ref(qc, ref(qc, all, prefixWords, k), codeWords, c.m)
			} else {
				want = ref(qc, all, codeWords, c.m)
			}
			got, err := vi.nearest(qc, c.m)
			if err != nil {
				t.Fatal(err)
			}
			gi := make([]int, len(got))
			for i, g := range got {
				gi[i] = int(g)
			}
			if !slices.Equal(gi, want) {
				t.Fatalf("query %d, m %d, shortlist %d×: nearest = %v, want %v", qi, c.m, c.factor, gi, want)
			}
		}
	}
}
