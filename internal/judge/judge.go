// Package judge scores answers against a question set, as the
// question-set README describes: a question is found when one of the first
// k quotes (three by default) contains an evidence phrase, or, for a
// question without evidence, when the first k quotes hold every "must"
// group; every "must" group must appear in the answer text or its quotes;
// unanswerable questions must be abstained; every quote must be verbatim
// in its article (white space, typographic quotes and dashes normalised).
// An optional list of short expected answers is checked against the first
// line of the answer text.
//
// It is the one judge of the project: `newsdesk eval` (internal/eval) and
// the answerers' own dev-set tests both call Judge.
package judge

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// DefaultK is how many leading quotes are searched for the evidence.
const DefaultK = 3

// Question is one line of a question set.
type Question struct {
	ID         string     `json:"id"`
	Question   string     `json:"question"`
	Answerable bool       `json:"answerable"`
	Evidence   []string   `json:"evidence,omitempty"`
	Must       [][]string `json:"must,omitempty"`
	// Answer lists alternative short answers ("Friday", "on Friday"); an
	// answer-line hit is one of them in the first line of the answer text.
	Answer []string `json:"answer,omitempty"`
	// AsOf is the date of asking, YYYY-MM-DD; "" means the run's date.
	AsOf string `json:"as_of,omitempty"`
}

// DateLayout is the layout of Question.AsOf.
const DateLayout = "2006-01-02"

// AsOfTime returns the end of the AsOf day in UTC (so that articles of
// that day count as published), or the zero time when AsOf is empty.
func (q Question) AsOfTime() (time.Time, error) {
	return ParseAsOf(q.AsOf)
}

// ParseAsOf parses a YYYY-MM-DD date into the last instant of that day,
// UTC; "" gives the zero time.
func ParseAsOf(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	d, err := time.Parse(DateLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("as_of %q is not a YYYY-MM-DD date", s)
	}
	return d.Add(24*time.Hour - time.Nanosecond), nil
}

// Validate reports what makes q unusable: no id, no question text, a bad
// as_of date, or an answerable question with nothing to find it by.
func (q Question) Validate() error {
	switch {
	case strings.TrimSpace(q.ID) == "":
		return errors.New(`missing "id"`)
	case strings.TrimSpace(q.Question) == "":
		return errors.New(`missing "question"`)
	case q.Answerable && len(nonEmpty(q.Evidence)) == 0 && len(q.Must) == 0:
		return errors.New(`answerable question without "evidence" or "must"`)
	}
	if _, err := q.AsOfTime(); err != nil {
		return err
	}
	return nil
}

// Citation is one quote of an Answer.
type Citation struct {
	ArticleID string `json:"article_id"`
	Quote     string `json:"quote"`
}

// Answer is the part of `newsdesk ask --json` the judge reads.
type Answer struct {
	Answer    string     `json:"answer"`
	Abstained bool       `json:"abstained"`
	Citations []Citation `json:"citations"`
}

// Result is the verdict on one answer.
type Result struct {
	ID        string
	Found     bool     // answerable: evidence (or every must group) in the first k quotes
	MustOK    bool     // answerable: every must group present
	Answered  bool     // did not abstain and gave at least one quote
	Abstain   bool     // unanswerable: abstained with no citations
	Verbatim  bool     // every quote is in its article
	Quotes    int      // quotes given
	Exact     int      // quotes verbatim in their article
	AnswerHit bool     // an expected answer is in the first answer line
	Problems  []string // human-readable reasons for a failure
}

// Pass reports whether the answer meets every criterion for its question.
// Answer-line hits are reported beside it, not part of it.
func (r Result) Pass(q Question) bool {
	if !r.Verbatim {
		return false
	}
	if q.Answerable {
		return r.Found && r.MustOK
	}
	return r.Abstain
}

// LineError is a malformed line of a question file.
type LineError struct {
	Line int    `json:"line"`
	Err  string `json:"error"`
}

func (e LineError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Err) }

// maxLine bounds one line of a question file.
const maxLine = 1 << 20

// Load reads a JSONL question set; the first malformed line is an error.
func Load(r io.Reader) ([]Question, error) {
	qs, bad, err := Parse(r)
	if err != nil {
		return nil, err
	}
	if len(bad) > 0 {
		return nil, bad[0]
	}
	return qs, nil
}

// Parse reads a JSONL question set, skipping blank lines. A malformed line
// (bad JSON, unknown field types, a question that fails Validate, a
// repeated id, a line over 1 MiB) is skipped and returned in bad with its
// line number; err is only a read error.
func Parse(r io.Reader) (qs []Question, bad []LineError, err error) {
	br := bufio.NewReader(r)
	seen := map[string]int{}
	for line := 1; ; line++ {
		b, tooLong, rerr := readLine(br)
		if rerr != nil && !errors.Is(rerr, io.EOF) {
			return qs, bad, fmt.Errorf("line %d: %w", line, rerr)
		}
		if len(b) == 0 && errors.Is(rerr, io.EOF) && !tooLong {
			return qs, bad, nil
		}
		switch {
		case tooLong:
			bad = append(bad, LineError{line, fmt.Sprintf("longer than %d bytes", maxLine)})
		case len(bytes.TrimSpace(b)) == 0:
		default:
			var q Question
			if err := json.Unmarshal(b, &q); err != nil {
				bad = append(bad, LineError{line, "not a JSON question: " + err.Error()})
			} else if err := q.Validate(); err != nil {
				bad = append(bad, LineError{line, err.Error()})
			} else if first, dup := seen[q.ID]; dup {
				bad = append(bad, LineError{line, fmt.Sprintf("id %q repeats line %d", q.ID, first)})
			} else {
				seen[q.ID] = line
				qs = append(qs, q)
			}
		}
		if errors.Is(rerr, io.EOF) {
			return qs, bad, nil
		}
	}
}

