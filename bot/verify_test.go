package bot

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFindQuote(t *testing.T) {
	text := "The mayor said: “We will rebuild the bridge — all of it.”\n\nShe added,  ‘soon’… maybe in 2025–2026."
	cases := []struct {
		name, quote, want string
		ok                bool
	}{
		{"exact", "We will rebuild the bridge", "We will rebuild the bridge", true},
		{"straight quotes and dash", `"We will rebuild the bridge - all of it."`, "“We will rebuild the bridge — all of it.”", true},
		{"white space runs", "She   added, 'soon'", "She added,  ‘soon’", true},
		{"across paragraphs", "it.” She added", "it.”\n\nShe added", true},
		{"ellipsis", "'soon'... maybe", "‘soon’… maybe", true},
		{"en dash", "2025-2026", "2025–2026", true},
		{"trimmed", "  the bridge\n", "the bridge", true},
		{"case matters", "we will rebuild", "", false},
		{"word changed", "We will repair the bridge", "", false},
		{"mid-word start", "ayor said", "", false},
		{"mid-word end", "The mayo", "", false},
		{"half an ellipsis", "'soon'.. maybe", "", false},
		{"empty", "", "", false},
		{"only space", " \n ", "", false},
		{"missing space", "Themayor", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, e, ok := FindQuote(text, c.quote)
			if ok != c.ok {
				t.Fatalf("FindQuote(%q) ok = %v, want %v", c.quote, ok, c.ok)
			}
			if ok && text[s:e] != c.want {
				t.Errorf("FindQuote(%q) = %q, want %q", c.quote, text[s:e], c.want)
			}
		})
	}
}

func TestFindQuoteSkipsMidWordOccurrence(t *testing.T) {
	text := "It was illegal. It was legal later."
	s, e, ok := FindQuote(text, "legal")
	if !ok || s != strings.Index(text, " legal")+1 || text[s:e] != "legal" {
		t.Errorf("got %d:%d %v; want the standalone word, not the one inside illegal", s, e, ok)
	}
}

func TestRenumberMarkers(t *testing.T) {
	renum := map[int]int{3: 1, 5: 2}
	got := RenumberMarkers("A [3]. B [4]. C [3, 5]. D [5][3]. E [9,4].", renum, "[unsupported]")
	want := "A [1]. B [unsupported]. C [1][2]. D [2][1]. E [unsupported]."
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if got := RenumberMarkers("B [4].", renum, ""); got != "B." {
		t.Errorf("removal: got %q", got)
	}
	if got := RenumberMarkers("no markers [x]", renum, ""); got != "no markers [x]" {
		t.Errorf("got %q", got)
	}
}

func FuzzFindQuote(f *testing.F) {
	f.Add("The mayor said: “We will rebuild — now.”", `"We will rebuild - now."`)
	f.Add("a … b", "a ... b")
	f.Add("x\u00a0\u00a0y", "x y")
	f.Add("\xff\xfe abc", "abc")
	f.Add("illegal legal", "legal")
	f.Fuzz(func(t *testing.T, text, quote string) {
		s, e, ok := FindQuote(text, quote)
		if !ok {
			return
		}
		if s < 0 || s > e || e > len(text) {
			t.Fatalf("span %d:%d outside text of %d bytes", s, e, len(text))
		}
		got := text[s:e]
		if utf8.ValidString(text) && !utf8.ValidString(got) {
			t.Fatalf("span %d:%d splits a rune", s, e)
		}
		// The span normalises to exactly the quote.
		a, b := quoteNormalise(got), quoteNormalise(quote)
		a.trimSpace()
		b.trimSpace()
		if string(a.b) != string(b.b) {
			t.Fatalf("span %q does not normalise to quote %q", got, quote)
		}
		// And the exact span is found again, at a boundary-respecting place.
		if _, _, ok2 := FindQuote(text, got); !ok2 {
			t.Fatalf("exact span %q not found again", got)
		}
	})
}
