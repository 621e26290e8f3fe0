package bot

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestRenderUnderstoodAsFirstLine(t *testing.T) {
	a := &Answer{Question: "what did Zelensky say", Understood: "what did Zelensky say", Lead: "He said it was a crime [1].",
		Citations: []Citation{{N: 1, Quote: "It is a crime.", Source: "Example News"}}}
	if got := strings.SplitN(PlainText(a), "\n", 2)[0]; got != "Understood as: what did Zelensky say" {
		t.Errorf("first line %q", got)
	}
	var buf bytes.Buffer
	if err := RenderText(&buf, a, TextStyle{Color: true}); err != nil {
		t.Fatal(err)
	}
	if first := strings.SplitN(buf.String(), "\n", 2)[0]; !strings.Contains(first, "Understood as: what did Zelensky say") {
		t.Errorf("terminal first line %q", first)
	}
	a.Understood = ""
	if strings.Contains(PlainText(a), "Understood") {
		t.Error("line shown for a question searched as typed")
	}
}

func TestJSONUnderstoodAs(t *testing.T) {
	for _, c := range []struct {
		understood string
		want       bool
	}{{"what did Zelensky say", true}, {"", false}} {
		var buf bytes.Buffer
		if err := WriteJSON(&buf, &Answer{Question: "q", Understood: c.understood}); err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		if v, ok := m["understood_as"]; ok != c.want || (ok && v != c.understood) {
			t.Errorf("understood %q: JSON %s", c.understood, buf.String())
		}
	}
}

func TestRenderTextWrapsAndShowsURL(t *testing.T) {
	a := &Answer{Lead: "Russia’s defense ministry [1].\n1 quote from 1 outlet (Bloomberg):", Citations: []Citation{{
		N: 1, Quote: "Russia’s defense ministry confirmed the pullout from Izyum and other areas in a statement on Saturday, saying the troops would regroup.",
		Speaker: "the ministry", Title: "Russian troops retreat", Source: "Bloomberg", Published: "2022-09-10",
		URL: "https://example.com/story-with-a-long-path/and-more#:~:text=Russia%E2%80%99s%20defense",
	}, {N: 2, Quote: "Short.", Source: "unknown outlet", Title: "Untitled", URL: "newsdesk:003#p1"}}}
	for _, hyper := range []bool{false, true} {
		var buf bytes.Buffer
		if err := RenderText(&buf, a, TextStyle{Width: 52, Hyperlinks: hyper}); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		// The URL is printed as text, whole, even inside an OSC 8 link.
		if !strings.Contains(out, a.Citations[0].URL+"\x1b]8;;") && !strings.Contains(out, "    "+a.Citations[0].URL+"\n") {
			t.Errorf("hyperlinks=%v: URL not visible:\n%s", hyper, out)
		}
		for _, line := range strings.Split(out, "\n") {
			if strings.Contains(line, "://") {
				continue
			}
			if n := len([]rune(line)); n > 52 {
				t.Errorf("line of %d columns: %q", n, line)
			}
		}
		// Every word of the quote is whole on some line.
		for _, w := range strings.Fields(a.Citations[0].Quote) {
			if !strings.Contains(out, w) {
				t.Errorf("word %q broken", w)
			}
		}
		if !strings.Contains(out, "Russian troops retreat · Bloomberg · 2022-09-10") {
			t.Errorf("source line:\n%s", out)
		}
		if strings.Contains(out, "unknown outlet") {
			t.Errorf("unknown outlet shown as an outlet:\n%s", out)
		}
	}
	// Unwrapped (pipes, JSON): one line per quote.
	if pt := PlainText(a); !strings.Contains(pt, "[1] “"+a.Citations[0].Quote+"” — the ministry\n") {
		t.Errorf("plain text:\n%s", pt)
	}
}
