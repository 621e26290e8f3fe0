package retrieval

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// randomVocab returns n distinct pseudo-words (letters only, so that
// Term keeps them apart) and their terms.
func randomVocab(r *rand.Rand, n int) (words, terms []string) {
	seen := map[string]bool{}
	for len(words) < n {
		var b strings.Builder
		for l := 3 + r.IntN(5); l > 0; l-- {
			b.WriteByte(byte('a' + r.IntN(26)))
		}
		w := b.String()
		t := Term(w)
		if IsStopWord(w) || t == "" || seen[t] {
			continue
		}
		seen[t] = true
		words, terms = append(words, w), append(terms, t)
	}
	return words, terms
}

// randomDocs returns n documents of Zipf-distributed words; maxLen bounds
// their length (short documents make the average length small, where the
// bound of a hole went wrong once).
func randomDocs(r *rand.Rand, words []string, n, maxLen int) []string {
	zipf := rand.NewZipf(r, 1.05+r.Float64(), 1, uint64(len(words)-1))
	docs := make([]string, n)
	for i := range docs {
		w := make([]string, 1+r.IntN(maxLen))
		for j := range w {
			w[j] = words[zipf.Uint64()]
		}
		docs[i] = strings.Join(w, " ")
	}
	return docs
}

// randomGroups returns a query of 1 to 12 groups of 1 to 3 alternatives,
// drawn from terms (mostly the common ones, as real queries), with
// random weights, some of them zero, negative, NaN or infinite, and some
// terms repeated across groups.
func randomGroups(r *rand.Rand, terms []string) [][]WeightedTerm {
	pick := func() string {
		if r.IntN(3) == 0 {
			return terms[r.IntN(len(terms))]
		}
		return terms[r.IntN(min(len(terms), 40))]
	}
	weight := func() float64 {
		switch r.IntN(40) {
		case 0:
			return 0
		case 1:
			return -1
		case 2:
			return math.NaN()
		case 3:
			return math.Inf(1)
		}
		if r.IntN(4) == 0 {
			return 1 // ties between documents are likelier with equal weights
		}
		return 0.05 + 2*r.Float64()
	}
	gs := make([][]WeightedTerm, 1+r.IntN(12))
	for i := range gs {
		for range 1 + r.IntN(3)*r.IntN(2) {
			gs[i] = append(gs[i], WeightedTerm{Term: pick(), Weight: weight()})
		}
	}
	gs = append(gs, []WeightedTerm{{Term: "zzzznotaterm", Weight: 1}})
	return gs
}

// checkPruned compares searchPruned with searchAll for one query and
// reports whether pruning ran.
func checkPruned(t *testing.T, x *bm25, groups [][]WeightedTerm, k int, alive func(int32) bool, what string) bool {
	t.Helper()
	gs, _ := x.plan(groups)
	want := x.searchAll(gs, k, alive)
	got, ok := x.searchPruned(gs, k, alive)
	if ok && !slices.Equal(got, want) {
		t.Fatalf("%s: k %d, groups %v:\npruned     %v\nexhaustive %v", what, k, groups, got, want)
	}
	if out := x.searchGroups(groups, k, alive); !slices.Equal(out, want) {
		t.Fatalf("%s: k %d, groups %v:\nsearchGroups %v\nexhaustive   %v", what, k, groups, out, want)
	}
	for _, s := range want {
		if x.lens[s.doc] < 0 || alive != nil && !alive(s.doc) {
			t.Fatalf("%s: exhaustive search returned dead document %d", what, s.doc)
		}
	}
	return ok
}

// Pruned search ranks exactly as exhaustive scoring does (the same
// documents, scores and order, ties included) on random corpora with
// holes, short and long documents, documents added and dropped between
// queries (so cached bounds must follow the index), filters, and random
// weighted groups.
func TestPrunedSearchRandom(t *testing.T) {
	pruned, runs := 0, 0
	for seed := range uint64(40) {
		r := rand.New(rand.NewPCG(seed, 77))
		words, terms := randomVocab(r, 50+r.IntN(400))
		x := newBM25()
		maxLen := []int{2, 4, 30, 120}[seed%4]
		docs := randomDocs(r, words, 200+r.IntN(1500), maxLen)
		x.addAll(docs)
		var filter func(int32) bool
		if seed%5 == 4 {
			filter = func(d int32) bool { return x.alive(d) && d%3 != 0 }
		}
		for q := range 60 {
			switch {
			case q%15 == 5: // holes
				for range 1 + r.IntN(len(docs)/10) {
					d := r.IntN(len(docs))
					x.drop(int32(d), docs[d])
				}
			case q%15 == 10: // more documents, some short and repetitive
				more := randomDocs(r, words, 1+r.IntN(200), max(2, maxLen/4))
				docs = append(docs, more...)
				x.addAll(more)
			}
			alive := x.alive
			if filter != nil {
				alive = filter
			}
			if q%7 == 3 {
				alive = nil
			}
			groups := randomGroups(r, terms)
			for _, k := range []int{1, 5, 10, 50} {
				runs++
				if checkPruned(t, x, groups, k, alive, fmt.Sprintf("seed %d query %d", seed, q)) {
					pruned++
				}
			}
		}
	}
	if pruned < runs/3 {
		t.Fatalf("only %d of %d searches pruned: the test does not exercise pruning", pruned, runs)
	}
}

