package extractive

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/newsdesk/newsdesk/retrieval"
	"github.com/newsdesk/newsdesk/retrieval/lexicon"
)

// The answer line is the short answer above the quotes. It is made of
// words taken verbatim from the quoted sentences, each with its quote
// number: the who, the figure, the date, the place, or the clause that
// answers. When the quotes give different values for the same thing
// (the area retaken, a death toll, the day a town fell), it lists each
// value with who said it and which outlet reported it. When nothing can
// be extracted with confidence it says that these are the closest
// passages, rather than make an answer up.

// closestLine introduces quotes that are near the question without an
// extracted answer.
const closestLine = "No short answer I can vouch for; these are the closest passages:"

// lineItem is one extracted answer with the quote it comes from.
type lineItem struct {
	text  string // verbatim words of the quote
	value string // what it is compared by (a number, a day); "" = text
	who   string // who said it, when the sentence says
	via   string // the outlet
	n     int    // quote number
}

// answerLine returns the line for the picked quotes (numbered from 1) and
// whether it holds an extracted answer.
func answerLine(qa *query, picked []*candidate) (string, bool) {
	if len(picked) == 0 {
		return "", false
	}
	var items []lineItem
	for i, c := range picked {
		minItem := itemCoverage
		if qa.atype != aAny {
			minItem = formItemCoverage // the form already says it is the same kind of figure
		}
		if c.coverage < minItem*picked[0].coverage || !c.namesOK {
			continue // a weaker quote: context, not a second answer
		}
		it := lineItem{via: c.art.SourceName(), n: i + 1}
		if it.via == unknownOutlet {
			it.via = "an article of unknown outlet"
		}
		switch qa.kind {
		case qNumber:
			it.text, it.value = figureOf(c, qa)
			it.who = attributionOf(c)
		case qWhen:
			it.text = dateOf(c.sent.Text)
			if qa.atype == aClock {
				if m := clockOf(c.sent.Text); m != "" {
					it.text = m // "what time": the time, "4:40 a.m.", or the hours, "11 p.m. to 6 a.m."
				}
			}
			it.value = strings.ToLower(dayWord(it.text))
			if qa.atype == aClock {
				it.value = strings.ToLower(it.text)
			}
			it.who = attributionOf(c)
		case qWho:
			it.text = agentOf(c, qa)
		case qDefine:
			it.text = descriptionOf(c, qa)
		case qWhere:
			it.text = placeOf(c.sent.Text)
		case qQuote:
			if q := quotedOf(c.sent.Text); q != "" {
				it.text = q
				it.who = c.speaker
			}
		}
		if qa.atype == aAge {
			it.text = reAge.FindString(c.sent.Text)
			it.value = it.text
		}
		if it.text != "" {
			items = append(items, it)
		}
	}
	if len(items) == 0 {
		if cl := clauseOf(picked[0], qa); cl != "" && picked[0].coverage >= confidentCoverage {
			return cl + " [1]", true
		}
		return closestLine, false
	}
	switch {
	case qa.kind == qNumber:
		// Figures of another kind than the best quote's (a share beside
		// a count of households, a sum beside a head count) are other
		// quantities, not rival values of the one asked for.
		first := figureClass(items[0].text)
		items = slices.DeleteFunc(items, func(it lineItem) bool { return figureClass(it.text) != first })
		if counts := slices.DeleteFunc(slices.Clone(items), func(it lineItem) bool { return !hasAny(termSet(it.text), qa.counted) }); len(counts) > 0 {
			items = counts // figures of the thing counted, not of hours or kilometres
		}
		return valuesLine(items), true
	case qa.kind == qWhen || qa.atype == aAge:
		return valuesLine(items), true
	case qa.kind == qQuote:
		it := items[0]
		if it.who != "" {
			return fmt.Sprintf("%s [%d]: “%s”", it.who, it.n, it.text), true
		}
		return fmt.Sprintf("“%s” [%d]", it.text, it.n), true
	}
	return joinItems(items, 3) + ".", true
}

