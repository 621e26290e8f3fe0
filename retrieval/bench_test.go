package retrieval

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/philippgille/chromem-go"

	"github.com/newsdesk/newsdesk/corpus"
)

// synthCorpus generates articles with a Zipf-distributed vocabulary of
// pseudo-words, so that posting lists and vector scans look like a real
// archive's: a few very common words, a long tail of rare ones. About
// seven chunks an article at the default chunk size.
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

var benchIndexes sync.Map // chunks -> *Index

// benchSizes are the archive sizes of BenchmarkQuery and
// BenchmarkVectorSearch: 1k, 10k and 100k chunks, or the sizes in
// $NEWSDESK_BENCH_CHUNKS (comma-separated, e.g. 1000000).
func benchSizes() []int {
	var out []int
	for _, f := range strings.Split(os.Getenv("NEWSDESK_BENCH_CHUNKS"), ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil && n > 0 {
			out = append(out, n)
		}
	}
	if out == nil {
		out = []int{1000, 10000, 100000}
	}
	return out
}

// benchIndex returns an in-memory index of about the given number of
// chunks, built once per process, and 64 queries taken from its text.
func benchIndex(b *testing.B, chunks int) (*Index, []string) {
	b.Helper()
	arts := synthCorpus(chunks/7+1, 1)
	queries := make([]string, 64)
	for i := range queries {
		a := arts[(i*7919)%len(arts)]
		queries[i] = a.Paragraphs[i%len(a.Paragraphs)][:60]
	}
	if v, ok := benchIndexes.Load(chunks); ok {
		return v.(*Index), queries
	}
	ix, err := Open(Options{Embedder: NewHashEmbedder()})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := ix.Add(context.Background(), arts, nil); err != nil {
		b.Fatal(err)
	}
	benchIndexes.Store(chunks, ix)
	return ix, queries
}

// BenchmarkQuery measures one hybrid Search (query embedding, BM25,
// vector search, fusion) at three archive sizes. Besides the mean (ns/op)
// it reports the median and 95th percentile latency, and, for the vector
// ranking alone, recall of the exact top 10 and top 50 (1 below
// exactLimit; the pre-filter's recall above it).
func BenchmarkQuery(b *testing.B) {
	for _, n := range benchSizes() {
		b.Run(fmt.Sprintf("chunks=%d", n), func(b *testing.B) {
			ix, qs := benchIndex(b, n)
			ctx := context.Background()
			var lat []time.Duration
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				t0 := time.Now()
				if _, err := ix.Search(ctx, qs[i%len(qs)], 24); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			b.StopTimer()
			slices.Sort(lat)
			ms := func(d time.Duration) float64 { return float64(d) / 1e6 }
			b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
			b.ReportMetric(ms(lat[len(lat)*95/100]), "p95-ms")
			b.ReportMetric(float64(ix.Stats().Chunks), "chunks")
			r10, r50 := vectorRecall(b, ix, qs)
			b.ReportMetric(r10, "recall@10")
			b.ReportMetric(r50, "recall@50")
		})
	}
}

// vectorRecall compares the index's vector ranking with a brute-force
// scan of every chunk vector, for each query.
func vectorRecall(b *testing.B, ix *Index, qs []string) (r10, r50 float64) {
	var vecs [][]float32
	var ids []string
	for _, id := range ix.ids {
		e := ix.entryMap()[id]
		for i, c := range e.Chunks {
			ids = append(ids, c.ID)
			vecs = append(vecs, e.Vectors[i])
		}
	}
	var hit10, hit50 int
	for _, q := range qs {
		qv, err := ix.opts.Embedder.Embed(context.Background(), []string{q})
		if err != nil {
			b.Fatal(err)
		}
		res, err := ix.vec.query(context.Background(), qv[0], 50)
		if err != nil {
			b.Fatal(err)
		}
		got := make(map[string]int, len(res))
		for r, x := range res {
			got[x.ID] = r
		}
		for r, i := range exactTop(vecs, qv[0], 50) {
			if _, ok := got[ids[i]]; ok {
				hit50++
				if r < 10 {
					hit10++
				}
			}
		}
	}
	return float64(hit10) / float64(10*len(qs)), float64(hit50) / float64(50*len(qs))
}

