package timeq

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// tok is one token of the question: a run of letters and digits, or a single
// other non-space character.
type tok struct {
	s, e  int    // byte span in the question
	w     string // lower-cased text
	num   int    // value when w is 1–6 ASCII digits, else -1
	punct bool
}

func tokenize(q string) []tok {
	toks := make([]tok, 0, len(q)/5+1)
	for i := 0; i < len(q); {
		r, size := utf8.DecodeRuneInString(q[i:])
		switch {
		case unicode.IsSpace(r):
			i += size
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			j := i + size
			for j < len(q) {
				r2, s2 := utf8.DecodeRuneInString(q[j:])
				if !unicode.IsLetter(r2) && !unicode.IsDigit(r2) {
					break
				}
				j += s2
			}
			toks = append(toks, newTok(q, i, j, false))
			i = j
		default:
			toks = append(toks, newTok(q, i, i+size, true))
			i += size
		}
	}
	return toks
}

func newTok(q string, s, e int, punct bool) tok {
	t := tok{s: s, e: e, w: strings.ToLower(q[s:e]), num: -1, punct: punct}
	if !punct && len(t.w) <= 6 {
		n := 0
		for k := 0; k < len(t.w); k++ {
			c := t.w[k]
			if c < '0' || c > '9' {
				return t
			}
			n = n*10 + int(c-'0')
		}
		t.num = n
	}
	return t
}

// digits is the number of digits of a numeric token, 0 when not numeric.
func (t tok) digits() int {
	if t.num < 0 {
		return 0
	}
	return len(t.w)
}

// match is one time expression found at a token position.
type match struct {
	end       int // token index after the expression
	from, to  time.Time
	hasPeriod bool
	latest    bool
	yearless  bool // a month or date whose year was inferred from asOf
}

type parser struct {
	q     string
	toks  []tok
	asOf  time.Time
	loc   *time.Location
	today time.Time // start of asOf's day
	cap   time.Time // start of the day after asOf
}

func (p *parser) init() {
	p.loc = p.asOf.Location()
	p.today = p.date(p.asOf.Year(), p.asOf.Month(), p.asOf.Day())
	p.cap = p.today.AddDate(0, 0, 1)
}

func (p *parser) date(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, p.loc)
}

// at is hour h of the day that starts at d.
func (p *parser) at(d time.Time, h int) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day(), h, 0, 0, 0, p.loc)
}

// capped ends a period that contains the end of asOf's day at that end.
func (p *parser) capped(from, to time.Time) (time.Time, time.Time) {
	if from.Before(p.cap) && to.After(p.cap) {
		to = p.cap
	}
	return from, to
}

func (p *parser) w(i int) string {
	if i < 0 || i >= len(p.toks) {
		return ""
	}
	return p.toks[i].w
}

// seq reports whether the tokens from i are words, and the index after them.
func (p *parser) seq(i int, words ...string) (int, bool) {
	for k, w := range words {
		if p.w(i+k) != w {
			return i, false
		}
	}
	return i + len(words), true
}

func (p *parser) adjacent(i int) bool {
	return i+1 < len(p.toks) && p.toks[i].e == p.toks[i+1].s
}

func period(end int, from, to time.Time) (match, bool) {
	if !from.Before(to) {
		return match{}, false
	}
	return match{end: end, from: from, to: to, hasPeriod: true}, true
}

func (p *parser) match(i int) (match, bool) {
	if m, ok := p.latestWords(i); ok {
		return m, true
	}
	if m, ok := p.compound(i); ok {
		return m, true
	}
	return p.period(i, false)
}

var latestSeqs = [][]string{
	{"as", "of", "now"}, {"at", "the", "moment"}, {"at", "present"},
	{"most", "recently"}, {"most", "recent"}, {"so", "far"}, {"to", "date"},
	{"right", "now"}, {"latest"}, {"newest"}, {"now"}, {"currently"},
}

