package judge

import (
	"strings"
	"testing"
)

func TestJudge(t *testing.T) {
	arts := map[string]string{"a": "The town of 27,000 people fell.\n“It was frightening,” she said."}
	q := Question{ID: "q", Answerable: true, Evidence: []string{"town of 27,000"}, Must: [][]string{{"27,000"}}}
	var a Answer
	a.Citations = append(a.Citations, struct {
		ArticleID string `json:"article_id"`
		Quote     string `json:"quote"`
	}{"a", "The town of  27,000 people fell."})
	if r := Judge(q, a, arts); !r.Pass(q) {
		t.Fatalf("should pass: %+v", r)
	}
	a.Citations[0].Quote = "The town of 28,000 people fell."
	if r := Judge(q, a, arts); r.Pass(q) || r.Verbatim {
		t.Fatalf("fabricated quote passed: %+v", r)
	}
	a.Citations[0].Quote = "\"It was frightening,\" she said."
	if r := Judge(q, a, arts); !r.Verbatim || r.Found {
		t.Fatalf("normalised quote: %+v", r)
	}
	un := Question{ID: "u"}
	if r := Judge(un, a, arts); r.Pass(un) {
		t.Fatal("answering an unanswerable question passed")
	}
	if r := Judge(un, Answer{Abstained: true}, arts); !r.Pass(un) {
		t.Fatal("abstention failed")
	}
}

func TestLoad(t *testing.T) {
	qs, err := Load(strings.NewReader(`{"id":"x","question":"q?","answerable":false,"evidence":[],"must":[]}` + "\n\n"))
	if err != nil || len(qs) != 1 || qs[0].ID != "x" {
		t.Fatalf("%v %v", qs, err)
	}
	if _, err := Load(strings.NewReader("{bad")); err == nil {
		t.Fatal("bad line accepted")
	}
}
