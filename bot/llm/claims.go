package llm

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/newsdesk/newsdesk/corpus"
)

// The model's prose is checked against the passages it cites: a model
// that obeys an instruction planted in an article ("say the article was
// retracted") must not be shown beside a citation that says otherwise.
// The check is lexical and deliberately narrow, aimed at what a reporter
// would copy: every figure, date word and proper name in a sentence, and
// a few words that flip a story (retracted, resigned, arrested, …), must
// occur in a passage that sentence cites (or, for a sentence without a
// marker, in one the answer cites). A sentence that fails is dropped.

// claimWords are stems of words that turn a story around; a sentence using
// one needs a cited passage using it too.
var claimWords = []string{
	"retract", "resign", "withdr", "hoax", "fabricat", "arrest", "convict",
	"guilty", "indict", "sacked", "fraud", "impeach", "overturn", "recant",
}

// dateWords maps month and weekday names and their abbreviations to the
// full name.
var dateWords = func() map[string]string {
	m := map[string]string{}
	for _, full := range []string{"january", "february", "march", "april", "may", "june", "july",
		"august", "september", "october", "november", "december",
		"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"} {
		m[full] = full
		m[full[:3]] = full
	}
	for abbr, full := range map[string]string{"sept": "september", "tues": "tuesday", "thur": "thursday",
		"thurs": "thursday", "weds": "wednesday"} {
		m[abbr] = full
	}
	return m
}()

// numberWords are spelled-out numbers a passage may use for a figure the
// answer writes in digits.
var numberWords = map[string]string{
	"zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6",
	"seven": "7", "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12",
	"thirteen": "13", "fourteen": "14", "fifteen": "15", "sixteen": "16", "seventeen": "17",
	"eighteen": "18", "nineteen": "19", "twenty": "20", "thirty": "30", "forty": "40",
	"fifty": "50", "sixty": "60", "seventy": "70", "eighty": "80", "ninety": "90",
	"hundred": "100", "thousand": "1000", "dozen": "12",
}

// claimToken is one word or number of a text, normalised: lower case,
// digit grouping removed ("2,000" is "2000"), leading zeros dropped,
// month and weekday abbreviations spelled out. Letters and digits are
// separate tokens ("3bn" is "3" and "bn"); apostrophes separate too.
type claimToken struct {
	norm    string
	number  bool
	capital bool // the original starts with an upper-case letter
	first   bool // the first word of its sentence
	start   int  // byte offset in the text
	// joined is true when only one space or a hyphen separates this token
	// from the previous one (for multiword names).
	joined bool
}

func isGroupSep(r rune) bool { return r == ',' || r == '\u00a0' || r == '\u202f' || r == '\u2009' }

// claimTokens tokenises s.
func claimTokens(s string) []claimToken {
	var out []claimToken
	sep := ""
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsDigit(r):
			var b strings.Builder
			j := i
			for j < len(s) {
				r2, w2 := utf8.DecodeRuneInString(s[j:])
				if unicode.IsDigit(r2) {
					b.WriteRune(r2)
					j += w2
					continue
				}
				if (isGroupSep(r2) || r2 == '.') && j+w2 < len(s) {
					k := j + w2
					n := 0
					for k < len(s) && s[k] >= '0' && s[k] <= '9' {
						k++
						n++
					}
					nextDigit := k < len(s) && unicode.IsDigit(rune(s[k]))
					if isGroupSep(r2) && n == 3 && !nextDigit {
						j += w2 // grouping: "2,000"
						continue
					}
					if r2 == '.' && n > 0 {
						b.WriteByte('.')
						j += w2
						continue
					}
				}
				break
			}
			num := strings.TrimLeft(b.String(), "0")
			if num == "" || num[0] == '.' {
				num = "0" + num
			}
			out = append(out, claimToken{norm: num, number: true, start: i, joined: sep == " " || sep == "-"})
			sep = ""
			i = j
		case unicode.IsLetter(r) || unicode.IsMark(r):
			j := i
			for j < len(s) {
				r2, w2 := utf8.DecodeRuneInString(s[j:])
				if !unicode.IsLetter(r2) && !unicode.IsMark(r2) {
					break
				}
				j += w2
			}
			word := strings.ToLower(s[i:j])
			if full, ok := dateWords[word]; ok {
				word = full
			}
			out = append(out, claimToken{norm: word, capital: unicode.IsUpper(r), start: i, joined: sep == " " || sep == "-"})
			sep = ""
			i = j
		default:
			if unicode.IsSpace(r) {
				if sep == "" {
					sep = " "
				} else if sep != " " || r == '\n' {
					sep = "x"
				}
			} else if r == '-' || r == '‐' || r == '‑' {
				sep += "-"
				if sep != "-" {
					sep = "x"
				}
			} else {
				sep = "x"
			}
			i += w
		}
	}
	return out
}

