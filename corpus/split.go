package corpus

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// SplitSentences returns the [start, end) byte spans of the sentences in one
// paragraph, in order. Spans never overlap, are trimmed of surrounding white
// space and together cover every non-space character of p, so p[s:e] is always
// a verbatim, non-empty piece of the paragraph.
//
// The splitter is rule based and tuned for news copy. It prefers merging two
// sentences over cutting one in half: a merged span is still a verbatim quote,
// a fragment is not a sentence. In particular it does not split
//
//   - after abbreviations and titles ("Mr.", "Maj. Gen.", "St. Petersburg",
//     "Feb. 24", "No. 1"), dotted acronyms ("U.S.", "a.m.") and initials
//     ("J. R. R. Tolkien") unless the next word is a typical sentence opener;
//   - inside numbers ("3.5", "2,500") or before a lower-case word or a dash
//     ("SPRINGS, Mo. — State inspectors");
//   - inside a quotation that continues the sentence: one closed with a comma
//     (“One. Two,” she said.), or followed by a lower-case word, or closed with
//     "?" or "!" and followed by an attribution (“Run!” Yermak wrote.).
//
// A closing quote mark or bracket after the final punctuation stays with its
// sentence.
func SplitSentences(p string) [][2]int {
	rs := decodeRunes(p)
	n := len(rs.r)
	if n == 0 {
		return nil
	}
	suppressed := quoteSuppression(rs)

	var out [][2]int
	start := rs.skipSpace(0)
	for k := start; k < n; k++ {
		if !isTerminator(rs.r[k]) || suppressed[k] {
			continue
		}
		j := k
		for j+1 < n && (isTerminator(rs.r[j+1]) || isCloser(rs.r[j+1])) {
			j++
		}
		end := j + 1
		if end >= n {
			break // the final sentence is emitted below
		}
		if !unicode.IsSpace(rs.r[end]) {
			k = j // "3.5", "U.S.-based", "said.”," ...
			continue
		}
		m := rs.skipSpace(end)
		for m < n && isOpener(rs.r[m]) {
			m++
		}
		if m >= n {
			break // only space and opening marks follow
		}
		if !rs.boundary(k, j, m, start) {
			k = j
			continue
		}
		out = append(out, [2]int{rs.pos[start], rs.pos[end]})
		start = rs.skipSpace(end)
		k = start - 1
	}
	if start < n {
		last := n - 1
		for last >= start && unicode.IsSpace(rs.r[last]) {
			last--
		}
		if last >= start {
			out = append(out, [2]int{rs.pos[start], rs.pos[last+1]})
		}
	}
	return out
}

// runes is a paragraph decoded once, front to back, so that every rule sees
// the same rune boundaries even for invalid UTF-8.
type runes struct {
	r   []rune
	pos []int // byte offset of r[i]; pos[len(r)] == len(p)
}

func decodeRunes(p string) runes {
	rs := runes{r: make([]rune, 0, len(p)), pos: make([]int, 0, len(p)+1)}
	for i := 0; i < len(p); {
		r, w := utf8.DecodeRuneInString(p[i:])
		rs.r = append(rs.r, r)
		rs.pos = append(rs.pos, i)
		i += w
	}
	rs.pos = append(rs.pos, len(p))
	return rs
}

func (rs runes) skipSpace(i int) int {
	for i < len(rs.r) && unicode.IsSpace(rs.r[i]) {
		i++
	}
	return i
}

// word returns the run of non-space runes [i, j) starting at i.
func (rs runes) word(i int) (string, int) {
	j := i
	for j < len(rs.r) && !unicode.IsSpace(rs.r[j]) {
		j++
	}
	return string(rs.r[i:j]), j
}

