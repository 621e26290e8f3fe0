// Package eval runs question files through an answerer and scores every
// answer with the project's one judge (internal/judge): per file and
// overall counts, per-question results with latency, and the failures
// with what was expected and the first quotes given. `newsdesk eval` and
// the answerers' dev-set tests both run it.
package eval

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/newsdesk/newsdesk/bot"
	"github.com/newsdesk/newsdesk/internal/judge"
)

// File is one question file: its questions and the lines that were
// skipped as malformed.
type File struct {
	Name      string
	Questions []judge.Question
	Malformed []judge.LineError
}

// ReadFile reads a question file from r; name labels it in the report.
// Malformed lines are kept in File.Malformed, not returned as errors.
func ReadFile(name string, r io.Reader) (File, error) {
	qs, bad, err := judge.Parse(r)
	if err != nil {
		return File{}, fmt.Errorf("%s: %w", name, err)
	}
	return File{Name: name, Questions: qs, Malformed: bad}, nil
}

// LoadFile reads the question file at path, labelled by its base name.
func LoadFile(path string) (File, error) {
	f, err := os.Open(path)
	if err != nil {
		return File{}, fmt.Errorf("question file: %w", err)
	}
	defer f.Close()
	return ReadFile(filepath.Base(path), f)
}

// Options configure Run.
type Options struct {
	// Answerer labels the report ("extractive", "llm", "bm25-sentences").
	Answerer string
	// K is how many leading quotes are searched for the evidence; 0
	// means judge.DefaultK.
	K int
	// AsOf is the time of asking for questions without an as_of of their
	// own; zero means now.
	AsOf time.Time
	// Article returns the text quotes are checked against.
	Article func(id string) (string, bool)
	// Progress, when set, is called after each question with the number
	// done and the total.
	Progress func(done, total int)
}

// Report is the outcome of a run.
type Report struct {
	Answerer string `json:"answerer"`
	K        int    `json:"k"`
	AsOf     string `json:"as_of,omitempty"`
	// Interrupted means the context was cancelled: the report covers the
	// questions answered until then.
	Interrupted bool         `json:"interrupted"`
	Files       []FileReport `json:"files"`
	Overall     Totals       `json:"overall"`
}

// FileReport is the part of a report for one question file.
type FileReport struct {
	File      string            `json:"file"`
	Totals    Totals            `json:"totals"`
	Malformed []judge.LineError `json:"malformed"`
	Questions []QuestionResult  `json:"questions"`
}

// Totals are the counts of a file or of the whole run. Found, MustOK and
// Answered count answerable questions; AbstainOK counts unanswerable
// ones; Quotes and Verbatim count quotes; AnswerHits counts the
// WithAnswer questions that carry expected answers.
type Totals struct {
	Questions    int     `json:"questions"` // judged (not skipped, not interrupted)
	Answerable   int     `json:"answerable"`
	Unanswerable int     `json:"unanswerable"`
	Pass         int     `json:"pass"`
	Found        int     `json:"found"`
	MustOK       int     `json:"must_ok"`
	Answered     int     `json:"answered"`
	AbstainOK    int     `json:"abstained_ok"`
	Quotes       int     `json:"quotes"`
	Verbatim     int     `json:"verbatim"`
	WithAnswer   int     `json:"with_answer"`
	AnswerHits   int     `json:"answer_hits"`
	Errors       int     `json:"errors"`    // the answerer failed
	Malformed    int     `json:"malformed"` // lines skipped
	Unanswered   int     `json:"not_run"`   // left when interrupted
	LatencyP50MS float64 `json:"latency_p50_ms"`
	LatencyP95MS float64 `json:"latency_p95_ms"`
}

