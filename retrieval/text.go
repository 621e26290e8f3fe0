package retrieval

import (
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/english"
	"golang.org/x/text/unicode/norm"
)

// Token is one analysed word of a text.
type Token struct {
	Term  string // stemmed, folded search term
	Word  string // the word as written, lower-cased
	Start int    // byte offset of the word in the text
	Cap   bool   // written with an initial capital
}

// Analyze splits text into words and turns each into a search term:
// lower-cased, accents removed, digits grouped ("27,000" -> "27000"),
// possessives dropped, Snowball-stemmed, then folded so that common
// transliteration variants meet (y/i, doubled letters: Kupyansk and
// Kupiansk, Zelensky and Zelenskyy). Stop words are kept, marked by
// IsStopWord, so that callers can choose.
func Analyze(text string) []Token {
	var toks []Token
	scan(text, func(word string, start int, capital bool) {
		toks = append(toks, Token{Term: Term(word), Word: word, Start: start, Cap: capital})
	})
	return toks
}

// words returns the lower-cased, accent-folded words of text.
func words(text string) []string {
	var out []string
	scan(text, func(word string, _ int, _ bool) { out = append(out, word) })
	return out
}

// scan calls fn for every word of text with its lower-cased, accent-folded
// form, its byte offset and whether it starts with a capital.
func scan(text string, fn func(word string, start int, capital bool)) {
	i := 0
	for i < len(text) {
		r, size := utf8.DecodeRuneInString(text[i:])
		if !isWordRune(r) {
			if cur, ok := currencies[r]; ok && i+size < len(text) && isASCIIDigit(text[i+size]) {
				// "€100 million" is also indexed as "euro".
				fn(cur, i, false)
			}
			i += size
			continue
		}
		start := i
		var b strings.Builder
		// parts of a hyphenated word: "pre-war" is indexed as "prewar",
		// "pre" and "war", so that either spelling finds it.
		var parts []int
		for i < len(text) {
			r, size = utf8.DecodeRuneInString(text[i:])
			switch {
			case isWordRune(r):
				b.WriteRune(r)
				i += size
				continue
			case (r == ',' || r == '.') && b.Len() > 0 && isDigitEnd(b.String()) && i+size < len(text) && isASCIIDigit(text[i+size]):
				// 27,000 and 3.5 stay one token; the separator is dropped
				// for "," and kept as "." for decimals.
				if r == '.' {
					b.WriteByte('.')
				}
				i += size
				continue
			case (r == '\'' || r == '’') && i+size < len(text):
				// Russia's -> russia; don't -> dont
				next, nsize := utf8.DecodeRuneInString(text[i+size:])
				if unicode.IsLetter(next) {
					if (next == 's' || next == 'S') && (i+size+nsize >= len(text) || !isWordRune(firstRune(text[i+size+nsize:]))) {
						i += size + nsize
						break
					}
					i += size
					continue
				}
			case r == '-' && b.Len() > 0 && i+size < len(text) && isWordRune(firstRune(text[i+size:])):
				parts = append(parts, b.Len(), i+size)
				i += size
				continue
			}
			break
		}
		word := b.String()
		if word == "" {
			continue
		}
		first, _ := utf8.DecodeRuneInString(word)
		fn(fold(strings.ToLower(word)), start, unicode.IsUpper(first))
		if n := numberPrefix(word); n > 0 && n < len(word) && len(parts) == 0 {
			// A number glued to its unit ("73km", "2,000sq") is also
			// indexed as the number and the unit.
			fn(word[:n], start, false)
			fn(fold(strings.ToLower(word[n:])), i-(len(word)-n), false)
		}
		if len(parts) > 0 {
			// parts holds pairs (length of word so far, offset in text)
			// for each hyphen.
			prevLen, prevStart := 0, start
			for k := 0; k <= len(parts); k += 2 {
				end, nextStart := len(word), -1
				if k < len(parts) {
					end, nextStart = parts[k], parts[k+1]
				}
				if p := word[prevLen:end]; p != "" {
					r, _ := utf8.DecodeRuneInString(p)
					fn(fold(strings.ToLower(p)), prevStart, unicode.IsUpper(r))
				}
				prevLen, prevStart = end, nextStart
			}
		}
		if isASCIIDigit(word[len(word)-1]) && i < len(text) && text[i] == '%' {
			// After the word's parts, so that offsets never go back.
			fn("percent", i, false)
			i++
		}
	}
}

// numberPrefix is the length of the leading number of a word ("2000" of
// "2000sq", "3.5" of "3.5bn") when the rest is letters only, else 0.
func numberPrefix(word string) int {
	n := 0
	for n < len(word) && (isASCIIDigit(word[n]) || (word[n] == '.' && n > 0)) {
		n++
	}
	if n == 0 || n == len(word) || word[n-1] == '.' {
		return 0
	}
	for _, r := range word[n:] {
		if !unicode.IsLetter(r) {
			return 0
		}
	}
	return n
}

