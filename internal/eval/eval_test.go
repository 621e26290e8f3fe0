package eval

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/bot"
	"github.com/newsdesk/newsdesk/internal/judge"
)

const article = "Troops left Izyum on Friday. The town of 27,000 people fell. Nothing else happened."

// fake answers from a table by question; "ERR" fails, "CANCEL" cancels
// the run's context.
type fake struct {
	answers map[string]*bot.Answer
	cancel  context.CancelFunc
	asOf    []time.Time
}

func (f *fake) Answer(ctx context.Context, req bot.Request) (*bot.Answer, error) {
	f.asOf = append(f.asOf, req.AsOf)
	switch req.Question {
	case "ERR":
		return nil, errors.New("endpoint down")
	case "CANCEL":
		f.cancel()
		return nil, ctx.Err()
	}
	if a, ok := f.answers[req.Question]; ok {
		return a, nil
	}
	return &bot.Answer{Abstained: true, Text: "I can't find that."}, nil
}

func quoted(text string, quotes ...string) *bot.Answer {
	a := &bot.Answer{Text: text}
	for i, q := range quotes {
		a.Citations = append(a.Citations, bot.Citation{N: i + 1, ArticleID: "a", Quote: q})
	}
	return a
}

func opts() Options {
	return Options{Answerer: "fake", Article: judge.Map(map[string]string{"a": article})}
}

func TestRun(t *testing.T) {
	f := &fake{answers: map[string]*bot.Answer{
		"when":   quoted("On Friday.\n[1] ...", "Troops left Izyum on Friday."),
		"pop":    quoted("A town.", "Nothing else happened.", "Made up quote."),
		"trap":   quoted("Sure.", "Nothing else happened."),
		"fourth": quoted("x", "Nothing else happened.", "Nothing else happened.", "Nothing else happened.", "The town of 27,000 people fell."),
	}}
	files := []File{{Name: "a.jsonl", Questions: []judge.Question{
		{ID: "1", Question: "when", Answerable: true, Evidence: []string{"left Izyum"}, Must: [][]string{{"friday"}}, Answer: []string{"friday"}},
		{ID: "2", Question: "pop", Answerable: true, Evidence: []string{"27,000"}, Answer: []string{"27,000"}},
		{ID: "3", Question: "ERR", Answerable: true, Evidence: []string{"x"}},
	}, Malformed: []judge.LineError{{Line: 9, Err: "bad"}}}, {Name: "b.jsonl", Questions: []judge.Question{
		{ID: "1", Question: "trap"},
		{ID: "2", Question: "nothing", AsOf: "2022-09-10"},
		{ID: "3", Question: "fourth", Answerable: true, Evidence: []string{"27,000"}},
	}}}
	o := opts()
	o.AsOf = time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)
	var progress []int
	o.Progress = func(done, total int) {
		if total != 6 {
			t.Errorf("total %d", total)
		}
		progress = append(progress, done)
	}
	rep := Run(context.Background(), f, files, o)
	if rep.Interrupted || len(progress) != 6 || progress[5] != 6 {
		t.Fatalf("interrupted %v, progress %v", rep.Interrupted, progress)
	}
	a, b := rep.Files[0].Totals, rep.Files[1].Totals
	if a.Questions != 3 || a.Pass != 1 || a.Found != 1 || a.Answered != 2 || a.Errors != 1 || a.Malformed != 1 ||
		a.Quotes != 3 || a.Verbatim != 2 || a.WithAnswer != 2 || a.AnswerHits != 1 {
		t.Errorf("a.jsonl totals %+v", a)
	}
	if b.Questions != 3 || b.Unanswerable != 2 || b.AbstainOK != 1 || b.Pass != 1 || b.Found != 0 {
		t.Errorf("b.jsonl totals %+v", b)
	}
	all := rep.Overall
	if all.Questions != 6 || all.Pass != 2 || all.Malformed != 1 || all.Errors != 1 || all.Quotes != 8 {
		t.Errorf("overall %+v", all)
	}
	// as_of overrides the run's date.
	if !f.asOf[0].Equal(o.AsOf) || f.asOf[4].Format(time.RFC3339) != "2022-09-10T23:59:59Z" {
		t.Errorf("as of %v", f.asOf)
	}
	fails := rep.Failures()
	if len(fails) != 4 {
		t.Fatalf("failures %+v", fails)
	}
	pop := fails[0]
	if pop.ID != "2" || pop.File != "a.jsonl" || len(pop.Quotes) != 2 || pop.Expected.Evidence[0] != "27,000" || pop.AnswerLine != "A town." {
		t.Errorf("failure %+v", pop)
	}
	if fails[1].Error != "endpoint down" {
		t.Errorf("error not recorded: %+v", fails[1])
	}
	// k=4 finds the fourth quote.
	o.K = 4
	o.Progress = nil
	rep = Run(context.Background(), f, files[1:], o)
	if rep.K != 4 || rep.Files[0].Totals.Found != 1 || len(rep.Files[0].Questions[2].Quotes) != 4 {
		t.Errorf("k=4: %+v", rep.Files[0].Totals)
	}
}

func TestRunInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := &fake{cancel: cancel, answers: map[string]*bot.Answer{}}
	files := []File{{Name: "a", Questions: []judge.Question{
		{ID: "1", Question: "x"}, {ID: "2", Question: "CANCEL"}, {ID: "3", Question: "y"},
	}}, {Name: "b", Questions: []judge.Question{{ID: "1", Question: "z"}}}}
	rep := Run(ctx, f, files, opts())
	if !rep.Interrupted || rep.Overall.Questions != 1 || rep.Overall.Unanswered != 3 || rep.Overall.Pass != 1 {
		t.Fatalf("partial report %+v", rep.Overall)
	}
	var buf bytes.Buffer
	if err := WriteText(&buf, rep, nil); err != nil || !strings.Contains(buf.String(), "INTERRUPTED") {
		t.Errorf("text: %v\n%s", err, buf.String())
	}
}

func TestPercentile(t *testing.T) {
	var ds []time.Duration
	for i := 1; i <= 20; i++ {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	if p := percentile(ds, 0.5); p != 10*time.Millisecond {
		t.Errorf("p50 %v", p)
	}
	if p := percentile(ds, 0.95); p != 19*time.Millisecond {
		t.Errorf("p95 %v", p)
	}
	if percentile(nil, 0.5) != 0 {
		t.Error("empty")
	}
}

func TestWriteJSONAndText(t *testing.T) {
	f := &fake{answers: map[string]*bot.Answer{"when": quoted("Friday.", "Troops left Izyum on Friday.")}}
	files := []File{{Name: "a.jsonl", Questions: []judge.Question{
		{ID: "1", Question: "when", Answerable: true, Evidence: []string{"nope"}},
	}, Malformed: []judge.LineError{{Line: 2, Err: "not a JSON question"}}}}
	rep := Run(context.Background(), f, files, opts())
	base := Run(context.Background(), f, files, Options{Answerer: "base", Article: opts().Article})
	var buf bytes.Buffer
	if err := WriteJSON(&buf, rep, base); err != nil {
		t.Fatal(err)
	}
	var out struct {
		Answerer string
		K        int
		Overall  map[string]any
		Files    []struct {
			File      string
			Malformed []judge.LineError
			Questions []map[string]any
		}
		Baseline *struct{ Answerer string }
	}
	if err := json.Unmarshal(buf.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	if out.Answerer != "fake" || out.K != 3 || out.Baseline == nil || out.Baseline.Answerer != "base" ||
		out.Files[0].Malformed[0].Line != 2 || out.Files[0].Questions[0]["pass"] != false || out.Overall["questions"] != 1.0 {
		t.Errorf("json %s", buf.String())
	}
	buf.Reset()
	if err := WriteText(&buf, rep, base); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"fake", "base", "pass", "0/1", "a.jsonl:2: not a JSON question", "Failures (fake): 1", `expected evidence: "nope"`, `quote 1 [a]: "Troops left Izyum on Friday."`} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, buf.String())
		}
	}
}