// QuestionResult is the verdict on one question.
type QuestionResult struct {
	ID         string `json:"id"`
	Question   string `json:"question"`
	Answerable bool   `json:"answerable"`
	Pass       bool   `json:"pass"`
	Found      bool   `json:"found"`
	MustOK     bool   `json:"must_ok"`
	Answered   bool   `json:"answered"`
	AbstainOK  bool   `json:"abstained_ok"`
	Verbatim   bool   `json:"verbatim"`
	// AnswerHit is nil when the question lists no expected answer.
	AnswerHit *bool    `json:"answer_hit,omitempty"`
	LatencyMS float64  `json:"latency_ms"`
	Error     string   `json:"error,omitempty"`
	Problems  []string `json:"problems,omitempty"`
	Expected  Expected `json:"expected"`
	// AnswerLine is the first line of the answer text.
	AnswerLine string `json:"answer_line"`
	// Quotes are the first k quotes given.
	Quotes []judge.Citation `json:"quotes"`
	// QuotesGiven counts all the quotes given, QuotesVerbatim those
	// found verbatim in their article.
	QuotesGiven    int `json:"quotes_given"`
	QuotesVerbatim int `json:"quotes_verbatim"`

	latency time.Duration
}

// Expected is what a question file asks of an answer.
type Expected struct {
	Evidence []string   `json:"evidence,omitempty"`
	Must     [][]string `json:"must,omitempty"`
	Answer   []string   `json:"answer,omitempty"`
}

// Run answers every question of files with a, one at a time, and judges
// each answer from its JSON form (what `newsdesk ask --json` prints). An
// error from the answerer fails that question and the run goes on; a
// cancelled ctx stops the run and returns the partial report with
// Interrupted set. A question's as_of overrides o.AsOf.
func Run(ctx context.Context, a bot.Answerer, files []File, o Options) *Report {
	k := o.K
	if k <= 0 {
		k = judge.DefaultK
	}
	rep := &Report{Answerer: o.Answerer, K: k}
	if !o.AsOf.IsZero() {
		rep.AsOf = o.AsOf.Format(judge.DateLayout)
	}
	total := 0
	for _, f := range files {
		total += len(f.Questions)
	}
	done := 0
	jo := judge.Options{K: k, Article: o.Article}
	for _, f := range files {
		fr := FileReport{File: f.Name, Malformed: f.Malformed, Questions: []QuestionResult{}}
		if fr.Malformed == nil {
			fr.Malformed = []judge.LineError{}
		}
		for _, q := range f.Questions {
			if rep.Interrupted || ctx.Err() != nil {
				rep.Interrupted = true
				fr.Totals.Unanswered++
				continue
			}
			qr, ok := runOne(ctx, a, q, o.AsOf, jo)
			if !ok {
				rep.Interrupted = true
				fr.Totals.Unanswered++
				continue
			}
			fr.Questions = append(fr.Questions, qr)
			done++
			if o.Progress != nil {
				o.Progress(done, total)
			}
		}
		fr.Totals = tally(fr.Questions, len(f.Malformed), fr.Totals.Unanswered)
		rep.Files = append(rep.Files, fr)
	}
	rep.Overall = overall(rep.Files)
	return rep
}