func (p *parser) latestWords(i int) (match, bool) {
	for _, s := range latestSeqs {
		if j, ok := p.seq(i, s...); ok {
			return match{end: j, latest: true}, true
		}
	}
	return match{}, false
}

// ctxPreps introduce a period and license bare months and years after them.
var ctxPreps = map[string]bool{
	"in": true, "on": true, "during": true, "over": true, "within": true,
	"of": true, "for": true, "throughout": true,
}

func (p *parser) compound(i int) (match, bool) {
	switch w := p.w(i); w {
	case "between":
		a, ok := p.period(i+1, true)
		if !ok || p.w(a.end) != "and" {
			return match{}, false
		}
		b, ok := p.period(a.end+1, true)
		if !ok {
			return match{}, false
		}
		return span(b.end, a, b)
	case "from":
		a, ok := p.period(i+1, true)
		if !ok {
			return match{}, false
		}
		switch p.w(a.end) {
		case "to", "until", "till", "through", "-":
			if b, ok := p.period(a.end+1, true); ok {
				return span(b.end, a, b)
			}
		}
		return period(a.end, a.from, p.cap)
	case "since":
		a, ok := p.period(i+1, true)
		if !ok {
			return match{}, false
		}
		return period(a.end, a.from, p.cap)
	case "after":
		a, ok := p.period(i+1, true)
		if !ok {
			return match{}, false
		}
		return period(a.end, a.to, p.cap)
	case "before":
		a, ok := p.period(i+1, true)
		if !ok {
			return match{}, false
		}
		return period(a.end, time.Time{}, a.from)
	case "until", "till", "by":
		a, ok := p.period(i+1, true)
		if !ok {
			return match{}, false
		}
		return period(a.end, time.Time{}, a.to)
	default:
		if ctxPreps[w] {
			a, ok := p.period(i+1, true)
			if ok {
				return a, true
			}
		}
	}
	return match{}, false
}

// span is the period from the start of a to the end of b, in either order.
// A yearless a takes b's year ("from March to May 2024").
func span(end int, a, b match) (match, bool) {
	if a.yearless && !b.yearless {
		dy := b.from.Year() - a.from.Year()
		if a.from.AddDate(dy, 0, 0).After(b.from) {
			dy--
		}
		a.from, a.to = a.from.AddDate(dy, 0, 0), a.to.AddDate(dy, 0, 0)
	}
	from, to := a.from, b.to
	if b.from.Before(from) {
		from = b.from
	}
	if a.to.After(to) {
		to = a.to
	}
	return period(end, from, to)
}

// period reads a period at token i; ctx says a preposition came before it.
func (p *parser) period(i int, ctx bool) (match, bool) {
	if p.w(i) == "the" {
		// No bare month or year after "the": "in the march" is a march.
		if m, ok := p.core(i+1, false, true); ok {
			return m, true
		}
		return match{}, false
	}
	return p.core(i, ctx, false)
}

func (p *parser) core(i int, ctx, afterThe bool) (match, bool) {
	d := p.today
	w := p.w(i)
	switch w {
	case "today":
		return period(i+1, d, d.AddDate(0, 0, 1))
	case "tonight":
		return period(i+1, p.at(d, 18), d.AddDate(0, 0, 1))
	case "tomorrow":
		return period(i+1, d.AddDate(0, 0, 1), d.AddDate(0, 0, 2))
	case "yesterday":
		y := d.AddDate(0, 0, -1)
		if from, to, ok := p.partOfDay(y, p.w(i+1)); ok {
			return period(i+2, from, to)
		}
		return period(i+1, y, d)
	case "day":
		if j, ok := p.seq(i+1, "before", "yesterday"); ok {
			return period(j, d.AddDate(0, 0, -2), d.AddDate(0, 0, -1))
		}
	case "overnight":
		return period(i+1, p.at(d.AddDate(0, 0, -1), 18), p.cap)
	case "recently":
		return period(i+1, d.AddDate(0, 0, -7), p.cap)
	case "recent":
		switch p.w(i + 1) {
		case "days":
			return period(i+2, d.AddDate(0, 0, -7), p.cap)
		case "weeks":
			return period(i+2, d.AddDate(0, 0, -28), p.cap)
		case "months":
			return period(i+2, d.AddDate(0, -3, 0), p.cap)
		}
	case "earlier":
		return p.earlier(i)
	case "this":
		return p.this(i)
	case "last", "past", "previous":
		return p.last(i)
	case "weekend":
		if ctx || afterThe {
			from, to := p.weekend(false)
			return period(i+1, from, to)
		}
	}
	if m, ok := p.ago(i); ok {
		return m, true
	}
	if wd, ok := weekdays[w]; ok && !namedDayWords[p.w(i-1)] {
		return p.weekday(i+1, wd, false)
	}
	if m, ok := p.monthFirst(i, ctx); ok {
		return m, true
	}
	if m, ok := p.dayFirst(i, ctx); ok {
		return m, true
	}
	if m, ok := p.iso(i); ok {
		return m, true
	}
	return p.year(i, ctx)
}

