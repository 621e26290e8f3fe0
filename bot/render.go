package bot

import (
	"encoding/json"
	"io"
)

// TextStyle controls RenderText.
type TextStyle struct {
	Color      bool // ANSI colour (TTY only)
	Hyperlinks bool // OSC 8 terminal hyperlinks (TTY only)
}

// RenderText writes a for a terminal or a pipe: the lead line, then the
// numbered quotes with speaker, outlet, date, "also reported by" and link.
func RenderText(w io.Writer, a *Answer, st TextStyle) error {
	_, err := io.WriteString(w, a.Text+"\n")
	return err
}

// WriteJSON writes a as the one-object JSON contract of `newsdesk ask --json`.
func WriteJSON(w io.Writer, a *Answer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(a)
}
