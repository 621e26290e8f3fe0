package bot

import (
	"context"
	"strings"
	"testing"
)

func turns(qs ...string) []Turn {
	var out []Turn
	for _, q := range qs {
		out = append(out, Turn{Question: q, Answer: "An answer [1]."})
	}
	return out
}

// TestNeedsContext decides, question by question, whether it leans on the
// last turn. Length is never the reason.
func TestNeedsContext(t *testing.T) {
	cases := []struct {
		q    string
		want bool
		why  string
	}{
		// Stand alone: they name their own topic.
		{"who is girkin and what did he say", false, "he = girkin, an earlier clause of the same question"},
		{"Who is Girkin and what did he say?", false, "same, capitalised"},
		{"Girkin?", false, "a bare name is a question about that name"},
		{"kakhovka dam", false, "two content words, no pronoun"},
		{"Who is the mayor of Lakeside now?", false, "names its topic"},
		{"What did Zelensky say about his visit?", false, "a possessive may refer to its own clause's subject"},
		{"When Zelensky visited Bakhmut, what did he say?", false, "he = Zelensky, earlier clause"},
		{"Did Russia say it would attack Kharkiv?", false, "it = Russia, a clause of saying"},
		{"Is it true that the dam was destroyed?", false, "expletive it"},
		{"Are there casualties in Izyum?", false, "existential there"},
		{"What happened this year in Kherson?", false, "this year = now"},
		{"What did the report say that the governor denied?", false, "relative that"},
		{"inflation", false, "one content word"},
		{"thanks!", false, "social, not a question"},
		{"Is it true that Girkin was arrested?", false, "expletive it with its clause"},
		// Follow-ups.
		{"what did he say", true, "he has no antecedent in the question"},
		{"What did Zelensky say about it?", true, "it cannot be Zelensky (same clause, not possessive)"},
		{"and in kharkiv?", true, "ellipsis: a continuation"},
		{"what about bakhmut", true, "ellipsis: what about"},
		{"How about Russia?", true, "ellipsis: how about"},
		{"why?", true, "no content word"},
		{"how many?", true, "no content word"},
		{"how many died", true, "a bare predicate: who died, where, is elided"},
		{"how many people were killed?", true, "people is too generic to name a topic"},
		{"when was that", true, "demonstrative pronoun"},
		{"and the second one", true, "continuation, and 'the second one'"},
		{"who else?", true, "who else"},
		{"What happened there?", true, "locative there"},
		{"When was that dam built?", true, "that dam: a demonstrative determiner"},
		{"And the cost of the repairs…", true, "continuation and trailing off"},
		{"what did they say about Bakhmut", true, "they precedes any antecedent"},
		{"is it true?", true, "it is the last answer's claim"},
		{"any other quotes?", true, "other, and quotes are about the answer, not a topic"},
		{"more details please", true, "details name no topic"},
	}
	for _, c := range cases {
		if got := NeedsContext(c.q); got != c.want {
			t.Errorf("NeedsContext(%q) = %v, want %v (%s)", c.q, got, c.want, c.why)
		}
	}
}

