package bot

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"
)

// HeuristicRewriter is the offline Rewriter: it needs no model.
//
// A question is rewritten only when it leans on the last turn (see
// NeedsContext); one that stands on its own is searched as written, however
// short. A follow-up is rewritten with the previous question's subject, the
// runs of content words in it (names first), never all its words:
//
//   - an unresolved pronoun is replaced by that subject ("what did he say"
//     after a question about Zelensky becomes "what did Zelensky say"; a
//     possessive gets "'s", "there" becomes "in …");
//   - a bare fragment after "and", "what about", "how about" ("and in
//     Kharkiv?") takes the place of the previous question's last subject
//     run ("How many civilians died in Bakhmut?" becomes "How many
//     civilians died in Kharkiv?");
//   - anything else (no content word of its own: "why?", "how many died",
//     "and the second one") gets the subject added in brackets.
type HeuristicRewriter struct{}

// fuMaxSalient caps the words carried over from earlier turns.
const fuMaxSalient = 6

// fuLookBack is how many earlier turns are searched for a subject (a chain
// of follow-ups keeps the original topic).
const fuLookBack = 3

// Standalone implements Rewriter.
func (HeuristicRewriter) Standalone(_ context.Context, question string, history []Turn) (string, error) {
	q := strings.TrimSpace(question)
	if q == "" || len(history) == 0 {
		return q, nil
	}
	a := fuAnalyse(q)
	if !a.followUp() {
		return q, nil
	}
	for i := len(history) - 1; i >= 0 && i >= len(history)-fuLookBack; i-- {
		p := fuAnalyse(history[i].Question)
		if runs := p.subjectRuns(); len(runs) > 0 {
			return fuRewrite(a, p, runs), nil
		}
	}
	return q, nil
}

// NeedsContext reports whether q leans on an earlier turn, so that it
// cannot be searched as written: it begins with a continuation ("and …",
// "what about …", "how about …", "who else …") or trails off ("…"), it has
// no content word of its own (no name, no content noun: "why?", "how
// many died", "when was that?"), or it keeps a pronoun or demonstrative
// whose antecedent is not in the question itself ("what did he say" leans
// on the last turn; "who is Girkin and what did he say" does not: "he" is
// Girkin). Length alone decides nothing.
func NeedsContext(q string) bool {
	return fuAnalyse(q).followUp()
}

// fuToken is one word of a question.
type fuToken struct {
	text       string // as typed
	low        string // lower case
	start, end int    // byte offsets in the question
	clause     int    // clause number, from 0
	cap        bool   // starts with an upper-case letter
}

// fuAnaphor is a word whose referent is outside the question.
type fuAnaphor struct {
	tok  int    // index in analysis.toks
	kind string // "person", "thing", "place", "possessive", "other"
}

// fuAnalysis is what the heuristic knows about one question.
type fuAnalysis struct {
	q        string
	toks     []fuToken
	cue      int   // tokens of a leading continuation ("and", "what about"); 0 when none
	trails   bool  // ends with "…" or "..."
	topical  []int // indexes of content words (names, content nouns, numbers)
	unbound  []fuAnaphor
	fragment bool // no question word, auxiliary or verb after the cue
	social   bool // only greetings and thanks
}

// followUp reports whether the analysed question leans on earlier turns.
func (a *fuAnalysis) followUp() bool {
	if len(a.toks) == 0 || a.social {
		return false
	}
	return a.cue > 0 || a.trails || len(a.topical) == 0 || len(a.unbound) > 0
}

// fuAnalyse tokenises q and classifies its words.
func fuAnalyse(q string) *fuAnalysis {
	a := &fuAnalysis{q: q}
	a.toks = fuTokens(q)
	t := strings.TrimRight(q, " \t\n?!")
	a.trails = strings.HasSuffix(t, "...") || strings.HasSuffix(t, "…")
	if len(a.toks) == 0 {
		return a
	}
	a.social = true
	for _, tk := range a.toks {
		if !fuSocial[tk.low] {
			a.social = false
			break
		}
	}
	a.cue = fuCueLen(a.toks)
	a.fragment = true
	for i := a.cue; i < len(a.toks); i++ {
		if l := a.toks[i].low; fuWh[l] || fuAux[l] || (fuVerbLike(a.toks[i]) && !a.nounUse(i)) {
			a.fragment = false
			break
		}
	}
	for i := range a.toks {
		if a.isTopical(i) {
			a.topical = append(a.topical, i)
		}
	}
	a.dropInvertedVerb()
	for i := range a.toks {
		if kind, ok := a.anaphor(i); ok && !a.bound(i, kind) {
			a.unbound = append(a.unbound, fuAnaphor{tok: i, kind: kind})
		}
	}
	return a
}

