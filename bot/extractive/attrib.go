package extractive

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/newsdesk/newsdesk/corpus"
	"github.com/newsdesk/newsdesk/retrieval"
)

// Speaker attribution for quotations. News copy attributes a quotation in
// a handful of ways: "..., Girkin said", "said Girkin", "Girkin said ...",
// or "..., he said" with the name in an earlier sentence. These rules are
// about English newswire grammar, not about any particular article.

var speechVerbs = `said|says|told|added|wrote|stated|tweeted|noted|warned|declared|insisted|explained|announced|posted|recalled|argued|asked`

// titleAbbr is an abbreviated title that may precede a name ("Dr. Priya
// Raman", "Sen. Carla Benedetto"); its period does not end the name.
const titleAbbr = `(?:(?:Dr|Mr|Mrs|Ms|Prof|Gen|Sen|Rep|Gov|Lt|Col|Maj|Capt|Sgt|Det|Insp|Rev|Supt|Cmdr|Adm)\.\s+)?`

var (
	// “...,” Girkin said / ... Vladislav Sokolov told RIA
	reNameVerb = regexp.MustCompile(`(` + titleAbbr + `(?:\p{Lu}[\p{L}’'\-]+)(?:\s+\p{Lu}[\p{L}’'\-]+){0,3})\s+(?:` + speechVerbs + `)\b`)
	// said Igor Girkin
	reVerbName = regexp.MustCompile(`\b(?:` + speechVerbs + `)\s+(` + titleAbbr + `(?:\p{Lu}[\p{L}’'\-]+)(?:\s+\p{Lu}[\p{L}’'\-]+){0,3})`)
	// Igor Girkin, one of the leaders ..., said that / called the retreat
	reLeadName = regexp.MustCompile(`^(` + titleAbbr + `(?:\p{Lu}[\p{L}’'\-]+)(?:\s+\p{Lu}[\p{L}’'\-]+){0,3}),[^“"]*\b(?:` + speechVerbs + `|called|described)\b`)
	// ..., he said
	rePronounVerb = regexp.MustCompile(`(?i)\b(he|she|they)\s+(?:` + speechVerbs + `)\b`)
	// Igor Girkin, a former ...: two or more capitalised words
	reFullName = regexp.MustCompile(`\p{Lu}[\p{L}’'\-]+(?:\s+\p{Lu}[\p{L}’'\-]+)+`)
)

// notNames are capitalised words that start a name-like run without being
// one (days, months, sentence-initial function words).
var notNames = map[string]bool{
	"The": true, "A": true, "An": true, "In": true, "On": true, "At": true, "But": true, "And": true,
	"Earlier": true, "Later": true, "Meanwhile": true, "However": true, "According": true, "After": true,
	"Monday": true, "Tuesday": true, "Wednesday": true, "Thursday": true, "Friday": true, "Saturday": true, "Sunday": true,
	"January": true, "February": true, "March": true, "April": true, "May": true, "June": true, "July": true,
	"August": true, "September": true, "October": true, "November": true, "December": true,
	"It": true, "This": true, "That": true, "There": true, "They": true, "He": true, "She": true, "We": true, "I": true,
	"Russian": false,
}

// hasQuotation reports whether s contains quoted speech.
func hasQuotation(s string) bool {
	return strings.ContainsAny(s, "“”\"") || strings.Contains(s, "‘") && strings.Contains(s, "’ ")
}

// speakerOf returns who is quoted in sentence s, looking back through prev
// (the sentences before it, nearest last) for a pronoun's antecedent.
// It returns "" when the sentence quotes nobody or the speaker is unclear.
func speakerOf(s string, prev []string) string {
	if !hasQuotation(s) {
		// Reported speech: "Ukraine's forces have liberated about
		// 2,000sq km ..., he said." names its speaker at the end.
		if !reTrailingSaid.MatchString(s) {
			return ""
		}
	}
	outside := unquoted(s)
	if m := reNameVerb.FindStringSubmatch(outside); m != nil {
		if n := cleanName(m[1]); n != "" {
			return n
		}
	}
	if m := reVerbName.FindStringSubmatch(outside); m != nil {
		if n := cleanName(m[1]); n != "" {
			return n
		}
	}
	if m := reLeadName.FindStringSubmatch(outside); m != nil {
		if n := cleanName(m[1]); n != "" {
			return n
		}
	}
	if rePronounVerb.MatchString(outside) {
		for i := len(prev) - 1; i >= 0 && i >= len(prev)-2; i-- {
			// "Novak told reporters she would meet Forward leader Ilona
			// Tsvetkova. '...,' she said.": the one who spoke before is
			// the antecedent, not the last name mentioned.
			if n := subjectSpeaker(unquoted(prev[i])); n != "" {
				return fullerName(n, prev)
			}
			if n := firstFullName(unquoted(prev[i])); n != "" {
				return n
			}
		}
	}
	return ""
}

