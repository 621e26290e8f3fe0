package extractive

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/newsdesk/newsdesk/bot"
	"github.com/newsdesk/newsdesk/corpus"
	"github.com/newsdesk/newsdesk/internal/judge"
	"github.com/newsdesk/newsdesk/retrieval"
)

// recallK is the depth at which retrieval recall is measured: the first
// chunks handed to the answerer.
const recallK = 8

// questionSet is a question file with the index of its archive.
type questionSet struct {
	name string
	ix   *retrieval.Index
	qs   []judge.Question
}

// allQuestionSets loads every question set: the dev sets on the seed
// corpus and each invented archive's clean and chat-style questions.
func allQuestionSets(tb testing.TB) []questionSet {
	tb.Helper()
	seed := devIndex(tb)
	sets := []questionSet{
		{"dev", seed, loadQuestions(tb, "testdata/dev.jsonl")},
		{"dev2", seed, loadQuestions(tb, "testdata/dev2.jsonl")},
	}
	dirs, _ := filepath.Glob("testdata/archive*")
	for _, d := range dirs {
		arts, _, err := corpus.LoadDir(filepath.Join(d, "corpus"))
		if err != nil {
			tb.Fatal(err)
		}
		ix, err := retrieval.Open(retrieval.Options{Embedder: retrieval.NewHashEmbedder()})
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := ix.Sync(context.Background(), arts, nil); err != nil {
			tb.Fatal(err)
		}
		files, _ := filepath.Glob(filepath.Join(d, "*.jsonl"))
		for _, f := range files {
			sets = append(sets, questionSet{filepath.Base(d) + "/" + strings.TrimSuffix(filepath.Base(f), ".jsonl"), ix, loadQuestions(tb, f)})
		}
	}
	return sets
}

// recallAt reports, over the answerable questions with evidence, how many
// have an evidence phrase in the first k chunks of hits(q).
func recallAt(qs []judge.Question, k int, hits func(q string) []retrieval.Hit) (found, total int) {
	for _, q := range qs {
		if !q.Answerable || len(q.Evidence) == 0 {
			continue
		}
		total++
		hs := hits(q.Question)
	hitLoop:
		for i, h := range hs {
			if i >= k {
				break
			}
			text := judge.Normalize(h.Chunk.Text)
			for _, ev := range q.Evidence {
				if strings.Contains(text, judge.Normalize(ev)) {
					found++
					break hitLoop
				}
			}
		}
	}
	return found, total
}

// BenchmarkRetrievalRecall reports recall@8 of the chunks the extractive
// answerer reads (its weighted, paraphrase-expanded query), beside that of
// the question searched as typed, on every question set.
func BenchmarkRetrievalRecall(b *testing.B) {
	sets := allQuestionSets(b)
	b.ResetTimer()
	for b.Loop() {
		allA, allP, allT := 0, 0, 0
		var lines []string
		for _, s := range sets {
			ex := New(s.ix, bot.Linker{})
			answerer := func(q string) []retrieval.Hit {
				qa := analyze(stripChat(q), s.ix)
				hs, err := ex.retrieve(context.Background(), &qa)
				if err != nil {
					b.Fatal(err)
				}
				return hs
			}
			plain := func(q string) []retrieval.Hit {
				hs, err := s.ix.Search(context.Background(), q, recallK)
				if err != nil {
					b.Fatal(err)
				}
				return hs
			}
			a, t := recallAt(s.qs, recallK, answerer)
			p, _ := recallAt(s.qs, recallK, plain)
			allA, allP, allT = allA+a, allP+p, allT+t
			lines = append(lines, fmt.Sprintf("%-20s recall@%d answerer %2d/%2d, question as typed %2d/%2d", s.name, recallK, a, t, p, t))
		}
		if b.N == 1 || testing.Verbose() {
			for _, l := range lines {
				b.Log(l)
			}
		}
		b.ReportMetric(float64(allA)/float64(allT), "recall@8")
		b.ReportMetric(float64(allP)/float64(allT), "recall@8-typed")
	}
}