// fuTokens splits q into words of letters, digits, marks and inner
// apostrophes or hyphens ("Kharkiv's", "co-operation"), numbering clauses:
// a new clause starts after , ; : ( ) or a dash, at a subordinating word,
// at "who"/"which"/"where" inside the question, and at "and"/"but"/"or"
// followed by a question word, an auxiliary or a pronoun.
func fuTokens(q string) []fuToken {
	var toks []fuToken
	clause := 0
	i := 0
	for i < len(q) {
		r, n := utf8.DecodeRuneInString(q[i:])
		if !fuWordRune(r) {
			if strings.ContainsRune(",;:()—–", r) || (r == '-' && i+1 < len(q) && q[i+1] == ' ') {
				clause++
			}
			i += n
			continue
		}
		j := i
		for j < len(q) {
			r, n := utf8.DecodeRuneInString(q[j:])
			if !fuWordRune(r) {
				break
			}
			j += n
		}
		w := q[i:j]
		s, e := i, j
		for len(w) > 0 && strings.ContainsAny(w[:1], "'-") {
			w, s = w[1:], s+1
		}
		for strings.HasPrefix(w, "’") {
			w, s = w[len("’"):], s+len("’")
		}
		for len(w) > 0 && (strings.HasSuffix(w, "'") || strings.HasSuffix(w, "-")) {
			w, e = w[:len(w)-1], e-1
		}
		for strings.HasSuffix(w, "’") {
			w, e = w[:len(w)-len("’")], e-len("’")
		}
		if w != "" {
			first, _ := utf8.DecodeRuneInString(w)
			toks = append(toks, fuToken{text: w, low: strings.ToLower(w), start: s, end: e, clause: clause, cap: unicode.IsUpper(first)})
		}
		i = j
	}
	// Word-triggered clause breaks, numbered after the punctuation ones.
	shift := 0
	for k := range toks {
		l := toks[k].low
		next := ""
		if k+1 < len(toks) {
			next = toks[k+1].low
		}
		prev := ""
		if k > 0 {
			prev = toks[k-1].low
		}
		switch {
		case k == 0:
		case fuSubordinators[l]:
			shift++
		case (l == "who" || l == "which" || l == "where") && !fuWh[prev]:
			shift++
		case (l == "and" || l == "but" || l == "or") && (fuWh[next] || fuAux[next] || fuSubject[next]):
			shift++
		case fuSubject[l] && fuSaying[prev]:
			shift++ // "did Russia say it would attack"
		}
		toks[k].clause += shift
	}
	return toks
}

func fuWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || r == '\'' || r == '’' || r == '-'
}

// fuCueLen is the number of leading tokens that mark a continuation.
func fuCueLen(toks []fuToken) int {
	l := func(i int) string {
		if i < len(toks) {
			return toks[i].low
		}
		return ""
	}
	switch {
	case (l(0) == "what" || l(0) == "how") && l(1) == "about":
		return 2
	case (l(0) == "and" || l(0) == "but") && (l(1) == "what" || l(1) == "how") && l(2) == "about":
		return 3
	case (l(0) == "who" || l(0) == "what" || l(0) == "where" || l(0) == "anything" || l(0) == "anyone") && l(1) == "else":
		return 2
	case l(0) == "same" && (l(1) == "for" || l(1) == "with" || l(1) == "in"):
		return 2
	case fuConnectives[l(0)]:
		return 1
	}
	return 0
}

