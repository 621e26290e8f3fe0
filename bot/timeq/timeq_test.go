package timeq

import (
	"strings"
	"testing"
	"time"
)

// asOf is a Wednesday; its ISO week starts on Monday 2026-11-30.
var asOf = time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)

// ts parses "2006-01-02" or "2006-01-02T15" in UTC; "" is the zero time.
func ts(t *testing.T, s string) time.Time {
	t.Helper()
	if s == "" {
		return time.Time{}
	}
	layout := "2006-01-02"
	if strings.Contains(s, "T") {
		layout = "2006-01-02T15"
	}
	v, err := time.ParseInLocation(layout, s, time.UTC)
	if err != nil {
		t.Fatalf("bad test time %q: %v", s, err)
	}
	return v
}

type readCase struct {
	q        string
	from, to string   // expected period; both "" for none
	latest   bool     // expected Latest
	spans    []string // expected question[span] for each span
}

func checkRead(t *testing.T, c readCase, at time.Time) {
	t.Helper()
	r := Read(c.q, at)
	if got, want := r.From, ts(t, c.from); !got.Equal(want) {
		t.Errorf("Read(%q).From = %v, want %v", c.q, got, want)
	}
	if got, want := r.To, ts(t, c.to); !got.Equal(want) {
		t.Errorf("Read(%q).To = %v, want %v", c.q, got, want)
	}
	if r.Latest != c.latest {
		t.Errorf("Read(%q).Latest = %v, want %v", c.q, r.Latest, c.latest)
	}
	var got []string
	for _, sp := range r.Spans {
		got = append(got, c.q[sp[0]:sp[1]])
	}
	if strings.Join(got, "|") != strings.Join(c.spans, "|") {
		t.Errorf("Read(%q) spans = %q, want %q", c.q, got, c.spans)
	}
	wantPhrase := ""
	if len(c.spans) > 0 {
		wantPhrase = c.spans[0]
		if c.from != "" || c.to != "" {
			// The phrase is the period expression, which the tables list
			// first unless a Latest word comes before it.
			for _, s := range c.spans {
				if !isLatestWord(s) {
					wantPhrase = s
					break
				}
			}
		}
	}
	if r.Phrase != wantPhrase {
		t.Errorf("Read(%q).Phrase = %q, want %q", c.q, r.Phrase, wantPhrase)
	}
}

func isLatestWord(s string) bool {
	for _, seq := range latestSeqs {
		if strings.EqualFold(s, strings.Join(seq, " ")) {
			return true
		}
	}
	return false
}

