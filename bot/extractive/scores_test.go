package extractive

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/newsdesk/newsdesk/bot"
	"github.com/newsdesk/newsdesk/corpus"
	"github.com/newsdesk/newsdesk/retrieval"
)

// TestScores prints every question set's score in one table
// (development aid; SCORES=1 to run, SCORES=v to list failures).
func TestScores(t *testing.T) {
	mode := os.Getenv("SCORES")
	if mode == "" {
		t.Skip("set SCORES=1")
	}
	type set struct{ name, corpus, questions string }
	sets := []set{{"dev", "", "testdata/dev.jsonl"}, {"dev2", "", "testdata/dev2.jsonl"}}
	dirs, _ := filepath.Glob("testdata/archive*")
	for _, d := range dirs {
		for _, f := range []string{"questions.jsonl", "chat.jsonl"} {
			if _, err := os.Stat(filepath.Join(d, f)); err == nil {
				sets = append(sets, set{filepath.Base(d) + "/" + strings.TrimSuffix(f, ".jsonl"), filepath.Join(d, "corpus"), filepath.Join(d, f)})
			}
		}
	}
	totA, totAP, totU, totUP := 0, 0, 0, 0
	for _, s := range sets {
		var ix *retrieval.Index
		var raw map[string]string
		if s.corpus == "" {
			ix, raw = devIndex(t), rawArticles(t)
		} else {
			arts, _, err := corpus.LoadDir(s.corpus)
			if err != nil {
				t.Fatal(err)
			}
			raw = map[string]string{}
			for _, a := range arts {
				raw[a.ID] = a.Text()
			}
			ix, _ = retrieval.Open(retrieval.Options{Embedder: retrieval.NewHashEmbedder()})
			ix.Sync(context.Background(), arts, nil)
		}
		qs := loadQuestions(t, s.questions)
		_, failures := judgeSet(t, New(ix, bot.Linker{}), qs, raw)
		failed := map[string]bool{}
		for _, f := range failures {
			failed[strings.Fields(f)[0]] = true
			if mode == "v" {
				t.Log(f)
			}
		}
		a, ap, u, up := 0, 0, 0, 0
		for _, q := range qs {
			if q.Answerable {
				a++
				if !failed[q.ID] {
					ap++
				}
			} else {
				u++
				if !failed[q.ID] {
					up++
				}
			}
		}
		totA, totAP, totU, totUP = totA+a, totAP+ap, totU+u, totUP+up
		t.Logf("%-22s answerable %2d/%2d  unanswerable %2d/%2d  total %2d/%2d", s.name, ap, a, up, u, ap+up, a+u)
	}
	t.Logf("%-22s answerable %3d/%3d  unanswerable %2d/%2d  total %3d/%3d", "ALL", totAP, totA, totUP, totU, totAP+totUP, totA+totU)
}
