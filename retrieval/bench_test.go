package retrieval

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

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
// exactLimit; the IVF's recall above it).
func BenchmarkQuery(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
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
		e := ix.entries[id]
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

// BenchmarkOpenWarm measures opening a persisted index of 100k chunks:
// reading and checking the file and rebuilding BM25 and the vector
// collections, with nothing embedded or trained. This is what every
// `newsdesk ask` pays before its query.
func BenchmarkOpenWarm(b *testing.B) {
	dir := b.TempDir()
	arts := synthCorpus(100000/7, 7)
	ix, err := Open(Options{Dir: dir, Embedder: NewHashEmbedder()})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := ix.Add(context.Background(), arts, nil); err != nil {
		b.Fatal(err)
	}
	size := ix.Stats().Bytes
	b.ResetTimer()
	for b.Loop() {
		ix, err := Open(Options{Dir: dir, Embedder: NewHashEmbedder()})
		if err != nil {
			b.Fatal(err)
		}
		if ix.ivf == nil || ix.Stats().Stale != 0 {
			b.Fatal("warm open lost its partitions or vectors")
		}
	}
	b.ReportMetric(float64(size)/(1<<20), "file-MiB")
}
