package extractive

import (
	"context"
	"github.com/newsdesk/newsdesk/bot"
	"strings"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/corpus"
	"github.com/newsdesk/newsdesk/retrieval"
)

// floodArticles is an invented archive, unrelated to the seed corpus, so
// that these tests exercise the method rather than the seed articles.
func floodArticles() []corpus.Article {
	day := time.Date(2023, 4, 12, 0, 0, 0, 0, time.UTC)
	return []corpus.Article{
		{ID: "gazette-flood", Title: "River bursts its banks", Source: "Valley Gazette", Published: day, Paragraphs: []string{
			"The River Orla burst its banks on Tuesday, flooding about 40sq km (15sq miles) of farmland south of Marlow.",
			"The National Flood Forecasting Service said the water could rise another 30cm by Thursday.",
			"“We have never seen the river this high,” said Mayor Dana Whitfield. “The old town is cut off.”",
			"Rescue crews evacuated 1,200 residents from low-lying streets overnight.",
		}},
		{ID: "herald-flood", Title: "Marlow floods: 1,200 evacuated", Source: "Northern Herald", Published: day.AddDate(0, 0, 1), Paragraphs: []string{
			"Rescue crews evacuated 1,200 residents from low-lying streets overnight, officials said.",
			"Water spread as far as 12 kilometres from the river, according to the county fire service.",
			"Insurers have not yet estimated the damage.",
		}},
		{ID: "courier-council", Title: "Council approves tram budget", Source: "City Courier", Published: day.AddDate(0, 0, 2), Paragraphs: []string{
			"The city council approved a 14% increase in the tram budget on Wednesday.",
			"Councillor Ravi Menon voted against the plan, calling it reckless.",
		}},
	}
}

