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
	// Width wraps the text at word boundaries to this many columns
	// (the terminal's width); 0 means no wrapping (pipes, JSON).
	Width int
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

// unknownOutlet is what corpus.Article.SourceName says when an article
// names no outlet; it is not shown as one.
const unknownOutlet = "unknown outlet"

// SourceLine is the line under a quote: "Headline · Outlet · date", each
// part only when known ("unknown outlet" is left out).
func SourceLine(c Citation) string {
	var parts []string
	for _, p := range []string{c.Title, c.Source, c.Published} {
		if p = strings.TrimSpace(p); p != "" && p != unknownOutlet {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " · ")
}

func writeText(b *strings.Builder, a *Answer, st TextStyle) {
	style := func(code, s string) string {
		if !st.Color || s == "" {
			return s
		}
		return code + s + ansiReset
	}
	// para writes text wrapped to the width, every line after the first
	// indented by indent, each line styled with code; the first line
	// starts at column col.
	para := func(text, indent, code string, col int) {
		first, width := 0, 0
		if st.Width > 0 {
			first, width = max(st.Width-col, 20), max(st.Width-len(indent), 20)
		}
		for _, hard := range strings.Split(text, "\n") {
			for i, l := range WrapHanging(hard, first, width) {
				if i > 0 {
					b.WriteString(indent)
				}
				b.WriteString(style(code, l))
				b.WriteString("\n")
			}
		}
	}
	if a.Understood != "" {
		para(UnderstoodPrefix+a.Understood, "  ", ansiDim, 0)
	}
	lead := a.Lead
	if lead == "" && len(a.Citations) == 0 {
		lead = a.Text
	}
	if lead != "" {
		// The answer line in bold, the rest of the lead as it is.
		first, rest, _ := strings.Cut(lead, "\n")
		para(first, "", ansiBold, 0)
		if rest != "" {
			para(rest, "", "", 0)
		}
	}
	if a.Lead == "" && len(a.Citations) > 0 && a.Text != "" {
		// LLM answers carry their own prose with [n] markers.
		para(a.Text, "", "", 0)
	}
	for _, n := range a.Notes {
		para("Note: "+n, "      ", ansiDim, 0)
	}
	const indent = "    "
	for _, c := range a.Citations {
		b.WriteString("\n")
		head := fmt.Sprintf("[%d] “%s”", c.N, c.Quote)
		if c.Speaker != "" {
			head += " — " + c.Speaker
		}
		para(head, indent, "", 0)
		if meta := SourceLine(c); meta != "" {
			b.WriteString(indent)
			para(meta, indent, ansiCyan, len(indent))
		}
		if len(c.AlsoReportedBy) > 0 {
			var names []string
			for _, r := range c.AlsoReportedBy {
				names = append(names, r.Source)
			}
			b.WriteString(indent)
			para(fmt.Sprintf("also reported by %s (%d outlets in all)", strings.Join(names, ", "), 1+len(c.AlsoReportedBy)), indent, "", len(indent))
		}
		if c.URL != "" {
			// The URL itself, always: a terminal without OSC 8 support
			// (tmux, many SSH clients) still shows it and lets it be
			// copied; with hyperlinks it is also clickable. Never wrapped.
			b.WriteString(indent)
			if st.Hyperlinks && strings.HasPrefix(c.URL, "http") {
				fmt.Fprintf(b, "\x1b]8;;%s\x1b\\%s\x1b]8;;\x1b\\", c.URL, style(ansiDim, c.URL))
			} else {
				b.WriteString(style(ansiDim, c.URL))
			}
			b.WriteString("\n")
		}
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
