package bot

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// TextStyle controls RenderText.
type TextStyle struct {
	Color      bool // ANSI colour (TTY only)
	Hyperlinks bool // OSC 8 terminal hyperlinks (TTY only)
}

// PlainText renders a as plain text: "Understood as: …" when the question
// was rewritten, the lead line, then each quote with
// its number, speaker, outlet, date, corroboration and link. It is the
// "answer" field of the JSON output and the body of plain-text surfaces.
func PlainText(a *Answer) string {
	var b strings.Builder
	writeText(&b, a, TextStyle{})
	return strings.TrimRight(b.String(), "\n")
}

// RenderText writes a for a terminal or a pipe.
func RenderText(w io.Writer, a *Answer, st TextStyle) error {
	var b strings.Builder
	writeText(&b, a, st)
	_, err := io.WriteString(w, b.String())
	return err
}

// UnderstoodPrefix heads the line that shows how a follow-up was
// understood.
const UnderstoodPrefix = "Understood as: "

const (
	ansiBold  = "\x1b[1m"
	ansiDim   = "\x1b[2m"
	ansiCyan  = "\x1b[36m"
	ansiReset = "\x1b[0m"
)

func writeText(b *strings.Builder, a *Answer, st TextStyle) {
	style := func(code, s string) string {
		if !st.Color {
			return s
		}
		return code + s + ansiReset
	}
	if a.Understood != "" {
		b.WriteString(style(ansiDim, UnderstoodPrefix+a.Understood))
		b.WriteString("\n")
	}
	lead := a.Lead
	if lead == "" && len(a.Citations) == 0 {
		lead = a.Text
	}
	if lead != "" {
		b.WriteString(style(ansiBold, lead))
		b.WriteString("\n")
	}
	if a.Lead == "" && len(a.Citations) > 0 && a.Text != "" {
		// LLM answers carry their own prose with [n] markers.
		b.WriteString(a.Text)
		b.WriteString("\n")
	}
	for _, n := range a.Notes {
		b.WriteString(style(ansiDim, "Note: "+n))
		b.WriteString("\n")
	}
	for _, c := range a.Citations {
		b.WriteString("\n")
		fmt.Fprintf(b, "[%d] “%s”", c.N, c.Quote)
		if c.Speaker != "" {
			fmt.Fprintf(b, " — %s", c.Speaker)
		}
		b.WriteString("\n    ")
		meta := c.Source
		if c.Published != "" {
			meta += ", " + c.Published
		}
		if c.Title != "" {
			meta += " · " + c.Title
		}
		b.WriteString(style(ansiCyan, meta))
		if len(c.AlsoReportedBy) > 0 {
			var names []string
			for _, r := range c.AlsoReportedBy {
				names = append(names, r.Source)
			}
			fmt.Fprintf(b, "\n    also reported by %s (%d outlets in all)", strings.Join(names, ", "), 1+len(c.AlsoReportedBy))
		}
		if c.URL != "" {
			b.WriteString("\n    ")
			if st.Hyperlinks && strings.HasPrefix(c.URL, "http") {
				// OSC 8: the terminal shows the text and opens the URL.
				fmt.Fprintf(b, "\x1b]8;;%s\x1b\\%s\x1b]8;;\x1b\\", c.URL, style(ansiDim, "open article"))
			} else {
				b.WriteString(style(ansiDim, c.URL))
			}
		}
		b.WriteString("\n")
	}
}

// WriteJSON writes a as the one-object JSON contract of `newsdesk ask --json`.
func WriteJSON(w io.Writer, a *Answer) error {
	out := *a
	if out.Citations == nil {
		out.Citations = []Citation{}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(&out)
}