func floodAnswerer(t *testing.T) *Extractive {
	t.Helper()
	ix, err := retrieval.Open(retrieval.Options{Embedder: retrieval.NewHashEmbedder()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Sync(context.Background(), floodArticles(), nil); err != nil {
		t.Fatal(err)
	}
	return New(ix, bot.Linker{})
}

func TestExtractiveOnAnUnseenArchive(t *testing.T) {
	ex := floodAnswerer(t)
	for _, c := range []struct {
		q, want string // want: a phrase the first quote must contain
	}{
		// An acronym the archive never writes, expanded from a name it does.
		{"What did the NFFS say?", "could rise another 30cm"},
		// "square kilometres" against "40sq km".
		{"How many square kilometres of farmland flooded?", "40sq km"},
		// "how far" asks for a distance; "far" is not a search term.
		{"How far did the water spread?", "12 kilometres"},
		// A percentage written with a sign.
		{"By what percent did the tram budget rise?", "14%"},
		{"who voted against the tram plan", "Ravi Menon"},
	} {
		a, err := ex.Answer(context.Background(), bot.Request{Question: c.q})
		if err != nil {
			t.Fatal(err)
		}
		if a.Abstained || len(a.Citations) == 0 || !strings.Contains(a.Citations[0].Quote, c.want) {
			t.Errorf("%q: want first quote with %q, got %s", c.q, c.want, bot.PlainText(a))
		}
	}
}

func TestExtractiveFoldsSyndicationAndAttributes(t *testing.T) {
	ex := floodAnswerer(t)
	a, err := ex.Answer(context.Background(), bot.Request{Question: "How many residents were evacuated?"})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Citations) == 0 || !strings.Contains(a.Citations[0].Quote, "1,200") || len(a.Citations[0].AlsoReportedBy) != 1 {
		t.Fatalf("want the evacuation sentence once, also reported by one outlet: %s", bot.PlainText(a))
	}
	for _, c := range a.Citations[1:] {
		if strings.Contains(c.Quote, "evacuated 1,200") {
			t.Fatalf("syndicated sentence quoted twice: %s", bot.PlainText(a))
		}
	}
	a, err = ex.Answer(context.Background(), bot.Request{Question: "What did the mayor say about the river?"})
	if err != nil {
		t.Fatal(err)
	}
	// The speaker is tagged, unless the quote names her itself (no
	// redundant "— Mayor Dana Whitfield" after '…,” said Mayor Dana Whitfield.').
	if len(a.Citations) == 0 || !strings.Contains(a.Citations[0].Quote, "never seen the river") ||
		!strings.Contains(a.Citations[0].Speaker+unquoted(a.Citations[0].Quote), "Dana Whitfield") {
		t.Fatalf("want the mayor's quote attributed: %+v", a.Citations)
	}
}

func TestExtractiveAbstains(t *testing.T) {
	ex := floodAnswerer(t)
	for _, q := range []string{
		"What did Governor Alvarez say about the flood?", // never mentioned
		"What did the WHO say?",                          // an acronym with no expansion
		"Who won the cycling race?",                      // off topic
		"What did the sheriff say about the river?",      // a speaker the archive never mentions
	} {
		a, err := ex.Answer(context.Background(), bot.Request{Question: q})
		if err != nil {
			t.Fatal(err)
		}
		if !a.Abstained || len(a.Citations) != 0 || !strings.Contains(a.Text, "3 articles") {
			t.Errorf("%q: want an abstention naming the archive size, got %s", q, bot.PlainText(a))
		}
	}
}

func TestQuantities(t *testing.T) {
	for s, want := range map[string]bool{
		"A vigil is planned for Wednesday at 7 p.m. on the lawn.":    false,
		"The dam was built in 1958 and inspected on April 12.":       false,
		"The death toll rose to 12 on Tuesday.":                      true,
		"Twenty-seven workers were in that section.":                 true,
		"It set aside 450 million kroner (about $66 million).":       true,
		"Thousands of residents fled.":                               true,
		"One of the officials said the talks would resume at 10:30.": false,
	} {
		if got := len(quantitiesOf(s).nums) > 0; got != want {
			t.Errorf("quantitiesOf(%q) has a quantity = %v, want %v", s, got, want)
		}
	}
	q := analyze("How many people died?", nil)
	if !quantitiesOf("The death toll rose to 12 on Tuesday.").near(&q) {
		t.Error("12 beside 'death toll' is not near 'died'")
	}
	if quantitiesOf("The toll, officials said on Monday in a long statement that ran to 12 pages.").near(&q) {
		t.Error("12 pages, far from 'toll', counted as near")
	}
}

// FuzzAnswer feeds arbitrary questions (they come from chat) to the
// extractive answerer over a small archive: it must not panic, and every
// quote it gives must be verbatim from its article.
func FuzzAnswer(f *testing.F) {
	for _, q := range []string{
		"What did the NFFS say?", "How many square kilometres of farmland flooded?",
		"Who is the mayor of Marlow?", "What does NFFS stand for", "İSTANBUL’s Ñandú-Çorp 27,000%?",
		"who is leading the Federal Bureau of Investigation's probe into €3bn", "“'s ’s -- ,, 1,",
		"who was greasing Ñúñez’s palm, throw in the İ towel",
	} {
		f.Add(q)
	}
	ix, err := retrieval.Open(retrieval.Options{Embedder: retrieval.NewHashEmbedder()})
	if err != nil {
		f.Fatal(err)
	}
	if _, err := ix.Sync(context.Background(), floodArticles(), nil); err != nil {
		f.Fatal(err)
	}
	ex := New(ix, bot.Linker{})
	f.Fuzz(func(t *testing.T, q string) {
		a, err := ex.Answer(context.Background(), bot.Request{Question: q})
		if err != nil {
			if strings.TrimSpace(q) == "" {
				return
			}
			t.Fatalf("Answer(%q): %v", q, err)
		}
		for _, c := range a.Citations {
			art := ix.Article(c.ArticleID)
			if art == nil || !strings.Contains(art.Text(), c.Quote) {
				t.Fatalf("Answer(%q): quote not verbatim: %q", q, c.Quote)
			}
		}
	})
}
