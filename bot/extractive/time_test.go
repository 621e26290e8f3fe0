package extractive

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/bot"
	"github.com/newsdesk/newsdesk/corpus"
)

// TestTimeInQuestions: "this week", "in 2016" and "latest" are read
// relative to the time of asking (red-team: "who became prime minister
// this week?" over a 22-week archive quoted a 2016 story).
func TestTimeInQuestions(t *testing.T) {
	day := func(s string) time.Time {
		d, err := time.Parse("2006-01-02", s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	arts := []corpus.Article{
		{ID: "old", Source: "Herald", Published: day("2016-07-13"), Paragraphs: []string{
			"Theresa Marlow became prime minister on Wednesday after the party chose her as its new leader."}},
		{ID: "new", Source: "Courier", Published: day("2026-11-30"), Paragraphs: []string{
			"Daniel Okafor became prime minister on Monday after winning a confidence vote in parliament."}},
		{ID: "mid", Source: "Gazette", Published: day("2026-06-02"), Paragraphs: []string{
			"The finance minister presented the budget to parliament."}},
	}
	ex := New(articleIndex(t, arts), bot.Linker{})
	asOf := day("2026-12-02").Add(15 * time.Hour)
	ask := func(q string) *bot.Answer {
		a, err := ex.Answer(context.Background(), bot.Request{Question: q, AsOf: asOf})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	if a := ask("who became prime minister this week?"); len(a.Citations) == 0 || a.Citations[0].ArticleID != "new" {
		t.Errorf("this week: %s", a.Text)
	} else {
		for _, c := range a.Citations {
			if c.ArticleID == "old" {
				t.Errorf("this week quotes the 2016 story: %s", a.Text)
			}
		}
	}
	if a := ask("who became prime minister in 2016"); len(a.Citations) == 0 || a.Citations[0].ArticleID != "old" {
		t.Errorf("in 2016: %s", a.Text)
	}
	// No article from yesterday: the closest reports, saying so.
	if a := ask("who became prime minister yesterday"); a.Abstained || !strings.Contains(strings.Join(a.Notes, " "), "yesterday") {
		t.Errorf("yesterday (no article that day) should answer from other dates with a note: %s %v", a.Text, a.Notes)
	}
}