// dropInvertedVerb handles the main verb of a question with an inverted
// auxiliary ("When will the Harbor Bridge reopen?", "Why did the mayor
// resign?"): the verb follows the subject, and when it is not a verb
// the heuristic knows it would look like part of the subject. The last
// word of the first run of content words after the auxiliary is taken
// for the verb when it is lower case and nothing but function words or
// the end follow it.
func (a *fuAnalysis) dropInvertedVerb() {
	if len(a.toks) < 4 || !fuWh[a.toks[0].low] || !fuDoModal[a.toks[1].low] || len(a.topical) < 2 {
		return
	}
	n := 0
	for n < len(a.topical) && a.topical[n] < 2 {
		n++
	}
	m := n
	for m+1 < len(a.topical) && a.topical[m+1] == a.topical[m]+1 {
		m++
	}
	if m >= len(a.topical) || m == n {
		return // no run, or a one-word subject
	}
	last := a.topical[m]
	if a.toks[last].cap || a.nounUse(last) {
		return
	}
	if next := last + 1; next < len(a.toks) && !fuStopwords[a.toks[next].low] {
		return
	}
	a.topical = append(a.topical[:m], a.topical[m+1:]...)
	a.fragment = false
}

// nounUse reports whether the verb-like word at i is used as a noun: it
// follows a determiner or possessive ("the attack", "his visit").
func (a *fuAnalysis) nounUse(i int) bool {
	return i > 0 && fuDeterminers[a.toks[i-1].low]
}

// isTopical reports whether the token at i is a content word of the
// question's own: a name, a content noun or a number.
func (a *fuAnalysis) isTopical(i int) bool {
	l := a.toks[i].low
	if i < a.cue || fuStopwords[l] || fuAnaphora[l] || fuGeneric[l] || fuSocial[l] {
		return false
	}
	if fuVerbLike(a.toks[i]) && !a.nounUse(i) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(l)
	return unicode.IsDigit(r) || utf8.RuneCountInString(l) >= 2
}

// anaphor reports whether the token at i refers outside its own words, and
// to what kind of thing.
func (a *fuAnalysis) anaphor(i int) (string, bool) {
	tk := a.toks[i]
	at := func(k int) string {
		if k >= 0 && k < len(a.toks) {
			return a.toks[k].low
		}
		return ""
	}
	prev, next := at(i-1), at(i+1)
	switch tk.low {
	case "he", "she", "him", "hers":
		return "person", true
	case "her":
		if next != "" && (a.contentAt(i+1) || fuGeneric[next]) {
			return "possessive", true
		}
		return "person", true
	case "his", "its", "their", "theirs":
		return "possessive", true
	case "they", "them":
		return "person", true
	case "it":
		// Expletive "it": "is it true that …", "it is said that …".
		// It needs the clause it stands for after the adjective.
		if fuAux[prev] && fuExpletive[next] && at(i+2) != "" || fuAux[next] && fuExpletive[at(i+2)] && at(i+3) != "" {
			return "", false
		}
		if fuAux[prev] && fuExpletive[next] {
			return "other", true // "is it true?": the claim, not a name
		}
		return "thing", true
	case "there":
		if fuBe[prev] || fuBe[next] {
			return "", false // existential: "are there", "there were"
		}
		return "place", true
	case "then":
		return "other", true
	case "this", "these":
		if fuTimeNouns[next] {
			return "", false // "this year": now, not the last turn
		}
		if a.contentAt(i + 1) {
			return "other", true // "this report": a determiner
		}
		return "thing", true
	case "those":
		if next == "who" || next == "which" || next == "that" {
			return "", false
		}
		if a.contentAt(i + 1) {
			return "other", true
		}
		return "thing", true
	case "that":
		switch {
		case prev == "so" || prev == "such" || prev == "now":
			return "", false
		case i > 0 && (a.contentAt(i-1) || fuGeneric[prev]):
			return "", false // relative: "the claim that …"
		case fuSaying[prev] && next != "":
			return "", false // complement: "said that the …"
		case fuSubject[next] || next == "the" || next == "a" || next == "an":
			return "", false // "that he …"
		case a.contentAt(i + 1):
			return "other", true // "that dam"
		}
		return "thing", true
	case "one", "ones":
		if fuOrdinals[prev] || prev == "the" || prev == "which" || prev == "that" || prev == "this" || prev == "other" {
			return "other", true
		}
	case "same", "former", "latter":
		if prev == "the" {
			return "other", true
		}
	case "other", "others":
		if prev == "the" && (next == "" || next == "one" || next == "ones" || fuStopwords[next]) {
			return "other", true
		}
		if i == 0 || prev == "any" || prev == "some" || prev == "no" {
			return "other", true // "any other quotes?"
		}
	}
	return "", false
}

