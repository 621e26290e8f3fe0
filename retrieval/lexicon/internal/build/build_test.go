package build

import (
	"bytes"
	"maps"
	"slices"
	"testing"

	"github.com/fluhus/gostuff/nlp/wordnet"
)

func TestRelations(t *testing.T) {
	wn, err := wordnet.Parse("testdata/wn")
	if err != nil {
		t.Fatal(err)
	}
	got := Relations(wn)
	want := map[string][]Rel{
		// capture: its synonym, its derived noun, what it entails (with
		// the irregular form), and back again.
		"captur": {{Term: "seiz", Kind: Synonym}, {Term: "seizur", Kind: Derived}, {Term: "held", Kind: Entailment}, {Term: "hold", Kind: Entailment}},
		// seizure: "the act of seizing" mentions seize (Gloss), and
		// back; "act" is no lemma of this WordNet.
		"seiz":     {{Term: "captur", Kind: Synonym}, {Term: "held", Kind: Entailment}, {Term: "hold", Kind: Entailment}, {Term: "seizur", Kind: Gloss}},
		"seizur":   {{Term: "captur", Kind: Derived}, {Term: "acquisit", Kind: Hypernym}, {Term: "seiz", Kind: Gloss}},
		"acquisit": {{Term: "seizur", Kind: Hypernym}},
		"hold":     {{Term: "held", Kind: Inflection}, {Term: "captur", Kind: Entailment}, {Term: "seiz", Kind: Entailment}},
		"held":     {{Term: "hold", Kind: Inflection}, {Term: "captur", Kind: Entailment}, {Term: "seiz", Kind: Entailment}},
	}
	if !maps.EqualFunc(got, want, func(a, b []Rel) bool {
		return slices.EqualFunc(a, b, func(x, y Rel) bool { return x.Term == y.Term && x.Kind == y.Kind })
	}) {
		t.Errorf("Relations =\n%v\nwant\n%v", got, want)
	}
}

func TestBuildDeterministic(t *testing.T) {
	opt := Options{Analyzer: "test", Source: "test"}
	a, err := Build("testdata/wn", opt)
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		b, err := Build("testdata/wn", opt)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Fatal("two builds from the same WordNet differ")
		}
	}
}

func TestBuildMissing(t *testing.T) {
	if _, err := Build(t.TempDir(), Options{}); err == nil {
		t.Error("Build of an empty directory succeeded")
	}
}

func TestTermOf(t *testing.T) {
	for lemma, want := range map[string]string{
		"pay_for":       "pai for",
		"well-known":    "wel known", // doubled letters fold
		"withdrawal":    "withdraw",
		"the":           "",
		"of_the":        "",
		"Washington":    "",
		"work_stoppage": "work stopag",
	} {
		got, ok := termOf(lemma)
		if got != want || ok != (want != "") {
			t.Errorf("termOf(%q) = %q, %v; want %q", lemma, got, ok, want)
		}
	}
	if got := stripMarker("galore(ip)"); got != "galore" {
		t.Errorf("stripMarker = %q", got)
	}
}

func TestGlossWords(t *testing.T) {
	got := glossWords(`(computer science) a pointer of Ukraine's power-lines; "power pylons are a target"`)
	want := []string{"a", "pointer", "of", "", "power", "lines"}
	if !slices.Equal(got, want) {
		t.Errorf("glossWords = %q, want %q", got, want)
	}
}