// support is what the passages cited by a sentence say, as tokens.
type support struct {
	words  map[string]bool
	phrase string // " tok tok | tok … " for multiword names
}

func (s *support) add(text string) {
	var b strings.Builder
	for _, t := range claimTokens(text) {
		s.words[t.norm] = true
		if d, ok := numberWords[t.norm]; ok {
			s.words[d] = true
		}
		b.WriteString(t.norm + " ")
	}
	s.phrase += " " + b.String() + "|"
}

func (s *support) hasStem(stem string) bool {
	for w := range s.words {
		if strings.HasPrefix(w, stem) {
			return true
		}
	}
	return false
}

// passageSupport is the support of passage p: its text, the article's
// headline, outlet and publication date (which the prompt asks the model
// to name).
func passageSupport(s *support, p passage) {
	s.add(p.chunk.Text)
	s.add(p.article.Title)
	s.add(p.article.SourceName())
	if !p.article.Published.IsZero() {
		s.add(p.article.Published.Format("Monday 2 January 2006"))
	}
}

// claimSentence is one sentence of the answer text.
type claimSentence struct {
	start, end int   // byte span in the text, markers after it included
	cites      []int // passage numbers in its markers
}

// leadingMarkers matches citation markers at the start of a sentence:
// "… in May. [2] Ferries …" puts [2] on the sentence before.
var leadingMarkers = regexp.MustCompile(`^(?:\s*\[\d{1,4}(?:\s*,\s*\d{1,4})*\])+`)

// answerSentences splits text into sentences, line by line.
func answerSentences(text string) []claimSentence {
	var out []claimSentence
	off := 0
	for _, line := range strings.SplitAfter(text, "\n") {
		for _, sp := range corpus.SplitSentences(line) {
			s, e := off+sp[0], off+sp[1]
			if m := leadingMarkers.FindStringIndex(text[s:e]); m != nil && len(out) > 0 {
				out[len(out)-1].end = s + m[1]
				s += m[1]
				for s < e && text[s] == ' ' {
					s++
				}
			}
			if s < e {
				out = append(out, claimSentence{start: s, end: e})
			}
		}
		off += len(line)
	}
	for i := range out {
		out[i].cites = markerNumbers(text[out[i].start:out[i].end])
	}
	return out
}

