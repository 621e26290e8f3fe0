package extractive

import (
	"regexp"
	"strings"

	"github.com/newsdesk/newsdesk/retrieval"
)

// atype is the form an answer must take, when the question says: "how old"
// is answered by an age, "what day" by a day, "how far" by a distance. A
// sentence without that form does not answer the question, however many of
// its words it shares; this is what tells a near-miss ("how old were the
// two people killed") from an answer ("two persons died").
type atype int

const (
	aAny atype = iota
	aAge
	aDistance
	aPercent
	aDay
	aClock
	aYear
	aCause
	aArea
	aSpeed
)

var atypeCues = []struct {
	re *regexp.Regexp
	t  atype
}{
	{regexp.MustCompile(`\bhow much (?:territory|land|ground|area|forest|farmland)\b|\b(?:what|how big an|how large an) area\b|\bhow many (?:square|sq|hectares|acres)\b`), aArea},
	{regexp.MustCompile(`\bhow old\b|\bwhat age\b|\bat what age\b|\bhow young\b`), aAge},
	{regexp.MustCompile(`\bhow far\b|\bhow many (?:km|kms|kilomet(?:re|er)s|miles|met(?:re|er)s|yards|feet)\b|\bwhat distance\b|\bhow close\b`), aDistance},
	{regexp.MustCompile(`\bwhat (?:percent|percentage|per cent|share|proportion)\b|\bhow many (?:percent|per cent)\b`), aPercent},
	{regexp.MustCompile(`\b(?:what|which) (?:day|date|weekday)\b`), aDay},
	{regexp.MustCompile(`\b(?:what|which) (?:time|times|hours)\b|\bat what hour\b|\bwhat time of (?:day|night)\b`), aClock},
	{regexp.MustCompile(`\b(?:what|which) year\b`), aYear},
	{regexp.MustCompile(`^(?:how fast|what speed|at what speed)\b|\bhow fast (?:was|were|is|are)\b`), aSpeed},
	{regexp.MustCompile(`\bwhat (?:caused|causes|triggered|sparked|set off|started)\b|\bcause of\b|\bwhat was behind\b`), aCause},
}

// answerType reads the form of answer a lower-cased question asks for.
func answerType(lq string) atype {
	for _, c := range atypeCues {
		if c.re.MatchString(lq) {
			return c.t
		}
	}
	return aAny
}

var (
	reAge      = regexp.MustCompile(`(?i)\b\d{1,3}-year-old\b|\baged \d{1,3}\b|\b\d{1,3} years? old\b|\bage of \d{1,3}\b|\b[A-Z][a-z]+, \d{1,3}, |\b(?:in (?:his|her|their) )?(?:teens|twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties|\d0s)\b`)
	reDistance = regexp.MustCompile(`(?i)\d[\d,.]*\s*(?:-\s*)?(?:km|kms|kilomet(?:re|er)s?|mi|miles?|met(?:re|er)s?|m|yards?|feet|ft)\b(?:[^²2]|$)|\b(?:kilomet(?:re|er)s?|miles?) (?:from|away|north|south|east|west)`)
	reArea     = regexp.MustCompile(`(?i)(?:\d|\b)(?:sq|square)\.?\s*(?:km|kilomet|mi|miles?|met)|km²|km2\b|\bhectares?\b|\bacres?\b`)
	rePercent  = regexp.MustCompile(`(?i)%|\bper ?cent\b|\bpercentage points?\b`)
	reDayForm  = regexp.MustCompile(`\b(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|January|February|March|April|May|June|July|August|September|October|November|December|yesterday|today|tonight|overnight)\b|\b(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.? \d{1,2}\b|\b\d{4}-\d\d-\d\d\b`)
	reClockish = regexp.MustCompile(`(?i)\b(?:midnight|noon|midday|dawn|dusk|daybreak|morning|afternoon|evening|overnight|tonight)\b`)
	reSpeed    = regexp.MustCompile(`(?i)\d[\d,.]*\s*(?:-\s*)?(?:km/h|kmh|kph|mph|knots?|(?:kilomet(?:re|er)s?|miles?|met(?:re|er)s?) (?:an|per|a) (?:hour|second))\b|\b(?:speed|speeding)\b[^.]{0,30}\d`)
	reCause    = regexp.MustCompile(`(?i)\b(?:because|due to|owing to|caus(?:e|ed|es|ing)|blam(?:e|ed|es|ing)|trigger(?:ed|s)?|spark(?:ed|s)?|result(?:ed)? (?:of|from)|led to|attribut(?:e|ed)|linked to|responsib(?:le|ility)|set off|started by|struck by|hit by|strike|attack|shell(?:ed|ing)|explosion of|fault|failure|why)\b`)
)

// hasForm reports whether sentence s has the form of answer t.
func hasForm(s string, t atype) bool {
	switch t {
	case aAge:
		return reAge.MatchString(s)
	case aDistance:
		for _, m := range reDistance.FindAllStringIndex(s, -1) {
			if !reArea.MatchString(s[m[0]:min(len(s), m[1]+8)]) {
				return true
			}
		}
		return false
	case aPercent:
		return rePercent.MatchString(s)
	case aDay:
		return reDayForm.MatchString(s) || reMonthDay.MatchString(s)
	case aClock:
		return reClock.MatchString(s) || reClockish.MatchString(s)
	case aYear:
		return reYear.MatchString(s)
	case aCause:
		return reCause.MatchString(s)
	case aArea:
		return reArea.MatchString(s) || reDistance.MatchString(s)
	case aSpeed:
		return reSpeed.MatchString(s)
	}
	return true
}