// An index read from a file is not checked for sorted postings; pruning
// walks postings in document order, so a list out of order (or with a
// document twice) must send the query to exhaustive scoring.
func TestPrunedUnsortedPostings(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	words, terms := randomVocab(r, 100)
	x := newBM25()
	x.addAll(randomDocs(r, words, 2000, 30))
	groups := [][]WeightedTerm{{{Term: terms[0], Weight: 1}}, {{Term: terms[50], Weight: 1}}}
	gs, _ := x.plan(groups)
	if _, ok := x.searchPruned(gs, 10, x.alive); !ok {
		t.Fatal("sorted postings not pruned")
	}
	for _, broken := range []func([]posting){
		func(ps []posting) { ps[1], ps[len(ps)-2] = ps[len(ps)-2], ps[1] },
		func(ps []posting) { ps[2].doc = ps[1].doc },
	} {
		x := newBM25()
		x.addAll(randomDocs(rand.New(rand.NewPCG(5, 6)), words, 2000, 30))
		broken(x.postings[terms[0]])
		gs, _ := x.plan(groups)
		if _, ok := x.searchPruned(gs, 10, x.alive); ok {
			t.Fatal("unsorted postings pruned")
		}
		if !slices.Equal(x.searchGroups(groups, 10, x.alive), x.searchAll(gs, 10, x.alive)) {
			t.Fatal("searchGroups differs from exhaustive on unsorted postings")
		}
	}
}

// gallop finds the first posting at or after from with a document at
// least d, as a linear scan does, for every from and d.
func TestGallop(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 70 {
		ps := make([]posting, 0, n)
		d := int32(r.IntN(3))
		for range n {
			ps = append(ps, posting{doc: d, tf: 1})
			d += 1 + int32(r.IntN(4))
		}
		for from := 0; from <= n+1; from++ {
			for q := int32(-1); q <= d+1; q++ {
				want := from
				for want < n && ps[want].doc < q {
					want++
				}
				if from > n {
					want = from
				}
				if got := gallop(ps, from, q); got != want {
					t.Fatalf("n %d: gallop(from %d, doc %d) = %d, want %d", n, from, q, got, want)
				}
			}
		}
	}
}

// A query of nothing but very common words goes exhaustive (every
// document scores alike, nothing can be pruned), with the same result.
func TestAllCommon(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	words, terms := randomVocab(r, 5)
	docs := make([]string, 3000)
	for i := range docs {
		var w []string
		for j, word := range words {
			for range r.IntN(3) + j%2 {
				w = append(w, word)
			}
		}
		docs[i] = strings.Join(w, " ")
	}
	x := newBM25()
	x.addAll(docs)
	var groups [][]WeightedTerm
	for _, tm := range terms[:4] {
		groups = append(groups, []WeightedTerm{{Term: tm, Weight: 1}})
	}
	gs, _ := x.plan(groups)
	if _, ok := x.newMaxScore(gs, 10, x.alive); ok {
		t.Fatal("a query of common words is pruned")
	}
	for _, k := range []int{1, 10, 50} {
		if !slices.Equal(x.searchGroups(groups, k, x.alive), x.searchAll(gs, k, x.alive)) {
			t.Fatalf("k %d: searchGroups differs from exhaustive", k)
		}
	}
}

// Terms with weights that are not positive finite numbers are dropped
// before planning, for both searches.
func TestPlanDropsBadWeights(t *testing.T) {
	x := newBM25()
	x.addAll([]string{"alpha beta", "beta gamma", "gamma alpha"})
	gs, n := x.plan([][]WeightedTerm{
		{{Term: Term("alpha"), Weight: math.NaN()}},
		{{Term: Term("beta"), Weight: math.Inf(1)}, {Term: Term("gamma"), Weight: -2}},
		{{Term: Term("gamma"), Weight: 0}},
	})
	if len(gs) != 0 || n != 0 {
		t.Fatalf("plan kept %d groups, %d postings", len(gs), n)
	}
	if got := x.searchGroups([][]WeightedTerm{{{Term: Term("alpha"), Weight: math.NaN()}}}, 5, x.alive); len(got) != 0 {
		t.Fatalf("NaN-weighted search returned %v", got)
	}
}
