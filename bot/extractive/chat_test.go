package extractive

import (
	"strings"
	"testing"

	"github.com/newsdesk/newsdesk/retrieval"
)

func TestStripChat(t *testing.T) {
	for _, c := range []struct{ in, keep, drop string }{
		{"quick q — where is balakleya in relation to kupyansk?", "where is balakleya", "quick q"},
		{"in the villages ukraine retook, are the power lines down? need this for the 6pm update", "power lines down", "need this"},
		{"does the kharkiv region actually border russia? yes/no pls", "border russia", "pls"},
		{"what day did izyum fall? seeing friday in one story and saturday in another", "what day did izyum fall", "seeing friday"},
		{"who did blinken sit down with in brussels? the nato guy, need his name", "who did blinken sit down with", "need his name"},
		{"how much do they need to rebuild the bridge", "need to rebuild", ""},
		{"how empty is the reservoir? outlets seem to have diff numbers", "how empty is the reservoir", "outlets"},
		{"how much is the buyer paying? seeing two diffrent figures", "how much is the buyer paying", "figures"},
		{"summarise the drought story for me, couple lines is fine", "summarise the drought story", "lines"},
		{"what happened at the plant - keep it short", "what happened at the plant", "short"},
		{"how many lines were cut", "how many lines were cut", ""}, // not a clause of its own
		{"can u summarise the train story in a couple lines", "summarise the train story", "lines"},
		{"how many ppl got stuck? seeing 2 diff numbers, which outlets say what", "how many ppl got stuck", "outlets"},
		{"seeing 286m and 346m for the tram, which one's right", "286m and 346m for the tram", "right"},
		{"how many ops were cancelled? hospital says one number, union another", "how many ops were cancelled", "union"},
		{"how many trees are coming down? heard diff numbers", "how many trees are coming down", "numbers"},
		{"which route is right for the tram", "which route is right for the tram", ""}, // asks, not meta
		{"pls", "pls", ""}, // nothing but chat: read as typed
	} {
		got := stripChat(c.in)
		if len(got) != len(c.in) {
			t.Errorf("stripChat(%q) changed the length: %q", c.in, got)
		}
		if !strings.Contains(got, c.keep) {
			t.Errorf("stripChat(%q) = %q, lost %q", c.in, got, c.keep)
		}
		if c.drop != "" && strings.Contains(got, c.drop) {
			t.Errorf("stripChat(%q) = %q, kept %q", c.in, got, c.drop)
		}
	}
}

// FuzzStripChat: any question keeps its length (token offsets stay
// valid) and its non-chat bytes.
func FuzzStripChat(f *testing.F) {
	f.Add("quick q — who confirmed it? pls")
	f.Add("need this for the 6pm update, thanks")
	f.Add("\xff\xfe yes/no")
	f.Fuzz(func(t *testing.T, q string) {
		got := stripChat(q)
		if len(got) != len(q) {
			t.Fatalf("length %d -> %d", len(q), len(got))
		}
		for i := 0; i < len(q); i++ {
			if got[i] != q[i] && got[i] != ' ' {
				t.Fatalf("byte %d changed to %q", i, got[i])
			}
		}
	})
}

// Chat's one-letter words ("r", "u") are read as the words they stand for
// when typed in lower case, and weigh nothing as search terms.
func TestChatLetters(t *testing.T) {
	qa := analyze("where r the ambulances going, can u check", nil)
	for _, qt := range qa.terms {
		if qt.word == "r" || qt.word == "u" {
			t.Errorf("chat letter %q kept as a term", qt.word)
		}
	}
	if qa.term(retrieval.Term("ambulances")) == nil {
		t.Errorf("lost the question's subject: %+v", qa.terms)
	}
}

// Chat forms of "what did X say": "make of", "X quote on Y"; "govts";
// indefinite pronouns and "aren't giving the same number" are no terms.
func TestChatQuoteForms(t *testing.T) {
	for _, q := range []string{"what did lonchar make of the govts pay proposal", "petrak quote on the strike pls, anything usable"} {
		qa := analyze(q, nil)
		if qa.kind != qQuote {
			t.Errorf("%q: kind %v, want a quote question", q, qa.kind)
		}
		for _, qt := range qa.terms {
			if qt.word == "anything" || qt.word == "govts" || qt.word == "make" || qt.word == "quote" {
				t.Errorf("%q: %q kept as a term", q, qt.word)
			}
		}
	}
	q := "how many were hurt — the fire brigade and the ministry arent giving the same number"
	if got := stripChat(q); strings.Contains(got, "same number") || !strings.Contains(got, "how many were hurt") {
		t.Errorf("stripChat(%q) = %q", q, got)
	}
}