// contentAt reports whether the token at k exists and is a content word
// (before the cue check: a demonstrative may be in the cue).
func (a *fuAnalysis) contentAt(k int) bool {
	if k < 0 || k >= len(a.toks) {
		return false
	}
	l := a.toks[k].low
	return !fuStopwords[l] && !fuAnaphora[l] && !fuGeneric[l] && !fuVerbLike(a.toks[k]) && !fuSocial[l]
}

// fuVerbLike reports whether tk is a verb of fuVerbs or a lower-case past
// form ("closed", "shelled"; not "hundred").
func fuVerbLike(tk fuToken) bool {
	if fuVerbs[tk.low] {
		return true
	}
	return !tk.cap && utf8.RuneCountInString(tk.low) >= 5 && strings.HasSuffix(tk.low, "ed") && !fuNotVerbs[tk.low]
}

// bound reports whether the anaphor at i has its antecedent inside the
// question: a content word in an earlier clause ("who is Girkin and what
// did he say"), or for a possessive anywhere before it ("what did Zelensky
// say about his visit"). A non-reflexive pronoun never refers to a word
// of its own clause ("what did Zelensky say about him").
func (a *fuAnalysis) bound(i int, kind string) bool {
	if kind == "other" {
		return false
	}
	for _, k := range a.topical {
		if k >= i {
			break
		}
		if kind == "possessive" || a.toks[k].clause < a.toks[i].clause {
			return true
		}
	}
	return false
}

// fuRun is a run of adjacent content words.
type fuRun struct {
	start, end int // byte offsets in the question
	text       string
	name       bool // has a capitalised word
}

// subjectRuns returns the question's subject: its runs of adjacent content
// words, only those with a capitalised word (names) when there are any, at
// most fuMaxSalient words in all.
func (a *fuAnalysis) subjectRuns() []fuRun {
	var runs []fuRun
	words := 0
	for n := 0; n < len(a.topical); {
		m := n
		for m+1 < len(a.topical) && a.topical[m+1] == a.topical[m]+1 && a.toks[a.topical[m+1]].clause == a.toks[a.topical[m]].clause {
			m++
		}
		first, last := a.toks[a.topical[n]], a.toks[a.topical[m]]
		r := fuRun{start: first.start, end: last.end, text: a.q[first.start:last.end]}
		for k := n; k <= m; k++ {
			if tk := a.toks[a.topical[k]]; tk.cap && (a.topical[k] > 0 || !fuStopwords[tk.low]) {
				r.name = true
			}
		}
		runs = append(runs, r)
		n = m + 1
	}
	var names []fuRun
	for _, r := range runs {
		if r.name {
			names = append(names, r)
		}
	}
	if len(names) > 0 {
		runs = names
	}
	var out []fuRun
	for _, r := range runs {
		ts := fuTokens(r.text)
		if words+len(ts) > fuMaxSalient {
			if words == 0 { // one long name: keep its first words
				r.end = r.start + ts[fuMaxSalient-1].end
				r.text = r.text[:ts[fuMaxSalient-1].end]
				out = append(out, r)
			}
			break
		}
		words += len(ts)
		out = append(out, r)
	}
	return out
}