func (p *parser) partOfDay(d time.Time, w string) (time.Time, time.Time, bool) {
	switch w {
	case "morning":
		return d, p.at(d, 12), true
	case "afternoon":
		return p.at(d, 12), p.at(d, 18), true
	case "evening", "night":
		return p.at(d, 18), d.AddDate(0, 0, 1), true
	}
	return time.Time{}, time.Time{}, false
}

// monday is the start of the ISO week that contains asOf.
func (p *parser) monday() time.Time {
	return p.today.AddDate(0, 0, -isoIndex(p.today.Weekday()))
}

// isoIndex numbers weekdays from Monday = 0 to Sunday = 6.
func isoIndex(w time.Weekday) int { return (int(w) + 6) % 7 }

// weekend is the most recent weekend that has started by asOf ("this
// weekend" asked on a weekday is the one just past), or the one before it
// when last is set and asOf falls on a weekend.
func (p *parser) weekend(last bool) (time.Time, time.Time) {
	mon := p.monday()
	if isoIndex(p.today.Weekday()) >= 5 && !last {
		return mon.AddDate(0, 0, 5), mon.AddDate(0, 0, 7)
	}
	return mon.AddDate(0, 0, -2), mon
}

func (p *parser) earlier(i int) (match, bool) {
	d := p.today
	if p.w(i+1) == "today" {
		if p.asOf.After(d) {
			return period(i+2, d, p.asOf)
		}
		return period(i+2, d, p.cap)
	}
	if p.w(i+1) != "this" {
		return match{}, false
	}
	var from time.Time
	switch p.w(i + 2) {
	case "week":
		from = p.monday()
	case "month":
		from = p.date(d.Year(), d.Month(), 1)
	case "year":
		from = p.date(d.Year(), time.January, 1)
	default:
		return match{}, false
	}
	if from.Equal(d) {
		return period(i+3, from, p.cap)
	}
	return period(i+3, from, d)
}

func (p *parser) this(i int) (match, bool) {
	d := p.today
	w := p.w(i + 1)
	if from, to, ok := p.partOfDay(d, w); ok {
		if w == "night" {
			return match{}, false
		}
		return period(i+2, from, to)
	}
	switch w {
	case "week":
		mon := p.monday()
		return period(i+2, mon, mon.AddDate(0, 0, 7))
	case "month":
		first := p.date(d.Year(), d.Month(), 1)
		return period(i+2, first, first.AddDate(0, 1, 0))
	case "year":
		first := p.date(d.Year(), time.January, 1)
		return period(i+2, first, first.AddDate(1, 0, 0))
	case "weekend":
		from, to := p.weekend(false)
		return period(i+2, from, to)
	case "past":
		if u, ok := units[p.w(i+2)]; ok {
			return p.rolling(i+3, 1, u)
		}
		return match{}, false
	}
	if wd, ok := weekdays[w]; ok {
		day := p.monday().AddDate(0, 0, isoIndex(wd))
		return period(i+2, day, day.AddDate(0, 0, 1))
	}
	if m, ok := months[w]; ok && m != time.May && len(w) >= 4 {
		// Not "this may be".
		first := p.date(d.Year(), m, 1)
		return period(i+2, first, first.AddDate(0, 1, 0))
	}
	return match{}, false
}