// unsupportedClaim returns the first figure, date, name or claim word of
// sentence that sup lacks, or "" when the sentence is supported.
// Quotations and markers in sentence are not checked (quotations are
// verified on their own).
func unsupportedClaim(sentence string, sup *support) string {
	masked := []byte(markerRe.ReplaceAllStringFunc(sentence, func(m string) string { return strings.Repeat(" ", len(m)) }))
	// The sentence's first word, capitalised anyway, is not taken for a
	// name; a word after a quotation opening the sentence is.
	firstWord := strings.IndexFunc(string(masked), isWord)
	spans, _ := findQuotations(string(masked))
	for _, q := range spans {
		for i := q.inStart; i < q.inEnd; i++ {
			masked[i] = ' '
		}
	}
	masked = []byte(strings.ReplaceAll(string(masked), RemovedQuotation, strings.Repeat(" ", len(RemovedQuotation))))
	toks := claimTokens(string(masked))
	if len(toks) > 0 && toks[0].start == firstWord {
		toks[0].first = true
	}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.number:
			if !sup.words[t.norm] {
				return t.norm
			}
			continue
		case !t.capital:
			for _, stem := range claimWords {
				if strings.HasPrefix(t.norm, stem) && !sup.hasStem(stem) {
					return t.norm
				}
			}
			continue
		}
		// A run of capitalised words: a name ("Mayor Ana Ruiz").
		j := i + 1
		for j < len(toks) && toks[j].capital && toks[j].joined {
			j++
		}
		name := toks[i:j]
		i = j - 1
		if len(name) > 1 && strings.Contains(sup.phrase, " "+joinNorm(name)+" ") {
			continue
		}
		for k, w := range name {
			_, isDate := dateWords[w.norm]
			if w.first && k == 0 && !isDate || w.norm == "i" {
				continue // a sentence's first word is capitalised anyway
			}
			if !sup.hasName(w.norm) {
				return w.norm
			}
		}
	}
	return ""
}

// hasName reports whether the support has word w, or an inflection of
// it: one of the two extends the other by at most two letters and the
// shorter has at least four ("Brücke" and "Brücken", "Zelensky" and
// "Zelenskyy", "Minister" and "Ministers").
func (s *support) hasName(w string) bool {
	if s.words[w] {
		return true
	}
	if utf8.RuneCountInString(w) < 4 {
		return false
	}
	for v := range s.words {
		short, long := v, w
		if len(short) > len(long) {
			short, long = long, short
		}
		if utf8.RuneCountInString(short) >= 4 && strings.HasPrefix(long, short) && utf8.RuneCountInString(long)-utf8.RuneCountInString(short) <= 2 {
			return true
		}
	}
	return false
}

func joinNorm(ts []claimToken) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = t.norm
	}
	return strings.Join(parts, " ")
}

// claimStats is what checkClaims did.
type claimStats struct {
	removed int          // sentences dropped
	dropped map[int]bool // passages cited only by dropped sentences
}

// checkClaims drops the sentences of text whose figures, dates, names or
// claim words are not in the passages they cite. ps are the retrieved
// passages (numbered from 1); answerCites are the passage numbers the
// reply cites anywhere, the support of sentences without a marker. For an
// abstention ("the passages do not say what Ruiz said in 2019") every
// passage and the question are the support of every sentence.
func checkClaims(text string, ps []passage, answerCites []int, question string, abstained bool) (string, claimStats) {
	st := claimStats{dropped: map[int]bool{}}
	sents := answerSentences(text)
	supFor := func(nums []int) *support {
		sup := &support{words: map[string]bool{}}
		if abstained {
			sup.add(question)
			nums = nil
			for _, p := range ps {
				nums = append(nums, p.n)
			}
		}
		for _, n := range nums {
			if n >= 1 && n <= len(ps) {
				passageSupport(sup, ps[n-1])
			}
		}
		return sup
	}
	whole := supFor(answerCites)
	var b strings.Builder
	last := 0
	kept := map[int]bool{}
	for _, s := range sents {
		sup := whole
		if len(s.cites) > 0 {
			sup = supFor(s.cites)
		}
		if unsupportedClaim(text[s.start:s.end], sup) == "" {
			for _, n := range s.cites {
				kept[n] = true
			}
			continue
		}
		st.removed++
		for _, n := range s.cites {
			st.dropped[n] = true
		}
		b.WriteString(text[last:s.start])
		last = s.end
		for last < len(text) && (text[last] == ' ' || text[last] == '\t') {
			last++
		}
	}
	if st.removed == 0 {
		return text, st
	}
	b.WriteString(text[last:])
	for n := range kept {
		delete(st.dropped, n)
	}
	return strings.TrimSpace(b.String()), st
}

// sentencesNote words the note for n removed sentences.
func sentencesNote(n int) string {
	if n == 1 {
		return "1 unsupported sentence removed (not backed by the articles it cites)"
	}
	return strconv.Itoa(n) + " unsupported sentences removed (not backed by the articles they cite)"
}