// itemCoverage is how close to the best quote's coverage another quote
// must come for its value to count as a second answer.
const itemCoverage = 0.7

// formItemCoverage is itemCoverage for answers of a required form.
const formItemCoverage = 0.6

// confidentCoverage is how much of the question the best sentence must
// cover for a clause of it to be offered as the answer.
const confidentCoverage = 0.6

// reClockRange is a span of hours: "from 11 p.m. to 6 a.m.", "between 9am
// and 5pm", "10 a.m. to 4 p.m.".
var reClockRange = regexp.MustCompile(`(?i)(?:\b(?:from|between) )?\b\d{1,2}(?::\d\d)?\s*(?:[ap]\.m\.|[ap]m\b)?\s*(?:to|until|till|and|-|–)\s*\d{1,2}(?::\d\d)?\s*(?:[ap]\.m\.|[ap]m\b)`)

// clockOf returns the first time of day in s, or the span of hours it
// begins.
func clockOf(s string) string {
	loc := reClock.FindStringIndex(s)
	if loc == nil {
		return ""
	}
	if r := reClockRange.FindStringIndex(s); r != nil && r[0] <= loc[0] && r[1] >= loc[1] {
		return s[r[0]:r[1]]
	}
	return s[loc[0]:loc[1]]
}

// figureClass is the kind of quantity a figure's text states: a share, a
// sum of money, or a count or measure of something.
func figureClass(s string) string {
	l := strings.ToLower(s)
	switch {
	case strings.Contains(l, "%") || strings.Contains(l, "per cent") || strings.Contains(l, "percent"):
		return "share"
	case reMoney.MatchString(s):
		return "money"
	}
	return "count"
}

// valuesLine lists figures or dates: one value, or each value with its
// sources when the quotes disagree.
func valuesLine(items []lineItem) string {
	type group struct {
		items []lineItem
	}
	var order []string
	groups := map[string]*group{}
	for _, it := range items {
		k := it.value
		if k == "" {
			k = strings.ToLower(it.text)
		}
		g := groups[k]
		if g == nil {
			g = &group{}
			groups[k] = g
			order = append(order, k)
		}
		g.items = append(g.items, it)
	}
	if len(order) == 1 {
		g := groups[order[0]]
		return g.items[0].text + " " + refs(g.items) + "."
	}
	parts := make([]string, 0, len(order))
	for _, k := range order {
		g := groups[k]
		it := g.items[0]
		var src []string
		for _, x := range g.items {
			s := x.via
			if x.who != "" && !strings.EqualFold(x.who, x.via) {
				s = x.who + ", via " + x.via
			}
			if !slices.Contains(src, s) {
				src = append(src, s)
			}
		}
		parts = append(parts, fmt.Sprintf("%s (%s) %s", it.text, strings.Join(src, "; "), refs(g.items)))
	}
	return "Reports differ: " + strings.Join(parts, " · ")
}

func refs(items []lineItem) string {
	var b strings.Builder
	for _, it := range items {
		fmt.Fprintf(&b, "[%d]", it.n)
	}
	return b.String()
}

