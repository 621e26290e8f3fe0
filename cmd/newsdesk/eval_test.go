package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/newsdesk/newsdesk/bot"
	"github.com/newsdesk/newsdesk/bot/extractive"
	"github.com/newsdesk/newsdesk/corpus"
	"github.com/newsdesk/newsdesk/internal/baseline"
	"github.com/newsdesk/newsdesk/internal/eval"
	"github.com/newsdesk/newsdesk/internal/judge"
	"github.com/newsdesk/newsdesk/retrieval"
)

const (
	seedCorpus = "../../corpus/default"
	seedRaw    = "../../bot/extractive/testdata/raw"
	devSet     = "../../bot/extractive/testdata/dev.jsonl"
	dev2Set    = "../../bot/extractive/testdata/dev2.jsonl"
)

// jsonReport is the --json output.
type jsonReport struct {
	eval.Report
	Baseline *eval.Report `json:"baseline"`
}

func evalJSON(t *testing.T, args ...string) (jsonReport, result) {
	t.Helper()
	r := runCmd(t, nil, "", append([]string{"eval", "--json", "--corpus", seedCorpus}, args...)...)
	var rep jsonReport
	if r.code != exitOK {
		t.Fatalf("eval %v: exit %d\n%s", args, r.code, r.stderr)
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("eval %v: bad JSON: %v\n%s", args, err, r.stdout)
	}
	return rep, r
}

