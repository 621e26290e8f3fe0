package extractive

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/bot"
	"github.com/newsdesk/newsdesk/corpus"
)

// A "what did X say" question is answered only by what X said: these
// invented reports mention people they never quote.
func TestQuoteQuestionNeedsTheSpeaker(t *testing.T) {
	day := time.Date(2024, 9, 3, 0, 0, 0, 0, time.UTC)
	arts := []corpus.Article{
		{ID: "levee", Title: "Levee holds as river peaks", Source: "Delta Post", Published: day, Paragraphs: []string{
			"The levee south of Hexford held overnight as the River Tarn peaked at 6.2 metres.",
			"Engineer Lena Park inspected the levee on Monday morning with a team of surveyors.",
			"Dana Whitfield, the mayor of Hexford, toured the sandbag lines on Tuesday.",
			"“The town owes the volunteers a great deal,” said Whitfield.",
			"Contractor Omar Reyes supplied 40,000 sandbags for the levee.",
			"Reyes said the bags had been filled in two days. “We worked through the night,” he said.",
		}},
		{ID: "ferry", Title: "Ferry service resumes", Source: "Delta Post", Published: day.AddDate(0, 0, 1), Paragraphs: []string{
			"The Marlow ferry resumed its crossings on Wednesday after the river fell.",
			"Harbour master Ines Carvalho said the channel had been cleared of debris.",
			"The Department of Transport said it was monitoring the river closely.",
			"Transport Secretary Alan Brody will visit the Marlow crossing on Friday.",
		}},
	}
	ex := New(articleIndex(t, arts), bot.Linker{})
	expectAbstentions(t, ex, day, []abstainCase{
		{"What did Lena Park say about the levee?", true},         // mentioned, never quoted
		{"what did park tell reporters about the levee", true},    // chat, surname only
		{"What did Omar Reyes say about the sandbags?", false},    // quoted, then "he said"
		{"What did Reyes say about filling the sandbags?", false}, // surname only
		{"What did Dana Whitfield say about the volunteers?", false},
		{"What did the mayor of Hexford say about the volunteers?", false}, // the title, in an earlier sentence
		{"What did the mayor of Marlow say about the ferry?", true},        // a mayor, but of Hexford
		{"What did Ines Carvalho say about the channel?", false},
		{"what did reyes say about the ferry crossings", true},     // quoted, on something else
		{"what did transport sec brody say about the river", true}, // his department spoke, he did not
	})
}

// A question asking who or which one, or for a name, is answered only by
// quotes that name someone or something the question does not: these
// reports speak of an unnamed whistleblower and unnamed victims.
func TestNameQuestionNeedsAName(t *testing.T) {
	day := time.Date(2024, 9, 3, 0, 0, 0, 0, time.UTC)
	arts := []corpus.Article{
		{ID: "trial", Title: "Councillor jailed over depot sale", Source: "Harbour Times", Published: day, Paragraphs: []string{
			"A former councillor was jailed for six years on Friday for taking bribes over the sale of the Quayside depot.",
			"The sale was first flagged by a whistleblower inside the planning office, the court heard.",
			"The whistleblower's identity was protected throughout the trial.",
			"The bribes were paid by developer Marcus Thorne, who pleaded guilty in November.",
		}},
		{ID: "crash", Title: "Two killed in quarry collapse", Source: "Harbour Times", Published: day, Paragraphs: []string{
			"Two quarry workers were killed when a rock face collapsed at the Kessel quarry on Monday.",
			"Their names have not been released while relatives are told.",
			"The quarry is operated by Brenmoor Aggregates, which said it was cooperating with inspectors.",
		}},
	}
	ex := New(articleIndex(t, arts), bot.Linker{})
	expectAbstentions(t, ex, day, []abstainCase{
		{"who was the whistleblower who flagged the quayside sale", true},
		{"what are the names of the workers killed at kessel quarry", true},
		{"who paid the bribes for the quayside depot", false},
		{"which company operates the kessel quarry", false},
	})
}

// A "how many X" question whose X the archive never uses abstains, but
// not when X is a misspelling of a word it does use.
func TestCountedNounMisspelt(t *testing.T) {
	day := time.Date(2024, 9, 3, 0, 0, 0, 0, time.UTC)
	arts := []corpus.Article{
		{ID: "cuts", Title: "Night water cuts begin", Source: "Valley Daily", Published: day, Paragraphs: []string{
			"Taps in about 410,000 households will run dry every night from Monday, the water company said.",
			"The reservoir is holding 17 per cent of its capacity after the driest winter on record.",
		}},
	}
	ex := New(articleIndex(t, arts), bot.Linker{})
	expectAbstentions(t, ex, day, []abstainCase{
		{"how many housholds lose water at night", false},
		{"how many households lose water at night", false},
		{"how many submarines lose water at night", true},
	})
}

