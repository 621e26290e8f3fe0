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

// benchBatch is the Store's BatchSize in the benchmark: its default, or
// $NEWSDESK_BENCH_BATCH.
func benchBatch() int {
	if n, err := strconv.Atoi(os.Getenv("NEWSDESK_BENCH_BATCH")); err == nil && n > 0 {
		return n
	}
	return 0
}

// serverCPU is the processor time node's server has used, 0 for an
// external server.
func serverCPU(b *testing.B, node *weaviatetest.Node) time.Duration {
	b.Helper()
	if node.PID() == 0 {
		return 0
	}
	d, err := node.CPUTime()
	if err != nil {
		b.Fatal(err)
	}
	return d
}

// BenchmarkWeaviate ingests the synthetic archive into a fresh single
// Weaviate node (chunking, hash embedding, gRPC batch import of chunks,
// articles and vocabulary), reporting chunks/s, then times hybrid
// searches with the project's fusion and with Weaviate's native hybrid,
// reporting p50 and p95. Run with -benchtime=1x: each iteration is a
// whole ingest.
//
// On a node it started itself (not $NEWSDESK_WEAVIATE_TEST_URL) it also
// reports the server's processor time per chunk during the import, its
// resident memory (VmRSS, VmHWM) and data directory per chunk after it, then stops the node gracefully, starts it
// again on the same data directory and reports the seconds until it is
// ready and until the first query is answered, its memory after that
// query, and the query latencies once more (restart-*).
func BenchmarkWeaviate(b *testing.B) {
	node := weaviatetest.Start(b)
	n := benchChunks()
	arts := synthCorpus(n/7, 7) // as retrieval's BenchmarkIngest
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
		var ingest, ingestCPU time.Duration
		for b.Loop() {
			s = openStore(b, node, weaviatetest.Prefix(b), func(o *weaviatestore.Options) { o.BatchSize = benchBatch() })
			cpu0 := serverCPU(b, node)
			t0 := time.Now()
			for rest := arts; len(rest) > 0; { // in slices, as ingest would give them
				k := min(len(rest), 2000)
				if _, err := s.Apply(ctx, retrieval.Change{Add: rest[:k]}, nil); err != nil {
					b.Fatal(err)
				}
				rest = rest[k:]
			}
			ingest = time.Since(t0)
			ingestCPU = serverCPU(b, node) - cpu0
		}
		// The chunks as the store made them (with the default overlap).
		chunks := s.NumChunks()
		b.ReportMetric(float64(chunks)/ingest.Seconds(), "chunks/s")
		b.Logf("ingested %d articles, %d chunks in %s (prefix %s)", len(arts), chunks, ingest.Round(time.Second), s.Prefix())
		if node.PID() != 0 {
			// Processor time rather than wall time is what the import
			// costs the server when other work shares the machine.
			b.ReportMetric(ingestCPU.Seconds()*1000/float64(chunks), "server-cpu-ms/chunk")
			b.Logf("server processor time during the import: %s (%.2f cores busy on average)", ingestCPU.Round(time.Second), ingestCPU.Seconds()/ingest.Seconds())
		}
	}
	nchunks := s.NumChunks()
	b.ReportMetric(float64(nchunks), "chunks")
	local := node.PID() != 0
	memory := func(label string) {
		if !local {
			return
		}
		m, err := node.Memory()
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(m.RSS)/float64(nchunks), label+"rss-B/chunk")
		b.ReportMetric(float64(m.HWM)/float64(nchunks), label+"hwm-B/chunk")
		b.Logf("%sserver VmRSS %d MiB (RssAnon %d, RssFile %d), VmHWM %d MiB for %d chunks", label, m.RSS>>20, m.Anon>>20, m.File>>20, m.HWM>>20, nchunks)
	}
	memory("")
	if local {
		du, err := node.DiskUsage()
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(du)/float64(nchunks), "disk-B/chunk")
		b.Logf("data directory %d MiB", du>>20)
	}
	modes := []string{weaviatestore.FusionProject, weaviatestore.FusionNative}
	latencies := func(label string) {
		stores := make([]*weaviatestore.Store, len(modes))
		lat := make([][]time.Duration, len(modes))
		for m, mode := range modes {
			stores[m] = openStore(b, node, s.Prefix(), func(o *weaviatestore.Options) { o.ReadOnly = true; o.Fusion = mode })
		}
		// Warm up, then alternate the modes query by query, so that both
		// see the same server (compaction after a large import slows it
		// for a while).
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
			b.ReportMetric(ms(lat[m][len(lat[m])/2]), label+mode+"-p50-ms")
			b.ReportMetric(ms(lat[m][len(lat[m])*95/100]), label+mode+"-p95-ms")
		}
	}
	latencies("")
	if !local {
		return
	}

	// Stop gracefully, start again on the same data, and time the way
	// back to a first answer.
	t0 := time.Now()
	if !node.Stop(5 * time.Minute) {
		b.Fatalf("%s did not stop within 5 minutes of SIGTERM", node.Name)
	}
	b.Logf("graceful stop took %s", time.Since(t0).Round(time.Millisecond))
	t0 = time.Now()
	if err := node.Restart(); err != nil {
		b.Fatal(err)
	}
	if err := node.WaitReady(30 * time.Minute); err != nil {
		b.Fatalf("%v\n%s", err, node.LogTail())
	}
	ready := time.Since(t0)
	q := openStore(b, node, s.Prefix(), func(o *weaviatestore.Options) { o.ReadOnly = true })
	hits, err := q.Search(ctx, queries[0], 24)
	if err != nil {
		b.Fatal(err)
	}
	first := time.Since(t0)
	if len(hits) == 0 {
		b.Fatal("no hits after the restart")
	}
	if got := q.NumChunks(); got != nchunks {
		b.Fatalf("%d chunks after the restart, %d before", got, nchunks)
	}
	b.ReportMetric(ready.Seconds(), "restart-ready-s")
	b.ReportMetric(first.Seconds(), "restart-first-query-s")
	b.Logf("restart: ready after %s, first query answered after %s", ready.Round(time.Millisecond), first.Round(time.Millisecond))
	memory("restart-")
	latencies("restart-")
	memory("restart-after-queries-")
}