// currencies are the signs written before amounts, indexed as the word
// that questions use ("how much in euros").
var currencies = map[rune]string{'€': "euro", '$': "dollar", '£': "pound", '¥': "yen", '₹': "rupe", '₽': "rubl", '₩': "won"}

// units are spellings of measures that newsrooms write several ways; each
// maps to one term so that "square kilometres" finds "2,000sq km".
var units = map[string]string{
	"km": "km", "kms": "km", "kilometre": "km", "kilometres": "km", "kilometer": "km", "kilometers": "km",
	"mi": "mile", "mile": "mile", "miles": "mile",
	"sq": "sq", "square": "sq",
	"kg": "kg", "kilogram": "kg", "kilograms": "kg", "kilo": "kg", "kilos": "kg",
	"bn": "billion", "billion": "billion", "billions": "billion",
	"mn": "million", "million": "million", "millions": "million",
	"percent": "percent", "pct": "percent", "percentage": "percent",
	"euro": "euro", "euros": "euro", "eur": "euro", "dollar": "dollar", "dollars": "dollar", "usd": "dollar",
	"pound": "pound", "pounds": "pound", "sterling": "pound", "gbp": "pound",
}

// Terms returns the search terms of text without stop words.
func Terms(text string) []string {
	toks := Analyze(text)
	out := make([]string, 0, len(toks))
	for _, t := range toks {
		if !IsStopWord(t.Word) {
			out = append(out, t.Term)
		}
	}
	return out
}

// Term maps a lower-cased word to its search term.
func Term(word string) string {
	if word == "" {
		return ""
	}
	if isASCIIDigit(word[0]) {
		return word
	}
	if u, ok := units[word]; ok {
		return u
	}
	if t, ok := stemCache.Load(word); ok {
		return t.(string)
	}
	t := translit(english.Stem(word, true))
	// Stemming dominates analysis time and a language's vocabulary is
	// small; the cache stops growing at maxStemCache words so that odd
	// input cannot grow it without bound.
	if stemCacheSize.Load() < maxStemCache {
		if _, loaded := stemCache.LoadOrStore(word, t); !loaded {
			stemCacheSize.Add(1)
		}
	}
	return t
}

const maxStemCache = 500_000

var (
	stemCache     sync.Map // word -> term
	stemCacheSize atomic.Int64
)

// IsStopWord reports whether a lower-cased word carries no search value.
func IsStopWord(word string) bool {
	if english.IsStopWord(word) {
		return true
	}
	_, ok := extraStop[word]
	return ok
}

// extraStop are words that Snowball's list keeps but that only frame a
// question ("what did X say about Y").
var extraStop = map[string]struct{}{
	"also": {}, "would": {}, "could": {}, "us": {}, "tell": {}, "please": {}, "many": {},
	"much": {}, "one": {}, "get": {}, "got": {}, "know": {}, "whose": {}, "whom": {},
	"s": {}, "t": {}, "mr": {}, "ms": {}, "mrs": {}, "according": {}, "happened": {}, "happen": {},
	"basis": {},
}

// translit folds spelling variants of transliterated names: y reads as i,
// and so does j where it cannot be a consonant (at the end of a word or
// before a consonant: "Oleksij", "Mykolajiv"; not "major", which must not
// meet "mayor"); doubled letters collapse ("kupyansk" and "kupiansk" ->
// "kupiansk").
func translit(s string) string {
	var buf [64]byte
	return string(appendTranslit(buf[:0], s))
}

// appendTranslit appends translit(s) to b.
func appendTranslit(b []byte, s string) []byte {
	var prev rune
	for i, r := range s {
		if r == 'y' || (r == 'j' && !beforeVowel(s[i+1:])) {
			r = 'i'
		}
		if r == prev && unicode.IsLetter(r) {
			continue
		}
		b = utf8.AppendRune(b, r)
		prev = r
	}
	return b
}

// fold removes accents (é -> e) so that "Zelenskyy" and "Zelenskýy" meet.
func fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	d := norm.NFD.String(s)
	var b strings.Builder
	b.Grow(len(d))
	for _, r := range d {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// beforeVowel reports whether s starts with a, e, o or u (not i, which
// "ji" spells as well as "ii" does).
func beforeVowel(s string) bool {
	return s != "" && strings.IndexByte("aeou", s[0]) >= 0
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func isASCIIDigit(c byte) bool { return c >= '0' && c <= '9' }

func isDigitEnd(s string) bool { return s != "" && isASCIIDigit(s[len(s)-1]) }

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}