// boundary decides whether the terminator run rs.r[k..j] ends a sentence;
// m is the first letter (or other non-opening rune) after it and start the
// beginning of the current sentence.
func (rs runes) boundary(k, j, m, start int) bool {
	next := rs.r[m]
	if unicode.IsLower(next) {
		return false
	}
	if next == '—' || next == '–' {
		// A sentence does not open with a dash; a dateline does follow
		// one ("CARVER SPRINGS, Mo. — State inspectors ...").
		return false
	}
	if rs.r[k] != '.' || j != k {
		return true // "?", "!", "…", "...", or a period followed by a closing mark
	}
	// A single period: look at the word in front of it.
	ws := k
	for ws > start && !unicode.IsSpace(rs.r[ws-1]) {
		ws--
	}
	for ws < k && (isOpener(rs.r[ws]) || rs.r[ws] == '(') {
		ws++
	}
	w := string(rs.r[ws:k])
	if w == "" {
		return true
	}
	nextWord, _ := rs.word(m)
	nextWord = strings.TrimRightFunc(nextWord, func(r rune) bool { return !unicode.IsLetter(r) })
	lw := strings.ToLower(w)
	switch {
	case abbrevAlways[lw]:
		return false
	case abbrevBeforeNumber[lw]:
		return !unicode.IsDigit(next)
	case abbrevMayEnd[lw], isDottedAcronym(w), isInitial(w):
		return sentenceOpeners[nextWord]
	case ws == start && start == rs.skipSpace(0) && isDigits(w):
		return false // "1. The first point" at the start of a paragraph
	}
	return true
}

func isTerminator(r rune) bool { return r == '.' || r == '?' || r == '!' || r == '…' }

// isCloser reports marks that belong to the sentence they follow.
func isCloser(r rune) bool {
	switch r {
	case '”', '’', '"', '\'', ')', ']', '»', '›':
		return true
	}
	return false
}

