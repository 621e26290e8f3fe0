package termsafe

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestStrip(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain text, “quoted” — é 中文\n\tnext", "plain text, “quoted” — é 中文\n\tnext"},
		{"copy\x1b]52;c;SGVsbG8=\x07 me", "copy me"},
		{"title\x1b]0;pwned\x1b\\ here", "title here"},
		{"a \x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\ b", "a link b"},
		{"clear\x1b[2J\x1b[H screen", "clear screen"},
		{"colour \x1b[1;31mred\x1b[0m", "colour red"},
		{"8-bit \u009b2J csi \u009d0;x\u009c", "8-bit 2J csi 0;x"},
		{"over\rwrite\b\x00\x7f", "overwrite"},
		{"line\r\nbreak", "line\nbreak"},
		{"bidi \u202eevil\u202c \u2066iso\u2069", "bidi evil iso"},
		{"unterminated \x1b]0;rest of the paragraph", "unterminated 0;rest of the paragraph"},
		{"charset \x1b(B reset \x1bc end \x1b", "charset  reset  end "},
		{"bad \xff utf8", "bad \uFFFD utf8"},
		{"dcs \x1bPq#0;1\x1b\\ done", "dcs  done"},
	} {
		if got := Strip(tc.in); got != tc.want {
			t.Errorf("Strip(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// unsafe reports a rune Strip must never leave.
func unsafe(r rune) bool {
	return (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r <= 0x9f) || dropRune(r)
}

func FuzzStrip(f *testing.F) {
	f.Add("copy\x1b]52;c;SGVsbG8=\x07 me")
	f.Add("\x1b[2J\x1b]8;;http://x\x1b\\y\x1b]8;;\x1b\\\u009b31m\u202e\r\n")
	f.Add("plain")
	f.Fuzz(func(t *testing.T, s string) {
		out := Strip(s)
		if !utf8.ValidString(out) {
			t.Fatalf("Strip(%q) = %q is not valid UTF-8", s, out)
		}
		if i := strings.IndexFunc(out, unsafe); i >= 0 {
			t.Fatalf("Strip(%q) = %q keeps a control at %d", s, out, i)
		}
		if Strip(out) != out {
			t.Fatalf("Strip is not idempotent on %q", s)
		}
		if len(out) > 3*len(s) {
			t.Fatalf("output grew too much")
		}
	})
}