// libraryRun scores a question file with the library runner, as the
// answerers' own dev-set tests do: the extractive answerer (or the
// baseline) on the embedded seed corpus, quotes judged against the seed
// articles exactly as received.
func libraryRun(t *testing.T, path string, k int, useBaseline bool) *eval.Report {
	t.Helper()
	arts, _, err := corpus.Default()
	if err != nil {
		t.Fatal(err)
	}
	var a bot.Answerer
	name := bot.ModeExtractive
	if useBaseline {
		if a, err = baseline.New(context.Background(), arts, k); err != nil {
			t.Fatal(err)
		}
		name = baseline.Mode
	} else {
		ix, err := retrieval.Open(retrieval.Options{Embedder: retrieval.NewHashEmbedder()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ix.Sync(context.Background(), arts, nil); err != nil {
			t.Fatal(err)
		}
		a = extractive.New(ix, bot.Linker{})
	}
	raw := map[string]string{}
	files, _ := filepath.Glob(filepath.Join(seedRaw, "*.txt"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		raw[strings.TrimSuffix(filepath.Base(f), ".txt")] = string(b)
	}
	f, err := eval.LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return eval.Run(context.Background(), a, []eval.File{f}, eval.Options{Answerer: name, K: k, Article: judge.Map(raw)})
}

// sameScores compares totals without the latencies.
func sameScores(t *testing.T, label string, got, want eval.Totals) {
	t.Helper()
	got.LatencyP50MS, got.LatencyP95MS, want.LatencyP50MS, want.LatencyP95MS = 0, 0, 0, 0
	if got != want {
		t.Errorf("%s: eval reports %+v, the library runner %+v", label, got, want)
	}
}

func TestEvalSeedCorpusMatchesLibraryRunner(t *testing.T) {
	rep, _ := evalJSON(t, devSet, dev2Set)
	if rep.Answerer != bot.ModeExtractive || rep.K != 3 || rep.Interrupted || len(rep.Files) != 2 || rep.Baseline != nil {
		t.Fatalf("report head: %+v", rep.Report)
	}
	dev, dev2 := libraryRun(t, devSet, 3, false), libraryRun(t, dev2Set, 3, false)
	sameScores(t, "dev.jsonl", rep.Files[0].Totals, dev.Overall)
	sameScores(t, "dev2.jsonl", rep.Files[1].Totals, dev2.Overall)
	// TestDevSet (bot/extractive) requires every dev question to pass.
	if d := rep.Files[0].Totals; d.Questions != 12 || d.Pass != 12 || d.Verbatim != d.Quotes {
		t.Errorf("dev.jsonl: %+v", d)
	}
	if d := rep.Files[1].Totals; d.Questions != 22 || d.Answerable != 16 || d.Unanswerable != 6 {
		t.Errorf("dev2.jsonl: %+v", d)
	}
	if o := rep.Overall; o.Questions != 34 || o.Pass != rep.Files[0].Totals.Pass+rep.Files[1].Totals.Pass {
		t.Errorf("overall: %+v", o)
	}
	for _, q := range rep.Files[1].Questions {
		if len(q.Quotes) > 3 || q.LatencyMS < 0 {
			t.Errorf("%s: %d quotes listed, latency %v", q.ID, len(q.Quotes), q.LatencyMS)
		}
	}
	t.Logf("dev %d/%d, dev2 %d/%d", rep.Files[0].Totals.Pass, 12, rep.Files[1].Totals.Pass, 22)
}

func TestEvalBaseline(t *testing.T) {
	rep, _ := evalJSON(t, "--baseline", devSet, dev2Set)
	if rep.Baseline == nil || rep.Baseline.Answerer != baseline.Mode || len(rep.Baseline.Files) != 2 {
		t.Fatalf("no baseline report: %+v", rep.Baseline)
	}
	sameScores(t, "baseline dev.jsonl", rep.Baseline.Files[0].Totals, libraryRun(t, devSet, 3, true).Overall)
	sameScores(t, "baseline dev2.jsonl", rep.Baseline.Files[1].Totals, libraryRun(t, dev2Set, 3, true).Overall)
	if b := rep.Baseline.Overall; b.AbstainOK != 0 || b.Verbatim != b.Quotes {
		t.Errorf("baseline overall %+v", b)
	}
	t.Logf("baseline dev %d/12 (found %d/10), dev2 %d/22 (found %d/16)",
		rep.Baseline.Files[0].Totals.Pass, rep.Baseline.Files[0].Totals.Found, rep.Baseline.Files[1].Totals.Pass, rep.Baseline.Files[1].Totals.Found)

	r := runCmd(t, nil, "", "eval", "--baseline", "--corpus", seedCorpus, devSet)
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"extractive", baseline.Mode, "found in first 3 quotes", "latency p50 / p95", "bm25-sentences failures"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("text report lacks %q:\n%s", want, r.stdout)
		}
	}
}

func TestEvalK(t *testing.T) {
	rep, _ := evalJSON(t, "-k", "1", dev2Set)
	if rep.K != 1 {
		t.Errorf("k = %d", rep.K)
	}
	sameScores(t, "dev2.jsonl -k 1", rep.Overall, libraryRun(t, dev2Set, 1, false).Overall)
	for _, q := range rep.Files[0].Questions {
		if len(q.Quotes) > 1 {
			t.Errorf("%s: %d quotes listed with -k 1", q.ID, len(q.Quotes))
		}
	}
	wide, _ := evalJSON(t, "-k", "10", dev2Set)
	if rep.Overall.Found > wide.Overall.Found {
		t.Errorf("found %d with k=1 but %d with k=10", rep.Overall.Found, wide.Overall.Found)
	}
}

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestEvalMalformedFile(t *testing.T) {
	p := writeFile(t, "mixed.jsonl", strings.Join([]string{
		`{"id":"dev02","question":"What is the population of Kupiansk?","answerable":true,"evidence":["town of 27,000 people"],"must":[["27,000"]],"answer":["27,000"]}`,
		`{"id":"broken", "question": `,
		`{"id":"nothing","question":"Who won?","answerable":true}`,
		`{"id":"dev12","question":"What is the best recipe for banana bread?","answerable":false}`,
	}, "\n"))
	rep, r := evalJSON(t, p)
	for _, want := range []string{p + ":2:", p + ":3:", "line skipped"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	f := rep.Files[0]
	if f.Totals.Questions != 2 || f.Totals.Malformed != 2 || len(f.Malformed) != 2 || f.Malformed[0].Line != 2 || f.Malformed[1].Line != 3 {
		t.Errorf("malformed lines not counted: %+v %+v", f.Totals, f.Malformed)
	}
	if f.Totals.Pass != 2 || f.Totals.WithAnswer != 1 {
		t.Errorf("the good lines: %+v", f.Totals)
	}
	text := runCmd(t, nil, "", "eval", "--corpus", seedCorpus, p)
	if text.code != exitOK || !strings.Contains(text.stdout, "2 malformed lines skipped") || !strings.Contains(text.stdout, "mixed.jsonl:2:") {
		t.Errorf("text report: exit %d\n%s", text.code, text.stdout)
	}

	bad := writeFile(t, "bad.jsonl", "{nope\n[1,2]\n")
	r = runCmd(t, nil, "", "eval", "--corpus", seedCorpus, bad)
	if r.code != exitError || !strings.Contains(r.stderr, "no valid question") || !strings.Contains(r.stderr, bad+":1:") {
		t.Errorf("all lines malformed: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestEvalUnanswerableOnly(t *testing.T) {
	p := writeFile(t, "unanswerable.jsonl",
		`{"id":"dev10","question":"What did Joe Biden say about the fall of Izyum?","answerable":false}`+"\n"+
			`{"id":"dev12","question":"What is the best recipe for banana bread?","answerable":false,"as_of":"2022-09-11"}`+"\n")
	rep, _ := evalJSON(t, "--as-of", "2022-09-10", p)
	o := rep.Overall
	if o.Questions != 2 || o.Answerable != 0 || o.Unanswerable != 2 || o.AbstainOK != 2 || o.Pass != 2 || o.Quotes != 0 || rep.AsOf != "2022-09-10" {
		t.Errorf("unanswerable-only: %+v (as of %q)", o, rep.AsOf)
	}
	r := runCmd(t, nil, "", "eval", "--corpus", seedCorpus, p)
	if r.code != exitOK || !strings.Contains(r.stdout, "found in first 3 quotes      -") || !strings.Contains(r.stdout, "No failures") {
		t.Errorf("text report: exit %d\n%s", r.code, r.stdout)
	}
}

func TestEvalStdinAndUsage(t *testing.T) {
	r := runCmd(t, nil, `{"id":"u","question":"What is the best recipe for banana bread?"}`, "eval", "--json", "--corpus", seedCorpus, "-")
	if r.code != exitOK || !strings.Contains(r.stdout, `"file": "stdin"`) {
		t.Errorf("stdin: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"eval"}, exitUsage, "no question file"},
		{[]string{"eval", "-k", "0", devSet}, exitUsage, "-k 0"},
		{[]string{"eval", "--as-of", "yesterday", devSet}, exitUsage, "YYYY-MM-DD"},
		{[]string{"eval", "--corpus", seedCorpus, "missing.jsonl"}, exitError, "missing.jsonl"},
	} {
		r := runCmd(t, nil, "", c.args...)
		if r.code != c.code || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q", c.args, r.code, r.stderr)
		}
	}
	r = runCmd(t, nil, "", "eval", "--help")
	for _, want := range []string{"Usage: newsdesk eval", "-k N", "--baseline", "--as-of DATE", "Examples:", "Exit status"} {
		if r.code != exitOK || !strings.Contains(r.stdout, want) {
			t.Errorf("help lacks %q:\n%s", want, r.stdout)
		}
	}
}
