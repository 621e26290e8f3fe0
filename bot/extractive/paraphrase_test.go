package extractive

import (
	"slices"
	"testing"

	"github.com/newsdesk/newsdesk/retrieval"
)

// TestCompoundParaphrases checks that a two-word lemma of the question
// ("power lines") is looked up whole, and that what stands for the whole
// ("pylons", whose definition mentions power lines) counts for both its
// words, while its hypernym ("cables") counts for the head only.
func TestCompoundParaphrases(t *testing.T) {
	qa := analyze("are the power lines down?", nil)
	extra := map[string][]string{}
	for _, qt := range qa.terms {
		for _, p := range qt.extra {
			extra[qt.term] = append(extra[qt.term], p.term)
		}
	}
	pylon, cable := retrieval.Term("pylons"), retrieval.Term("cables")
	if line := extra["line"]; !slices.Contains(line, pylon) || !slices.Contains(line, cable) {
		t.Errorf("line: compound paraphrases %v, want %s and %s", line, pylon, cable)
	}
	if power := extra["power"]; !slices.Contains(power, pylon) || slices.Contains(power, cable) {
		t.Errorf("power: compound paraphrases %v, want %s and not %s", power, pylon, cable)
	}
	for _, qt := range qa.terms {
		for _, p := range qt.extra {
			if p.term == pylon && p.weight != compoundGlossWeight {
				t.Errorf("%s: pylon weighs %v, want %v", qt.term, p.weight, compoundGlossWeight)
			}
		}
	}
	// One-word terms take no gloss relations: "pay" is not "cancel".
	for _, p := range paraphrasesOf(retrieval.Term("pay")) {
		if p.term == retrieval.Term("cancel") {
			t.Errorf("pay has paraphrase %v", p)
		}
	}
}

// TestUnseenGloss checks that a word WordNet relates only by its
// definitions ("casualties": "someone injured or killed") takes them as
// stand-ins, one way: a sentence that says "died" or "injured" reports
// casualties, but "killed" does not take "casualties"; and that a word
// with closer relations ("money") takes none.
func TestUnseenGloss(t *testing.T) {
	cas := glossTerms(unseenGlossParaphrases(retrieval.Term("casualties")))
	for _, w := range []string{"died", "killed", "injured"} {
		if !slices.Contains(cas, retrieval.Term(w)) {
			t.Errorf("casualties: stand-ins %v, want %s", cas, retrieval.Term(w))
		}
	}
	for _, w := range []string{"killed", "died", "injured"} {
		if slices.Contains(paraphraseTerms(retrieval.Term(w)), retrieval.Term("casualties")) ||
			slices.Contains(glossTerms(unseenGlossParaphrases(retrieval.Term(w))), retrieval.Term("casualties")) {
			t.Errorf("%s has paraphrase casualties", w)
		}
	}
	if g := unseenGlossParaphrases(retrieval.Term("money")); len(g) > 0 {
		t.Errorf("money: stand-ins %v, want none", g)
	}
}

func TestIdiomParaphrases(t *testing.T) {
	for _, c := range []struct{ q, word, want string }{
		{"what day did brandt finally throw in the towel", "towel", "defeat"},
		{"who was greasing llewellyn's palm", "palm", "bribe"},
		{"who was greasing Núñez’s palm", "palm", "bribe"},
		{"who greased his palms", "palms", "bribe"},
	} {
		toks := retrieval.Analyze(c.q)
		got := idiomParaphrases(c.q, toks)
		found := false
		for i, tk := range toks {
			if tk.Word != c.word {
				continue
			}
			for _, p := range got[i] {
				if p.term == retrieval.Term(c.want) {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("idiomParaphrases(%q) = %v: no %q for %q", c.q, got, c.want, c.word)
		}
	}
	if got := idiomParaphrases("who threw the towel at the referee", retrieval.Analyze("who threw the towel at the referee")); len(got) > 0 {
		t.Errorf("no idiom in a towel thrown: %v", got)
	}
}

// A verb and its particle are looked up as WordNet's phrasal verb: "called
// off" is cancelled, "chipping in" contributes; the verb alone is not.
func TestPhrasalVerbs(t *testing.T) {
	for q, want := range map[string]string{
		"did they call off the match":      "cancel",
		"is brussels chipping in for it":   "contribute",
		"when did the mayor step down":     "resign",
		"who put off the vote till friday": "postpone",
	} {
		qa := analyze(q, nil)
		verb := retrieval.Terms(q)
		found := false
		for _, qt := range qa.terms {
			if slices.Contains(qt.alt, retrieval.Term(want)) {
				found = true
			}
		}
		if !found {
			t.Errorf("%q: no term has %q among %v (terms %v)", q, want, qa.terms, verb)
		}
	}
	qa := analyze("did they call the match", nil)
	for _, qt := range qa.terms {
		if slices.Contains(qt.alt, retrieval.Term("cancel")) {
			t.Errorf("call without off reads as cancel: %+v", qt)
		}
	}
}
