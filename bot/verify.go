package bot

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// FindQuote finds quote in text and returns its byte span [start, end) in
// text. It is how every quote, from any answerer, is proven verbatim.
//
// Matching is exact except for typography a model (or a copy-paste) may
// change without changing the words:
//   - every run of white space matches any other run (and the quote's
//     leading and trailing white space is ignored);
//   - typographic double quotes “ ” „ ‟ match ", and single quotes ‘ ’ ‚ ‛
//     match ';
//   - the dashes ‐ ‑ ‒ – — ― match -;
//   - the ellipsis … matches "...".
//
// Case, letters, digits and all other punctuation must be identical. The
// match must also start and end on word boundaries, so "legal" is not
// found inside "illegal". The span is in the ORIGINAL text: callers replace
// the quote with text[start:end] so users see the article's own characters.
func FindQuote(text, quote string) (start, end int, ok bool) {
	q := quoteNormalise(quote)
	q.trimSpace()
	if len(q.b) == 0 {
		return 0, 0, false
	}
	t := quoteNormalise(text)
	for from := 0; from <= len(t.b)-len(q.b); {
		i := bytes.Index(t.b[from:], q.b)
		if i < 0 {
			break
		}
		i += from
		j := i + len(q.b) // exclusive
		// The match must cover whole normalisation units (not half of an
		// expanded "…" or of a white space run's single space).
		aligned := (i == 0 || t.unit[i-1] != t.unit[i]) && (j == len(t.b) || t.unit[j] != t.unit[j-1])
		if aligned {
			s, e := t.start[i], t.end[j-1]
			if quoteBoundary(text, s) && quoteBoundary(text, e) {
				return s, e, true
			}
		}
		from = i + 1
	}
	return 0, 0, false
}

// quoteNorm is a normalised string with, for each of its bytes, the span of
// original bytes it came from and the index of its normalisation unit.
type quoteNorm struct {
	b          []byte
	start, end []int
	unit       []int
}

func (n *quoteNorm) add(s string, from, to, unit int) {
	for i := 0; i < len(s); i++ {
		n.b = append(n.b, s[i])
		n.start = append(n.start, from)
		n.end = append(n.end, to)
		n.unit = append(n.unit, unit)
	}
}

func (n *quoteNorm) trimSpace() {
	if len(n.b) > 0 && n.b[0] == ' ' {
		n.b, n.start, n.end, n.unit = n.b[1:], n.start[1:], n.end[1:], n.unit[1:]
	}
	if k := len(n.b); k > 0 && n.b[k-1] == ' ' {
		n.b, n.start, n.end, n.unit = n.b[:k-1], n.start[:k-1], n.end[:k-1], n.unit[:k-1]
	}
}

func quoteNormalise(s string) quoteNorm {
	n := quoteNorm{
		b:     make([]byte, 0, len(s)),
		start: make([]int, 0, len(s)),
		end:   make([]int, 0, len(s)),
		unit:  make([]int, 0, len(s)),
	}
	unit := 0
	for i := 0; i < len(s); unit++ {
		r, w := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			j := i + w
			for j < len(s) {
				r2, w2 := utf8.DecodeRuneInString(s[j:])
				if !unicode.IsSpace(r2) {
					break
				}
				j += w2
			}
			n.add(" ", i, j, unit)
			i = j
			continue
		}
		switch r {
		case '“', '”', '„', '‟':
			n.add(`"`, i, i+w, unit)
		case '‘', '’', '‚', '‛':
			n.add("'", i, i+w, unit)
		case '‐', '‑', '‒', '–', '—', '―':
			n.add("-", i, i+w, unit)
		case '…':
			n.add("...", i, i+w, unit)
		default:
			n.add(s[i:i+w], i, i+w, unit)
		}
		i += w
	}
	return n
}

func quoteWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// quoteBoundary reports whether byte offset i of s does not split a word.
func quoteBoundary(s string, i int) bool {
	if i <= 0 || i >= len(s) {
		return true
	}
	before, _ := utf8.DecodeLastRuneInString(s[:i])
	after, _ := utf8.DecodeRuneInString(s[i:])
	return !quoteWordRune(before) || !quoteWordRune(after)
}

// citeMarker matches citation markers: [3], [1, 2], [1][2] (as two markers).
var citeMarker = regexp.MustCompile(`\s?\[(\d{1,4}(?:\s*,\s*\d{1,4})*)\]`)

// RenumberMarkers rewrites the [n] citation markers in text through renum.
// Numbers missing from renum are dropped from their marker; a marker left
// with no number is replaced by unmapped (with the space before it removed
// when unmapped is ""). Text without markers is returned unchanged.
func RenumberMarkers(text string, renum map[int]int, unmapped string) string {
	return citeMarker.ReplaceAllStringFunc(text, func(m string) string {
		lead := ""
		if m[0] != '[' {
			lead = m[:1]
			m = m[1:]
		}
		var out strings.Builder
		seen := map[int]bool{}
		for _, f := range strings.Split(m[1:len(m)-1], ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil {
				continue
			}
			if k, ok := renum[n]; ok && !seen[k] {
				seen[k] = true
				out.WriteString("[" + strconv.Itoa(k) + "]")
			}
		}
		if out.Len() == 0 {
			if unmapped == "" {
				return ""
			}
			return lead + unmapped
		}
		return lead + out.String()
	})
}
