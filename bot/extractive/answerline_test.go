package extractive

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/bot"
	"github.com/newsdesk/newsdesk/bot/timeq"
	"github.com/newsdesk/newsdesk/corpus"
)

// TestAnswerLineDev checks the answer line (the first line of the answer)
// of the dev questions that have a short answer: every listed group must
// appear in it, in one of its spellings.
func TestAnswerLineDev(t *testing.T) {
	want := map[string][][]string{
		"dev01": {{"defense ministry", "defence ministry"}, {"Girkin"}},
		"dev02": {{"27,000"}},
		"dev03": {{"supply"}},
		"dev04": {{"head of the Russian-appointed local government"}},
		"dev08": {{"2,500"}},
		"dev09": {{"Baerbock"}},
		"n01":   {{"southwest"}},
		"n02":   {{"Friday"}},
		"n06":   {{"61"}},
		"n07":   {{"second trip"}},
		"n08":   {{"weapons"}},
		"n09":   {{"Stoltenberg"}},
		"n10":   {{"62"}},
		"n11":   {{"five"}},
		"n14":   {{"rebel leader"}},
		"n15":   {{"Friday"}, {"Saturday"}},
	}
	ex := New(devIndex(t), bot.Linker{})
	qs := append(loadQuestions(t, "testdata/dev.jsonl"), loadQuestions(t, "testdata/dev2.jsonl")...)
	checked := 0
	for _, q := range qs {
		groups, ok := want[q.ID]
		if !ok {
			continue
		}
		checked++
		a, err := ex.Answer(context.Background(), bot.Request{Question: q.Question})
		if err != nil {
			t.Fatal(err)
		}
		line, _, _ := strings.Cut(a.Text, "\n")
		for _, g := range groups {
			hit := false
			for _, alt := range g {
				hit = hit || strings.Contains(line, alt)
			}
			if !hit {
				t.Errorf("%s %q: answer line %q lacks %q", q.ID, q.Question, line, g)
			}
		}
	}
	if checked != len(want) {
		t.Fatalf("checked %d of %d questions", checked, len(want))
	}
}

// TestAnswerLineFiguresDiffer: when the outlets give different figures
// for the same quantity, the answer line lists them with who said them
// and which outlet reported them.
func TestAnswerLineFiguresDiffer(t *testing.T) {
	ex := New(devIndex(t), bot.Linker{})
	a, err := ex.Answer(context.Background(), bot.Request{Question: "how much territory has ukraine retaken"})
	if err != nil {
		t.Fatal(err)
	}
	line, _, _ := strings.Cut(a.Text, "\n")
	if !strings.HasPrefix(line, "Reports differ: ") {
		t.Fatalf("answer line %q does not list differing figures", line)
	}
	figures := 0
	for _, f := range []string{"390 square miles", "2,500", "2,000sq km", "1,000 square kilometers"} {
		if strings.Contains(line, f) {
			figures++
		}
	}
	if figures < 3 || !strings.Contains(line, "Zelenskyy") || !strings.Contains(line, "Institute for the Study of War") {
		t.Errorf("answer line %q: want three of the area figures, with Zelenskyy and the ISW as sources", line)
	}
	for _, bad := range []string{"towns", "hour"} {
		if strings.Contains(line, bad) {
			t.Errorf("answer line %q gives a figure that is not an area", line)
		}
	}
}