func TestRead(t *testing.T) {
	cases := []readCase{
		// The motivating question.
		{q: "who became prime minister this week?", from: "2026-11-30", to: "2026-12-03", spans: []string{"this week"}},
		// Days and parts of days.
		{q: "What happened today?", from: "2026-12-02", to: "2026-12-03", spans: []string{"today"}},
		{q: "what's on TONIGHT", from: "2026-12-02T18", to: "2026-12-03", spans: []string{"on TONIGHT"}},
		{q: "who resigned yesterday", from: "2026-12-01", to: "2026-12-02", spans: []string{"yesterday"}},
		{q: "yesterday morning's fire", from: "2026-12-01", to: "2026-12-01T12", spans: []string{"yesterday morning"}},
		{q: "what did the mayor say the day before yesterday", from: "2026-11-30", to: "2026-12-01", spans: []string{"the day before yesterday"}},
		{q: "fire this morning", from: "2026-12-02", to: "2026-12-02T12", spans: []string{"this morning"}},
		{q: "vote this afternoon", from: "2026-12-02T12", to: "2026-12-02T18", spans: []string{"this afternoon"}},
		{q: "this evening's match", from: "2026-12-02T18", to: "2026-12-03", spans: []string{"this evening"}},
		{q: "what happened last night", from: "2026-12-01T18", to: "2026-12-02T06", spans: []string{"last night"}},
		{q: "storms overnight", from: "2026-12-01T18", to: "2026-12-03", spans: []string{"overnight"}},
		{q: "what is on tomorrow", from: "2026-12-03", to: "2026-12-04", spans: []string{"on tomorrow"}},
		{q: "May 3rd protests", from: "2026-05-03", to: "2026-05-04", spans: []string{"May 3rd"}},
		{q: "between December 20 and January 5", from: "2025-12-20", to: "2026-01-06", spans: []string{"between December 20 and January 5"}},
		{q: "from 3 March to 5 March 2024", from: "2024-03-03", to: "2024-03-06", spans: []string{"from 3 March to 5 March 2024"}},
		// Weeks, months, years.
		{q: "last week's floods", from: "2026-11-23", to: "2026-11-30", spans: []string{"last week"}},
		{q: "cases in the past 3 days", from: "2026-11-29", to: "2026-12-03", spans: []string{"in the past 3 days"}},
		{q: "over the last two weeks", from: "2026-11-18", to: "2026-12-03", spans: []string{"over the last two weeks"}},
		{q: "past 6 months", from: "2026-06-02", to: "2026-12-03", spans: []string{"past 6 months"}},
		{q: "the last few days", from: "2026-11-29", to: "2026-12-03", spans: []string{"the last few days"}},
		{q: "the past week", from: "2026-11-25", to: "2026-12-03", spans: []string{"the past week"}},
		{q: "this past week", from: "2026-11-25", to: "2026-12-03", spans: []string{"this past week"}},
		{q: "in the past 24 hours", from: "2026-12-01T15", to: "2026-12-03", spans: []string{"in the past 24 hours"}},
		{q: "the last couple of years", from: "2024-12-02", to: "2026-12-03", spans: []string{"the last couple of years"}},
		{q: "this month", from: "2026-12-01", to: "2026-12-03", spans: []string{"this month"}},
		{q: "what happened last month", from: "2026-11-01", to: "2026-12-01", spans: []string{"last month"}},
		{q: "this year", from: "2026-01-01", to: "2026-12-03", spans: []string{"this year"}},
		{q: "last year", from: "2025-01-01", to: "2026-01-01", spans: []string{"last year"}},
		{q: "earlier this week", from: "2026-11-30", to: "2026-12-02", spans: []string{"earlier this week"}},
		{q: "earlier this month", from: "2026-12-01", to: "2026-12-02", spans: []string{"earlier this month"}},
		{q: "earlier this year", from: "2026-01-01", to: "2026-12-02", spans: []string{"earlier this year"}},
		{q: "earlier today", from: "2026-12-02", to: "2026-12-02T15", spans: []string{"earlier today"}},
		{q: "what was said recently", from: "2026-11-25", to: "2026-12-03", spans: []string{"recently"}},
		{q: "in recent weeks", from: "2026-11-04", to: "2026-12-03", spans: []string{"in recent weeks"}},
		{q: "this weekend", from: "2026-11-28", to: "2026-11-30", spans: []string{"this weekend"}},
		{q: "last weekend", from: "2026-11-28", to: "2026-11-30", spans: []string{"last weekend"}},
		{q: "over the weekend", from: "2026-11-28", to: "2026-11-30", spans: []string{"over the weekend"}},
		// Ago.
		{q: "two days ago", from: "2026-11-30", to: "2026-12-01", spans: []string{"two days ago"}},
		{q: "3 weeks ago", from: "2026-11-09", to: "2026-11-16", spans: []string{"3 weeks ago"}},
		{q: "a month ago", from: "2026-11-01", to: "2026-12-01", spans: []string{"a month ago"}},
		{q: "a year ago", from: "2025-01-01", to: "2026-01-01", spans: []string{"a year ago"}},
		{q: "2 hours ago", from: "2026-12-02T13", to: "2026-12-02T14", spans: []string{"2 hours ago"}},
		// Years and months.
		{q: "who won in 2016?", from: "2016-01-01", to: "2017-01-01", spans: []string{"in 2016"}},
		{q: "2016?", from: "2016-01-01", to: "2017-01-01", spans: []string{"2016"}},
		{q: "the 2016 election", from: "2016-01-01", to: "2017-01-01", spans: []string{"the 2016"}},
		{q: "during 1999", from: "1999-01-01", to: "2000-01-01", spans: []string{"during 1999"}},
		{q: "what happened in March", from: "2026-03-01", to: "2026-04-01", spans: []string{"in March"}},
		{q: "in March 2024", from: "2024-03-01", to: "2024-04-01", spans: []string{"in March 2024"}},
		{q: "in May", from: "2026-05-01", to: "2026-06-01", spans: []string{"in May"}},
		{q: "May 2024", from: "2024-05-01", to: "2024-06-01", spans: []string{"May 2024"}},
		{q: "last March", from: "2026-03-01", to: "2026-04-01", spans: []string{"last March"}},
		{q: "this December", from: "2026-12-01", to: "2026-12-03", spans: []string{"this December"}},
		// Since.
		{q: "since Monday", from: "2026-11-30", to: "2026-12-03", spans: []string{"since Monday"}},
		{q: "since March 3", from: "2026-03-03", to: "2026-12-03", spans: []string{"since March 3"}},
		{q: "since last week", from: "2026-11-23", to: "2026-12-03", spans: []string{"since last week"}},
		{q: "since 2016", from: "2016-01-01", to: "2026-12-03", spans: []string{"since 2016"}},
		{q: "from 2020", from: "2020-01-01", to: "2026-12-03", spans: []string{"from 2020"}},
		// Weekdays: the most recent such day on or before asOf.
		{q: "what happened on Friday", from: "2026-11-27", to: "2026-11-28", spans: []string{"on Friday"}},
		{q: "on Monday", from: "2026-11-30", to: "2026-12-01", spans: []string{"on Monday"}},
		{q: "on wednesday", from: "2026-12-02", to: "2026-12-03", spans: []string{"on wednesday"}},
		{q: "last Wednesday", from: "2026-11-25", to: "2026-11-26", spans: []string{"last Wednesday"}},
		{q: "this Friday", from: "2026-12-04", to: "2026-12-05", spans: []string{"this Friday"}},
		{q: "Friday's attack", from: "2026-11-27", to: "2026-11-28", spans: []string{"Friday"}},
		// Dates.
		{q: "on March 3", from: "2026-03-03", to: "2026-03-04", spans: []string{"on March 3"}},
		{q: "on 3 March", from: "2026-03-03", to: "2026-03-04", spans: []string{"on 3 March"}},
		{q: "the 3rd of March", from: "2026-03-03", to: "2026-03-04", spans: []string{"the 3rd of March"}},
		{q: "on 2024-03-03", from: "2024-03-03", to: "2024-03-04", spans: []string{"on 2024-03-03"}},
		{q: "2024-03 figures", from: "2024-03-01", to: "2024-04-01", spans: []string{"2024-03"}},
		{q: "March 3rd, 2024", from: "2024-03-03", to: "2024-03-04", spans: []string{"March 3rd, 2024"}},
		{q: "on May 3", from: "2026-05-03", to: "2026-05-04", spans: []string{"on May 3"}},
		{q: "3 May 2024", from: "2024-05-03", to: "2024-05-04", spans: []string{"3 May 2024"}},
		{q: "on December 25", from: "2025-12-25", to: "2025-12-26", spans: []string{"on December 25"}},
		{q: "the March 3 agreement", from: "2026-03-03", to: "2026-03-04", spans: []string{"the March 3"}},
		// Between.
		{q: "between March 3 and March 5", from: "2026-03-03", to: "2026-03-06", spans: []string{"between March 3 and March 5"}},
		{q: "between 2016 and 2018", from: "2016-01-01", to: "2019-01-01", spans: []string{"between 2016 and 2018"}},
		{q: "between Monday and yesterday", from: "2026-11-30", to: "2026-12-02", spans: []string{"between Monday and yesterday"}},
		{q: "from March to May 2024", from: "2024-03-01", to: "2024-06-01", spans: []string{"from March to May 2024"}},
		// Open starts.
		{q: "before 2016", from: "", to: "2016-01-01", spans: []string{"before 2016"}},
		{q: "until last week", from: "", to: "2026-11-30", spans: []string{"until last week"}},
		// Latest.
		{q: "what is the latest on the strike?", latest: true, spans: []string{"latest"}},
		{q: "most recent figures", latest: true, spans: []string{"most recent"}},
		{q: "who is prime minister now", latest: true, spans: []string{"now"}},
		{q: "who currently leads", latest: true, spans: []string{"currently"}},
		{q: "deaths to date", latest: true, spans: []string{"to date"}},
		{q: "how many so far this year?", from: "2026-01-01", to: "2026-12-03", latest: true, spans: []string{"so far", "this year"}},
		// Several periods: the first wins, all spans are reported.
		{q: "yesterday or today", from: "2026-12-01", to: "2026-12-02", spans: []string{"yesterday", "today"}},
		// False-positive guards.
		{q: "What did Theresa May say about Brexit?"},
		{q: "Theresa May 2 votes"},
		{q: "they may 3 times"},
		{q: "2,000 km of road"},
		{q: "2016 people died"},
		{q: "2016 troops were sent"},
		{q: "in 2000 homes"},
		{q: "in 2016 people"},
		{q: "a $2016 fine"},
		{q: "about 2,016 km"},
		{q: "2016.5 tonnes"},
		{q: "2016% rise"},
		{q: "the march on Washington"},
		{q: "they joined in the march"},
		{q: "I sat down on the sun deck"},
		{q: "the dec vote"},
		{q: "top 10 stories in 10 years"},
		{q: "within two weeks of the flood"},
		{q: "who knows"},
		{q: "the budget of 12 billion"},
		{q: "flight 1234"},
		{q: "route 66 in 3 days"},
		{q: "this may be wrong"},
		{q: "the last march on Washington"},
		{q: "a book written by May"},
		{q: "pressure on May grew"},
		{q: "after May resigned"},
		{q: "a win for May"},
		{q: "Good Friday agreement"},
		{q: "Super Tuesday results"},
		{q: "the last time we met"},
		{q: "in the past"},
		{q: "the 2016-17 season", from: "2016-01-01", to: "2017-01-01", spans: []string{"the 2016"}},
		{q: "the 9/11 attacks"},
		{q: "since May", from: "2026-05-01", to: "2026-12-03", spans: []string{"since May"}},
		{q: "between April and May", from: "2026-04-01", to: "2026-06-01", spans: []string{"between April and May"}},
		{q: ""},
	}
	for _, c := range cases {
		checkRead(t, c, asOf)
	}
}

