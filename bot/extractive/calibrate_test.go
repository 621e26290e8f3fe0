package extractive

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/newsdesk/newsdesk/bot"
	"github.com/newsdesk/newsdesk/corpus"
	"github.com/newsdesk/newsdesk/internal/judge"
	"github.com/newsdesk/newsdesk/retrieval"
)

// calibrationSets are the question sets the abstention threshold is
// calibrated on: the public dev sets and invented archives 2-7 (clean and
// chat-style questions), archive11, archive13, archive16 and archive18. archive8,
// archive9, archive10, archive12, archive14, archive15 and archive17 are
// held out (heldOut).
func calibrationSets(t testing.TB, wantHeld bool) []struct {
	ix  *retrieval.Index
	raw map[string]string
	qs  []judge.Question
} {
	var out []struct {
		ix  *retrieval.Index
		raw map[string]string
		qs  []judge.Question
	}
	add := func(ix *retrieval.Index, raw map[string]string, qs []judge.Question) {
		out = append(out, struct {
			ix  *retrieval.Index
			raw map[string]string
			qs  []judge.Question
		}{ix, raw, qs})
	}
	if !wantHeld {
		ix, raw := devIndex(t), rawArticles(t)
		add(ix, raw, loadQuestions(t, "testdata/dev.jsonl"))
		add(ix, raw, loadQuestions(t, "testdata/dev2.jsonl"))
	}
	dirs, _ := filepath.Glob("testdata/archive*")
	for _, d := range dirs {
		if heldOut(d) != wantHeld {
			continue
		}
		arts, _, err := corpus.LoadDir(filepath.Join(d, "corpus"))
		if err != nil {
			t.Fatal(err)
		}
		raw := map[string]string{}
		for _, a := range arts {
			raw[a.ID] = a.Text()
		}
		ix, _ := retrieval.Open(retrieval.Options{Embedder: retrieval.NewHashEmbedder()})
		if _, err := ix.Sync(context.Background(), arts, nil); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"questions.jsonl", "chat.jsonl"} {
			if _, err := os.Stat(filepath.Join(d, f)); err == nil {
				add(ix, raw, loadQuestions(t, filepath.Join(d, f)))
			}
		}
	}
	return out
}

// BenchmarkAbstentionSweep sweeps the abstention threshold over the
// calibration sets (HELD_OUT=1: over the held-out archives instead) and
// logs, for each value, answerable questions found, false abstentions and
// unanswerable questions abstained; it reports the score at the threshold
// in use. The README's trade-off table comes from it:
//
//	go test -run='^$' -bench=AbstentionSweep -benchtime=1x ./bot/extractive
func BenchmarkAbstentionSweep(b *testing.B) {
	sets := calibrationSets(b, os.Getenv("HELD_OUT") != "")
	defer func(v float64) { minCoverage = v }(minCoverage)
	inUse := minCoverage
	for b.Loop() {
		for _, v := range []float64{0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7} {
			minCoverage = v
			ap, a, up, u, falseAbst := 0, 0, 0, 0, 0
			perKind := map[qtype]*[4]int{} // answerable passed, answerable, near-miss passed, near-miss
			for _, s := range sets {
				ex := New(s.ix, bot.Linker{})
				_, failures := judgeSet(b, ex, s.qs, s.raw)
				failed := map[string]string{}
				for _, f := range failures {
					failed[strings.Fields(f)[0]] = f
				}
				for _, q := range s.qs {
					f, bad := failed[q.ID]
					k := analyze(q.Question, nil).kind
					if perKind[k] == nil {
						perKind[k] = &[4]int{}
					}
					pk := perKind[k]
					if q.Answerable {
						pk[1]++
						if !bad {
							pk[0]++
						}
					} else {
						pk[3]++
						if !bad {
							pk[2]++
						}
					}
					if q.Answerable {
						a++
						if !bad {
							ap++
						} else if strings.Contains(f, "abstained on an answerable") {
							falseAbst++
						}
					} else {
						u++
						if !bad {
							up++
						}
					}
				}
			}
			b.Logf("minCoverage %.2f: answerable %d/%d (false abstentions %d), unanswerable abstained %d/%d, total %d/%d",
				v, ap, a, falseAbst, up, u, ap+up, a+u)
			if os.Getenv("BY_KIND") != "" {
				for k := qOther; k <= qWhich; k++ {
					if pk := perKind[k]; pk != nil {
						// Printed, not logged: a benchmark's log is cut short.
						fmt.Printf("minCoverage %.2f kind %d: answerable %d/%d, near-miss %d/%d\n", v, k, pk[0], pk[1], pk[2], pk[3])
					}
				}
			}
			if v == inUse {
				b.ReportMetric(float64(ap+up)/float64(a+u), "pass-rate")
			}
		}
	}
}