// "How much does X cost" abstains when the archive never names X (nor a
// paraphrase or spelling of it): the prices it gives are of other things.
func TestCostedNounUnknown(t *testing.T) {
	day := time.Date(2024, 9, 3, 0, 0, 0, 0, time.UTC)
	arts := []corpus.Article{
		{ID: "tram", Title: "Council approves tram line", Source: "Valley Daily", Published: day, Paragraphs: []string{
			"The council approved a new tram line that will cost 346 million euros, officials said.",
			"The city will buy 16 low-floor trams for about 56 million euros.",
		}},
	}
	ex := New(articleIndex(t, arts), bot.Linker{})
	expectAbstentions(t, ex, day, []abstainCase{
		{"how much will a single ticket on the new tram line cost", true},
		{"how much will the new tram line cost", false},
		{"how much will the new trams cost", false},
	})
}

// A speaker whose name is misspelt ("lonchar" for Loncar) is found, not
// taken for someone the archive never mentions.
func TestMisspeltSpeaker(t *testing.T) {
	day := time.Date(2024, 9, 3, 0, 0, 0, 0, time.UTC)
	arts := []corpus.Article{
		{ID: "strike", Title: "Teachers reject offer", Source: "Valley Daily", Published: day, Paragraphs: []string{
			"Union president Branimir Loncar called the government's pay proposal \"an insult dressed up as a compromise\".",
			"The strike closed 1,140 schools on Monday, the union said.",
		}},
	}
	ex := New(articleIndex(t, arts), bot.Linker{})
	expectAbstentions(t, ex, day, []abstainCase{
		{"what did lonchar say about the pay proposal", false},
		{"what did lonchar make of the govts pay proposal", false},
		{"what did the mayor make of the pay proposal", true},
	})
}

// A name typed in English transliteration ("kovachevich", "sharich") finds
// the archive's Kovačević and Šarić.
func TestTransliteratedName(t *testing.T) {
	day := time.Date(2024, 9, 3, 0, 0, 0, 0, time.UTC)
	arts := []corpus.Article{
		{ID: "probe", Title: "Prosecutors open inquiry", Source: "Valley Daily", Published: day, Paragraphs: []string{
			"\"We are looking at whether the explosion was a technical failure,\" Deputy Prosecutor Jelena Kovačević said.",
			"Fire chief Tomislav Šarić said crews would stay at the plant overnight.",
		}},
	}
	ex := New(articleIndex(t, arts), bot.Linker{})
	expectAbstentions(t, ex, day, []abstainCase{
		{"what did kovachevich say about the explosion", false},
		{"what did sharich say about the crews", false},
	})
	if got := translitFold("kovachevich"); got != "kovacevic" {
		t.Errorf("translitFold = %q", got)
	}
}

// A where-question is answered only by a passage that names a place.
func TestWhereNeedsAPlace(t *testing.T) {
	day := time.Date(2024, 9, 3, 0, 0, 0, 0, time.UTC)
	arts := []corpus.Article{
		{ID: "gang", Title: "Ransomware gang named", Source: "Valley Daily", Published: day, Paragraphs: []string{
			"The note is signed Grey Lantern, a ransomware group that researchers say has attacked hospitals in at least six countries.",
			"Ambulances were sent to hospitals in Lipany and Doubrava, the ambulance service said.",
		}},
	}
	ex := New(articleIndex(t, arts), bot.Linker{})
	expectAbstentions(t, ex, day, []abstainCase{
		{"where is the grey lantern ransomware group based", true},
		{"where were the ambulances sent", false},
	})
}

// A when-question is answered only by a passage about the event it asks
// to date: the collapse is dated, the reopening never is.
func TestWhenQuestionNeedsTheEvent(t *testing.T) {
	day := time.Date(2024, 9, 3, 0, 0, 0, 0, time.UTC)
	arts := []corpus.Article{
		{ID: "quarry", Title: "Two killed in quarry collapse", Source: "Harbour Times", Published: day, Paragraphs: []string{
			"Two quarry workers were killed when a rock face collapsed at the Kessel quarry early on Monday, September 2.",
			"Inspectors closed the Kessel quarry on Tuesday and said it would stay shut during the investigation.",
			"The operator detected movement in the rock face on Sunday evening, a spokesman said.",
			"A second rockfall followed the quarry collapse later that week.",
			"It came at about 6:10 a.m. on Thursday, when the site was empty.",
		}},
	}
	ex := New(articleIndex(t, arts), bot.Linker{})
	expectAbstentions(t, ex, day, []abstainCase{
		{"when will the kessel quarry reopen", true},
		{"when did the rock face collapse at kessel quarry", false},
		{"when did the kessel operator first detect the movement", false},
		{"when did inspectors close the kessel quarry", false},
		{"what time did the second rockfall happen", false}, // the event in the sentence before
	})
}