// TestReadWeekend checks the weekend rules when asOf itself is on a weekend.
func TestReadWeekend(t *testing.T) {
	sunday := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	checkRead(t, readCase{q: "this weekend", from: "2026-12-05", to: "2026-12-07", spans: []string{"this weekend"}}, sunday)
	checkRead(t, readCase{q: "last weekend", from: "2026-11-28", to: "2026-11-30", spans: []string{"last weekend"}}, sunday)
	checkRead(t, readCase{q: "on Sunday", from: "2026-12-06", to: "2026-12-07", spans: []string{"on Sunday"}}, sunday)
	checkRead(t, readCase{q: "earlier this week", from: "2026-11-30", to: "2026-12-06", spans: []string{"earlier this week"}}, sunday)
}

// TestReadMonday checks that "earlier this week" on a Monday is not empty.
func TestReadMonday(t *testing.T) {
	monday := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	checkRead(t, readCase{q: "earlier this week", from: "2026-11-30", to: "2026-12-01", spans: []string{"earlier this week"}}, monday)
	checkRead(t, readCase{q: "last Monday", from: "2026-11-23", to: "2026-11-24", spans: []string{"last Monday"}}, monday)
}

// TestReadEarlyInYear checks months and dates that must fall in the year
// before asOf's.
func TestReadEarlyInYear(t *testing.T) {
	feb := time.Date(2026, 2, 10, 12, 0, 0, 0, time.UTC)
	checkRead(t, readCase{q: "in March", from: "2025-03-01", to: "2025-04-01", spans: []string{"in March"}}, feb)
	checkRead(t, readCase{q: "in February", from: "2026-02-01", to: "2026-02-11", spans: []string{"in February"}}, feb)
	checkRead(t, readCase{q: "last February", from: "2025-02-01", to: "2025-03-01", spans: []string{"last February"}}, feb)
	checkRead(t, readCase{q: "last month", from: "2026-01-01", to: "2026-02-01", spans: []string{"last month"}}, feb)
	checkRead(t, readCase{q: "on March 3", from: "2025-03-03", to: "2025-03-04", spans: []string{"on March 3"}}, feb)
	checkRead(t, readCase{q: "on February 30"}, feb)
	leap := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	checkRead(t, readCase{q: "on February 29", from: "2024-02-29", to: "2024-03-01", spans: []string{"on February 29"}}, leap)
}