// fuRewrite rewrites the follow-up a with the subject runs of the earlier
// question p.
func fuRewrite(a, p *fuAnalysis, runs []fuRun) string {
	q := a.q
	// A bare fragment after a continuation ("and in Kharkiv?") takes the
	// place of the earlier question's last subject run.
	if a.cue > 0 && a.fragment && len(a.topical) > 0 && len(a.unbound) == 0 {
		return fuReplaceRun(p, runs, q[a.toks[a.cue].start:a.toks[a.topical[len(a.topical)-1]].end], a.toks[a.cue].low)
	}
	// Substitute the antecedent for unresolved pronouns, once each, using
	// each run once.
	var b strings.Builder
	pos, done, used := 0, map[string]bool{}, map[int]bool{}
	for _, an := range a.unbound {
		tk := a.toks[an.tok]
		if an.kind == "other" || done[tk.low] {
			continue
		}
		ri := len(runs) - 1 // things and places: the last subject
		if an.kind == "person" || tk.low == "his" || tk.low == "her" || tk.low == "their" {
			ri = 0 // people: the first (usually the grammatical subject)
		}
		if used[ri] {
			if ri = len(runs) - 1 - ri; used[ri] {
				continue
			}
		}
		used[ri] = true
		r := runs[ri]
		sub := r.text
		switch {
		case an.kind == "possessive":
			sub += "'s"
		case an.kind == "place":
			sub = "in " + sub
		}
		done[tk.low] = true
		b.WriteString(q[pos:tk.start])
		b.WriteString(sub)
		pos = tk.end
	}
	if pos > 0 {
		b.WriteString(q[pos:])
		return b.String()
	}
	// Otherwise add the subject words the question lacks.
	have := map[string]bool{}
	for _, tk := range a.toks {
		have[tk.low] = true
	}
	var add []string
	for _, r := range runs {
		for _, tk := range fuTokens(r.text) {
			if !have[tk.low] {
				have[tk.low] = true
				add = append(add, tk.text)
			}
		}
	}
	if len(add) == 0 {
		return q
	}
	body := strings.TrimRight(q, " ?!.…")
	return body + " (" + strings.Join(add, " ") + ")" + q[len(body):]
}

// fuReplaceRun puts the fragment x of a follow-up ("in Kharkiv", "the
// ferry service", "Biden") in the earlier question p. A fragment with a
// preposition replaces the last subject run that has one ("died in
// Bakhmut" becomes "died in Kharkiv") or, when none has, is added at the
// end ("has Ukraine recaptured in Kharkiv?"); any other fragment replaces
// the last subject run with its determiner.
func fuReplaceRun(p *fuAnalysis, runs []fuRun, x, xFirst string) string {
	// span returns where run r starts with its determiner and, if any,
	// its preposition (-1 when none).
	span := func(r fuRun) (withDet, withPrep int) {
		k := 0
		for k < len(p.toks) && p.toks[k].start != r.start {
			k++
		}
		withDet, withPrep = r.start, -1
		if k > 0 && fuDeterminers[p.toks[k-1].low] {
			withDet = p.toks[k-1].start
			k--
		}
		if k > 0 && fuPreps[p.toks[k-1].low] {
			withPrep = p.toks[k-1].start
		}
		return withDet, withPrep
	}
	if fuPreps[xFirst] {
		for i := len(runs) - 1; i >= 0; i-- {
			if _, at := span(runs[i]); at >= 0 {
				return strings.TrimSpace(p.q[:at] + x + p.q[runs[i].end:])
			}
		}
		body := strings.TrimRight(p.q, " ?!.…")
		return strings.TrimSpace(body + " " + x + p.q[len(body):])
	}
	r := runs[len(runs)-1]
	at, _ := span(r)
	return strings.TrimSpace(p.q[:at] + x + p.q[r.end:])
}

// fuPreps are prepositions that head a place, time or topic ("in Kharkiv").
var fuPreps = fuSet(`in at on about for from to with near by over under after before during since
	into across around against between outside inside within without towards toward of`)

// fuAnaphora are words whose meaning may come from an earlier turn.
var fuAnaphora = fuSet(`he him his she her hers it its they them their theirs
	this that these those there then such same other else former latter one ones`)

// fuSubject are subject pronouns.
var fuSubject = fuSet(`i you he she it we they`)

// fuWh are question words.
var fuWh = fuSet(`who whom whose what when where why how which`)

// fuAux are auxiliaries and forms of "be".
var fuAux = fuSet(`is are was were be been being am do does did have has had can could will would
	shall should may might must isn't aren't wasn't weren't don't doesn't didn't hasn't haven't
	hadn't can't couldn't won't wouldn't shouldn't what's who's where's when's how's it's that's`)