// readLine reads one line without its newline; a line over maxLine is
// consumed and reported as tooLong.
func readLine(br *bufio.Reader) (b []byte, tooLong bool, err error) {
	for {
		chunk, isPrefix, err := br.ReadLine()
		if !tooLong {
			b = append(b, chunk...)
			if len(b) > maxLine {
				tooLong, b = true, nil
			}
		}
		if err != nil || !isPrefix {
			return b, tooLong, err
		}
	}
}

// Normalize folds white space runs, typographic quotes and dashes, the
// differences the judge forgives.
func Normalize(s string) string {
	s = strings.NewReplacer("“", "\"", "”", "\"", "„", "\"", "‘", "'", "’", "'", "–", "-", "—", "-", "\u00a0", " ").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

// fold is Normalize, lower-cased: the form phrases are compared in.
func fold(s string) string { return strings.ToLower(Normalize(s)) }

// Options tune Judge.
type Options struct {
	// K is how many leading quotes are searched for the evidence; 0 means
	// DefaultK.
	K int
	// Article returns the text an article id stands for, to check quotes
	// against; false means the article is unknown.
	Article func(id string) (string, bool)
}

// Map turns a map of article texts by id into an Options.Article.
func Map(m map[string]string) func(string) (string, bool) {
	return func(id string) (string, bool) {
		t, ok := m[id]
		return t, ok
	}
}

// FirstLine is the first non-blank line of an answer text.
func FirstLine(text string) string {
	for line := range strings.SplitSeq(text, "\n") {
		if strings.TrimSpace(line) != "" {
			return line
		}
	}
	return ""
}

// Judge scores answer a to question q.
func Judge(q Question, a Answer, o Options) Result {
	k := o.K
	if k <= 0 {
		k = DefaultK
	}
	article := o.Article
	if article == nil {
		article = func(string) (string, bool) { return "", false }
	}
	r := Result{ID: q.ID, Verbatim: true, Quotes: len(a.Citations)}
	r.Answered = !a.Abstained && len(a.Citations) > 0
	normText := map[string]string{}
	for i, c := range a.Citations {
		text, ok := normText[c.ArticleID]
		if !ok {
			raw, known := article(c.ArticleID)
			if !known {
				r.Verbatim = false
				r.Problems = append(r.Problems, fmt.Sprintf("quote %d cites unknown article %q", i+1, c.ArticleID))
				continue
			}
			text = Normalize(raw)
			normText[c.ArticleID] = text
		}
		if c.Quote == "" || !strings.Contains(text, Normalize(c.Quote)) {
			r.Verbatim = false
			r.Problems = append(r.Problems, fmt.Sprintf("quote %d is not verbatim in %s: %q", i+1, c.ArticleID, c.Quote))
			continue
		}
		r.Exact++
	}
	if len(q.Answer) > 0 {
		line := fold(FirstLine(a.Answer))
		for _, alt := range q.Answer {
			if f := fold(alt); f != "" && strings.Contains(line, f) {
				r.AnswerHit = true
			}
		}
	}
	if !q.Answerable {
		r.Abstain = a.Abstained && len(a.Citations) == 0
		if !r.Abstain {
			r.Problems = append(r.Problems, fmt.Sprintf("should abstain; answered with %d quotes", len(a.Citations)))
		}
		return r
	}
	if a.Abstained {
		r.Problems = append(r.Problems, "abstained on an answerable question")
	}
	var top []string
	for i, c := range a.Citations {
		if i >= k {
			break
		}
		top = append(top, fold(c.Quote))
	}
	if evidence := nonEmpty(q.Evidence); len(evidence) > 0 {
		for _, quote := range top {
			for _, ev := range evidence {
				if strings.Contains(quote, fold(ev)) {
					r.Found = true
				}
			}
		}
		if !r.Found {
			r.Problems = append(r.Problems, fmt.Sprintf("no evidence phrase in the first %d quotes", k))
		}
	} else {
		r.Found = len(top) > 0 && len(missing(q.Must, strings.Join(top, "\n"))) == 0
		if !r.Found {
			r.Problems = append(r.Problems, fmt.Sprintf("the first %d quotes lack a must group (no evidence given)", k))
		}
	}
	all := []string{fold(a.Answer)}
	for _, c := range a.Citations {
		all = append(all, fold(c.Quote))
	}
	miss := missing(q.Must, strings.Join(all, "\n"))
	r.MustOK = len(miss) == 0
	for _, group := range miss {
		r.Problems = append(r.Problems, fmt.Sprintf("missing any of %q", group))
	}
	return r
}

// missing returns the must groups none of whose alternatives is in text
// (already folded).
func missing(must [][]string, text string) [][]string {
	var out [][]string
	for _, group := range must {
		ok := false
		for _, alt := range group {
			if f := fold(alt); f != "" && strings.Contains(text, f) {
				ok = true
			}
		}
		if !ok {
			out = append(out, group)
		}
	}
	return out
}

func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
	}
	return out
}
