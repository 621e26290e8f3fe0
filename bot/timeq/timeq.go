// Package timeq reads the time expressions in a newsroom question ("this
// week", "yesterday", "in March 2024", "since Monday", "latest") relative to
// the moment the question is asked, so that retrieval can prefer or restrict
// to articles from the period the reporter means.
//
// The reader is a compact hand-written rule set over word tokens. It is
// deliberately conservative with words that are also names or counts: a month
// name needs a day, a year or a preposition ("in May", "May 3", "May 2024"),
// so "Theresa May said" is not a date, and a four-digit year needs a
// preposition or must stand alone, so "2016 people" and "2,000 km" are not
// years.
package timeq

import (
	"time"
)

// Reading is what a question says about time.
type Reading struct {
	// From and To bound the period asked about, [From, To), in asOf's
	// location. Both are zero when the question names no period. From alone
	// is zero for open-start periods ("before 2016", "until March").
	// A period that contains asOf ends at the end of asOf's day: "this
	// week" asked on a Wednesday is Monday 00:00 to Thursday 00:00, since
	// nothing later had been published as of then.
	From, To time.Time
	// Latest is set by "latest", "most recent", "so far", "now",
	// "currently", "to date" and similar: prefer the newest reports.
	Latest bool
	// Spans are the byte spans [start, end) of every time expression in the
	// question, in order and non-overlapping, so the caller can drop them
	// from its search terms. They include a leading preposition that belongs
	// to the expression ("in 2016", "since Monday").
	Spans [][2]int
	// Phrase is the first period expression as written ("this week"), or
	// the first Latest expression when there is no period; "" when none.
	Phrase string
}

// HasPeriod reports whether the question names a period.
func (r Reading) HasPeriod() bool { return !r.To.IsZero() }

// Contains reports whether t falls in the period asked about. It is false
// when there is no period.
func (r Reading) Contains(t time.Time) bool {
	if !r.HasPeriod() {
		return false
	}
	return !t.Before(r.From) && t.Before(r.To)
}

// Read reads the time expressions in question relative to asOf, the moment
// the question is asked. Periods are computed in asOf's location; weeks start
// on Monday (ISO 8601). When the question names several periods the first
// one wins ("between X and Y" is one period).
func Read(question string, asOf time.Time) Reading {
	p := parser{q: question, toks: tokenize(question), asOf: asOf}
	p.init()
	var r Reading
	latestPhrase := ""
	for i := 0; i < len(p.toks); {
		m, ok := p.match(i)
		if !ok {
			i++
			continue
		}
		span := [2]int{p.toks[i].s, p.toks[m.end-1].e}
		r.Spans = append(r.Spans, span)
		text := question[span[0]:span[1]]
		if m.latest {
			r.Latest = true
			if latestPhrase == "" {
				latestPhrase = text
			}
		}
		if m.hasPeriod && !r.HasPeriod() {
			r.From, r.To = p.capped(m.from, m.to)
			r.Phrase = text
		}
		i = m.end
	}
	if r.Phrase == "" {
		r.Phrase = latestPhrase
	}
	return r
}
