package retrieval

import (
	"slices"
	"testing"
)

func TestBuildAcronyms(t *testing.T) {
	texts := []string{
		"The Institute for the Study of War said on Monday that the front had moved.",
		"Analysts at the Institute for the Study of War disagreed. The European Union’s envoy was silent.",
		"Officials of the Donetsk People’s Republic (DPR) and the World Health Organization met in St. Louis.",
		"He said: World Health. Organization men.", // punctuation breaks a name
		"Inspectors from the National Mining Safety Agency (ANSM) arrived.",
	}
	idx := buildAcronyms(slices.Values(texts))
	for acr, want := range map[string]string{
		"isw":  "Institute for the Study of War",
		"eu":   "European Union’s",
		"dpr":  "Donetsk People’s Republic",
		"who":  "World Health Organization",
		"sl":   "", // an abbreviation point ends a name
		"tisw": "",
		"ansm": "National Mining Safety Agency",
		"hwo":  "",
	} {
		if got := idx[acr]; got != want {
			t.Errorf("%s = %q, want %q", acr, got, want)
		}
	}
}

func TestIndexExpandIsRebuiltWithTheIndex(t *testing.T) {
	ix, err := Open(Options{Embedder: NewHashEmbedder()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if _, err := ix.Sync(ctx, testArticles(), nil); err != nil {
		t.Fatal(err)
	}
	if got := ix.Expand("IK"); got != "Ilona Kovalenko" {
		t.Fatalf("Expand(IK) = %q", got)
	}
	arts := testArticles()[:1]
	if _, err := ix.Sync(ctx, arts, nil); err != nil {
		t.Fatal(err)
	}
	if got := ix.Expand("IK"); got != "" {
		t.Fatalf("Expand(IK) after removal = %q", got)
	}
}

func FuzzAcronyms(f *testing.F) {
	f.Add("The Institute for the Study of War (ISW) said “Hello World”.")
	f.Add("A ( B and of the C’ D")
	f.Fuzz(func(t *testing.T, s string) {
		forNameRuns(s, func(words []string) {
			if len(words) < 2 || !isCapWord(words[0]) || !isCapWord(words[len(words)-1]) {
				t.Fatalf("bad run %q in %q", words, s)
			}
		})
		for acr, name := range buildAcronyms(slices.Values([]string{s})) {
			if acr == "" || name == "" {
				t.Fatalf("empty entry %q=%q", acr, name)
			}
		}
	})
}
