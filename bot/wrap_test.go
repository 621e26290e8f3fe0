package bot

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

func TestWrapWordBoundaries(t *testing.T) {
	text := "Russia’s defense ministry confirmed the pullout from Izyum and other areas in a statement, saying the troops would regroup."
	for _, width := range []int{20, 40, 80} {
		lines := Wrap(text, width)
		for _, l := range lines {
			if w := uniseg.StringWidth(l); w > width {
				t.Errorf("width %d: line %q is %d wide", width, l, w)
			}
		}
		if got := strings.Join(lines, " "); got != text {
			t.Errorf("width %d: words changed:\n%q", width, got)
		}
	}
	if got := Wrap("a b", 0); len(got) != 1 || got[0] != "a b" {
		t.Errorf("no wrapping: %q", got)
	}
}

func TestWrapUnicode(t *testing.T) {
	// Wide characters take two columns; a combining accent none.
	lines := Wrap("日本語の記事です 東京 e\u0301te\u0301 café", 10)
	for _, l := range lines {
		if uniseg.StringWidth(l) > 10 || !utf8.ValidString(l) {
			t.Errorf("line %q", l)
		}
	}
	// A word longer than the line is kept whole on its own line.
	u := "https://example.com/a/very/long/path/that/does/not/fit"
	lines = Wrap("see "+u+" now", 20)
	if len(lines) != 3 || lines[1] != u {
		t.Errorf("long word: %q", lines)
	}
	// Hard line breaks are kept.
	if got := Wrap("one\ntwo three", 80); len(got) != 2 || got[0] != "one" || got[1] != "two three" {
		t.Errorf("newline: %q", got)
	}
}

func FuzzWrap(f *testing.F) {
	f.Add("Russia’s defense ministry confirmed the pullout", 12)
	f.Add("日本語 e\u0301 \n\n x", 3)
	f.Fuzz(func(t *testing.T, text string, width int) {
		if !utf8.ValidString(text) || strings.ContainsRune(text, '\r') {
			return
		}
		width = int(uint(width)%200) + 1
		lines := Wrap(text, width)
		// No text is lost or invented: only spaces and newlines differ.
		strip := func(s string) string { return strings.Join(strings.Fields(s), "") }
		if strip(strings.Join(lines, " ")) != strip(text) {
			t.Fatalf("text changed: %q -> %q", text, lines)
		}
		for _, l := range lines {
			if uniseg.StringWidth(l) > width && breaks(l) > 0 {
				t.Fatalf("line %q wider than %d with a break opportunity", l, width)
			}
		}
	})
}

// breaks counts the break opportunities inside line that Wrap may use
// (UAX #14, not after a slash).
func breaks(line string) int {
	n, state := 0, -1
	for rest := line; rest != ""; {
		var seg string
		seg, rest, _, state = uniseg.FirstLineSegmentInString(rest, state)
		if rest != "" && !strings.HasSuffix(seg, "/") {
			n++
		}
	}
	return n
}
