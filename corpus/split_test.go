package corpus

import (
	"reflect"
	"testing"
	"unicode"
	"unicode/utf8"
)

// sentencesOf returns the text of each span.
func sentencesOf(p string) []string {
	var out []string
	for _, sp := range SplitSentences(p) {
		out = append(out, p[sp[0]:sp[1]])
	}
	return out
}

func TestSplitSentences(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", nil},
		{"only space", "  \t\u00a0 ", nil},
		{"one sentence no period", "Breaking news from Kyiv", []string{"Breaking news from Kyiv"}},
		{"two sentences", "Troops advanced. Officials confirmed it.",
			[]string{"Troops advanced.", "Officials confirmed it."}},
		{"trimmed", "  Troops advanced.   Officials confirmed it.  ",
			[]string{"Troops advanced.", "Officials confirmed it."}},
		{"question and exclamation", "Is it over? Nobody knows! We wait.",
			[]string{"Is it over?", "Nobody knows!", "We wait."}},
		{"U.S. mid sentence", "Kyiv received weapons from the U.S. and its allies. It helped.",
			[]string{"Kyiv received weapons from the U.S. and its allies.", "It helped."}},
		{"U.S. before a name", "The U.S. State Department said so. It was late.",
			[]string{"The U.S. State Department said so.", "It was late."}},
		{"U.S. at sentence end", "He flew to the U.S. The trip was short.",
			[]string{"He flew to the U.S.", "The trip was short."}},
		{"U.K. and hyphen", "A U.K.-based group said the U.K. Defence Ministry agreed.",
			[]string{"A U.K.-based group said the U.K. Defence Ministry agreed."}},
		{"ranks", "Maj. Gen. Igor Konashenkov said troops left. Others stayed.",
			[]string{"Maj. Gen. Igor Konashenkov said troops left.", "Others stayed."}},
		{"dateline with a state abbreviation", "MARLOW, Mo. — The river rose. It fell.",
			[]string{"MARLOW, Mo. — The river rose.", "It fell."}},
		{"titles", "Mr. Smith met Dr. Jones and Mrs. Brown. They talked.",
			[]string{"Mr. Smith met Dr. Jones and Mrs. Brown.", "They talked."}},
		{"saint", "He was born in St. Petersburg in 1952.", []string{"He was born in St. Petersburg in 1952."}},
		{"month", "The invasion began on Feb. 24 last year. It has not ended.",
			[]string{"The invasion began on Feb. 24 last year.", "It has not ended."}},
		{"time", "The strike hit at 9 a.m. Saturday, officials said. At 10 a.m. the sirens stopped.",
			[]string{"The strike hit at 9 a.m. Saturday, officials said.", "At 10 a.m. the sirens stopped."}},
		{"time at end", "The strike hit at 9 a.m. The sirens stopped later.",
			[]string{"The strike hit at 9 a.m.", "The sirens stopped later."}},
		{"initials", "The book by J. R. R. Tolkien sold well. Fans cheered.",
			[]string{"The book by J. R. R. Tolkien sold well.", "Fans cheered."}},
		{"numbers", "They took 2,500 km. Prices rose 3.5 percent. It is No. 1 in sales.",
			[]string{"They took 2,500 km.", "Prices rose 3.5 percent.", "It is No. 1 in sales."}},
		{"ellipsis char lower", "It was “of course … the result of mistakes.” Others agreed.",
			[]string{"It was “of course … the result of mistakes.”", "Others agreed."}},
		{"ellipsis dots", "We will see... Nobody knows. Maybe... maybe not.",
			[]string{"We will see...", "Nobody knows.", "Maybe... maybe not."}},
		{"bracketed ellipsis", "They attended, […] families of those who died.",
			[]string{"They attended, […] families of those who died."}},
		{"closing quote stays", "“It will be like an avalanche,” he said, predicting a fallback. “One line of defense will shake and it will fall.”",
			[]string{"“It will be like an avalanche,” he said, predicting a fallback.", "“One line of defense will shake and it will fall.”"}},
		{"multi-sentence quote with attribution", "“Sentence one. Sentence two,” she said. Then she left.",
			[]string{"“Sentence one. Sentence two,” she said.", "Then she left."}},
		{"multi-sentence quote named speaker", "“I came to Kyiv today. We will stand by Ukraine,” Baerbock said. Berlin agreed.",
			[]string{"“I came to Kyiv today. We will stand by Ukraine,” Baerbock said.", "Berlin agreed."}},
		{"quote without attribution splits", "“It’s crucial to keep sending arms. Defeating Russia means peace.”",
			[]string{"“It’s crucial to keep sending arms.", "Defeating Russia means peace.”"}},
		{"exclamation in quote with attribution", "“The army is the fastest in the world … keep running!” Yermak wrote on Twitter later. He laughed.",
			[]string{"“The army is the fastest in the world … keep running!” Yermak wrote on Twitter later.", "He laughed."}},
		{"question in quote lower attribution", "“Where are they?” she asked. Nobody answered.",
			[]string{"“Where are they?” she asked.", "Nobody answered."}},
		{"exclamation in quote then new sentence", "“Glory to Ukraine!” The crowd cheered.",
			[]string{"“Glory to Ukraine!”", "The crowd cheered."}},
		{"period in quote then capital", "He called it “a major defeat.” The army denied it.",
			[]string{"He called it “a major defeat.”", "The army denied it."}},
		{"quote then period outside", "The situation was “very difficult”. Residents fled.",
			[]string{"The situation was “very difficult”.", "Residents fled."}},
		{"ascii quotes", `"We will win. We must," he said. "Now go."`,
			[]string{`"We will win. We must," he said.`, `"Now go."`}},
		{"single quotes", "‘We will stand by Ukraine. Always,’ she said. Berlin sent arms.",
			[]string{"‘We will stand by Ukraine. Always,’ she said.", "Berlin sent arms."}},
		{"apostrophes are not quotes", "Russia’s army didn’t stop. Ukraine’s did.",
			[]string{"Russia’s army didn’t stop.", "Ukraine’s did."}},
		{"stray quote mark", "It was the goal “to liberate Donbas,’” one region. Russia declared it.",
			[]string{"It was the goal “to liberate Donbas,’” one region.", "Russia declared it."}},
		{"unclosed quote", "“We will fight on. We will not give up.",
			[]string{"“We will fight on.", "We will not give up."}},
		{"parenthesis", "The area is 50 km (30 miles.) It grew.", []string{"The area is 50 km (30 miles.)", "It grew."}},
		{"lowercase after period", "The co. was founded in 1990. it grew.", []string{"The co. was founded in 1990. it grew."}},
		{"numbered list item", "1. Troops must leave the area.", []string{"1. Troops must leave the area."}},
		{"inc at end", "He works for Acme Inc. The firm is big.", []string{"He works for Acme Inc.", "The firm is big."}},
		{"inc mid", "Acme Inc. Chief Executive John Doe spoke.", []string{"Acme Inc. Chief Executive John Doe spoke."}},
		{"no-break space between", "One.\u00a0Two.", []string{"One.", "Two."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sentencesOf(tt.in)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("SplitSentences(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
			checkSpans(t, tt.in, SplitSentences(tt.in))
		})
	}
}

