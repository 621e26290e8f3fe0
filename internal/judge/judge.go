// Package judge scores answers against a question set, as the
// question-set README describes: a question is found when one of the first
// three quotes contains an evidence phrase; every "must" group must appear
// in the answer text or its quotes; unanswerable questions must be
// abstained; every quote must be verbatim in its article (white space,
// typographic quotes and dashes normalised).
package judge

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Question is one line of a question set.
type Question struct {
	ID         string     `json:"id"`
	Question   string     `json:"question"`
	Answerable bool       `json:"answerable"`
	Evidence   []string   `json:"evidence"`
	Must       [][]string `json:"must"`
}

// Answer is the part of `newsdesk ask --json` the judge reads.
type Answer struct {
	Answer    string `json:"answer"`
	Abstained bool   `json:"abstained"`
	Citations []struct {
		ArticleID string `json:"article_id"`
		Quote     string `json:"quote"`
	} `json:"citations"`
}

// Result is the verdict on one answer.
type Result struct {
	ID       string
	Found    bool     // answerable: evidence in the first three quotes
	MustOK   bool     // answerable: every must group present
	Abstain  bool     // unanswerable: abstained with no citations
	Verbatim bool     // every quote is in its article
	Problems []string // human-readable reasons for a failure
}

// Pass reports whether the answer meets every criterion for its question.
func (r Result) Pass(q Question) bool {
	if !r.Verbatim {
		return false
	}
	if q.Answerable {
		return r.Found && r.MustOK
	}
	return r.Abstain
}

// Load reads a JSONL question set.
func Load(r io.Reader) ([]Question, error) {
	var qs []Question
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var q Question
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		qs = append(qs, q)
	}
	return qs, sc.Err()
}

// Normalize folds white space runs, typographic quotes and dashes, the
// differences the judge forgives.
func Normalize(s string) string {
	s = strings.NewReplacer("“", "\"", "”", "\"", "„", "\"", "‘", "'", "’", "'", "–", "-", "—", "-", "\u00a0", " ").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

// Judge scores answer a to question q; articles maps article ids to their
// original text.
func Judge(q Question, a Answer, articles map[string]string) Result {
	r := Result{ID: q.ID, Verbatim: true}
	for i, c := range a.Citations {
		text, ok := articles[c.ArticleID]
		if !ok {
			r.Verbatim = false
			r.Problems = append(r.Problems, fmt.Sprintf("quote %d cites unknown article %q", i+1, c.ArticleID))
			continue
		}
		if c.Quote == "" || !strings.Contains(Normalize(text), Normalize(c.Quote)) {
			r.Verbatim = false
			r.Problems = append(r.Problems, fmt.Sprintf("quote %d is not verbatim in %s: %q", i+1, c.ArticleID, c.Quote))
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
	for i, c := range a.Citations {
		if i >= 3 {
			break
		}
		for _, ev := range q.Evidence {
			if strings.Contains(strings.ToLower(Normalize(c.Quote)), strings.ToLower(Normalize(ev))) {
				r.Found = true
			}
		}
	}
	if !r.Found {
		r.Problems = append(r.Problems, "no evidence phrase in the first three quotes")
	}
	all := strings.ToLower(a.Answer)
	for _, c := range a.Citations {
		all += "\n" + strings.ToLower(c.Quote)
	}
	r.MustOK = true
	for _, group := range q.Must {
		ok := false
		for _, alt := range group {
			if strings.Contains(all, strings.ToLower(alt)) {
				ok = true
			}
		}
		if !ok {
			r.MustOK = false
			r.Problems = append(r.Problems, fmt.Sprintf("missing any of %q", group))
		}
	}
	return r
}
