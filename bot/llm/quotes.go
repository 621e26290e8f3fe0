package llm

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// quoteSpan is one quotation in a text: text[start:inStart] is its
// opening mark, text[inStart:inEnd] its words and text[inEnd:end] its
// closing mark.
type quoteSpan struct {
	start, inStart, inEnd, end int
}

// quotePair describes an opening quotation mark.
type quotePair struct {
	closers string
	// single marks double as apostrophes ("it's", "Kyiv’s", "the '90s"):
	// they open only at a word boundary before a word, close only after a
	// non-space and before a non-word, and need minSingleWords words.
	single bool
}

// openers lists every opening quotation mark the answer text is checked
// for, with the marks that close it.
var openers = map[rune]quotePair{
	'"':  {closers: `"`},
	'“':  {closers: `”`},
	'„':  {closers: `“”`},
	'«':  {closers: `»`},
	'»':  {closers: `«`}, // »…« (German, Danish)
	'「':  {closers: `」`},
	'『':  {closers: `』`},
	'‹':  {closers: `›`},
	'﹁':  {closers: `﹂`},
	'〝':  {closers: `〞〟`},
	'\'': {closers: `'`, single: true},
	'‘':  {closers: `’`, single: true},
	'‚':  {closers: `‘’`, single: true},
}

// minSingleWords is the fewest words a quotation in single marks needs to
// count as one: 'n' in "rock 'n' roll" is not a quotation.
const minSingleWords = 2

// findQuotations returns the quotations in text, in order, whatever their
// marks. A mark that opens nothing (an apostrophe, an unclosed mark) is
// skipped and the scan goes on after it, so a stray mark never hides the
// quotations that follow it. Quotations do not nest: the outermost is
// returned. Unclosed is the offset of the first unclosed opening mark, or
// -1 (used to hide a quotation still being streamed).
func findQuotations(text string) (spans []quoteSpan, unclosed int) {
	unclosed = -1
	for i := 0; i < len(text); {
		r, w := utf8.DecodeRuneInString(text[i:])
		p, ok := openers[r]
		if !ok || (p.single && !singleOpens(text, i, w)) {
			i += w
			continue
		}
		inStart := i + w
		inEnd, end, found := findCloser(text, inStart, r, p)
		if !found {
			if unclosed < 0 {
				unclosed = i
			}
			i += w
			continue
		}
		if p.single && countWords(text[inStart:inEnd]) < minSingleWords {
			i += w
			continue
		}
		spans = append(spans, quoteSpan{start: i, inStart: inStart, inEnd: inEnd, end: end})
		i = end
	}
	return spans, unclosed
}

// findCloser finds the mark closing opener (at text[from-len(opener)]),
// returning the span of its words' end and the closer's end.
func findCloser(text string, from int, opener rune, p quotePair) (inEnd, end int, ok bool) {
	for j := from; j < len(text); {
		r, w := utf8.DecodeRuneInString(text[j:])
		switch {
		case strings.ContainsRune(p.closers, r) && (!p.single || singleCloses(text, from, j, w)):
			if j == from && p.single {
				return 0, 0, false // '' is no quotation
			}
			return j, j + w, true
		case p.single && r == opener && singleOpens(text, j, w):
			// Another opening mark of the same kind before any close: the
			// first was an apostrophe ("the '90s and 'we won'").
			return 0, 0, false
		}
		j += w
	}
	return 0, 0, false
}

// singleOpens reports whether the single mark text[i:i+w] can open a
// quotation: nothing word-like before it, a word (or an opening bracket
// or mark) after it.
func singleOpens(text string, i, w int) bool {
	if i > 0 {
		b, _ := utf8.DecodeLastRuneInString(text[:i])
		if isWord(b) {
			return false // "it's", "Kyiv’s"
		}
	}
	if i+w >= len(text) {
		return false
	}
	a, _ := utf8.DecodeRuneInString(text[i+w:])
	return isWord(a) || strings.ContainsRune(`"“„«(`, a)
}

// singleCloses reports whether the single mark text[j:j+w] closes a
// quotation opened before from: it follows a non-space and is not
// followed by a letter or digit ("We’re" holds an apostrophe).
func singleCloses(text string, from, j, w int) bool {
	if j > from {
		b, _ := utf8.DecodeLastRuneInString(text[:j])
		if unicode.IsSpace(b) {
			return false
		}
	}
	if j+w < len(text) {
		a, _ := utf8.DecodeRuneInString(text[j+w:])
		if isWord(a) {
			return false
		}
	}
	return true
}

// countWords counts runs of letters and digits in s.
func countWords(s string) int {
	n, in := 0, false
	for _, r := range s {
		w := isWord(r)
		if w && !in {
			n++
		}
		in = w
	}
	return n
}