// BenchmarkIngest measures chunking, hash-embedding and indexing
// throughput, reported as chunks/s: for a few thousand chunks, and for
// 100k, where the index also trains and assigns its IVF partitions.
func BenchmarkIngest(b *testing.B) {
	for _, n := range []int{3500, 100000} {
		b.Run(fmt.Sprintf("chunks=%d", n), func(b *testing.B) {
			arts := synthCorpus(n/7, 7)
			chunks := 0
			for i := range arts {
				// As the index chunks them: with the default overlap.
				chunks += len(ChunkArticle(&arts[i], DefaultChunkChars, DefaultChunkOverlap))
			}
			b.ResetTimer()
			for b.Loop() {
				ix, err := Open(Options{Embedder: NewHashEmbedder()})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := ix.Add(context.Background(), arts, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(chunks)*float64(b.N)/b.Elapsed().Seconds(), "chunks/s")
		})
	}
}

// BenchmarkOpenWarm measures opening a persisted index of 100k chunks (or
// the first of $NEWSDESK_BENCH_CHUNKS) read-only, as every `newsdesk ask`
// does before its query: mapping the file, checking its small sections
// (a v4 file's large ones are checked as queries read them) and building
// the tables, with nothing embedded or trained.
//
// With $NEWSDESK_BENCH_DIR set, the index is kept in DIR/open-N and built
// only when missing (a million chunks take minutes to build); a file of
// an older format there is rewritten in the current one first.
func BenchmarkOpenWarm(b *testing.B) {
	n := 100000
	if os.Getenv("NEWSDESK_BENCH_CHUNKS") != "" {
		n = benchSizes()[0]
	}
	dir := b.TempDir()
	if d := os.Getenv("NEWSDESK_BENCH_DIR"); d != "" {
		dir = filepath.Join(d, fmt.Sprintf("open-%d", n))
	}
	ix, err := Open(Options{Dir: dir, Embedder: NewHashEmbedder()})
	if err != nil {
		b.Fatal(err)
	}
	built := false
	// VmHWM is the process's high-water mark: reset it (to the current
	// RSS) so that an earlier benchmark's peak in the same run does not
	// count as this build's. Memory an earlier benchmark still holds does
	// count: run this benchmark alone for the build figure.
	resetErr := resetPeakRSS()
	if ix.Stats().Articles != n/7 {
		if _, err := ix.Sync(context.Background(), synthCorpus(n/7, 7), nil); err != nil {
			b.Fatal(err)
		}
		built = true
	} else if ix.file == nil || ix.file.version < 4 {
		g, _ := ix.Generation()
		if _, err := ix.Apply(context.Background(), Change{Generation: g + 1}, nil); err != nil {
			b.Fatal(err)
		}
	}
	size, chunks := ix.Stats().Bytes, ix.Stats().Chunks
	// The process's peak so far is the build's (corpus, Sync and save):
	// issue #13's "building peaks" figure. Only when this run built.
	peak, peakErr := peakRSS()
	if peakErr == nil {
		peakErr = resetErr
	}
	if err := ix.Close(); err != nil {
		b.Fatal(err)
	}
	ix = nil
	var heap uint64
	b.ResetTimer()
	for b.Loop() {
		ix, err := Open(Options{Dir: dir, Embedder: NewHashEmbedder(), ReadOnly: true})
		if err != nil {
			b.Fatal(err)
		}
		if !ix.Stats().Approximate || ix.Stats().Stale != 0 {
			b.Fatal("warm open lost its codes or vectors")
		}
		b.StopTimer()
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		heap = ms.HeapAlloc
		if err := ix.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(size)/(1<<20), "file-MiB")
	// Everything live after the open (the index, plus the benchmark's
	// corpus, which is small beside it).
	b.ReportMetric(float64(heap)/float64(chunks), "heap-B/chunk")
	if built && peakErr == nil { // after b.Loop: ResetTimer drops metrics
		b.ReportMetric(float64(peak)/float64(chunks), "peak-RSS-B/chunk")
	}
}

// resetPeakRSS resets the process's VmHWM to its current RSS (Linux 4.0
// and later).
func resetPeakRSS() error {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// peakRSS is the process's peak resident set size (VmHWM), in bytes;
// an error where /proc is not there.
func peakRSS() (int64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) == 3 && f[0] == "VmHWM:" && f[2] == "kB" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/self/status")
}

// BenchmarkVectorSearch compares, in one run and on the same vectors, the
// index's vector search (exact below exactLimit, else the binary-code
// pre-filter and chromem-go's re-rank) with chromem-go's bare exhaustive
// QueryEmbedding over one collection of every vector, and with a plain
// one-goroutine float32 scan of a contiguous copy of them. It reports
// each one's median latency, the index's p95, their ratios, and the
// index's recall of the exact top 10 for rerankCandidates and for a few
// other candidate counts and shortlist factors, with the latter's time a
// query (the curves the defaults were chosen from).
func BenchmarkVectorSearch(b *testing.B) {
	for _, n := range benchSizes() {
		if n < 10000 {
			continue
		}
		b.Run(fmt.Sprintf("chunks=%d", n), func(b *testing.B) {
			ix, qs := benchIndex(b, n)
			ctx := context.Background()
			var ids []string
			var vecs [][]float32
			for _, id := range ix.ids {
				e := ix.entryMap()[id]
				for i, c := range e.Chunks {
					ids = append(ids, c.ID)
					vecs = append(vecs, e.Vectors[i])
				}
			}
			dim := len(vecs[0])
			flat := make([]float32, 0, len(vecs)*dim)
			for _, v := range vecs {
				flat = append(flat, v...)
			}
			bare, err := chromem.NewDB().CreateCollection("bare", nil, noEmbed)
			if err != nil {
				b.Fatal(err)
			}
			for i, id := range ids {
				if err := bare.AddDocument(ctx, chromem.Document{ID: id, Embedding: vecs[i]}); err != nil {
					b.Fatal(err)
				}
			}
			qv, err := ix.opts.Embedder.Embed(ctx, qs)
			if err != nil {
				b.Fatal(err)
			}
			var ours, bareLat, scanLat []time.Duration
			sims := make([]float32, len(vecs))
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				q := qv[i%len(qv)]
				t0 := time.Now()
				if _, err := ix.vec.query(ctx, q, candidates); err != nil {
					b.Fatal(err)
				}
				ours = append(ours, time.Since(t0))
				t0 = time.Now()
				for j := range sims {
					sims[j] = dot(q, flat[j*dim:(j+1)*dim])
				}
				scanLat = append(scanLat, time.Since(t0))
				if i%8 == 0 { // the bare scan is slow: one query in eight
					t0 = time.Now()
					if _, err := bare.QueryEmbedding(ctx, q, candidates, nil, nil); err != nil {
						b.Fatal(err)
					}
					bareLat = append(bareLat, time.Since(t0))
				}
			}
			b.StopTimer()
			med := func(d []time.Duration) float64 {
				slices.Sort(d)
				return float64(d[len(d)/2]) / 1e6
			}
			p50, p50bare, p50scan := med(ours), med(bareLat), med(scanLat)
			b.ReportMetric(p50, "p50-ms")
			b.ReportMetric(float64(ours[len(ours)*95/100])/1e6, "p95-ms")
			b.ReportMetric(p50bare, "chromem-bare-p50-ms")
			b.ReportMetric(p50scan, "flat-scan-p50-ms")
			b.ReportMetric(p50/p50bare, "x-bare")
			b.ReportMetric(p50/p50scan, "x-flat-scan")
			r10, _ := vectorRecall(b, ix, qs)
			b.ReportMetric(r10, "recall@10")
			if ix.vec.exact == nil {
				def := rerankCandidates
				for _, m := range []int{500, 1000, 4000} {
					rerankCandidates = m
					r, _ := vectorRecall(b, ix, qs)
					b.Logf("%d chunks: re-ranking %d candidates: recall@10 %.3f", len(vecs), m, r)
				}
				rerankCandidates = def
				defShort := shortlistFactor
				for _, f := range []int{4, 8, 32, len(vecs)} {
					shortlistFactor = f
					r, _ := vectorRecall(b, ix, qs)
					q := qv[0]
					t0 := time.Now()
					for range 20 {
						if _, err := ix.vec.query(ctx, q, candidates); err != nil {
							b.Fatal(err)
						}
					}
					b.Logf("%d chunks: shortlist %d× candidates: recall@10 %.3f, %.1f ms a query", len(vecs), f, r, float64(time.Since(t0))/20e6)
				}
				shortlistFactor = defShort
			}
			runtime.KeepAlive(bare)
		})
	}
}
