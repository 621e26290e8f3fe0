package bot

import (
	"strings"

	"github.com/rivo/uniseg"
)

// Wrap breaks text into lines of at most width terminal columns at the
// line-break opportunities of the Unicode line breaking algorithm (UAX
// #14, github.com/rivo/uniseg): between words, after hyphens, between CJK
// ideographs, never inside a word or a grapheme cluster. Widths are
// display widths (wide East Asian characters take two columns, combining
// marks none). A word wider than a line (a long URL) is not broken: it
// takes a line of its own. Hard line breaks in text are kept. width < 1
// means no wrapping. Trailing spaces at a break are dropped. Linear time.
func Wrap(text string, width int) []string { return WrapHanging(text, width, width) }

// WrapHanging is Wrap with a different width for the first line (a
// hanging indent: the caller indents the other lines).
func WrapHanging(text string, first, width int) []string {
	if width < 1 || first < 1 {
		return strings.Split(text, "\n")
	}
	var lines []string
	var cur strings.Builder
	curW := 0 // columns of cur, trailing spaces included
	flush := func() {
		lines = append(lines, strings.TrimRight(cur.String(), " "))
		cur.Reset()
		curW = 0
	}
	state := -1
	rest := text
	var word strings.Builder // segments joined because a break there would split a URL
	for rest != "" {
		var seg string
		var mustBreak bool
		seg, rest, mustBreak, state = uniseg.FirstLineSegmentInString(rest, state)
		if !mustBreak && rest != "" && strings.HasSuffix(seg, "/") {
			// "https://" | "example.com/" | …: UAX #14 allows a break after
			// a slash, but a URL split over lines cannot be copied.
			word.WriteString(seg)
			continue
		}
		if word.Len() > 0 {
			word.WriteString(seg)
			seg = word.String()
			word.Reset()
		}
		nl := strings.HasSuffix(seg, "\n")
		seg = strings.TrimRight(seg, "\n")
		body := strings.TrimRight(seg, " ")
		bw := uniseg.StringWidth(body)
		limit := width
		if len(lines) == 0 {
			limit = first
		}
		if cur.Len() > 0 && curW+bw > limit {
			flush()
		}
		cur.WriteString(seg)
		curW += uniseg.StringWidth(seg)
		if nl {
			flush()
		}
	}
	if word.Len() > 0 {
		cur.WriteString(word.String())
	}
	if cur.Len() > 0 || len(lines) == 0 || strings.HasSuffix(text, "\n") {
		flush()
	}
	return lines
}
