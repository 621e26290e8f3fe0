package retrieval

import (
	"reflect"
	"slices"
	"testing"
)

func TestTermsFoldVariants(t *testing.T) {
	pairs := [][2]string{
		{"Kupyansk", "Kupiansk"},
		{"Balakliya", "Balakliia"},
		{"Zelensky", "Zelenskyy"},
		{"withdrawals", "withdrawal"},
		{"Russia’s", "Russia"},
		{"Zelenskýy", "Zelensky"},
		{"Oleksij", "Oleksiy"},
		{"Mykolajiv", "Mykolaiv"},
	}
	for _, p := range pairs {
		if a, b := Terms(p[0]), Terms(p[1]); !reflect.DeepEqual(a, b) {
			t.Errorf("Terms(%q)=%v, Terms(%q)=%v; want equal", p[0], a, p[1], b)
		}
	}
}

func TestTermsKeepEnglishWordsApart(t *testing.T) {
	for _, p := range [][2]string{{"major", "mayor"}, {"project", "proiect"}} {
		if a, b := Terms(p[0]), Terms(p[1]); reflect.DeepEqual(a, b) {
			t.Errorf("Terms(%q) = Terms(%q) = %v", p[0], p[1], a)
		}
	}
}

func TestAnalyzeNumbersAndOffsets(t *testing.T) {
	text := "A town of 27,000 people; 3.5 km, counter-offensive."
	toks := Analyze(text)
	var words []string
	for _, tk := range toks {
		words = append(words, tk.Word)
		if got := text[tk.Start:]; got == "" {
			t.Fatalf("bad offset %d", tk.Start)
		}
	}
	want := []string{"a", "town", "of", "27000", "people", "3.5", "km", "counteroffensive", "counter", "offensive"}
	if !reflect.DeepEqual(words, want) {
		t.Fatalf("words = %v, want %v", words, want)
	}
	if toks[0].Cap != true || toks[1].Cap {
		t.Fatalf("capital flags wrong: %+v", toks[:2])
	}
}

func TestTermsDropStopWords(t *testing.T) {
	got := Terms("What did the minister say about it?")
	want := []string{"minist", "sai"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Terms = %v, want %v", got, want)
	}
}

func FuzzAnalyze(f *testing.F) {
	f.Add("Russia’s 2,500 km counter-offensive in Kupyansk, U.S.")
	f.Add("'s -- ,, 1,")
	f.Fuzz(func(t *testing.T, s string) {
		prev := -1
		for _, tk := range Analyze(s) {
			if tk.Start < prev || tk.Start >= len(s) || tk.Word == "" {
				t.Fatalf("bad token %+v in %q", tk, s)
			}
			prev = tk.Start
		}
	})
}

func TestAnalyzeGluedUnitsAndPercent(t *testing.T) {
	text := "about 2,000sq km (770sq miles), 45% and 3.5bn"
	var got []string
	for _, tk := range Analyze(text) {
		got = append(got, tk.Word+"@"+text[tk.Start:tk.Start+1])
	}
	want := []string{"about@a", "2000sq@2", "2000@2", "sq@s", "km@k", "770sq@7", "770@7", "sq@s",
		"miles@m", "45@4", "percent@%", "and@a", "3.5bn@3", "3.5@3", "bn@b"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("tokens = %v\nwant     %v", got, want)
	}
	for _, p := range [][2]string{{"square kilometres", "sq km"}, {"30 miles", "30mi"}, {"12 percent", "12%"}, {"$3 billion", "$3bn"}, {"100 million euros", "€100 million"}, {"85 pounds", "£85"}} {
		// The glued form keeps its own token too; it must contain every
		// term of the spaced form.
		a, b := Terms(p[0]), Terms(p[1])
		for _, term := range a {
			if !slices.Contains(b, term) {
				t.Errorf("Terms(%q)=%v lacks %q of Terms(%q)=%v", p[1], b, term, p[0], a)
			}
		}
	}
}
