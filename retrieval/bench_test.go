package retrieval

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

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

// benchIndex returns an in-memory index of at least the given number of
// chunks, built once per process.
func benchIndex(b *testing.B, chunks int) (*Index, []string) {
	b.Helper()
	arts := synthCorpus(chunks/6+1, 1)
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
	var total int
	for start := 0; total < chunks; start += 1000 {
		if start >= len(arts) {
			arts = append(arts, synthCorpus(1000, uint64(start))...)
			for k := start; k < len(arts); k++ {
				arts[k].ID = fmt.Sprintf("synth-x%06d", k)
			}
		}
		end := min(start+1000, len(arts))
		st, err := ix.Add(context.Background(), arts[start:end], nil)
		if err != nil {
			b.Fatal(err)
		}
		total += st.ChunksEmbedded
	}
	benchIndexes.Store(chunks, ix)
	return ix, queries
}

// BenchmarkQuery measures one hybrid Search (query embedding, BM25,
// vector scan, fusion) at three archive sizes. ns/op is the mean; run
// with -benchtime and read p50 from BenchmarkQueryLatency's report.
func BenchmarkQuery(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprintf("chunks=%d", n), func(b *testing.B) {
			ix, qs := benchIndex(b, n)
			b.ReportMetric(float64(ix.Stats().Chunks), "chunks")
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				if _, err := ix.Search(context.Background(), qs[i%len(qs)], 24); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkIngest measures chunking, hash-embedding and indexing
// throughput, reported as chunks/s.
func BenchmarkIngest(b *testing.B) {
	arts := synthCorpus(500, 7)
	chunks := 0
	for i := range arts {
		chunks += len(ChunkArticle(&arts[i], 0, 0))
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
}