// TestAttributionTags: "…,” Zelenskyy said." carries no redundant speaker
// tag, reported speech ending ", he said" is attributed to the person
// named before, and a nationality is never a speaker.
func TestAttributionTags(t *testing.T) {
	ex := New(devIndex(t), bot.Linker{})
	a, err := ex.Answer(context.Background(), bot.Request{Question: "what did zelensky say"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range a.Citations {
		if c.Speaker != "" && namesSpeaker(c.Quote, c.Speaker) {
			t.Errorf("[%d] %q repeats its speaker %q", c.N, c.Quote, c.Speaker)
		}
		if isDemonym(c.Speaker) {
			t.Errorf("[%d] speaker %q is a nationality", c.N, c.Speaker)
		}
	}
	if !strings.Contains(a.Text, "show its back") {
		t.Errorf("lower-case zelensky lost the 'show its back' quote:\n%s", a.Text)
	}
	got := speakerOf("Ukraine’s armed forces have liberated about 2,000sq km of territory since a counter-offensive commenced, he said.",
		[]string{"President Volodymyr Zelenskyy said the army was advancing."})
	if !strings.Contains(got, "Zelenskyy") {
		t.Errorf("reported speech ending ', he said' attributed to %q, want Zelenskyy", got)
	}
}

// TestAnswerLineJoinedPassage: when two adjacent sentences are quoted as
// one passage, the figure is taken from the passage as quoted (its
// offsets were once those of the second sentence alone).
func TestAnswerLineJoinedPassage(t *testing.T) {
	ex := New(devIndex(t), bot.Linker{})
	a, err := ex.Answer(context.Background(), bot.Request{Question: "how much territory has ukraine recaptured according to the ISW"})
	if err != nil {
		t.Fatal(err)
	}
	line, _, _ := strings.Cut(a.Text, "\n")
	if !strings.Contains(line, "2,500") {
		t.Errorf("answer line %q lacks the ISW's 2,500", line)
	}
	for _, c := range a.Citations {
		if !strings.Contains(c.Quote, "2,500") {
			continue
		}
		for _, w := range strings.Fields(strings.Trim(line, "Reports differ:")) {
			if w = strings.Trim(w, "[]0123456789.,·()"); w != "" && !strings.Contains(a.Text, w) {
				t.Errorf("answer line word %q is not in the answer's quotes", w)
			}
		}
	}
}

// Figures of different kinds (a count, a share) are not rival values of
// one quantity: the answer line gives the count asked for, without
// "Reports differ".
func TestAnswerLineKeepsOneKindOfFigure(t *testing.T) {
	day := time.Date(2024, 9, 3, 0, 0, 0, 0, time.UTC)
	arts := []corpus.Article{
		{ID: "cuts", Title: "Night water cuts begin", Source: "Valley Daily", Published: day, Paragraphs: []string{
			"Taps in about 410,000 households in Valmora will run dry every night from Monday, the water company said.",
			"Households in Valmora use roughly 27 per cent of the water the region supplies, the company said.",
		}},
	}
	ex := New(articleIndex(t, arts), bot.Linker{})
	a, err := ex.Answer(context.Background(), bot.Request{Question: "how many households in valmora lose their water at night", AsOf: day})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(a.Lead, "differ") || !strings.Contains(a.Lead, "410,000 households") {
		t.Errorf("answer line %q: want the count alone", a.Lead)
	}
	for s, want := range map[string]string{"27 per cent": "share", "40%": "share", "€3m": "money", "120 million pounds": "money", "410,000 households": "count"} {
		if got := figureClass(s); got != want {
			t.Errorf("figureClass(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestClockOf(t *testing.T) {
	for in, want := range map[string]string{
		"The company will cut the supply between 11 p.m. and 6 a.m. from May 11.": "between 11 p.m. and 6 a.m.",
		"Taps run dry from 11pm to 6am.":                                          "from 11pm to 6am",
		"The clinic opens at 10 a.m. on weekdays.":                                "10 a.m.",
		"Security staff detected the intrusion at about 3:40 a.m. on Sunday.":     "3:40 a.m.",
		"Nothing happened.": "",
	} {
		if got := clockOf(in); got != want {
			t.Errorf("clockOf(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDatelineEnd(t *testing.T) {
	for in, want := range map[string]string{
		"MILAN — Shares in Veltra fell.":                        "Shares in Veltra fell.",
		"ROME, March 5 (EBW) - Italy's industry minister said.": "Italy's industry minister said.",
		"CARVER SPRINGS, Mo. — The dam failed.":                 "The dam failed.",
		"Shares in Veltra fell.":                                "Shares in Veltra fell.",
		"NATO said on Monday - late - that it agreed.":          "NATO said on Monday - late - that it agreed.",
	} {
		if got := in[datelineEnd(in):]; got != want {
			t.Errorf("after the dateline of %q: %q, want %q", in, got, want)
		}
	}
}

// "How many cars derailed": the answer line gives the figure that counts
// cars, not the hours a fire burned in the same passage.
func TestAnswerLineCountsTheNounAsked(t *testing.T) {
	day := time.Date(2026, 7, 6, 0, 0, 0, 0, time.UTC)
	arts := []corpus.Article{
		{ID: "wreck", Title: "Freight train derails", Source: "Valley Gazette", Published: day, Paragraphs: []string{
			"At Ashford Falls the derailed cars burned for about five hours before firefighters put the fire out.",
		}},
		{ID: "wreck2", Title: "Derailment at Ashford Falls", Source: "Continental Wire", Published: day, Paragraphs: []string{
			"The train derailed at Ashford Falls early on Sunday, sending 23 cars off the tracks.",
		}},
	}
	ex := New(articleIndex(t, arts), bot.Linker{})
	a, err := ex.Answer(context.Background(), bot.Request{Question: "how many cars derailed at ashford falls", AsOf: day})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(a.Lead, "hours") || !strings.Contains(a.Lead, "23 cars") {
		t.Errorf("answer line %q: want 23 cars alone", a.Lead)
	}
}

func TestLeadFirst(t *testing.T) {
	for _, c := range []struct {
		line string
		n    int
		want []int
	}{
		{"23 cars [4].", 4, []int{3, 0, 1, 2}},
		{"Reports differ: 5 [2][3] · 7 [1]", 3, []int{1, 2, 0}},
		{"Russia’s defense ministry [1] and Igor Girkin [2] confirmed it.", 2, nil},
		{"No short answer I can vouch for; these are the closest passages:", 3, nil},
		{"odd [9] [0]", 2, nil},
	} {
		if got := leadFirst(c.line, c.n); !slices.Equal(got, c.want) {
			t.Errorf("leadFirst(%q, %d) = %v, want %v", c.line, c.n, got, c.want)
		}
	}
}

func TestAttributionDescribed(t *testing.T) {
	c := &candidate{sent: corpus.Sentence{Text: "The reservoir stood at 18 per cent of capacity on Tuesday according to the water company, which said it was falling."}}
	if got := attributionOf(c); got != "the water company" {
		t.Errorf("attributionOf = %q, want the water company", got)
	}
}

// A figure's unit ends the figure: "14 per cent", not "14 per cent
// compared".
func TestAnswerLineUnitEndsTheFigure(t *testing.T) {
	day := time.Date(2026, 5, 12, 0, 0, 0, 0, time.UTC)
	arts := []corpus.Article{
		{ID: "use", Title: "Night water use falls", Source: "Wire", Published: day, Paragraphs: []string{
			"Night-time water use in Valmora fell by 14 per cent compared with the same night last week, the company said.",
		}},
	}
	ex := New(articleIndex(t, arts), bot.Linker{})
	a, err := ex.Answer(context.Background(), bot.Request{Question: "how much did night water use in valmora fall", AsOf: day})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(a.Lead, "14 per cent [1]") {
		t.Errorf("answer line %q: want 14 per cent [1]", a.Lead)
	}
}

// An overview quotes each article's lede, the report's own summary, over a
// later sentence that merely repeats the other reports.
func TestOverviewLedes(t *testing.T) {
	day := time.Date(2026, 7, 6, 0, 0, 0, 0, time.UTC)
	arts := []corpus.Article{
		{ID: "wreck", Title: "Freight train derails at Ashford Falls", Source: "Wire", Published: day, Paragraphs: []string{
			"A Northline Rail freight train derailed near Ashford Falls on Sunday, spilling diesel into the Kessel River.",
			"Nobody was hurt, the railroad said.",
		}},
		{ID: "pledge", Title: "Northline pledges to pay for Kessel clean-up", Source: "Gazette", Published: day.AddDate(0, 0, 3), Paragraphs: []string{
			"Northline Rail will pay for the whole clean-up of the Kessel River at Ashford Falls, its chief executive told residents on Thursday.",
			"Sunday's derailment of the Northline Rail freight train near Ashford Falls spilled diesel into the Kessel River, the railroad has said.",
			"The money will also cover bottled water for the town.",
		}},
	}
	ex := New(articleIndex(t, arts), bot.Linker{})
	a, err := ex.Answer(context.Background(), bot.Request{Question: "summarise the ashford falls train story", AsOf: day.AddDate(0, 0, 4)})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range a.Citations {
		if c.ArticleID == "pledge" && !strings.HasPrefix(c.Quote, "Northline Rail will pay") {
			t.Errorf("overview quotes %q from the pledge report, not its lede", c.Quote)
		}
	}
}

func TestNamesYearOf(t *testing.T) {
	y2009 := timeq.Reading{From: time.Date(2009, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)}
	for s, want := range map[string]bool{
		"Holloway bought the club in 2009 for 4 million pounds.": true,
		"The 20091 ticket line was busy.":                        false,
		"He paid 12009 pounds.":                                  false,
		"It opened in 2010.":                                     false,
	} {
		if got := namesYearOf(s, y2009); got != want {
			t.Errorf("namesYearOf(%q) = %v, want %v", s, got, want)
		}
	}
	if datelineEnd("UK-based Acme said it would appeal.") != 0 {
		t.Error("a hyphenated compound read as a dateline")
	}
}
