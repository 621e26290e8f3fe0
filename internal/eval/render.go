package eval

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// WriteJSON writes the report as one indented JSON object; a baseline
// report, when given, is nested under "baseline".
func WriteJSON(w io.Writer, r *Report, baseline *Report) error {
	out := struct {
		*Report
		Baseline *Report `json:"baseline,omitempty"`
	}{r, baseline}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

// WriteText writes the scores of r, and of baseline beside them when
// given, per file and overall, then the failures of r: each question
// with what was expected and the first quotes given.
func WriteText(w io.Writer, r *Report, baseline *Report) error {
	reps := []*Report{r}
	if baseline != nil {
		reps = append(reps, baseline)
	}
	ew := &errWriter{w: w}
	if r.Interrupted {
		fmt.Fprintf(ew, "INTERRUPTED: partial report, %d questions not run\n\n", r.Overall.Unanswered)
	}
	header := fmt.Sprintf("k=%d", r.K)
	if r.AsOf != "" {
		header += ", as of " + r.AsOf
	}
	fmt.Fprintf(ew, "newsdesk eval (%s)\n", header)
	// One table for every section, so the columns line up throughout;
	// a row without cells is a section heading.
	var rows [][]string
	names := []string{""}
	for _, rep := range reps {
		names = append(names, rep.Answerer)
	}
	section := func(title string, pick func(*Report) Totals) {
		t := pick(r)
		head := fmt.Sprintf("%s: %d questions (%d answerable, %d not)", title, t.Questions, t.Answerable, t.Unanswerable)
		if t.Malformed > 0 {
			head += fmt.Sprintf(", %d malformed lines skipped", t.Malformed)
		}
		if t.Unanswered > 0 {
			head += fmt.Sprintf(", %d not run", t.Unanswered)
		}
		rows = append(rows, []string{""}, []string{head}, names)
		row := func(label string, cell func(t Totals) string) {
			cells := []string{label}
			for _, rep := range reps {
				cells = append(cells, cell(pick(rep)))
			}
			rows = append(rows, cells)
		}
		row("pass", func(t Totals) string { return frac(t.Pass, t.Questions) })
		row(fmt.Sprintf("found in first %d quotes", r.K), func(t Totals) string { return frac(t.Found, t.Answerable) })
		row("must terms present", func(t Totals) string { return frac(t.MustOK, t.Answerable) })
		row("answered", func(t Totals) string { return frac(t.Answered, t.Answerable) })
		row("abstained when unanswerable", func(t Totals) string { return frac(t.AbstainOK, t.Unanswerable) })
		row("quotes verbatim", func(t Totals) string { return frac(t.Verbatim, t.Quotes) })
		row("answer-line hits", func(t Totals) string { return frac(t.AnswerHits, t.WithAnswer) })
		row("latency p50 / p95", func(t Totals) string {
			return fmt.Sprintf("%s / %s", msText(t.LatencyP50MS), msText(t.LatencyP95MS))
		})
		errs := t.Errors
		if baseline != nil {
			errs += pick(baseline).Errors
		}
		if errs > 0 {
			row("answerer errors", func(t Totals) string { return fmt.Sprint(t.Errors) })
		}
	}
	for i, f := range r.Files {
		section(f.File, func(rep *Report) Totals { return rep.Files[i].Totals })
	}
	if len(r.Files) > 1 {
		section("overall", func(rep *Report) Totals { return rep.Overall })
	}
	writeTable(ew, rows)
	for _, f := range r.Files {
		for _, m := range f.Malformed {
			fmt.Fprintf(ew, "\nmalformed: %s:%d: %s", f.File, m.Line, m.Err)
		}
	}
	fails := r.Failures()
	if len(fails) == 0 {
		fmt.Fprintf(ew, "\nNo failures (%s).\n", r.Answerer)
	} else {
		fmt.Fprintf(ew, "\nFailures (%s): %d\n", r.Answerer, len(fails))
	}
	for _, f := range fails {
		writeFailure(ew, f)
	}
	if baseline != nil {
		fmt.Fprintf(ew, "\n(%s failures: %d; see --json)\n", baseline.Answerer, len(baseline.Failures()))
	}
	return ew.err
}

func writeTable(w io.Writer, rows [][]string) {
	var width []int
	for _, row := range rows {
		if len(row) < 2 {
			continue
		}
		for i, c := range row {
			if i >= len(width) {
				width = append(width, 0)
			}
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	for _, row := range rows {
		if len(row) < 2 {
			fmt.Fprintln(w, row[0])
			continue
		}
		line := ""
		for i, c := range row {
			line += "  " + c + strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
		}
		fmt.Fprintln(w, strings.TrimRight(line, " "))
	}
}

func writeFailure(w io.Writer, f Failure) {
	kind := "answerable"
	if !f.Answerable {
		kind = "unanswerable"
	}
	fmt.Fprintf(w, "\n%s %s (%s): %q\n", f.File, f.ID, kind, f.Question)
	for _, p := range f.Problems {
		fmt.Fprintf(w, "  - %s\n", p)
	}
	if len(f.Expected.Evidence) > 0 {
		fmt.Fprintf(w, "  expected evidence: %s\n", quoteList(f.Expected.Evidence, " | "))
	}
	if len(f.Expected.Must) > 0 {
		groups := make([]string, len(f.Expected.Must))
		for i, g := range f.Expected.Must {
			groups[i] = "[" + quoteList(g, " | ") + "]"
		}
		fmt.Fprintf(w, "  expected must:     %s\n", strings.Join(groups, " "))
	}
	if len(f.Expected.Answer) > 0 {
		fmt.Fprintf(w, "  expected answer:   %s\n", quoteList(f.Expected.Answer, " | "))
	}
	if f.Error == "" {
		fmt.Fprintf(w, "  answer line:       %q\n", f.AnswerLine)
	}
	if len(f.Quotes) == 0 && f.Error == "" {
		fmt.Fprintln(w, "  no quotes given")
	}
	for i, q := range f.Quotes {
		fmt.Fprintf(w, "  quote %d [%s]: %q\n", i+1, q.ArticleID, shorten(q.Quote, 300))
	}
}

func quoteList(ss []string, sep string) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(out, sep)
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

func frac(n, of int) string {
	if of == 0 {
		return "-"
	}
	return fmt.Sprintf("%d/%d (%.0f%%)", n, of, 100*float64(n)/float64(of))
}

func msText(v float64) string {
	if v >= 1000 {
		return fmt.Sprintf("%.2fs", v/1000)
	}
	return fmt.Sprintf("%.1fms", v)
}

// errWriter keeps the first write error.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return len(p), nil
	}
	if _, err := e.w.Write(p); err != nil {
		e.err = fmt.Errorf("write report: %w", err)
	}
	return len(p), nil
}
