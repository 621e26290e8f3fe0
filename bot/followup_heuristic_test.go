package bot

import (
	"context"
	"strings"
	"testing"
)

func TestHeuristicRewriter(t *testing.T) {
	prev := []Turn{{Question: "What did the Riverside council decide about the Harbour Bridge?", Answer: "It voted to close it [1]."}}
	cases := []struct {
		name, q string
		history []Turn
		want    string
	}{
		{"no history", "and when?", nil, "and when?"},
		{"short", "and when?", prev, "Riverside council decide Harbour Bridge and when?"},
		{"who else", "who else?", prev, "Riverside council decide Harbour Bridge who else?"},
		{"pronouns", "What did he say about it?", prev, "Riverside council decide Harbour Bridge What did he say about it?"},
		{"ellipsis", "And the cost of the repairs…", prev, "Riverside council decide Harbour Bridge And the cost of the repairs…"},
		{"what about", "What about the ferry service?", prev, "Riverside council decide Harbour Bridge What about the ferry service?"},
		{"standalone", "Who is the mayor of Lakeside now?", prev, "Who is the mayor of Lakeside now?"},
		{"words already present", "What did the council say about it?", prev, "Riverside decide Harbour Bridge What did the council say about it?"},
		{"trimmed", "  who else?  ", prev, "Riverside council decide Harbour Bridge who else?"},
		{"chain of follow-ups", "and why?", append(append([]Turn{}, prev...), Turn{Question: "and when?"}), "Riverside council decide Harbour Bridge and why?"},
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

func TestHeuristicSalientCapsAndSkipsStopwords(t *testing.T) {
	got := fuSalient("What did Maria Lopez, Tom Ng, Ana Li, Bo Yu and Cy Oz tell the committee about flooding?")
	if len(got) != fuMaxSalient {
		t.Fatalf("got %d words %v, want the cap %d", len(got), got, fuMaxSalient)
	}
	if strings.Join(got[:2], " ") != "Maria Lopez" {
		t.Errorf("names should come first, in order: %v", got)
	}
	for _, w := range got {
		if fuStopwords[strings.ToLower(w)] {
			t.Errorf("stop word %q kept", w)
		}
	}
}