// last reads "last|past|previous ..." at i.
func (p *parser) last(i int) (match, bool) {
	d := p.today
	kind := p.w(i)
	if n, j, ok := p.number(i + 1); ok {
		if u, ok := units[p.w(j)]; ok {
			return p.rolling(j+1, n, u)
		}
		return match{}, false
	}
	w := p.w(i + 1)
	if kind == "past" {
		if u, ok := units[w]; ok {
			return p.rolling(i+2, 1, u)
		}
		return match{}, false
	}
	switch w {
	case "night":
		return period(i+2, p.at(d.AddDate(0, 0, -1), 18), p.at(d, 6))
	case "week":
		mon := p.monday()
		return period(i+2, mon.AddDate(0, 0, -7), mon)
	case "month":
		first := p.date(d.Year(), d.Month(), 1)
		return period(i+2, first.AddDate(0, -1, 0), first)
	case "year":
		first := p.date(d.Year(), time.January, 1)
		return period(i+2, first.AddDate(-1, 0, 0), first)
	case "weekend":
		from, to := p.weekend(true)
		return period(i+2, from, to)
	case "day", "fortnight":
		return p.rolling(i+2, 1, units[w])
	}
	if wd, ok := weekdays[w]; ok {
		return p.weekday(i+2, wd, true)
	}
	if m, ok := months[w]; ok && p.w(i-1) != "the" && len(w) >= 4 {
		// Not "the last march on Washington".
		y := d.Year()
		if m >= d.Month() {
			y--
		}
		first := p.date(y, m, 1)
		return period(i+2, first, first.AddDate(0, 1, 0))
	}
	return match{}, false
}

type unit int

const (
	hourUnit unit = iota
	dayUnit
	weekUnit
	fortnightUnit
	monthUnit
	yearUnit
)

var units = map[string]unit{
	"hour": hourUnit, "hours": hourUnit,
	"day": dayUnit, "days": dayUnit,
	"week": weekUnit, "weeks": weekUnit,
	"fortnight": fortnightUnit, "fortnights": fortnightUnit,
	"month": monthUnit, "months": monthUnit,
	"year": yearUnit, "years": yearUnit,
}

// maxCount bounds counts so that date arithmetic stays in range.
const maxCount = 10000

// rolling is the n units before asOf, widened to whole days (hours exact),
// up to the end of asOf's day.
func (p *parser) rolling(end, n int, u unit) (match, bool) {
	d := p.today
	var from time.Time
	switch u {
	case hourUnit:
		from = p.asOf.Add(-time.Duration(n) * time.Hour)
	case dayUnit:
		from = d.AddDate(0, 0, -n)
	case weekUnit:
		from = d.AddDate(0, 0, -7*n)
	case fortnightUnit:
		from = d.AddDate(0, 0, -14*n)
	case monthUnit:
		from = d.AddDate(0, -n, 0)
	case yearUnit:
		from = d.AddDate(-n, 0, 0)
	}
	return period(end, from, p.cap)
}

// ago reads "N units ago": the calendar unit (day, ISO week, month, year,
// clock hour) that contains the moment N units before asOf.
func (p *parser) ago(i int) (match, bool) {
	n, j, ok := p.number(i)
	if !ok {
		return match{}, false
	}
	u, ok := units[p.w(j)]
	if !ok || p.w(j+1) != "ago" {
		return match{}, false
	}
	end := j + 2
	d := p.today
	switch u {
	case hourUnit:
		t := p.asOf.Add(-time.Duration(n) * time.Hour).Truncate(time.Hour)
		return period(end, t, t.Add(time.Hour))
	case dayUnit:
		return period(end, d.AddDate(0, 0, -n), d.AddDate(0, 0, 1-n))
	case weekUnit, fortnightUnit:
		k := n
		if u == fortnightUnit {
			k = 2 * n
		}
		mon := p.monday().AddDate(0, 0, -7*k)
		return period(end, mon, mon.AddDate(0, 0, 7))
	case monthUnit:
		first := p.date(d.Year(), d.Month(), 1).AddDate(0, -n, 0)
		return period(end, first, first.AddDate(0, 1, 0))
	default:
		first := p.date(d.Year()-n, time.January, 1)
		return period(end, first, first.AddDate(1, 0, 0))
	}
}

