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