// TestReadLocation checks that periods are in asOf's location, with days
// that are 25 hours long across a DST change.
func TestReadLocation(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skipf("no tz data: %v", err)
	}
	at := time.Date(2026, 11, 2, 1, 30, 0, 0, ny) // DST ended on 2026-11-01
	r := Read("yesterday", at)
	if want := time.Date(2026, 11, 1, 0, 0, 0, 0, ny); !r.From.Equal(want) || r.From.Location() != ny {
		t.Errorf("From = %v, want %v", r.From, want)
	}
	if want := time.Date(2026, 11, 2, 0, 0, 0, 0, ny); !r.To.Equal(want) {
		t.Errorf("To = %v, want %v", r.To, want)
	}
	if got := r.To.Sub(r.From); got != 25*time.Hour {
		t.Errorf("yesterday lasts %v, want 25h", got)
	}
	// 01:30 in New York is already 2 December in UTC; "today" must not be.
	r = Read("today", time.Date(2026, 12, 1, 20, 0, 0, 0, ny))
	if want := time.Date(2026, 12, 1, 0, 0, 0, 0, ny); !r.From.Equal(want) {
		t.Errorf("today From = %v, want %v", r.From, want)
	}
}

func TestContains(t *testing.T) {
	r := Read("yesterday", asOf)
	for _, c := range []struct {
		t    time.Time
		want bool
	}{
		{time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), true},
		{time.Date(2026, 12, 1, 23, 59, 0, 0, time.UTC), true},
		{time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC), false},
		{time.Date(2026, 11, 30, 23, 0, 0, 0, time.UTC), false},
	} {
		if got := r.Contains(c.t); got != c.want {
			t.Errorf("Contains(%v) = %v, want %v", c.t, got, c.want)
		}
	}
	if (Reading{}).Contains(asOf) {
		t.Error("empty Reading contains asOf")
	}
	open := Read("before 2016", asOf)
	if !open.Contains(time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC)) || open.Contains(time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("open-start period %v–%v wrong", open.From, open.To)
	}
}