var numberWords = map[string]int{
	"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
	"seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11,
	"twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "few": 3,
}

// number reads a count at i: digits, a number word, "a", "a few",
// "a couple of".
func (p *parser) number(i int) (int, int, bool) {
	if i >= len(p.toks) {
		return 0, i, false
	}
	t := p.toks[i]
	if t.num > 0 && t.num <= maxCount && !p.numberContinues(i) {
		return t.num, i + 1, true
	}
	if n, ok := numberWords[t.w]; ok {
		return n, i + 1, true
	}
	switch t.w {
	case "a", "an":
		if p.w(i+1) == "few" {
			return 3, i + 2, true
		}
		if p.w(i+1) == "couple" {
			if p.w(i+2) == "of" {
				return 2, i + 3, true
			}
			return 2, i + 2, true
		}
		return 1, i + 1, true
	case "couple":
		if p.w(i+1) == "of" {
			return 2, i + 2, true
		}
	}
	return 0, i, false
}

// numberContinues reports whether the number at i goes on past its token
// ("2,000", "3.5").
func (p *parser) numberContinues(i int) bool {
	if !p.adjacent(i) {
		return false
	}
	switch p.w(i + 1) {
	case ",", ".", ":":
		return p.adjacent(i+1) && p.toks[i+2].num >= 0
	case "%":
		return true
	}
	return false
}

// continuesNumber reports whether the token at i is the tail of a number or
// amount ("2,016", "$2016", "#2016").
func (p *parser) continuesNumber(i int) bool {
	if i == 0 || p.toks[i-1].e != p.toks[i].s {
		return false
	}
	switch p.w(i - 1) {
	case ",", ".", "$", "£", "€", "#", "-", "/", ":":
		return true
	}
	return false
}

// namedDayWords before a weekday name a feast or a shopping day ("Good
// Friday", "Super Tuesday"), not the most recent such day.
var namedDayWords = map[string]bool{
	"good": true, "black": true, "cyber": true, "super": true, "ash": true,
	"holy": true, "maundy": true, "easter": true, "bloody": true, "palm": true,
	"shrove": true, "whit": true, "giving": true,
}

var weekdays = map[string]time.Weekday{
	"monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
	"sunday": time.Sunday,
}

// weekday is the most recent such day on or before asOf's day, or strictly
// before it when before is set ("last Friday").
func (p *parser) weekday(end int, wd time.Weekday, before bool) (match, bool) {
	back := (isoIndex(p.today.Weekday()) - isoIndex(wd) + 7) % 7
	if before && back == 0 {
		back = 7
	}
	day := p.today.AddDate(0, 0, -back)
	return period(end, day, day.AddDate(0, 0, 1))
}

var months = map[string]time.Month{
	"january": time.January, "jan": time.January,
	"february": time.February, "feb": time.February,
	"march": time.March, "mar": time.March,
	"april": time.April, "apr": time.April,
	"may":  time.May,
	"june": time.June, "jun": time.June,
	"july": time.July, "jul": time.July,
	"august": time.August, "aug": time.August,
	"september": time.September, "sep": time.September, "sept": time.September,
	"october": time.October, "oct": time.October,
	"november": time.November, "nov": time.November,
	"december": time.December, "dec": time.December,
}