// runOne answers and judges q; false means ctx was cancelled meanwhile.
func runOne(ctx context.Context, a bot.Answerer, q judge.Question, asOf time.Time, jo judge.Options) (QuestionResult, bool) {
	qr := QuestionResult{
		ID: q.ID, Question: q.Question, Answerable: q.Answerable,
		Expected: Expected{Evidence: q.Evidence, Must: q.Must, Answer: q.Answer},
		Quotes:   []judge.Citation{},
	}
	if t, err := q.AsOfTime(); err == nil && !t.IsZero() {
		asOf = t
	}
	start := time.Now()
	ans, err := a.Answer(ctx, bot.Request{Question: q.Question, AsOf: asOf})
	qr.latency = time.Since(start)
	qr.LatencyMS = ms(qr.latency)
	if err != nil {
		if ctx.Err() != nil {
			return qr, false
		}
		qr.Error = err.Error()
		qr.Problems = []string{"answerer failed: " + err.Error()}
		return qr, true
	}
	ja, err := viaJSON(ans)
	if err != nil {
		qr.Error = err.Error()
		qr.Problems = []string{err.Error()}
		return qr, true
	}
	r := judge.Judge(q, ja, jo)
	qr.Pass = r.Pass(q)
	qr.Found, qr.MustOK, qr.Answered, qr.AbstainOK, qr.Verbatim = r.Found, r.MustOK, r.Answered, r.Abstain, r.Verbatim
	if len(q.Answer) > 0 {
		hit := r.AnswerHit
		qr.AnswerHit = &hit
		if !hit {
			r.Problems = append(r.Problems, "no expected answer in the first answer line")
		}
	}
	qr.Problems = r.Problems
	qr.AnswerLine = judge.FirstLine(ja.Answer)
	for i, c := range ja.Citations {
		if i >= jo.K {
			break
		}
		qr.Quotes = append(qr.Quotes, c)
	}
	qr.QuotesVerbatim, qr.QuotesGiven = r.Exact, r.Quotes
	return qr, true
}

// viaJSON turns an answer into what the judge reads, through the JSON
// contract of `newsdesk ask --json`.
func viaJSON(a *bot.Answer) (judge.Answer, error) {
	var ja judge.Answer
	if a == nil {
		return ja, errors.New("answerer returned no answer")
	}
	var buf bytes.Buffer
	if err := bot.WriteJSON(&buf, a); err != nil {
		return ja, fmt.Errorf("answer JSON: %w", err)
	}
	if err := json.Unmarshal(buf.Bytes(), &ja); err != nil {
		return ja, fmt.Errorf("answer JSON: %w", err)
	}
	return ja, nil
}

func tally(rs []QuestionResult, malformed, notRun int) Totals {
	t := Totals{Malformed: malformed, Unanswered: notRun}
	lat := make([]time.Duration, 0, len(rs))
	for _, r := range rs {
		t.Questions++
		lat = append(lat, r.latency)
		t.Pass += b2i(r.Pass)
		t.Errors += b2i(r.Error != "")
		if r.Answerable {
			t.Answerable++
			t.Found += b2i(r.Found)
			t.MustOK += b2i(r.MustOK)
			t.Answered += b2i(r.Answered)
		} else {
			t.Unanswerable++
			t.AbstainOK += b2i(r.AbstainOK)
		}
		t.Quotes += r.QuotesGiven
		t.Verbatim += r.QuotesVerbatim
		if r.AnswerHit != nil {
			t.WithAnswer++
			t.AnswerHits += b2i(*r.AnswerHit)
		}
	}
	t.LatencyP50MS, t.LatencyP95MS = ms(percentile(lat, 0.50)), ms(percentile(lat, 0.95))
	return t
}

func overall(frs []FileReport) Totals {
	var rs []QuestionResult
	malformed, notRun := 0, 0
	for _, fr := range frs {
		rs = append(rs, fr.Questions...)
		malformed += fr.Totals.Malformed
		notRun += fr.Totals.Unanswered
	}
	return tally(rs, malformed, notRun)
}

// percentile is the nearest-rank percentile p (0 < p <= 1) of ds.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(math.Ceil(p*float64(len(s)))) - 1
	return s[max(0, min(i, len(s)-1))]
}

func ms(d time.Duration) float64 { return math.Round(float64(d.Microseconds())/10) / 100 }

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Failures returns the results that did not pass, file by file.
func (r *Report) Failures() []Failure {
	var out []Failure
	for _, f := range r.Files {
		for _, q := range f.Questions {
			if !q.Pass {
				out = append(out, Failure{File: f.File, QuestionResult: q})
			}
		}
	}
	return out
}

// Failure is a failed question with the file it is in.
type Failure struct {
	File string
	QuestionResult
}