func FuzzRead(f *testing.F) {
	for _, s := range []string{
		"who became prime minister this week?", "between March 3 and March 5",
		"on 2024-03-03", "2,000 km", "Theresa May said", "since last week",
		"the day before yesterday", "3 weeks ago", "from March to May 2024",
		"2024-", "March 31st,", "between", "in 9999", "last 99999 years",
		"Ünïcödé März 2016 — heute", "\xff\xfe 2016",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		r := Read(q, asOf)
		prev := 0
		for _, sp := range r.Spans {
			if sp[0] < prev || sp[0] >= sp[1] || sp[1] > len(q) {
				t.Fatalf("bad span %v (previous end %d, len %d) in %q", sp, prev, len(q), q)
			}
			prev = sp[1]
		}
		if r.HasPeriod() && !r.From.IsZero() && !r.From.Before(r.To) {
			t.Fatalf("empty period %v–%v for %q", r.From, r.To, q)
		}
		if r.HasPeriod() && r.Phrase == "" {
			t.Fatalf("period without phrase for %q", q)
		}
		if (len(r.Spans) == 0) != (r.Phrase == "") {
			t.Fatalf("phrase %q with spans %v for %q", r.Phrase, r.Spans, q)
		}
		if r.Phrase != "" && !strings.Contains(q, r.Phrase) {
			t.Fatalf("phrase %q not in %q", r.Phrase, q)
		}
	})
}

func BenchmarkRead(b *testing.B) {
	q := "who became prime minister this week, and what did Theresa May say since March 3 about the 2,000 troops?"
	b.ReportAllocs()
	for b.Loop() {
		Read(q, asOf)
	}
}