func TestHeuristicRewriter(t *testing.T) {
	bridge := turns("What did the Riverside council decide about the Harbour Bridge?")
	zelensky := turns("What did Zelensky say about the Kakhovka dam?")
	dam := turns("What happened at the Kakhovka dam?")
	bakhmut := turns("How many civilians died in Bakhmut?")
	territory := turns("How many square kilometres has Ukraine recaptured?")
	cases := []struct {
		name, q string
		history []Turn
		want    string
	}{
		{"no history", "and when?", nil, "and when?"},
		{"issue example stands alone", "who is girkin and what did he say", territory, "who is girkin and what did he say"},
		{"short but standalone", "Girkin?", territory, "Girkin?"},
		{"standalone", "Who is the mayor of Lakeside now?", bridge, "Who is the mayor of Lakeside now?"},
		{"pronoun substituted", "what did he say", zelensky, "what did Zelensky say"},
		{"person and thing", "What did he say about it?", zelensky, "What did Zelensky say about Kakhovka dam?"},
		{"possessive", "and what did his office say?", zelensky, "and what did Zelensky's office say?"},
		{"there", "what happened there?", bakhmut, "what happened in Bakhmut?"},
		{"that", "when was that", dam, "when was Kakhovka dam"},
		{"bare predicate", "how many died", dam, "how many died (Kakhovka dam)"},
		{"why", "and why?", bridge, "and why (Riverside council Harbour Bridge)?"},
		{"who else", "who else?", bridge, "who else (Riverside council Harbour Bridge)?"},
		{"fragment replaces the last subject", "and in kharkiv?", bakhmut, "How many civilians died in kharkiv?"},
		{"what about", "what about Russia", territory, "How many square kilometres has Russia recaptured?"},
		{"second one", "and the second one", dam, "and the second one (Kakhovka dam)"},
		{"fragment with a noun phrase", "And the cost of the repairs…", bridge, "What did the Riverside council decide about the cost of the repairs?"},
		{"continuation with a clause of its own", "and when did the shelling start?", bakhmut, "and when did the shelling start (Bakhmut)?"},
		{"lower-case history", "what did he say", turns("what did zelensky say about the dam"), "what did zelensky say"},
		{"trimmed", "  who else?  ", bridge, "who else (Riverside council Harbour Bridge)?"},
		{"chain of follow-ups", "and why?", append(append([]Turn{}, bridge...), Turn{Question: "and when?"}), "and why (Riverside council Harbour Bridge)?"},
		{"inverted verb is not the subject", "and what did he say?", turns("Why did the Lakeside mayor quit?"), "and what did Lakeside mayor say?"},
		{"fragment with a preposition, none before", "and in kharkiv?", territory, "How many square kilometres has Ukraine recaptured in kharkiv?"},
		{"bare name replaces the name", "and Biden?", turns("What did Zelensky say about the dam?"), "What did Biden say about the dam?"},
		{"bare word replaces the last run and its article", "what about bakhmut", turns("what did zelensky say about the kakhovka dam"), "what did zelensky say about bakhmut"},
		{"a run is used once", "what did she say about it", turns("When will the Harbor Bridge reopen?"), "what did Harbor Bridge say about it"},
		{"is it true", "is it true?", dam, "is it true (Kakhovka dam)?"},
		{"meta nouns", "any other quotes?", dam, "any other quotes (Kakhovka dam)?"},
		{"no subject anywhere", "and why?", turns("why?"), "and why?"},
	}
	var r Rewriter = HeuristicRewriter{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := r.Standalone(context.Background(), c.q, c.history)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("Standalone(%q) = %q, want %q", c.q, got, c.want)
			}
		})
	}
}

func TestSubjectRunsCapAndPreferNames(t *testing.T) {
	runs := fuAnalyse("What did Maria Lopez, Tom Ng, Ana Li, Bo Yu and Cy Oz tell the committee about flooding?").subjectRuns()
	var words []string
	for _, r := range runs {
		words = append(words, strings.Fields(r.text)...)
	}
	if len(words) > fuMaxSalient {
		t.Fatalf("got %d words %v, over the cap %d", len(words), words, fuMaxSalient)
	}
	if len(runs) == 0 || runs[0].text != "Maria Lopez" {
		t.Errorf("names should come first, in order: %v", runs)
	}
	for _, w := range words {
		if w == "committee" || w == "flooding" {
			t.Errorf("%q kept although the question has names", w)
		}
	}
}

func TestUnderstoodAs(t *testing.T) {
	if got := UnderstoodAs("what did he say", "what did Zelensky say"); got != "what did Zelensky say" {
		t.Errorf("got %q", got)
	}
	if got := UnderstoodAs("Who  won?", " who won? "); got != "" {
		t.Errorf("same question: got %q", got)
	}
}

func FuzzHeuristicRewriter(f *testing.F) {
	f.Add("what did he say", "What did Zelensky say about the Kakhovka dam?")
	f.Add("and in kharkiv?", "How many civilians died in Bakhmut?")
	f.Add("’-' ,, that", "-’x ’")
	f.Fuzz(func(t *testing.T, q, prev string) {
		got, err := HeuristicRewriter{}.Standalone(context.Background(), q, []Turn{{Question: prev}})
		if err != nil {
			t.Fatal(err)
		}
		if strings.TrimSpace(q) != "" && got == "" {
			t.Errorf("Standalone(%q) is empty", q)
		}
		if !NeedsContext(q) && got != strings.TrimSpace(q) {
			t.Errorf("stand-alone %q rewritten to %q", q, got)
		}
	})
}