// A question about a year before the archive begins is answered only by
// a passage that names that year.
func TestPastYearNeedsThatYear(t *testing.T) {
	day := time.Date(2024, 9, 3, 0, 0, 0, 0, time.UTC)
	arts := []corpus.Article{
		{ID: "sale", Title: "Owner sells football club", Source: "Harbour Times", Published: day, Paragraphs: []string{
			"Derek Holloway has agreed to sell Northfield Town to a US investment firm in a deal that values the club at 120 million pounds.",
			"Holloway bought the club in 2009 for 4 million pounds, when it was in the fourth tier.",
		}},
	}
	ex := New(articleIndex(t, arts), bot.Linker{})
	for _, c := range []struct {
		q       string
		abstain bool
	}{
		{"how much did holloway pay for northfield back in 2009", false},
		{"how much did holloway pay for northfield in 2015", true},
		{"how much is the northfield deal worth", false},
	} {
		a, err := ex.Answer(context.Background(), bot.Request{Question: c.q, AsOf: day})
		if err != nil {
			t.Fatal(err)
		}
		if a.Abstained != c.abstain {
			t.Errorf("%q: abstained %v, want %v (%s)", c.q, a.Abstained, c.abstain, a.Lead)
		}
		if !c.abstain && strings.Contains(c.q, "2009") && !strings.Contains(a.Lead, "4 million") {
			t.Errorf("%q: answer line %q, want the 2009 price", c.q, a.Lead)
		}
	}
}

// A "how many X" question is answered only by a passage that speaks of
// X: a figure of hectares does not count homes.
func TestCountedNounMustBeThere(t *testing.T) {
	day := time.Date(2024, 9, 3, 0, 0, 0, 0, time.UTC)
	arts := []corpus.Article{
		{ID: "fire", Title: "Wildfire forces evacuations on Evia", Source: "Meridian Wire", Published: day, Paragraphs: []string{
			"The blaze had destroyed an estimated 1,200 hectares of pine forest on Evia by Tuesday, the fire service said.",
			"More than 300 firefighters were fighting the fire on Evia, helped by nine water-dropping aircraft.",
		}},
	}
	ex := New(articleIndex(t, arts), bot.Linker{})
	expectAbstentions(t, ex, day, []abstainCase{
		{"how many homes were destroyed on evia", true},
		{"how many hectares were destroyed on evia", false},
		{"how many firefighters are on the evia fire", false},
		{"how many people are fighting the fire on evia", false}, // people in general
	})
}

// "On friday" is the Friday a report speaks of, not only the reports
// published on a Friday.
func TestWeekdayInTheText(t *testing.T) {
	fri := time.Date(2026, 7, 10, 0, 0, 0, 0, time.UTC) // a Friday
	arts := []corpus.Article{
		{ID: "outage", Title: "Airline outage", Source: "Wire", Published: fri.AddDate(0, 0, -4), Paragraphs: []string{
			"Meridian Skyways cancelled 1,840 flights on Friday after its crew-scheduling system failed.",
		}},
		{ID: "spill", Title: "Diesel spill", Source: "Gazette", Published: fri, Paragraphs: []string{
			"Northline Rail said on Friday it would pay for the clean-up of the Kessel River.",
		}},
	}
	ex := New(articleIndex(t, arts), bot.Linker{})
	a, err := ex.Answer(context.Background(), bot.Request{Question: "how many flights did meridian cancel on friday", AsOf: fri.Add(20 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if a.Abstained || !strings.Contains(a.Lead, "1,840") {
		t.Errorf("answer %q: want the 1,840 flights", a.Lead)
	}
}

// abstainCase is a question and whether the answerer must abstain on it.
type abstainCase struct {
	q       string
	abstain bool
}

// expectAbstentions asks each question as of asOf and checks whether the
// answerer abstains.
func expectAbstentions(t *testing.T, ex *Extractive, asOf time.Time, cases []abstainCase) {
	t.Helper()
	for _, c := range cases {
		a, err := ex.Answer(context.Background(), bot.Request{Question: c.q, AsOf: asOf})
		if err != nil {
			t.Fatal(err)
		}
		if a.Abstained != c.abstain {
			quote := ""
			if len(a.Citations) > 0 {
				quote = a.Citations[0].Quote
			}
			t.Errorf("%q: abstained %v, want %v (%s | %s)", c.q, a.Abstained, c.abstain, a.Lead, quote)
		}
	}
}