// joinItems joins distinct extracted texts: "A [1] and B [2]".
func joinItems(items []lineItem, max int) string {
	var parts []string
	var seen []string
	for _, it := range items {
		k := strings.ToLower(it.text)
		if i := slices.Index(seen, k); i >= 0 {
			parts[i] += fmt.Sprintf("[%d]", it.n)
			continue
		}
		if len(parts) == max {
			continue
		}
		seen = append(seen, k)
		parts = append(parts, fmt.Sprintf("%s [%d]", it.text, it.n))
	}
	switch len(parts) {
	case 1:
		return parts[0]
	case 2:
		return parts[0] + " and " + parts[1]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// qualifiers may stand before a figure and belong to it.
var qualifiers = []string{"more than ", "about ", "nearly ", "approximately ", "approx. ", "at least ", "some ",
	"over ", "almost ", "roughly ", "up to ", "around ", "as many as ", "fewer than ", "less than ", "an estimated ", "just over ", "just under "}

// figureOf returns the figure of c nearest to the question's words, as
// written ("more than 1,000 km²", "five civilians"), and its value for
// comparison.
func figureOf(c *candidate, qa *query) (string, string) {
	n, ok := c.qty.nearest(qa)
	if !ok {
		if len(c.qty.nums) == 0 {
			return "", ""
		}
		n = c.qty.nums[0]
	}
	s := c.sent.Text
	// A figure of the form asked for ("$4.5 million" for "how much …
	// pay", "2,000sq km" for "how much territory") beats a nearer one.
	if re := formPattern(qa); re != nil {
		var inForm []int
		for _, m := range re.FindAllStringIndex(s, -1) {
			if k := c.qty.numIn(m[0], m[1]); k >= 0 {
				inForm = append(inForm, k)
			}
		}
		if k := c.qty.closestTo(qa, inForm, s); k >= 0 {
			n = k // of several, the one nearest the question's words ("according to the ISW")
		}
	}
	// "How many cars derailed": the figure that counts cars ("23 cars"),
	// not the hours the fire burned.
	if k := c.qty.counting(qa.countedFirst); k >= 0 {
		n = k
	} else if k := c.qty.counting(qa.counted); k >= 0 {
		n = k
	}
	// "1.7 million": the magnitude word belongs to the number before it.
	if n > 0 && magnitudeWords[strings.ToLower(wordAt(s, c.qty.starts[n]))] && slices.Contains(c.qty.nums, n-1) {
		n--
	}
	start := c.qty.starts[n]
	end := start + len(wordAt(s, start))
	lower := strings.ToLower(s[:start])
	for _, q := range qualifiers {
		if strings.HasSuffix(lower, q) {
			start -= len(q)
			break
		}
	}
	if start > 0 && strings.ContainsAny(s[start-1:start], "$€£¥") {
		start--
	} else if start >= len("€") && strings.HasSuffix(s[:start], "€") {
		start -= len("€")
	}
	// The unit or counted noun after it: up to three words, adjacent.
	for k := n + 1; k < len(c.qty.terms) && k <= n+3; k++ {
		ws := c.qty.starts[k]
		if ws < end {
			continue // a part of the word already taken ("2,000sq": "2000", "sq")
		}
		if strings.TrimLeft(s[end:ws], " -") != "" {
			break
		}
		w := wordAt(s, ws)
		lw := strings.ToLower(w)
		prev := strings.ToLower(wordAt(s, c.qty.starts[k-1]))
		if k > n+1 && terminalUnits[prev] && !isUnitWord(lw) {
			break // "14 per cent compared": the unit is complete
		}
		if retrieval.IsStopWord(lw) && lw != "per" || k > n+1 && !isUnitWord(prev) ||
			startsUpper(w) && !isUnitWord(lw) {
			break // "3,200 Lakeshore employees": the name is not the unit
		}
		end = ws + len(w)
		if r, size := utf8.DecodeRuneInString(s[end:]); r == '²' || r == '³' {
			end += size
		}
	}
	text := strings.TrimRight(s[start:end], " ,.;:")
	return text, figureValue(s[c.qty.starts[n]:], c.qty.terms[n])
}

var magnitudeWords = map[string]bool{"million": true, "billion": true, "thousand": true, "trillion": true, "hundred": true}

// formPattern is the pattern of the figure a question asks for, or nil.
func formPattern(qa *query) *regexp.Regexp {
	switch {
	case qa.money:
		return reMoney
	case qa.atype == aArea:
		return reAreaFigure
	case qa.atype == aPercent:
		return rePercentFigure
	case qa.atype == aDistance:
		return reDistance
	}
	return nil
}

var (
	reAreaFigure    = regexp.MustCompile(`(?i)\d[\d,.]*\s*(?:sq|square)\.?\s*(?:km|kilomet\w*|mi\w*|met\w*)|\d[\d,.]*\s*(?:km²|km2|hectares?|acres?)`)
	rePercentFigure = regexp.MustCompile(`(?i)\d[\d,.]*\s*(?:%|per ?cent|percent)`)
)

// isUnitWord reports whether w is a unit that may follow another unit
// word ("sq km", "square miles", "per cent").
// terminalUnits complete a figure: only another unit may follow ("sq
// km"), not a word of the sentence ("14 per cent compared").
var terminalUnits = map[string]bool{"cent": true, "percent": true, "hectares": true, "acres": true, "tonnes": true, "tons": true,
	"km": true, "kilometres": true, "kilometers": true, "miles": true, "mi": true, "metres": true, "meters": true}

func isUnitWord(w string) bool {
	switch w {
	case "sq", "square", "km", "kilometres", "kilometers", "miles", "mi", "metres", "meters", "cent", "percent", "per",
		"million", "billion", "thousand", "bn", "m", "hectares", "acres", "tonnes", "tons":
		return true
	}
	return false
}

// figureValue normalises a figure for comparison: "2,000" and "2000" are
// one value, "3bn" and "3 billion" too.
func figureValue(text, term string) string {
	w := strings.ToLower(wordAt(text, 0))
	if v, ok := numberWordValue[w]; ok {
		return strconv.Itoa(v)
	}
	digits := strings.Map(func(r rune) rune {
		if unicode.IsDigit(r) || r == '.' {
			return r
		}
		return -1
	}, w)
	if digits == "" {
		return term
	}
	return digits
}

var numberWordValue = map[string]int{"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
	"eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20, "thirty": 30, "forty": 40,
	"fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "dozen": 12}

var (
	reAccordingToDesc = regexp.MustCompile(`\baccording to the ((?:\p{Ll}[\p{L}-]*\s*){1,4})`)
	reAccordingTo     = regexp.MustCompile(`\baccording to (?:the )?((?:\p{Lu}[\p{L}’'\-]*|of|for|the|and)(?:\s+(?:\p{Lu}[\p{L}’'\-]*|of|for|the|and)){0,6})`)
	reEstimator       = regexp.MustCompile(`((?:\p{Lu}[\p{L}’'\-]*\s+)*\p{Lu}[\p{L}’'\-]*(?:’s|'s)?(?:\s+(?:defen[cs]e |foreign |interior |health |finance )?(?:ministry|military|army|officials|police|government|agency|department|office|spokesman|spokeswoman|spokesperson|analysts?|institute))?)\s+(?:estimated|estimates|said|says|reported|reports|claimed|claims|announced|put|puts|confirmed|told)\b`)
	reDateOf          = regexp.MustCompile(`\b(?:(?:late|early) (?:on )?|on |last |this |next )?(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day(?: (?:night|morning|evening|afternoon))?|(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.? \d{1,2}(?:, \d{4})?|\d{1,2} (?:January|February|March|April|May|June|July|August|September|October|November|December)(?: \d{4})?|yesterday|overnight)\b`)
	reWeekday         = regexp.MustCompile(`(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|\d{1,2}|yesterday|overnight`)
	rePlace           = regexp.MustCompile(`\b(?:(?:about |some |roughly )?\d[\d,.]*\s*(?:km|kilomet(?:re|er)s|miles)\s+)?(?:to the |in the )?(?:north|south|east|west|north-?east|north-?west|south-?east|south-?west)(?:ern)?(?: of| from)? (?:the )?\p{Lu}[\p{L}’'\-]+(?: \p{Lu}[\p{L}’'\-]+)*|\b(?:near|outside|in|at|on the outskirts of|close to) (?:the )?\p{Lu}[\p{L}’'\-]+(?: \p{Lu}[\p{L}’'\-]+)*(?: (?:region|province|county|district|oblast))?`)
)

// attributionOf returns who a sentence's claim comes from: its speaker,
// "according to X", or the subject of "X estimated/said".
func attributionOf(c *candidate) string {
	if c.speaker != "" {
		return c.speaker
	}
	s := c.sent.Text
	if m := reAccordingTo.FindStringSubmatch(s); m != nil {
		if n := strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(m[1], " and"), " the")); n != "" && n != "the" {
			return n
		}
	}
	if m := reAccordingToDesc.FindStringSubmatch(s); m != nil {
		// "according to the water company": who, described.
		var ws []string
		for _, w := range strings.Fields(m[1]) {
			if retrieval.IsStopWord(w) || len(ws) == 3 {
				break
			}
			ws = append(ws, w)
		}
		if len(ws) > 0 {
			return "the " + strings.Join(ws, " ")
		}
	}
	if m := reEstimator.FindStringSubmatch(unquoted(s)); m != nil {
		if n := cleanOrg(m[1]); n != "" {
			return n
		}
	}
	// "It estimated that ...": the organisation the sentence before
	// named first.
	if rePronounClaim.MatchString(s) && c.prev != "" {
		first := ""
		for _, m := range reAgent.FindAllString(c.prev, -1) {
			n := cleanOrg(m)
			if n == "" || isDateline(m, len(m)) || strings.HasSuffix(n, "-based") {
				continue
			}
			if strings.Contains(n, " ") {
				return n // a name of several words: "the Institute for the Study of War"
			}
			if first == "" {
				first = n
			}
		}
		if first != "" {
			return first
		}
	}
	return ""
}

var rePronounClaim = regexp.MustCompile(`^(?:It|They|The (?:group|agency|institute|think tank|ministry|company|report))\s+(?:estimated|estimates|said|says|reported|reports|claimed|claims|put|puts|calculated|counted|found)\b`)

// cleanOrg trims a subject phrase to a name or an organisation.
func cleanOrg(s string) string {
	f := nameWords(s)
	if len(f) == 0 {
		return ""
	}
	if len(f) > 2 && isDemonym(f[0]) {
		f = f[1:] // "Ukrainian President Volodymyr Zelenskyy"
	}
	r, _ := utf8.DecodeRuneInString(f[0])
	if !unicode.IsUpper(r) {
		return ""
	}
	return strings.Join(f, " ")
}

// isCommonWord reports whether a one-word name is an English word
// capitalised only because it starts the sentence ("Shares fell", "Staff
// said").
func isCommonWord(n string) bool {
	return !strings.Contains(n, " ") && lexicon.Known(retrieval.Term(strings.ToLower(n)))
}

// isDemonym reports whether a capitalised word reads as a nationality
// ("Ukrainian", "Chinese", "British"): a description, not a name.
func isDemonym(w string) bool {
	for _, s := range []string{"ian", "ean", "ese", "ish", "ic"} {
		if len(w) > len(s)+2 && strings.HasSuffix(w, s) {
			return true
		}
	}
	return false
}

func dateOf(s string) string {
	return strings.TrimSpace(reDateOf.FindString(s))
}

func dayWord(s string) string { return reWeekday.FindString(s) }

// agentOf returns who did what a who-question asks about: the name
// nearest before its predicate, else the speaker, else the first name the
// question does not already give.
func agentOf(c *candidate, qa *query) string {
	s := c.sent.Text
	cut := len(s)
	if len(qa.predicate) > 0 {
		cut = -1
		for _, tk := range retrieval.Analyze(s) {
			if slices.Contains(qa.predicate, tk.Term) {
				cut = tk.Start
				break
			}
		}
		if cut < 0 {
			// The sentence does not say anyone did it.
			if c.speaker != "" && slices.Contains(qa.predicate, "said") && !inQuestion(c.speaker, qa) {
				return c.speaker
			}
			return ""
		}
	}
	// The subject comes first: the first name of the sentence before
	// the predicate ("Igor Girkin, a former ..., also confirmed").
	body := datelineEnd(s)
	for _, m := range reAgent.FindAllStringIndex(s, -1) {
		if m[0] >= cut {
			break
		}
		if m[0] < body {
			continue // the dateline's place and agency ("ROME, March 5 (EBW) -")
		}
		if w := s[m[0]:m[1]]; strings.HasSuffix(w, "'s") || strings.HasSuffix(w, "’s") {
			continue // a possessive modifier ("Italy's industry minister"), not the agent
		}
		if n := cleanOrg(s[m[0]:m[1]]); n != "" && !inQuestion(n, qa) && !isDateline(s, m[1]) &&
			!(isDemonym(n) && !strings.Contains(n, " ")) && !(m[0] == body && isCommonWord(n)) {
			return n
		}
	}
	// "... was confirmed by X"
	if i := strings.Index(s[cut:], " by "); i >= 0 && i < 40 {
		if m := reAgent.FindStringIndex(s[cut+i+4:]); m != nil && m[0] == 0 {
			if n := cleanOrg(s[cut+i+4 : cut+i+4+m[1]]); n != "" && !inQuestion(n, qa) {
				return n
			}
		}
	}
	if c.speaker != "" && !inQuestion(c.speaker, qa) {
		return c.speaker
	}
	return ""
}

// reDatelineLead is a dateline opening a sentence: "MILAN — ", "ROME,
// March 5 (EBW) - ", "CARVER SPRINGS, Mo. — "; its dash is set off by a
// space ("UK-based Acme" is no dateline).
var reDatelineLead = regexp.MustCompile(`^\p{Lu}[\p{Lu} .'’-]*\p{Lu}(?:, [\p{L}.]+(?: \d{1,2})?)?(?: \([\p{Lu}\p{L}]+\))?\s+[—–-]+\s*`)

// datelineEnd returns where the sentence proper begins after a dateline,
// or 0.
func datelineEnd(s string) int {
	if m := reDatelineLead.FindStringIndex(s); m != nil {
		return m[1]
	}
	return 0
}

// isDateline reports whether the name ending at end opens a dateline
// ("KYIV, Ukraine —", "LIMA, March 4 (PWS) -").
func isDateline(s string, end int) bool {
	head := s[:end]
	return strings.ToUpper(head) == head && len(head) > 2
}

// reAgent matches a person or an organisation: capitalised words, maybe
// with a possessive and an institution ("Russia’s defense ministry").
var reAgent = regexp.MustCompile(`(?:` + titleAbbr + `\p{Lu}[\p{L}’'\-]+(?:\s+(?:(?:of|for|the|de|van|von|al|and)\s+){0,2}\p{Lu}[\p{L}’'\-]+)*)(?:’s|'s)?(?:\s+(?:defen[cs]e|foreign|interior|health|finance|justice|transport|emergencies|emergency|armed|general)?\s*(?:ministry|military|army|forces|police|government|officials|office|agency|staff|council|commission|department|spokesman|spokeswoman|spokesperson))?`)

// inQuestion reports whether the question already names n: its last
// word (a surname, the head of an organisation's name) is a question term.
func inQuestion(n string, qa *query) bool {
	ts := retrieval.Terms(n)
	if len(ts) == 0 {
		return true
	}
	last := ts[len(ts)-1]
	for _, qt := range qa.terms {
		if qt.term == last || slices.Contains(qt.spell, last) {
			return true
		}
	}
	return false
}

// descriptionOf returns what a sentence says someone is: "pro-Russian
// rebel leader" in "... pro-Russian rebel leader Denis Pushilin", or the
// appositive in "Denis Pushilin, the head of ...,".
func descriptionOf(c *candidate, qa *query) string {
	s := c.sent.Text
	for _, tk := range retrieval.Analyze(s) {
		if !tk.Cap || !qa.hasTerm(tk.Term) {
			continue
		}
		i := tk.Start
		// Extend to the whole name as written around the question's word.
		start := i
		for start > 0 {
			r, size := utf8.DecodeLastRuneInString(s[:start])
			if r != ' ' {
				break
			}
			w := lastWord(s[:start-size])
			if w == "" || !startsUpper(w) || notNames[w] {
				break
			}
			start -= size + len(w)
		}
		end := i + len(wordAt(s, i))
		for end < len(s) && s[end] == ' ' && startsUpper(wordAt(s, end+1)) {
			end += 1 + len(wordAt(s, end+1))
		}
		name := s[start:end]
		if m := reAppositive.FindStringSubmatch(s[end:]); m != nil {
			return name + ", " + strings.TrimSpace(m[1])
		}
		// Title words before the name, back to punctuation or a verb.
		before := strings.TrimRight(s[:start], " ")
		j := strings.LastIndexAny(before, ",;:—–(“\"")
		words := strings.Fields(before[j+1:])
		k := len(words)
		for k > 0 && len(words)-k < 6 {
			w := strings.ToLower(strings.Trim(words[k-1], "“”\"'‘’"))
			if w != words[k-1] && strings.ToLower(words[k-1]) != w || retrieval.IsStopWord(w) && w != "of" || strings.HasSuffix(w, "ed") {
				break
			}
			k--
		}
		for k < len(words) && strings.EqualFold(words[k], "of") {
			k++
		}
		if k < len(words) && len(words)-k >= 1 {
			title := strings.Join(words[k:], " ")
			title = strings.TrimPrefix(strings.TrimPrefix(title, "the "), "The ")
			if title != "" {
				return name + ": " + title
			}
		}
	}
	return ""
}

var reAppositive = regexp.MustCompile(`^(?:,\s+|\s+(?:is|was)\s+)((?:a|an|the|who|one of|(?:director|head|chief|leader|president|chair|chairman|chairwoman|spokesman|spokeswoman|spokesperson|secretary|minister|mayor|governor|deputy|manager|founder|owner|editor|professor|lawyer|counsel|analyst|commissioner|superintendent|inspector|captain|commander|general|senior|former|acting)\b)[^,;.]{3,80}?)(?:,|;|\.|\s+and\s|$)`)

func lastWord(s string) string {
	i := strings.LastIndexByte(s, ' ')
	return s[i+1:]
}

func startsUpper(w string) bool {
	r, _ := utf8.DecodeRuneInString(w)
	return unicode.IsUpper(r)
}

func placeOf(s string) string {
	for _, m := range rePlace.FindAllString(s, -1) {
		if strings.ContainsAny(m, "0123456789") || reDirection.MatchString(m) {
			return m
		}
	}
	return ""
}

var reDirection = regexp.MustCompile(`(?i)north|south|east|west`)

// quotedOf returns the first quoted sentence of s, shortened.
func quotedOf(s string) string {
	i := strings.IndexAny(s, "“\"")
	if i < 0 {
		return ""
	}
	rest := s[i:]
	_, size := utf8.DecodeRuneInString(rest)
	rest = rest[size:]
	j := strings.IndexAny(rest, "”\"")
	if j < 0 {
		j = len(rest)
	}
	q := strings.TrimRight(rest[:j], " ,")
	if len(q) > 160 {
		if k := strings.Index(q, ". "); k > 40 && k < 160 {
			q = q[:k+1]
		} else {
			q = shorten(q, 160)
		}
	}
	return q
}

// clauseOf returns the clause of c's sentence that covers most of the
// question, when it is clearly shorter than the sentence.
func clauseOf(c *candidate, qa *query) string {
	s := c.sent.Text
	parts := reClauseSplit.Split(s, -1)
	if len(parts) < 2 {
		return ""
	}
	best, bestGot := "", 0.0
	for _, p := range parts {
		if len(strings.Fields(p)) < 4 {
			continue
		}
		ts := termSet(p)
		got := 0.0
		for _, t := range qa.terms {
			if ts[t.term] || hasAny(ts, t.alt) || hasAny(ts, t.spell) {
				got += t.weight
			}
		}
		if qa.kind == qWhy && reCause.MatchString(p) {
			got *= 1.5
		}
		if got > bestGot {
			best, bestGot = p, got
		}
	}
	best = strings.TrimSpace(best)
	if best == "" || len(best) > len(s)*3/4 {
		return ""
	}
	return "…" + strings.TrimRight(best, ".,;:") + "…"
}

var reClauseSplit = regexp.MustCompile(`[,;:]\s+|\s+[—–]\s+|\s+(?:because|as|after|while|but|so that|which)\s+`)
