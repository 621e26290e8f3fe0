package weaviatestore_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/corpus"
	"github.com/newsdesk/newsdesk/internal/weaviatetest"
	"github.com/newsdesk/newsdesk/retrieval"
	"github.com/newsdesk/newsdesk/retrieval/weaviatestore"
)

// synthCorpus is retrieval's benchmark corpus (bench_test.go there), copied
// so that both backends are measured on the same text: a Zipf-distributed
// vocabulary of pseudo-words, about seven chunks an article.
func synthCorpus(articles int, seed uint64) []corpus.Article {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	vocab := make([]string, 20000)
	syll := []string{"ka", "ro", "mi", "ts", "ev", "lan", "dor", "pi", "shk", "ul", "yan", "zh", "ov", "ska", "bre", "tin"}
	for i := range vocab {
		var b strings.Builder
		for n := 2 + r.IntN(3); n > 0; n-- {
			b.WriteString(syll[r.IntN(len(syll))])
		}
		vocab[i] = b.String()
	}
	zipf := rand.NewZipf(r, 1.1, 2, uint64(len(vocab)-1))
	sentence := func() string {
		n := 12 + r.IntN(16)
		w := make([]string, n)
		for i := range w {
			w[i] = vocab[zipf.Uint64()]
		}
		w[0] = strings.ToUpper(w[0][:1]) + w[0][1:]
		return strings.Join(w, " ") + "."
	}
	out := make([]corpus.Article, articles)
	for i := range out {
		paras := make([]string, 10)
		for j := range paras {
			paras[j] = sentence() + " " + sentence()
		}
		out[i] = corpus.Article{ID: fmt.Sprintf("synth-%06d", i), Source: "Synthetic", Paragraphs: paras}
	}
	return out
}

// benchChunks is the archive size of the benchmarks: 100k chunks, or
// $NEWSDESK_BENCH_CHUNKS (e.g. 1000000).
func benchChunks() int {
	if n, err := strconv.Atoi(os.Getenv("NEWSDESK_BENCH_CHUNKS")); err == nil && n > 0 {
		return n
	}
	return 100000
}

// BenchmarkWeaviate ingests the synthetic archive into a fresh single
// Weaviate node (chunking, hash embedding, gRPC batch import of chunks,
// articles and vocabulary), reporting chunks/s, then times hybrid
// searches with the project's fusion and with Weaviate's native hybrid,
// reporting p50 and p95. Run with -benchtime=1x: each iteration is a
// whole ingest.
func BenchmarkWeaviate(b *testing.B) {
	node := weaviatetest.Start(b)
	n := benchChunks()
	arts := synthCorpus(n/7, 7)
	chunks := 0
	for i := range arts {
		chunks += len(retrieval.ChunkArticle(&arts[i], 0, 0))
	}
	queries := make([]string, 64)
	for i := range queries {
		a := arts[(i*7919)%len(arts)]
		queries[i] = a.Paragraphs[i%len(a.Paragraphs)][:60]
	}
	ctx := context.Background()
	var s *weaviatestore.Store
	if p := os.Getenv("NEWSDESK_BENCH_PREFIX"); p != "" {
		// Query an archive ingested by an earlier run.
		s = openStore(b, node, p, nil)
		for b.Loop() {
		}
	} else {
		var ingest time.Duration
		for b.Loop() {
			s = openStore(b, node, weaviatetest.Prefix(b), nil)
			t0 := time.Now()
			for rest := arts; len(rest) > 0; { // in slices, as ingest would give them
				k := min(len(rest), 2000)
				if _, err := s.Apply(ctx, retrieval.Change{Add: rest[:k]}, nil); err != nil {
					b.Fatal(err)
				}
				rest = rest[k:]
			}
			ingest = time.Since(t0)
		}
		b.ReportMetric(float64(chunks)/ingest.Seconds(), "chunks/s")
		b.Logf("ingested %d chunks in %s (prefix %s)", chunks, ingest.Round(time.Second), s.Prefix())
	}
	b.ReportMetric(float64(s.NumChunks()), "chunks")
	modes := []string{weaviatestore.FusionProject, weaviatestore.FusionNative}
	stores := make([]*weaviatestore.Store, len(modes))
	lat := make([][]time.Duration, len(modes))
	for m, mode := range modes {
		stores[m] = openStore(b, node, s.Prefix(), func(o *weaviatestore.Options) { o.ReadOnly = true; o.Fusion = mode })
	}
	// Warm up, then alternate the modes query by query, so that both see
	// the same server (compaction after a large import slows it for a
	// while).
	for i := range 40 {
		for _, q := range stores {
			if _, err := q.Search(ctx, queries[i%len(queries)], 24); err != nil {
				b.Fatal(err)
			}
		}
	}
	for i := range 400 {
		for m, q := range stores {
			t0 := time.Now()
			if _, err := q.Search(ctx, queries[i%len(queries)], 24); err != nil {
				b.Fatal(err)
			}
			lat[m] = append(lat[m], time.Since(t0))
		}
	}
	ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
	for m, mode := range modes {
		slices.Sort(lat[m])
		b.ReportMetric(ms(lat[m][len(lat[m])/2]), mode+"-p50-ms")
		b.ReportMetric(ms(lat[m][len(lat[m])*95/100]), mode+"-p95-ms")
	}
}
