package llm

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestParseReply(t *testing.T) {
	cases := []struct {
		name, in string
		want     reply
		ok       bool
	}{
		{"plain", `{"answer":"A [1]","abstain":false,"citations":[{"n":1,"quote":"q"}]}`, reply{Answer: "A [1]", Citations: []replyCitation{{1, "q"}}}, true},
		{"fence", "```json\n{\"answer\":\"A\",\"abstain\":true,\"citations\":[]}\n```", reply{Answer: "A", Abstain: true}, true},
		{"braces in strings", `Note {x}: {"answer":"a } b { c","citations":[{"n":2,"quote":"}"}]} trailing`, reply{Answer: "a } b { c", Citations: []replyCitation{{2, "}"}}}, true},
		{"nested other object first", `{"meta":{"v":1}} {"answer":"x"}`, reply{Answer: "x"}, true},
		{"n as string and float", `{"answer":"x","citations":[{"n":"[3]","quote":"a"},{"n":4.0,"quote":"b"},{"n":4.5,"quote":"c"},{"quote":"d"}]}`, reply{Answer: "x", Citations: []replyCitation{{3, "a"}, {4, "b"}}}, true},
		{"no answer field", `{"text":"x"}`, reply{}, false},
		{"not json", `The answer is 42.`, reply{}, false},
		{"unbalanced", `{"answer": "x"`, reply{}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := parseReply(c.in)
			if (err == nil) != c.ok {
				t.Fatalf("err = %v, want ok %v", err, c.ok)
			}
			if c.ok && !equalReply(got, c.want) {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

func equalReply(a, b reply) bool {
	if a.Answer != b.Answer || a.Abstain != b.Abstain || len(a.Citations) != len(b.Citations) {
		return false
	}
	for i := range a.Citations {
		if a.Citations[i] != b.Citations[i] {
			return false
		}
	}
	return true
}

func TestPartialAnswerPrefixes(t *testing.T) {
	answer := "Line one \"quoted\" \\ tab\tand emoji 😀 and é, done [1]."
	b, _ := json.Marshal(map[string]any{"answer": answer, "abstain": false})
	full := strings.Replace(string(b), `😀`, `\ud83d\ude00`, 1) // escaped as some servers do
	prev := ""
	for i := 0; i <= len(full); i++ {
		got := partialAnswer(full[:i])
		if !strings.HasPrefix(answer, got) {
			t.Fatalf("prefix %d: partial %q is not a prefix of the answer", i, got)
		}
		if len(got) < len(prev) {
			t.Fatalf("prefix %d: partial shrank from %q to %q", i, prev, got)
		}
		prev = got
	}
	if prev != answer {
		t.Errorf("final partial %q, want %q", prev, answer)
	}
	if partialAnswer(`{"abstain": false, "cit`) != "" {
		t.Error("no answer field yet should give \"\"")
	}
}

func TestPartialView(t *testing.T) {
	cases := map[string]string{
		"The mayor said [1] it would open.":             "The mayor said it would open.",
		`He said "we will rebuild" [2], and “soon” too`: `He said "…", and “…” too`,
		"Then he said “we will":                         "Then he said “…",
		"Plain [1, 2].":                                 "Plain.",
	}
	for in, want := range cases {
		if got := partialView(in); got != want {
			t.Errorf("partialView(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCollapseRepeats(t *testing.T) {
	cases := map[string]string{
		"a [1] [1].":                       "a [1].",
		"a [1][1][2] b [2]":                "a [1][2] b [2]",
		"x [unsupported] [unsupported], y": "x [unsupported], y",
		"[1] text [1]":                     "[1] text [1]",
		"no markers":                       "no markers",
	}
	for in, want := range cases {
		if got := collapseRepeats(in); got != want {
			t.Errorf("collapseRepeats(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheckQuotations(t *testing.T) {
	ps := []passage{{n: 1, article: harbourArticle(), text: harbourArticle().Text()}}
	cases := []struct {
		in, want string
		removed  int
	}{
		// FindQuote is case-sensitive: a lower-case "we" is not the article's.
		{`He said "we will reopen the bridge in May," and "it is closed for good". See "Harbour bridge to reopen". An unclosed " mark.`,
			`He said ` + RemovedQuotation + ` and ` + RemovedQuotation + `. See "Harbour bridge to reopen". An unclosed " mark.`, 2},
		{`He said “We will reopen the bridge in May,” firmly.`, `He said “We will reopen the bridge in May,” firmly.`, 0},
		// Verified with straight quotes: the inner text becomes the article's.
		{`He said "We will reopen the bridge in May," firmly.`, `He said "We will reopen the bridge in May," firmly.`, 0},
		{`He said "We will reopen the bridge - in May," firmly.`, `He said ` + RemovedQuotation + ` firmly.`, 1},
		{`Costs: "about 4 million euros".`, `Costs: "about 4 million euros".`, 0},
		{`Empty "" quotes.`, `Empty "" quotes.`, 0},
	}
	for _, c := range cases {
		got, n := checkQuotations(c.in, ps)
		if got != c.want || n != c.removed {
			t.Errorf("checkQuotations(%q)\n got  %q (%d)\n want %q (%d)", c.in, got, n, c.want, c.removed)
		}
	}
}

func TestMaskKeys(t *testing.T) {
	in := "Incorrect API key provided: sk-proj-abc123*****xyz9. Also key-abcdef1234."
	got := maskKeys(in)
	if strings.Contains(got, "abc123") || strings.Contains(got, "abcdef1234") {
		t.Errorf("maskKeys left key material: %q", got)
	}
}

func FuzzParseReply(f *testing.F) {
	f.Add(`{"answer":"A [1]","abstain":false,"citations":[{"n":1,"quote":"q"}]}`)
	f.Add("```json\n{\"answer\":\"x\"}\n```")
	f.Add(`{{{{"answer":`)
	f.Add(`<think>{</think>{"abstain":"true"}`)
	f.Fuzz(func(t *testing.T, s string) {
		r, err := parseReply(s)
		if err != nil {
			return
		}
		for _, c := range r.Citations {
			_ = c.N // any int; callers range-check
		}
		if utf8.ValidString(s) && !utf8.ValidString(r.Answer) {
			t.Fatalf("invalid UTF-8 answer from valid input")
		}
	})
}

func FuzzPartialAnswer(f *testing.F) {
	f.Add(`{"answer": "a \"b\" \u00e9 \ud83d\ude00 [1]`)
	f.Add(`{"answer":"\`)
	f.Add(`{"answer":"\u12`)
	f.Add(`"answer": "x\\`)
	f.Fuzz(func(t *testing.T, s string) {
		got := partialAnswer(s)
		view := partialView(got)
		if utf8.ValidString(s) && (!utf8.ValidString(got) || !utf8.ValidString(view)) {
			t.Fatalf("invalid UTF-8 from valid input %q", s)
		}
		// A complete document's answer must extend every partial one.
		var full struct{ Answer string }
		if json.Unmarshal([]byte(s), &full) == nil && strings.HasPrefix(strings.TrimSpace(s), `{"answer":"`) {
			for i := 0; i < len(s); i++ {
				if p := partialAnswer(s[:i]); !strings.HasPrefix(full.Answer, p) {
					t.Fatalf("partial %q of %q is not a prefix of %q", p, s[:i], full.Answer)
				}
			}
		}
	})
}