// checkSpans asserts the SplitSentences invariants: spans are in bounds,
// non-empty, ordered, non-overlapping, trimmed, and cover every non-space
// rune of p.
func checkSpans(t *testing.T, p string, spans [][2]int) {
	t.Helper()
	covered := make([]bool, len(p))
	prev := 0
	for i, sp := range spans {
		s, e := sp[0], sp[1]
		if s < prev || s >= e || e > len(p) {
			t.Fatalf("span %d %v invalid (prev end %d, len %d) in %q", i, sp, prev, len(p), p)
		}
		text := p[s:e]
		if trimmed := trimSpaceRunes(text); trimmed != text {
			t.Fatalf("span %d %q not trimmed in %q", i, text, p)
		}
		for j := s; j < e; j++ {
			covered[j] = true
		}
		prev = e
	}
	for i, r := range p {
		if !unicode.IsSpace(r) && !covered[i] {
			t.Fatalf("rune %q at %d not covered by %v in %q", r, i, spans, p)
		}
	}
}

// trimSpaceRunes trims unicode.IsSpace runes decoded front to back, the
// way SplitSentences sees the text (invalid bytes are never space).
func trimSpaceRunes(s string) string {
	start, end := -1, 0
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsSpace(r) {
			if start < 0 {
				start = i
			}
			end = i + w
		}
		i += w
	}
	if start < 0 {
		return ""
	}
	return s[start:end]
}

func TestSentences(t *testing.T) {
	a := Article{Paragraphs: []string{"One. Two.", "Three?"}}
	got := a.Sentences()
	want := []Sentence{
		{Para: 0, Start: 0, End: 4, Text: "One."},
		{Para: 0, Start: 5, End: 9, Text: "Two."},
		{Para: 1, Start: 0, End: 6, Text: "Three?"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Sentences() = %+v, want %+v", got, want)
	}
}

func FuzzSplitSentences(f *testing.F) {
	for _, s := range []string{
		"", "Mr. Smith went to Washington. He left.",
		"“Sentence one. Sentence two,” she said. Then “Run!” Yermak wrote.",
		"U.S. a.m. J. R. R. 3.5 No. 1 … ... ‘quote’ \"ascii\" 'single' (paren.) [x]",
		"\xff\xfe. \xe2\x80. \u00a0\u2028 .", "“““”””‘’‘’", "1. 2. 3.",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		checkSpans(t, p, SplitSentences(p))
	})
}
