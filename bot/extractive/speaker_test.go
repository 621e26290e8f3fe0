package extractive

import (
	"context"
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
		}},
	}
	ex := New(articleIndex(t, arts), bot.Linker{})
	for _, c := range []struct {
		q       string
		abstain bool
	}{
		{"What did Lena Park say about the levee?", true},         // mentioned, never quoted
		{"what did park tell reporters about the levee", true},    // chat, surname only
		{"What did Omar Reyes say about the sandbags?", false},    // quoted, then "he said"
		{"What did Reyes say about filling the sandbags?", false}, // surname only
		{"What did Dana Whitfield say about the volunteers?", false},
		{"What did the mayor of Hexford say about the volunteers?", false}, // the title, in an earlier sentence
		{"What did the mayor of Marlow say about the ferry?", true},        // a mayor, but of Hexford
		{"What did Ines Carvalho say about the channel?", false},
	} {
		a, err := ex.Answer(context.Background(), bot.Request{Question: c.q, AsOf: day})
		if err != nil {
			t.Fatal(err)
		}
		if a.Abstained != c.abstain {
			quote := ""
			if len(a.Citations) > 0 {
				quote = a.Citations[0].Quote
			}
			t.Errorf("%q: abstained %v, want %v (%s)", c.q, a.Abstained, c.abstain, quote)
		}
	}
}
