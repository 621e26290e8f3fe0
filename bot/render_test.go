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