// namesSpeaker reports whether a quote names its speaker outside the
// quotation marks (by the surname at least), so that a speaker tag after
// it would repeat it.
func namesSpeaker(quote, speaker string) bool {
	if speaker == "" {
		return false
	}
	f := strings.Fields(speaker)
	return strings.Contains(unquoted(quote), f[len(f)-1])
}

// reTrailingSaid matches reported speech attributed at its end: ", he
// said.", ", said Igor Girkin.", ", Girkin told reporters."
var reTrailingSaid = regexp.MustCompile(`,\s+(?:(?:he|she|they)\s+(?:` + speechVerbs + `)|(?:` + speechVerbs + `)\s+\p{Lu}[\p{L}’'\-]+|` + titleAbbr + `\p{Lu}[\p{L}’'\-]+(?:\s+\p{Lu}[\p{L}’'\-]+){0,3}\s+(?:` + speechVerbs + `))\b[^,;]{0,60}[.!]?$`)

// subjectSpeaker is the name that a speech verb attributes words to in s
// ("Novak told reporters ...", "Igor Girkin, a former commander, said"),
// or "".
func subjectSpeaker(s string) string {
	// Not reVerbName: outside a quotation's attribution, "said Berlin
	// would help" names the object.
	for _, re := range []*regexp.Regexp{reLeadName, reNameVerb} {
		if m := re.FindStringSubmatch(s); m != nil {
			if n := cleanName(m[1]); n != "" {
				return n
			}
		}
	}
	return ""
}

// fullerName returns the full name ending in n ("Katarzyna Novak" for
// "Novak") when the given sentences use one, else n.
func fullerName(n string, sents []string) string {
	if strings.Contains(n, " ") {
		return n
	}
	for i := len(sents) - 1; i >= 0; i-- {
		for _, m := range reFullName.FindAllString(sents[i], -1) {
			if c := cleanName(m); strings.HasSuffix(c, " "+n) {
				return c
			}
		}
	}
	return n
}

