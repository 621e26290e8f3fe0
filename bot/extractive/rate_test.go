package extractive

import (
	"slices"
	"testing"

	"github.com/newsdesk/newsdesk/retrieval"
)

func TestRateUnit(t *testing.T) {
	for q, want := range map[string]string{
		"how many ppl cross the hoang long bridge each day":                "day",
		"how much is he getting paid a week":                               "week",
		"how many harlan shares do veltra holders get per share":           "share",
		"how much annual revenue does norlith bring in?":                   "year",
		"how much money is veltra losing for every day the plant is shut":  "day",
		"by what percentage did doses go up compared with a year earlier?": "",
		"how many people were killed":                                      "",
		"what did he say a day after the vote?":                            "",
		"how much does the water company charge per cubic metre":           "metre",
		"how much do farmers get per tonne of wheat":                       "tonne",
		"brodava tram cost per km?":                                        "km",
		"is meridian paying for hotels? how much a nite":                   "night",
		"what share of votes, in per cent, did they win":                   "",
	} {
		if got := rateUnit(expandAbbrev(q)); got != want {
			t.Errorf("rateUnit(%q) = %q, want %q", q, got, want)
		}
	}
	for _, c := range []struct {
		s, u string
		ok   bool
	}{
		{"It carries approx. 65,000 passengers a day.", "day", true},
		{"costing Veltra approx. €32m a day in lost output", "day", true},
		{"annual revenue roughly doubled to $2.3bn", "year", true},
		{"holders will get 0.8 Harlan shares for each Veltra share", "share", true},
		{"comfortably beating the £52m paid for Anders Lykke in 2021.", "week", false},
		{"At least 14 miners were killed on Monday.", "year", false},
		{"Water costs 1.85 euros per cubic metre for households.", "metre", true},
		{"The council voted to build the 8.7-km line for 346 million euros.", "km", false},
		{"Taps in about 410,000 households will run dry.", "metre", false},
		{"Growers are paid €212 a tonne.", "tonne", true},
	} {
		if got := hasRate(c.s, c.u); got != c.ok {
			t.Errorf("hasRate(%q, %q) = %v", c.s, c.u, got)
		}
	}
}

func TestSpeedForm(t *testing.T) {
	for q, want := range map[string]atype{
		"how fast was the train going when it derailed":               aSpeed,
		"what speed was the bus doing":                                aSpeed,
		"what did the sheriff say about how fast the floodwater rose": aAny,
		"how many passengers were on the train":                       aAny,
	} {
		if got := answerType(expandAbbrev(q)); got != want {
			t.Errorf("answerType(%q) = %v, want %v", q, got, want)
		}
	}
	for s, ok := range map[string]bool{
		"The train was travelling at 72 km/h when it left the rails.":  true,
		"It was doing about 45 miles an hour.":                         true,
		"Investigators are examining the train's speed data.":          false,
		"Twenty-three cars left the tracks 3 kilometres east of town.": false,
	} {
		if got := hasForm(s, aSpeed); got != ok {
			t.Errorf("hasForm(%q, speed) = %v", s, got)
		}
	}
}

// Cases a review found: abbreviations that are names when capitalised,
// a role spelled as an abbreviation, "per" meaning "according to".
func TestQuestionReadingEdgeCases(t *testing.T) {
	qa := analyze("What did Mo Farah say about the race", nil)
	for _, x := range qa.terms {
		if x.term == retrieval.Term("month") {
			t.Errorf("Mo read as month: %v", qa.terms)
		}
	}
	if got := analyze("who is the MP for Leeds", nil).role; got != retrieval.Term("mp") {
		t.Errorf("role of 'who is the MP for Leeds' = %q, want mp", got)
	}
	for _, q := range []string{"how many people died, per the ministry", "how many were hurt per reports", "how many homes were lost per officials"} {
		if got := rateUnit(expandAbbrev(q)); got != "" {
			t.Errorf("rateUnit(%q) = %q, want none", q, got)
		}
	}
	if got := analyze("how many homes burned down on evia", nil).counted; slices.Contains(got, retrieval.Term("burned")) {
		t.Errorf("counted phrase runs into the verb: %v", got)
	}
}

// A magnitude written after a figure ("286m", "40k") matches the news's
// spelling of it ("286 million"); a letter elsewhere does not.
func TestMagnitudeSuffix(t *testing.T) {
	qa := analyze("seeing 286m and 40k for the tram", nil)
	want := map[string]string{"m": retrieval.Term("million"), "k": retrieval.Term("thousand")}
	for w, alt := range want {
		tm := qa.term(retrieval.Term(w))
		if tm == nil || !slices.Contains(tm.alt, alt) {
			t.Errorf("%q: term %+v lacks %q", w, tm, alt)
		}
	}
	lone := analyze("what is the m in the logo", nil)
	if tm := lone.term(retrieval.Term("m")); tm != nil && slices.Contains(tm.alt, retrieval.Term("million")) {
		t.Errorf("a lone m read as million: %+v", tm)
	}
}

// A figure with a unit measures ("700 gigabytes", "40 km", "€3m", "12%");
// one without counts, and a sentence with any count is not measures only.
func TestMeasuresOnly(t *testing.T) {
	for s, want := range map[string]bool{
		"The group claimed to have stolen 700 gigabytes of data, including patient records.": true,
		"Ambulances were sent to Lipany and Doubrava, about 40 km and 55 km away.":           true,
		"The line will cost 346 million euros, or €3m a kilometre.":                          true,
		"Turnout was 12% lower.": true,
		"Hackers leaked 4,000 patient records and 700 gigabytes of data.": false,
		"Hajek said 87 planned operations had been cancelled.":            false,
		"No figure here.": false,
	} {
		if got := quantitiesOf(s).measuresOnly(s); got != want {
			t.Errorf("measuresOnly(%q) = %v, want %v", s, got, want)
		}
	}
}