// isOpener reports marks that may precede the first letter of a sentence.
func isOpener(r rune) bool {
	switch r {
	case '“', '‘', '"', '\'', '(', '[', '«', '‹', '¿', '¡', '„':
		return true
	}
	return false
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// isDottedAcronym matches "U.S", "U.K", "a.m", "D.C" (the final period is
// not part of w).
func isDottedAcronym(w string) bool {
	parts := strings.Split(w, ".")
	if len(parts) < 2 {
		return false
	}
	for _, p := range parts {
		if utf8.RuneCountInString(p) != 1 {
			return false
		}
		r, _ := utf8.DecodeRuneInString(p)
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

// isInitial matches a single capital letter: "J" in "J. R. R. Tolkien".
func isInitial(w string) bool {
	r, size := utf8.DecodeRuneInString(w)
	return size == len(w) && unicode.IsUpper(r)
}

// abbrevAlways never end a sentence in news copy: titles and ranks that are
// followed by a name, and Latin abbreviations that introduce something.
var abbrevAlways = setOf(
	"mr", "mrs", "ms", "messrs", "mmes", "dr", "drs", "prof", "gen", "gens",
	"maj", "col", "lt", "capt", "cpt", "sgt", "cpl", "pvt", "adm", "brig",
	"cmdr", "cdr", "gov", "govs", "sen", "sens", "rep", "reps", "rev", "hon",
	"pres", "supt", "det", "insp", "amb", "atty", "fr", "lt.col", "vs", "cf",
	"e.g", "i.e", "viz", "approx",
)

// abbrevBeforeNumber are abbreviations only when a number follows:
// "No. 1", "Feb. 24", "Vol. 3".
var abbrevBeforeNumber = setOf(
	"no", "nos", "nr", "vol", "vols", "art", "fig", "figs", "p", "pp", "para",
	"ch", "sec", "ca", "est", "tel", "ext", "jan", "feb", "mar", "apr", "jun",
	"jul", "aug", "sep", "sept", "oct", "nov", "dec",
)

// abbrevMayEnd may end a sentence ("He moved to St. Louis Co. The ...");
// they end one only when a typical sentence opener follows.
var abbrevMayEnd = setOf(
	"inc", "ltd", "co", "corp", "jr", "sr", "bros", "etc", "plc", "st", "mt",
	"ft", "ave", "blvd", "rd", "univ", "dept", "assn",
)

// sentenceOpeners are words that typically begin a sentence; after an
// ambiguous abbreviation ("U.S.", "a.m.", "Inc.") they signal a boundary.
var sentenceOpeners = setOf(
	"The", "A", "An", "He", "She", "It", "They", "We", "I", "You", "His",
	"Her", "Its", "Their", "Our", "My", "This", "That", "These", "Those",
	"There", "Here", "But", "And", "Or", "So", "Yet", "In", "On", "At", "As",
	"After", "Before", "When", "While", "If", "Meanwhile", "However",
	"Earlier", "Later", "Since", "According", "Some", "Many", "Most", "All",
	"Both", "Other", "Others", "No", "Not", "What", "Who", "Why", "How",
	"Where", "Asked", "Despite", "Although", "Still", "Now", "Then", "Last",
	"Officials", "Police",
)

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// speechVerbs mark an attribution after a quotation.
var speechVerbs = setOf(
	"said", "says", "say", "told", "tells", "added", "adds", "asked", "asks",
	"wrote", "writes", "stated", "states", "noted", "notes", "explained",
	"declared", "tweeted", "posted", "insisted", "warned", "replied",
	"continued", "recalled", "claimed", "announced", "argued", "agreed",
	"cautioned", "concluded", "remarked", "shouted", "exclaimed", "responded",
	"according", "quipped", "urged", "vowed", "admitted", "acknowledged",
)

// quoteSuppression marks the runes inside quotations that continue their
// sentence; terminators there do not end a sentence. Quotation marks are
// paired with a stack; unpaired marks (a quote running on into the next
// paragraph, a stray apostrophe) protect nothing.
func quoteSuppression(rs runes) []bool {
	n := len(rs.r)
	type open struct {
		kind byte // 'd'ouble or 's'ingle
		at   int
	}
	var stack []open
	diff := make([]int, n+1)
	for i, r := range rs.r {
		kind, isOpen, isClose := rs.quoteMark(i, r)
		if isOpen {
			stack = append(stack, open{kind, i})
			continue
		}
		if !isClose {
			continue
		}
		d := len(stack) - 1
		for d >= 0 && stack[d].kind != kind {
			d--
		}
		if d < 0 {
			continue
		}
		o := stack[d].at
		stack = stack[:d]
		if i-o > 1 && rs.quoteContinues(o, i) {
			diff[o+1]++
			diff[i]--
		}
	}
	out := make([]bool, n)
	level := 0
	for i := range out {
		level += diff[i]
		out[i] = level > 0
	}
	return out
}

// quoteMark classifies rune i as an opening or closing quotation mark.
func (rs runes) quoteMark(i int, r rune) (kind byte, isOpen, isClose bool) {
	var prev, next rune = ' ', ' '
	if i > 0 {
		prev = rs.r[i-1]
	}
	if i+1 < len(rs.r) {
		next = rs.r[i+1]
	}
	prevOpen := unicode.IsSpace(prev) || isOpener(prev) || prev == '—' || prev == '–'
	switch r {
	case '“', '«':
		return 'd', true, false
	case '”', '»':
		return 'd', false, true
	case '"':
		switch {
		case prevOpen && !unicode.IsSpace(next):
			return 'd', true, false
		case !unicode.IsSpace(prev):
			return 'd', false, true
		}
	case '‘':
		if !unicode.IsDigit(next) {
			return 's', true, false
		}
	case '’', '\'':
		if unicode.IsLetter(prev) && unicode.IsLetter(next) {
			return 0, false, false // apostrophe: Russia’s, didn't
		}
		if r == '\'' && prevOpen && unicode.IsLetter(next) {
			return 's', true, false
		}
		if !unicode.IsSpace(prev) && !unicode.IsLetter(next) && !unicode.IsDigit(next) {
			return 's', false, true
		}
	}
	return 0, false, false
}

// quoteContinues reports whether the sentence goes on after the quotation
// rs.r[o..c]: the quote ends with a comma or dash, is glued to following
// punctuation, is followed by a lower-case word, or ends with "?"/"!"/"…"
// and is followed by an attribution ("Yermak wrote").
func (rs runes) quoteContinues(o, c int) bool {
	n := len(rs.r)
	b := c - 1
	for b > o && isCloser(rs.r[b]) {
		b--
	}
	last := rs.r[b]
	switch last {
	case ',', ';', '—', '–':
		return true
	}
	a := c + 1
	for a < n && isCloser(rs.r[a]) {
		a++
	}
	if a >= n {
		return false
	}
	if !unicode.IsSpace(rs.r[a]) {
		return true
	}
	a = rs.skipSpace(a)
	if a >= n {
		return false
	}
	if unicode.IsLower(rs.r[a]) {
		return true
	}
	if last == '.' {
		return false
	}
	return rs.attribution(a)
}

// attribution reports whether the words from i on name a speaker and a
// speech verb ("Oleg Nikolenko said", "Yermak wrote on Twitter") before the
// next sentence-final punctuation.
func (rs runes) attribution(i int) bool {
	for w := 0; w < 8 && i < len(rs.r); w++ {
		word, j := rs.word(i)
		core := strings.TrimFunc(word, func(r rune) bool { return !unicode.IsLetter(r) })
		if speechVerbs[strings.ToLower(core)] {
			return true
		}
		if strings.ContainsAny(word, ".?!…") {
			return false
		}
		i = rs.skipSpace(j)
	}
	return false
}
