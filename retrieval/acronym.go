package retrieval

import (
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Acronyms is implemented by searchers that can expand an acronym the
// corpus never writes ("ISW") to a name it does write ("Institute for the
// Study of War"), so that a reporter's shorthand is not mistaken for
// something the archive lacks.
type Acronyms interface {
	// Expand returns the corpus's most frequent name whose capitalised
	// words have the acronym's initials, or "".
	Expand(acronym string) string
}

// IsNameJoiner reports whether a lower-case word may stand inside a name
// without being part of its initials ("of" in "Institute for the Study of
// War", "de" in "Santa Rosa de Lima").
func IsNameJoiner(word string) bool { return acronymJoiners[word] }

// acronymJoiners may stand inside a name without counting towards its
// acronym ("Institute for the Study of War" is ISW).
var acronymJoiners = map[string]bool{"of": true, "for": true, "the": true, "and": true, "on": true,
	"in": true, "de": true, "del": true, "des": true, "la": true, "du": true, "&": true}

// acronymIndex maps lower-cased acronyms to the names that spell them.
type acronymIndex map[string]string

// buildAcronyms collects every run of capitalised words (with joiners
// inside) of the texts and records, for each sub-run of two to eight
// capitalised words, its initials. The most frequent name wins; ties go to
// the longer name, then the alphabetically first, so the result does not
// depend on map order.
func buildAcronyms(texts func(yield func(string) bool)) acronymIndex {
	counts := make(map[string]map[string]int)
	add := func(acr, name string, n int) {
		m := counts[acr]
		if m == nil {
			m = make(map[string]int)
			counts[acr] = m
		}
		m[name] += n
	}
	for text := range texts {
		buildAcronymCounts(text, add)
	}
	out := make(acronymIndex, len(counts))
	for acr, names := range counts {
		best, bestN := "", 0
		for name, n := range names {
			if n > bestN || (n == bestN && (len(name) > len(best) || (len(name) == len(best) && name < best))) {
				best, bestN = name, n
			}
		}
		out[acr] = best
	}
	return out
}

// buildAcronymCounts adds one text's acronym candidates to add: every
// explicit "Name (ACR)" definition and, for each sub-run of two to eight
// capitalised words, its initials.
func buildAcronymCounts(text string, add func(acr, name string, n int)) {
	// "the National Mining Safety Agency (ANSM)": an explicit
	// definition wins whatever the initials (the acronym may come
	// from another language).
	for _, m := range reDefined.FindAllStringSubmatch(text, -1) {
		if name := trimJoiners(m[1]); strings.Contains(name, " ") {
			add(strings.ToLower(m[2]), name, definedWeight)
		}
	}
	forNameRuns(text, func(words []string) {
		for i := range words {
			if acronymJoiners[strings.ToLower(words[i])] {
				continue
			}
			var initials strings.Builder
			caps := 0
			for j := i; j < len(words) && caps < 8; j++ {
				w := words[j]
				if acronymJoiners[strings.ToLower(w)] {
					continue
				}
				r, _ := utf8.DecodeRuneInString(w)
				initials.WriteRune(unicode.ToLower(r))
				caps++
				if caps >= 2 {
					add(initials.String(), strings.Join(words[i:j+1], " "), 1)
				}
			}
		}
	})
}

// reDefined matches a name followed by its acronym in brackets.
var reDefined = regexp.MustCompile(`((?:\p{Lu}[\p{L}’'\-]*\s+(?:(?:of|for|the|and|on|in|de|del|des|la|du)\s+)?){2,8})\((\p{Lu}{2,8})\)`)

// definedWeight counts an explicit "Name (ACR)" as this many initials
// matches.
const definedWeight = 100

// trimJoiners drops joiners at the start or end of a name.
func trimJoiners(name string) string {
	f := strings.Fields(name)
	for len(f) > 0 && acronymJoiners[strings.ToLower(f[0])] {
		f = f[1:]
	}
	for len(f) > 0 && acronymJoiners[strings.ToLower(f[len(f)-1])] {
		f = f[:len(f)-1]
	}
	return strings.Join(f, " ")
}

// forNameRuns calls fn with each maximal run of capitalised words in text
// that are separated by single spaces only, with lower-case joiners
// allowed between them; runs are trimmed to start and end on a capital.
func forNameRuns(text string, fn func(words []string)) {
	var run []string
	flush := func() {
		for len(run) > 0 && !isCapWord(run[len(run)-1]) {
			run = run[:len(run)-1]
		}
		if len(run) >= 2 {
			fn(run)
		}
		run = run[:0]
	}
	for field := range strings.FieldsSeq(text) {
		core := strings.TrimLeft(field, "(‘'\"“")
		if len(core) < len(field) {
			// An opening bracket or quote starts a new run.
			flush()
		}
		w := strings.TrimRight(core, ",.;:!?)’'\"”")
		switch {
		case isCapWord(w):
			run = append(run, w)
		case len(run) > 0 && acronymJoiners[w]:
			run = append(run, w)
		default:
			flush()
		}
		if len(w) < len(core) {
			// So does punctuation after a word.
			flush()
		}
	}
	flush()
}

// isCapWord reports whether w is a word that starts with an upper-case
// letter and has a lower-case letter (so "NATO" and "I" do not count).
func isCapWord(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	if !unicode.IsUpper(r) {
		return false
	}
	for _, c := range w {
		if unicode.IsLower(c) {
			return true
		}
	}
	return false
}

// lazyAcronyms is an index's acronym table, built on first use: most
// questions never need it. rebuild replaces it.
type lazyAcronyms struct {
	once sync.Once
	idx  acronymIndex
}

// Expand implements Acronyms.
func (ix *Index) Expand(acronym string) string {
	if n := utf8.RuneCountInString(acronym); n < 2 || n > 8 {
		return ""
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	la := ix.acr
	la.once.Do(func() {
		la.idx = buildAcronyms(func(yield func(string) bool) {
			for _, ref := range ix.docs {
				if ref.e == nil {
					continue // a hole
				}
				ref.e.load()
				if !yield(ref.e.Chunks[ref.i].Text) {
					return
				}
			}
		})
	})
	return la.idx[strings.ToLower(acronym)]
}
