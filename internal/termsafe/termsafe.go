// Package termsafe makes untrusted text safe to print on a terminal.
//
// Article text, model output and user input may carry terminal control
// sequences: OSC 52 writes the clipboard, OSC 0 sets the window title,
// OSC 8 makes a link whose text hides its target, CSI 2J clears the
// screen, a bare carriage return overwrites what was printed. Strip
// removes them, so that only the program's own escape sequences (colours,
// its own OSC 8 links), added after stripping, reach the terminal.
package termsafe

import (
	"strings"
	"unicode/utf8"
)

// Strip returns s without terminal control sequences and control
// characters:
//
//   - ESC sequences: CSI (ESC [ ... final byte), OSC, DCS, SOS, PM and
//     APC strings (ESC ] / P / X / ^ / _ up to BEL or ST) and two- or
//     three-byte escapes (ESC 7, ESC ( B). An OSC or other string left
//     unterminated loses only its introducer, so no article text after it
//     is swallowed;
//   - C0 control characters except newline and tab, DEL, and the C1
//     controls U+0080–U+009F (8-bit CSI, OSC, ST); "\r\n" becomes "\n";
//   - the Unicode bidirectional embedding, override and isolate controls
//     (U+202A–U+202E, U+2066–U+2069), which can make text display in an
//     order other than the one it is stored in.
//
// Invalid UTF-8 becomes U+FFFD. Text without any of these is returned
// unchanged.
func Strip(s string) string {
	if clean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == 0x1b:
			i = skipEscape(s, i)
			continue
		case c == '\r' && i+1 < len(s) && s[i+1] == '\n':
			i++ // the '\n' is kept next
			continue
		case c < 0x20 && c != '\n' && c != '\t', c == 0x7f:
			i++
			continue
		case c < utf8.RuneSelf:
			b.WriteByte(c)
			i++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && w == 1:
			b.WriteRune(utf8.RuneError)
		case dropRune(r):
		default:
			b.WriteString(s[i : i+w])
		}
		i += w
	}
	return b.String()
}

// clean reports whether s needs no change.
func clean(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && w == 1) || dropRune(r) {
			return false
		}
		i += w
	}
	return true
}

// dropRune reports the non-ASCII runes Strip removes.
func dropRune(r rune) bool {
	return (r >= 0x80 && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// skipEscape returns the index just past the escape sequence that starts
// with the ESC at s[i].
func skipEscape(s string, i int) int {
	j := i + 1
	if j >= len(s) {
		return j
	}
	switch s[j] {
	case '[': // CSI: parameter and intermediate bytes, then a final byte
		j++
		for j < len(s) && s[j] >= 0x20 && s[j] <= 0x3f {
			j++
		}
		for j < len(s) && s[j] >= 0x20 && s[j] <= 0x2f {
			j++
		}
		if j < len(s) && s[j] >= 0x40 && s[j] <= 0x7e {
			return j + 1
		}
		return i + 2 // malformed: drop ESC [ only
	case ']', 'P', 'X', '^', '_': // a control string up to BEL or ST
		for k := j + 1; k < len(s); k++ {
			switch {
			case s[k] == 0x07:
				return k + 1
			case s[k] == 0x1b && k+1 < len(s) && s[k+1] == '\\':
				return k + 2
			case s[k] == 0xc2 && k+1 < len(s) && s[k+1] == 0x9c: // U+009C ST
				return k + 2
			}
		}
		return i + 2 // unterminated: drop the introducer only
	}
	// ESC, intermediate bytes, a final byte (ESC 7, ESC ( B, ESC c).
	for j < len(s) && s[j] >= 0x20 && s[j] <= 0x2f {
		j++
	}
	if j < len(s) && s[j] >= 0x30 && s[j] <= 0x7e {
		return j + 1
	}
	return i + 1
}
