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
	"github.com/newsdesk/newsdesk/internal/baseline"
	"github.com/newsdesk/newsdesk/internal/eval"
	"github.com/newsdesk/newsdesk/internal/judge"
	"github.com/newsdesk/newsdesk/retrieval"
)

// devIndex indexes the embedded default corpus in memory.
// articleIndex is an in-memory index of arts.
func articleIndex(t testing.TB, arts []corpus.Article) *retrieval.Index {
	t.Helper()
	ix, err := retrieval.Open(retrieval.Options{Embedder: retrieval.NewHashEmbedder()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Sync(context.Background(), arts, nil); err != nil {
		t.Fatal(err)
	}
	return ix
}

func devIndex(t testing.TB) *retrieval.Index {
	t.Helper()
	arts, warns, err := corpus.Default()
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) > 0 {
		t.Logf("default corpus warnings: %v", warns)
	}
	ix, err := retrieval.Open(retrieval.Options{Embedder: retrieval.NewHashEmbedder()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Sync(context.Background(), arts, nil); err != nil {
		t.Fatal(err)
	}
	return ix
}

// rawArticles are the seed articles exactly as received, by id: quotes are
// judged against these, not against our own cleaned copy.
func rawArticles(t testing.TB) map[string]string {
	t.Helper()
	files, _ := filepath.Glob("testdata/raw/*.txt")
	m := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m[strings.TrimSuffix(filepath.Base(f), ".txt")] = string(b)
	}
	if len(m) != 5 {
		t.Fatalf("want 5 raw articles, have %d", len(m))
	}
	return m
}

func devQuestions(t testing.TB) []judge.Question { return loadQuestions(t, "testdata/dev.jsonl") }

func loadQuestions(t testing.TB, path string) []judge.Question {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	qs, err := judge.Load(f)
	if err != nil {
		t.Fatal(err)
	}
	return qs
}

// TestDevSet answers the public dev questions from their JSON output, as
// the question set's README judges them.
func TestDevSet(t *testing.T) {
	ex := New(devIndex(t), bot.Linker{})
	pass, failures := judgeSet(t, ex, devQuestions(t), rawArticles(t))
	for _, f := range failures {
		t.Error(f)
	}
	t.Logf("dev set: %d/%d pass", pass, len(devQuestions(t)))
}

// judgeSet answers every question through the JSON contract and judges
// it (the runner of `newsdesk eval`); it fails the test at once on an
// unverifiable quote (never acceptable) and returns the other failures
// for the caller to weigh.
func judgeSet(t testing.TB, ex *Extractive, qs []judge.Question, raw map[string]string) (pass int, failures []string) {
	t.Helper()
	rep := eval.Run(context.Background(), ex, []eval.File{{Name: t.Name(), Questions: qs}}, eval.Options{Article: judge.Map(raw)})
	for _, r := range rep.Files[0].Questions {
		if r.Error != "" {
			t.Fatalf("%s: %v", r.ID, r.Error)
		}
		if !r.Verbatim {
			t.Fatalf("%s %q: a quote is not verbatim: %v", r.ID, r.Question, r.Problems)
		}
		if answered := r.Answerable && r.Answered || !r.Answerable && !r.AbstainOK; answered && r.QuotesGiven == 0 {
			t.Errorf("%s %q: answered with no quote: %q", r.ID, r.Question, r.AnswerLine)
		}
	}
	for _, f := range rep.Failures() {
		var quotes []string
		for i, q := range f.Quotes {
			quotes = append(quotes, fmt.Sprintf("[%d] %s", i+1, q.Quote))
		}
		failures = append(failures, fmt.Sprintf("%s %q: %v\n%s\n%s", f.ID, f.Question, f.Problems, f.AnswerLine, strings.Join(quotes, "\n")))
	}
	return rep.Overall.Pass, failures
}

// TestInventedArchives runs invented archives, each with questions
// written by a helper who had not seen the answerer: archive2 (a dam
// failure and a drug recall), archive3 (an election count in British
// English and a hospital ransomware attack), archive4 (a mine collapse
// with accented names and a car-plant strike over a merger), archive5 (a
// bribery trial and a measles outbreak), archive6 (a football club
// sacking its manager and a bridge closure in Vietnam), archive7 (a
// wildfire on Evia and tech-company layoffs), archive8 (a warehouse fire
// and a rail strike), archive9 (a mudflow with differing death tolls
// and a council corruption probe), archive10 (an ammonia leak at a
// fertiliser plant and a museum gold-coin theft), archive11 (drought
// rationing and a football-club takeover), archive12 (a mayor's
// procurement scandal and a food company's profit warning), archive13 (an
// airline IT outage and a diesel spill from a derailed train), archive14
// (university cuts and a presenter's libel trial), archive15 (a
// heatwave with a grid emergency and a lottery data breach), archive16
// (a hospital ransomware attack and a contested tram line), archive17
// (a bridge closed for cracks and a footballer's doping ban) and archive18
// (a chemical-plant explosion and a teachers' strike). All use every supported
// format, site boilerplate, a syndicated copy, spelling variants and
// undated files.
// questions.jsonl holds clean questions; chat.jsonl questions typed as in
// Slack (lowercase, filler, typos, paraphrase, near-miss unanswerables).
// Every set was first run blind (see the README); archive2-7 were then
// used to improve the method and are further dev sets, as are archive11,
// archive13, archive16 and archive18. archive8, archive9, archive10, archive12,
// archive14, archive15 and archive17 are held out (heldOut):
// their failures are never read
// while tuning, only their scores. The test fails if a score drops below
// what was measured.
func TestInventedArchives(t *testing.T) {
	for _, tc := range []struct {
		dir, file          string
		articles, measured int
	}{
		{"testdata/archive2", "questions.jsonl", 8, 22},
		{"testdata/archive2", "chat.jsonl", 8, 17},
		{"testdata/archive3", "questions.jsonl", 10, 22},
		{"testdata/archive3", "chat.jsonl", 10, 14},
		{"testdata/archive4", "questions.jsonl", 8, 20},
		{"testdata/archive4", "chat.jsonl", 8, 13},
		{"testdata/archive5", "questions.jsonl", 8, 20},
		{"testdata/archive5", "chat.jsonl", 8, 12},
		{"testdata/archive6", "questions.jsonl", 8, 20},
		{"testdata/archive6", "chat.jsonl", 8, 14},
		{"testdata/archive7", "questions.jsonl", 8, 16},
		{"testdata/archive7", "chat.jsonl", 8, 12},
		{"testdata/archive8", "chat.jsonl", 8, 14},
		{"testdata/archive9", "chat.jsonl", 8, 16},
		{"testdata/archive10", "chat.jsonl", 8, 15},
		{"testdata/archive11", "chat.jsonl", 8, 22},
		{"testdata/archive12", "chat.jsonl", 8, 14},
		{"testdata/archive13", "chat.jsonl", 8, 22},
		{"testdata/archive14", "chat.jsonl", 8, 12},
		{"testdata/archive15", "chat.jsonl", 8, 17},
		{"testdata/archive16", "chat.jsonl", 9, 20},
		{"testdata/archive17", "chat.jsonl", 9, 17},
		{"testdata/archive18", "chat.jsonl", 9, 10},
	} {
		t.Run(filepath.Base(tc.dir)+"/"+strings.TrimSuffix(tc.file, ".jsonl"), func(t *testing.T) {
			arts, warns, err := corpus.LoadDir(filepath.Join(tc.dir, "corpus"))
			if err != nil || len(warns) > 0 || len(arts) != tc.articles {
				t.Fatalf("load: %d articles, warnings %v, err %v", len(arts), warns, err)
			}
			raw := map[string]string{}
			for _, a := range arts {
				raw[a.ID] = a.Text()
			}
			ix, err := retrieval.Open(retrieval.Options{Embedder: retrieval.NewHashEmbedder()})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := ix.Sync(context.Background(), arts, nil); err != nil {
				t.Fatal(err)
			}
			qs := loadQuestions(t, filepath.Join(tc.dir, tc.file))
			pass, failures := judgeSet(t, New(ix, bot.Linker{}), qs, raw)
			if !heldOut(tc.dir) {
				for _, f := range failures {
					t.Log(f)
				}
			}
			t.Logf("%s/%s: %d/%d pass", tc.dir, tc.file, pass, len(qs))
			if pass < tc.measured {
				t.Errorf("%s: %d/%d pass, below the %d measured", tc.dir, pass, len(qs), tc.measured)
			}
		})
	}
}

// heldOut reports whether the archive in dir is held out from tuning:
// only its scores are read, never its failures.
func heldOut(dir string) bool {
	switch filepath.Base(dir) {
	case "archive8", "archive9", "archive10", "archive12", "archive14", "archive15", "archive17":
		return true
	}
	return false
}

// TestBaselineBM25Sentences measures the baseline the issue names: plain
// BM25 over sentences, top three (internal/baseline, what `newsdesk eval
// --baseline` runs). It documents the bar; it asserts only that the
// extractive answerer is not below it.
func TestBaselineBM25Sentences(t *testing.T) {
	arts, _, err := corpus.Default()
	if err != nil {
		t.Fatal(err)
	}
	b, err := baseline.New(context.Background(), arts, 3)
	if err != nil {
		t.Fatal(err)
	}
	rep := eval.Run(context.Background(), b, []eval.File{{Name: "dev", Questions: devQuestions(t)}}, eval.Options{Article: judge.Map(rawArticles(t))})
	found, answerable := rep.Overall.Found, rep.Overall.Answerable
	t.Logf("baseline BM25 over sentences: %d/%d answerable dev questions found in top 3", found, answerable)
}