// fuDoModal are auxiliaries that leave the main verb after the subject.
var fuDoModal = fuSet(`do does did will would can could should may might must shall has have had`)

// fuBe are forms of "be" (existential "there").
var fuBe = fuSet(`is are was were be been being isn't aren't wasn't weren't 's`)

// fuExpletive follow an expletive "it is/was" ("is it true that …").
var fuExpletive = fuSet(`true false possible likely unlikely known clear said reported claimed
	thought believed right wrong correct fair legal illegal safe`)

// fuConnectives open a continuation of the last turn.
var fuConnectives = fuSet(`and but also so plus or then`)

// fuSubordinators open a new clause.
var fuSubordinators = fuSet(`when while after before because since if although though whether
	unless until once whereas`)

// fuSaying are verbs of saying and thinking (they introduce a clause).
var fuSaying = fuSet(`say says said saying tell tells told claim claims claimed think thinks
	thought believe believes believed announce announced warn warned report reported deny denied
	confirm confirmed admit admitted insist insisted suggest suggested`)

// fuDeterminers make the next word a noun ("the attack").
var fuDeterminers = fuSet(`the a an this that these those his her its their our my your any some
	no every each another whose which`)

// fuTimeNouns after "this" mean now ("this year").
var fuTimeNouns = fuSet(`year week month day morning afternoon evening night weekend time summer
	winter spring autumn season quarter decade century`)

// fuOrdinals make "one" anaphoric ("the second one").
var fuOrdinals = fuSet(`first second third fourth fifth last next previous other same latest
	earlier later new old`)

// fuGeneric are nouns too general to name a topic ("how many people").
var fuGeneric = fuSet(`people person persons thing things stuff time times year years day days way
	ways place places number numbers kind sort type lot lots anything something everything nothing
	anyone someone everyone nobody anybody somebody part percent total first second third fourth
	fifth last next previous latest earlier later else exactly really actually more less most least
	many much other others details detail info information quotes quote quotations sources source
	examples example background context links link articles article answer answers`)

// fuSocial are greetings and thanks, not questions.
var fuSocial = fuSet(`hi hello hey thanks thank you thx ty cheers ok okay great cool nice perfect
	good morning afternoon evening`)

// fuVerbs are common verbs of news questions, in their usual forms; they
// do not name a topic ("how many died"), unless used as a noun ("the
// attack").
var fuVerbs = fuSet(`say said says saying tell told tells telling speak spoke spoken talk talked
	claim claimed announce announced report reported happen happened happens happening die died dies
	dying kill killed killing injure injured hurt destroy destroyed attack attacked bomb bombed shell
	shelled strike struck hit win won lose lost vote voted decide decided mean meant think thought
	believe believed want wanted get got go going went gone come came make made take took taken give
	gave given see saw seen know knew known start started begin began begun end ended stop stopped
	leave left flee fled return returned build built cost pay paid rise rose fall fell increase
	increased cut respond responded react reacted deny denied confirm confirmed agree agreed plan
	planned promise promised warn warned ask asked call called look seem seemed become became try
	tried need needed use used work worked live lived arrive arrived evacuate evacuated arrest
	arrested charge charged sentence sentenced release released recapture recaptured capture
	captured retake retook retaken liberate liberated occupy occupied visit visited meet met sign
	signed send sent do done doing mention mentioned explain explained add added write wrote written
	cause caused blame blamed open opens reopen reopens close closes shut
	collapse resign resigns fire fight fought flood`)

// fuNotVerbs end in "ed" but are not verb forms.
var fuNotVerbs = fuSet(`hundred speed breed greed creed steed seed need united`)

// fuStopwords holds function words and question words (English).
var fuStopwords = fuSet(`a about above after again against all am an and any are as at be because been before
	being below between both but by can could did do does doing down during each few for from further had
	has have having here how i if in into is just me more most my no nor not now of off on once only or our
	ours out over own said say says should so some than the to too under until up very was we were what
	when where which while who whom whose why will with would you your yours also tell told know show
	give many much didn't doesn't isn't wasn't weren't aren't don't it's that's what's who's
	where's when's how's there's let's please us via per yet still ever even just`)

func fuSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}