// unquoted blanks out the quoted parts of s, so that names inside a
// quotation are not taken for its speaker.
func unquoted(s string) string {
	var b strings.Builder
	depth := false
	for _, r := range s {
		switch r {
		case '“':
			depth = true
			b.WriteRune(' ')
			continue
		case '”':
			depth = false
			b.WriteRune(' ')
			continue
		case '"':
			depth = !depth
			b.WriteRune(' ')
			continue
		}
		if depth {
			b.WriteRune(' ')
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func firstFullName(s string) string {
	for _, m := range reFullName.FindAllString(s, -1) {
		if n := cleanName(m); strings.Contains(n, " ") {
			return n
		}
	}
	return ""
}

// nameWords are the words of n without the leading ones that are not part
// of a name ("The", "According", weekdays).
func nameWords(n string) []string {
	f := strings.Fields(n)
	for len(f) > 0 && notNames[f[0]] {
		f = f[1:]
	}
	return f
}

// cleanName drops leading words that are not part of a name.
func cleanName(n string) string {
	f := nameWords(n)
	if len(f) == 0 {
		return ""
	}
	// "Al Jazeera’s Gabriel Elizondo": the name follows the possessive.
	for i := len(f) - 2; i >= 0; i-- {
		if strings.HasSuffix(f[i], "’s") || strings.HasSuffix(f[i], "'s") {
			f = f[i+1:]
			break
		}
	}
	for i, w := range f {
		f[i] = strings.TrimSuffix(strings.TrimSuffix(w, "’s"), "'s")
	}
	r, _ := utf8.DecodeRuneInString(f[0])
	if !unicode.IsUpper(r) {
		return ""
	}
	name := strings.Join(f, " ")
	if len(f) > 1 && strings.ToUpper(name) == name {
		// "CARVER SPRINGS, Mo. — ...": a dateline, not a speaker.
		return ""
	}
	return name
}

// attributionVerbs are what a person is said to have done with words when
// a report gives their reaction ("Novak declined to comment", "Novak
// welcomed the ruling"): wider than speechVerbs, which mark a quotation.
var attributionVerbs = speechVerbs + `|replied|responded|commented|declined|denied|confirmed|urged|described|called|welcomed|condemned|criticised|criticized|acknowledged|admitted|vowed|promised|pledged|claimed|predicted|cautioned|conceded|suggested|testified|reacted|defended|dismissed|rejected|praised|blamed|accused|stressed|emphasised|emphasized|says|tells|adds|warns|calls|describes|saying|telling|adding|warning|calling|describing|urging|say|comment|respond`

var (
	// Novak, the city's mayor, told / Novak later said
	reNameThenVerb = regexp.MustCompile(`(` + titleAbbr + `\p{Lu}[\p{L}’'\-]+(?:\s+\p{Lu}[\p{L}’'\-]+){0,3})(?:,[^,.;“"]{0,80},)?(?:\s+\p{Ll}+ly|\s+(?:has|had|have|also|then|later|previously|earlier|did|does|would|will|was|is|not))*\s+(?:` + attributionVerbs + `)\b`)
	// according to Novak / a statement from Novak / ..., said Novak. (not
	// "said Novak had misled parliament": there Novak is the object)
	reVerbThenName = regexp.MustCompile(`(?:\b(?:according to|statement from|quoted|cited)\s+(` + titleAbbr + `\p{Lu}[\p{L}’'\-]+(?:\s+\p{Lu}[\p{L}’'\-]+){0,3})|\b(?:` + speechVerbs + `)\s+(` + titleAbbr + `\p{Lu}[\p{L}’'\-]+(?:\s+\p{Lu}[\p{L}’'\-]+){0,3})\s*(?:[,.;:!?]|$))`)
)

// sigPrefix marks a name's letter signature (sigOf) among name terms, so
// that a misspelt name ("Iyzum") still finds its speaker.
const sigPrefix = "\x00sig:"

// attributes reports whether sentence s (attributed to speaker, "" for
// none) gives the words or the reaction of the person whose name has one
// of the given terms (or letter signatures): it quotes them, or makes
// them the subject of a speech verb ("Novak told reporters", "according
// to Novak", "Novak declined to comment"). A sentence that merely
// mentions them does not.
func attributes(s, speaker string, name []string) bool {
	has := func(n string) bool {
		ts, sigs := termSet(n), sigSet(n)
		for _, t := range name {
			if ts[t] || strings.HasPrefix(t, sigPrefix) && sigs[t[len(sigPrefix):]] {
				return true
			}
		}
		return false
	}
	if speaker != "" && has(speaker) {
		return true
	}
	out := unquoted(s)
	for _, re := range []*regexp.Regexp{reNameThenVerb, reVerbThenName} {
		for _, m := range re.FindAllStringSubmatch(out, -1) {
			for _, n := range m[1:] {
				if n != "" && has(n) {
					return true
				}
			}
		}
	}
	return false
}

var reAnySpeech = regexp.MustCompile(`(?i)\b(?:` + attributionVerbs + `|according to)\b`)

// describesSpeaker reports whether candidate c gives the words of someone
// described by one of the head terms ("mayor", "union"): the sentence
// quotes or reports speech, the description stands in it or the sentence
// before ("Chiara Moretti, the mayor of San Mauro, ... “…,” she said"), or
// in a sentence of the article that names the same speaker ("Moretti, the
// town's mayor"), and the article names everything that qualifies the
// description ("Chalhuanca" in "the mayor of Chalhuanca").
func describesSpeaker(c *candidate, head, names []string, artTerms func(*corpus.Article) map[string]bool) bool {
	s := unquoted(c.sent.Text)
	if c.speaker == "" && !reAnySpeech.MatchString(s) {
		return false
	}
	described := hasAny(termSet(s+" "+unquoted(c.prev)+" "+c.speaker), head)
	if !described && c.speaker == "" {
		return false
	}
	art := artTerms(c.art)
	for _, n := range names {
		if !art[n] && !slices.ContainsFunc(demonyms(n), func(p paraphrase) bool { return art[p.term] }) {
			return false
		}
	}
	if described {
		return true
	}
	f := strings.Fields(c.speaker)
	surname := retrieval.Term(f[len(f)-1])
	for _, p := range c.art.Paragraphs {
		for _, sp := range corpus.SplitSentences(p) {
			if ts := termSet(p[sp[0]:sp[1]]); ts[surname] && hasAny(ts, head) {
				return true
			}
		}
	}
	return false
}
