package retrieval

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// Pruned BM25 search returns exactly what scoring every posting returns:
// the same documents with the same scores in the same order, for single
// terms and groups of alternatives, weights, and holes.
func TestPrunedSearchMatchesExhaustive(t *testing.T) {
	arts := synthCorpus(400, 11)
	x := newBM25()
	var texts []string
	for i := range arts {
		for _, c := range ChunkArticle(&arts[i], 0, 0) {
			texts = append(texts, c.Text)
		}
	}
	x.addAll(texts)
	for d := int32(0); d < int32(len(texts)); d += 17 {
		x.drop(d, texts[d])
	}
	r := rand.New(rand.NewPCG(3, 4))
	pruned := 0
	for q := range 300 {
		words := strings.Fields(texts[r.IntN(len(texts))])
		var groups [][]WeightedTerm
		for i := 0; i < 3+r.IntN(8) && i < len(words); i++ {
			g := []WeightedTerm{{Term: Term(strings.ToLower(strings.Trim(words[i], "."))), Weight: 0.3 + r.Float64()}}
			if q%3 == 0 && i+1 < len(words) { // an alternative
				g = append(g, WeightedTerm{Term: Term(strings.ToLower(strings.Trim(words[i+1], "."))), Weight: 0.5})
			}
			groups = append(groups, g)
		}
		for _, k := range []int{1, 10, 50} {
			gs, _ := x.plan(groups)
			want := x.searchAll(gs, k, x.alive)
			got, ok := x.searchPruned(gs, k, x.alive)
			if !ok {
				continue
			}
			pruned++
			if !slices.Equal(got, want) {
				t.Fatalf("query %d k %d: pruned\n%v\nexhaustive\n%v", q, k, got, want)
			}
		}
	}
	if pruned < 100 {
		t.Fatalf("only %d of 900 searches pruned: the test does not exercise pruning", pruned)
	}
}

// BenchmarkBM25 times the BM25 ranking alone, exhaustive and pruned, on
// the benchmark archives, alternating query by query.
func BenchmarkBM25(b *testing.B) {
	for _, n := range benchSizes() {
		b.Run(fmt.Sprintf("chunks=%d", n), func(b *testing.B) {
			ix, qs := benchIndex(b, n)
			groups := make([][][]WeightedTerm, len(qs))
			for i, q := range qs {
				for _, t := range weighted(Terms(q)) {
					groups[i] = append(groups[i], []WeightedTerm{t})
				}
			}
			var all, pruned []time.Duration
			for i := 0; b.Loop(); i++ {
				g := groups[i%len(groups)]
				t0 := time.Now()
				gs, _ := ix.lex.plan(g)
				want := ix.lex.searchAll(gs, candidates, ix.lex.alive)
				all = append(all, time.Since(t0))
				t0 = time.Now()
				got := ix.lex.searchGroups(g, candidates, ix.lex.alive)
				pruned = append(pruned, time.Since(t0))
				if !slices.Equal(got, want) {
					b.Fatalf("query %d: pruned and exhaustive differ", i)
				}
			}
			med := func(d []time.Duration) float64 {
				slices.Sort(d)
				return float64(d[len(d)/2]) / 1e6
			}
			b.ReportMetric(med(all), "exhaustive-p50-ms")
			b.ReportMetric(med(pruned), "searchGroups-p50-ms")
		})
	}
}

// The ASCII fast path of sortedLetters agrees with sorting runes.
func TestSortedLettersASCII(t *testing.T) {
	slow := referenceSortedLetters // hash_test.go
	for _, w := range []string{"", "izyum", "iyzum", "zelenskyy", "kharkiv-2022", "a'b", "zzz", "Kyiv", "yy"} {
		if got, want := sortedLetters(w), slow(w); got != want {
			t.Fatalf("sortedLetters(%q) = %q, want %q", w, got, want)
		}
	}
	if sortedLetters("izyum") != sortedLetters("iyzum") {
		t.Fatal("transposition not matched")
	}
}