// dayNumber reads a day of the month at i: "3", "03", "3rd", "21st".
func (p *parser) dayNumber(i int) (int, bool) {
	if i >= len(p.toks) || p.numberContinues(i) || p.continuesNumber(i) {
		return 0, false
	}
	t := p.toks[i]
	if t.num >= 1 && t.num <= 31 && t.digits() <= 2 {
		return t.num, true
	}
	w := t.w
	if len(w) < 3 || len(w) > 4 {
		return 0, false
	}
	switch w[len(w)-2:] {
	case "st", "nd", "rd", "th":
	default:
		return 0, false
	}
	n := 0
	for k := 0; k < len(w)-2; k++ {
		c := w[k]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	if n < 1 || n > 31 {
		return 0, false
	}
	return n, true
}

// yearNumber reads a four-digit year at i for use after a month or day.
func (p *parser) yearNumber(i int) (int, bool) {
	if i >= len(p.toks) {
		return 0, false
	}
	t := p.toks[i]
	if t.digits() != 4 || t.num < 1000 || t.num > 2999 || p.numberContinues(i) {
		return 0, false
	}
	return t.num, true
}

// dayPeriod is the day y-m-d; y == 0 means the most recent such date on or
// before asOf's day. Impossible dates ("February 30") are not read.
func (p *parser) dayPeriod(end, y int, m time.Month, d int) (match, bool) {
	yearless := y == 0
	if yearless {
		y = p.today.Year()
		if p.date(y, m, d).After(p.today) || !validDate(y, m, d) {
			y--
		}
	}
	if !validDate(y, m, d) {
		return match{}, false
	}
	day := p.date(y, m, d)
	r, ok := period(end, day, day.AddDate(0, 0, 1))
	r.yearless = yearless
	return r, ok
}

func validDate(y int, m time.Month, d int) bool {
	return d >= 1 && time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Day() == d
}

// monthFirst reads "March 3", "March 3, 2024", "March 3rd", "March 2024" and,
// after a preposition, a bare "March" (the most recent March that has begun
// by asOf). "May 3" needs a preposition before it ("on May 3"), a year after
// it or an ordinal ("May 3rd").
func (p *parser) monthFirst(i int, ctx bool) (match, bool) {
	m, ok := months[p.w(i)]
	if !ok {
		return match{}, false
	}
	if d, ok := p.dayNumber(i + 1); ok {
		j := i + 2
		if p.w(j) == "," {
			if y, ok := p.yearNumber(j + 1); ok {
				return p.dayPeriod(j+2, y, m, d)
			}
		}
		if y, ok := p.yearNumber(j); ok {
			return p.dayPeriod(j+1, y, m, d)
		}
		if m == time.May && !ctx && p.toks[i+1].num >= 0 {
			// "Theresa May 2 votes", "they may 3 times"; "May 3rd" is read.
			return match{}, false
		}
		return p.dayPeriod(j, 0, m, d)
	}
	if y, ok := p.yearNumber(i + 1); ok {
		first := p.date(y, m, 1)
		return period(i+2, first, first.AddDate(0, 1, 0))
	}
	if !ctx || len(p.w(i)) < 4 && p.w(i) != "may" {
		// Bare abbreviations ("mar", "dec") are too often other words.
		return match{}, false
	}
	if m == time.May && !mayPreps[p.w(i-1)] {
		// "written by May", "pressure on May", "after May resigned".
		return match{}, false
	}
	y := p.today.Year()
	if m > p.today.Month() {
		y--
	}
	first := p.date(y, m, 1)
	r, ok := period(i+1, first, first.AddDate(0, 1, 0))
	r.yearless = true
	return r, ok
}

// mayPreps may come before a bare "May" that is the month.
var mayPreps = map[string]bool{
	"in": true, "during": true, "since": true, "from": true, "between": true,
	"and": true, "to": true, "until": true, "till": true, "through": true,
}

// dayFirst reads "3 March", "3rd of March", "3 March 2024". "3 may" needs a
// year or a preposition before it, since "may" is more often the verb.
func (p *parser) dayFirst(i int, ctx bool) (match, bool) {
	d, ok := p.dayNumber(i)
	if !ok {
		return match{}, false
	}
	j := i + 1
	if p.w(j) == "of" {
		j++
	}
	m, ok := months[p.w(j)]
	if !ok {
		return match{}, false
	}
	if y, ok := p.yearNumber(j + 1); ok {
		return p.dayPeriod(j+2, y, m, d)
	}
	if m == time.May && !ctx {
		return match{}, false
	}
	return p.dayPeriod(j+1, 0, m, d)
}

// iso reads "2024-03-03" and "2024-03".
func (p *parser) iso(i int) (match, bool) {
	y, ok := p.yearNumber(i)
	if !ok || p.continuesNumber(i) || p.w(i+1) != "-" || !p.adjacent(i) || !p.adjacent(i+1) {
		return match{}, false
	}
	mt := p.toks[min(i+2, len(p.toks)-1)]
	if i+2 >= len(p.toks) || mt.digits() != 2 || mt.num < 1 || mt.num > 12 {
		return match{}, false
	}
	m := time.Month(mt.num)
	if p.w(i+3) == "-" && p.adjacent(i+2) && p.adjacent(i+3) && i+4 < len(p.toks) {
		dt := p.toks[i+4]
		if dt.digits() == 2 && !p.numberContinues(i+4) {
			return p.dayPeriod(i+5, y, m, dt.num)
		}
		return match{}, false
	}
	if p.adjacent(i+2) && p.w(i+3) == "-" {
		return match{}, false
	}
	first := p.date(y, m, 1)
	return period(i+3, first, first.AddDate(0, 1, 0))
}

// yearFollowers may follow a bare year: function words and the events a year
// names ("the 2016 election").
var yearFollowers = map[string]bool{
	"and": true, "or": true, "but": true, "to": true, "when": true, "where": true,
	"what": true, "who": true, "why": true, "how": true, "which": true, "that": true,
	"than": true, "in": true, "on": true, "at": true, "for": true, "from": true,
	"since": true, "until": true, "with": true, "by": true, "about": true,
	"after": true, "before": true, "during": true, "was": true, "were": true,
	"is": true, "are": true, "did": true, "had": true, "has": true, "will": true,
	"the": true, "a": true, "he": true, "she": true, "it": true, "they": true,
	"we": true, "there": true, "as": true, "so": true, "then": true,
	"election": true, "elections": true, "olympics": true, "games": true,
	"world": true, "cup": true, "budget": true, "census": true, "season": true,
	"campaign": true, "referendum": true, "race": true, "vote": true,
	"polls": true, "midterms": true, "summit": true, "final": true, "war": true,
	"crisis": true, "attack": true, "attacks": true, "floods": true,
}

// sWords end in "s" but are no plural noun.
var sWords = map[string]bool{"is": true, "was": true, "has": true, "his": true, "this": true, "its": true, "us": true}

// countNouns follow counts, never years ("2016 people").
var countNouns = map[string]bool{
	"people": true, "police": true, "staff": true, "children": true,
	"men": true, "women": true, "personnel": true, "cattle": true,
}

// year reads a year 1900–2099 standing alone before the end, punctuation or
// a word in yearFollowers, or, after a preposition, a year 1000–2999 not
// followed by a count noun or a plural ("in 2000 homes").
func (p *parser) year(i int, ctx bool) (match, bool) {
	if i >= len(p.toks) {
		return match{}, false
	}
	t := p.toks[i]
	if t.digits() != 4 || p.numberContinues(i) || p.continuesNumber(i) {
		return match{}, false
	}
	lo, hi := 1900, 2099
	if ctx {
		lo, hi = 1000, 2999
	}
	if t.num < lo || t.num > hi {
		return match{}, false
	}
	if i+1 < len(p.toks) {
		next := p.toks[i+1]
		switch {
		case next.punct:
		case yearFollowers[next.w]:
		case ctx && !countNouns[next.w] && (!strings.HasSuffix(next.w, "s") || sWords[next.w]):
		default:
			return match{}, false
		}
	}
	first := p.date(t.num, time.January, 1)
	return period(i+1, first, first.AddDate(1, 0, 0))
}