// isAtypeWord reports whether w only names the answer's form ("old" in
// "how old", "day" in "what day"): the sentence need not contain it.
func isAtypeWord(w string, t atype) bool {
	switch t {
	case aAge:
		return w == "old" || w == "age" || w == "young"
	case aDistance:
		return strings.HasPrefix(w, "kilomet") || w == "km" || w == "kms" || w == "miles" || w == "far" || w == "distance" || w == "close"
	case aPercent:
		return w == "percent" || w == "percentage" || w == "share" || w == "proportion"
	case aDay:
		return w == "day" || w == "date" || w == "weekday"
	case aClock:
		return w == "time" || w == "hour"
	case aYear:
		return w == "year"
	case aArea:
		return w == "area" || w == "square" || w == "sq" || w == "hectares" || w == "acres"
	case aCause:
		return w == "caused" || w == "cause" || w == "causes" || w == "triggered" || w == "sparked" || w == "behind"
	case aSpeed:
		return w == "fast" || w == "speed" || w == "quickly" || w == "quick"
	}
	return false
}

// formTerms are words that a sentence of the answer's form usually has;
// retrieval looks for them too, at a low weight, so that the passages
// holding such an answer are among those read.
var formTerms = map[atype][]string{
	aAge:      {"year", "old", "aged"},
	aDistance: {"km", "kilometre", "mile", "metre"},
	aPercent:  {"percent"},
	aArea:     {"square", "km", "mile", "hectare", "acre"},
	aCause:    {"caused", "because", "blamed", "triggered"},
}

// formSearchWeight is the retrieval weight of formTerms.
const formSearchWeight = 0.3

// A rate question asks for an amount per unit: "how many people cross the
// bridge each day", "how much is he paid a week", "how many shares do
// holders get per share", "annual revenue". Only a sentence that states a
// rate of that unit answers it ("65,000 passengers a day"); a total or a
// one-off figure beside the question's words ("the £52m paid for Lykke",
// "14 miners were killed" for "how much gold a year") is another figure.
var (
	reRateAsk = regexp.MustCompile(`\b(?:a|an|per|each|every) (day|night|week|month|year|hour|share)\b|\b(daily|nightly|weekly|monthly|annual|annually|yearly|hourly)\b`)
	// "per cubic metre", "per tonne", "per passenger": a rate of any unit.
	rePerUnit = regexp.MustCompile(`\bper (?:cubic |square )?([a-z]{2,})\b`)
	// "a year earlier", "a day later": a time, not a rate.
	reRateNot = regexp.MustCompile(`^(?:'s)? (?:earlier|ago|later|before|after|on|from|since)\b`)
)

// rateUnit is the unit of the rate a lower-cased question asks for, or "".
func rateUnit(lq string) string {
	for _, m := range reRateAsk.FindAllStringSubmatchIndex(lq, -1) {
		if reRateNot.MatchString(lq[m[1]:]) {
			continue
		}
		if m[2] >= 0 {
			return lq[m[2]:m[3]]
		}
		switch w := lq[m[4]:m[5]]; w {
		case "daily":
			return "day"
		case "nightly":
			return "night"
		case "weekly":
			return "week"
		case "monthly":
			return "month"
		case "hourly":
			return "hour"
		default:
			return "year"
		}
	}
	for _, m := range rePerUnit.FindAllStringSubmatch(lq, -1) {
		if u := strings.TrimSuffix(m[1], "s"); !notUnits[u] && !retrieval.IsStopWord(m[1]) {
			return u
		}
	}
	return ""
}

// notUnits follow "per" without making a rate ("per cent"; "per annum"
// is a year, handled above).
// Nor do the sources of "per" meaning "according to" ("per the
// ministry", "per reports").
var notUnits = map[string]bool{"cent": true, "centage": true, "annum": true, "se": true,
	"report": true, "source": true, "official": true, "statement": true, "police": true, "ministry": true,
	"government": true, "witness": true, "witnesse": true, "media": true, "spokesman": true, "spokeswoman": true}

var rateForms = map[string]*regexp.Regexp{}

func init() {
	adj := map[string]string{"day": `|\bdaily\b`, "night": `|\bnightly\b`, "week": `|\bweekly\b`, "month": `|\bmonthly\b`,
		"hour": `|\bhourly\b`, "year": `|\b(?:annual|annually|yearly|per annum)\b`, "share": ""}
	for u, a := range adj {
		// "a day", "per Veltra share", "each year", "/day", "year-on-year", "daily"
		rateForms[u] = regexp.MustCompile(ratePattern(u) + `|\b` + u + `-on-` + u + `\b` + a)
	}
}

// hasRate reports whether sentence s states a rate per unit u.
func hasRate(s, u string) bool {
	re := rateForms[u]
	if re == nil {
		// Another unit: "per cubic metre", "a tonne", "/litre".
		re = otherRate(u)
	}
	return re.MatchString(s)
}

// otherRate is the form of a rate of unit u (letters only), compiled per
// question: caching every unit a user types would grow without bound.
func otherRate(u string) *regexp.Regexp { return regexp.MustCompile(ratePattern(regexp.QuoteMeta(u))) }

// ratePattern matches a rate of unit u (a regexp): "a day", "per Veltra
// share", "each year", "/day".
func ratePattern(u string) string {
	return `(?i)\b(?:a|an|per|each|every)\s+(?:[\p{L}-]+\s+)?` + u + `s?\b|/\s?` + u + `\b`
}
