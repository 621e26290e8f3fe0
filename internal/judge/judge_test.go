package judge

import (
	"strings"
	"testing"
	"time"
)

func cite(id, quote string) Citation { return Citation{ArticleID: id, Quote: quote} }

func TestJudge(t *testing.T) {
	arts := Options{Article: Map(map[string]string{"a": "The town of 27,000 people fell.\n“It was frightening,” she said."})}
	q := Question{ID: "q", Answerable: true, Evidence: []string{"town of 27,000"}, Must: [][]string{{"27,000"}}}
	a := Answer{Citations: []Citation{cite("a", "The town of  27,000 people fell.")}}
	if r := Judge(q, a, arts); !r.Pass(q) || !r.Answered || r.Exact != 1 {
		t.Fatalf("should pass: %+v", r)
	}
	a.Citations[0].Quote = "The town of 28,000 people fell."
	if r := Judge(q, a, arts); r.Pass(q) || r.Verbatim || r.Exact != 0 {
		t.Fatalf("fabricated quote passed: %+v", r)
	}
	a.Citations[0].Quote = "\"It was frightening,\" she said."
	if r := Judge(q, a, arts); !r.Verbatim || r.Found {
		t.Fatalf("normalised quote: %+v", r)
	}
	a.Citations[0].ArticleID = "zzz"
	if r := Judge(q, a, arts); r.Verbatim {
		t.Fatalf("unknown article passed: %+v", r)
	}
	un := Question{ID: "u"}
	if r := Judge(un, a, arts); r.Pass(un) {
		t.Fatal("answering an unanswerable question passed")
	}
	if r := Judge(un, Answer{Abstained: true}, arts); !r.Pass(un) || r.Answered {
		t.Fatalf("abstention failed: %+v", r)
	}
}

func TestJudgeK(t *testing.T) {
	text := "One. Two. Three. Four with the phrase."
	o := Options{Article: Map(map[string]string{"a": text})}
	q := Question{ID: "q", Answerable: true, Evidence: []string{"the phrase"}}
	a := Answer{Citations: []Citation{cite("a", "One."), cite("a", "Two."), cite("a", "Three."), cite("a", "Four with the phrase.")}}
	if r := Judge(q, a, o); r.Found {
		t.Fatalf("fourth quote found with the default k: %+v", r)
	}
	o.K = 4
	if r := Judge(q, a, o); !r.Found {
		t.Fatalf("fourth quote not found with k=4: %+v", r)
	}
	o.K = 1
	a.Citations = a.Citations[3:]
	if r := Judge(q, a, o); !r.Found {
		t.Fatalf("first quote not found with k=1: %+v", r)
	}
}

func TestJudgeFoundByMust(t *testing.T) {
	o := Options{Article: Map(map[string]string{"a": "Troops left Izyum on Friday. Nothing else."})}
	q := Question{ID: "q", Answerable: true, Must: [][]string{{"izyum"}, {"friday", "saturday"}}}
	a := Answer{Answer: "Friday.", Citations: []Citation{cite("a", "Troops left Izyum on Friday.")}}
	if r := Judge(q, a, o); !r.Found || !r.MustOK {
		t.Fatalf("must groups in the quote not found: %+v", r)
	}
	// The answer text counts for must, not for found.
	a.Citations = []Citation{cite("a", "Nothing else.")}
	a.Answer = "Izyum, Friday."
	if r := Judge(q, a, o); r.Found || !r.MustOK {
		t.Fatalf("found by the answer text: %+v", r)
	}
	if r := Judge(q, Answer{Abstained: true}, o); r.Found {
		t.Fatalf("found without quotes: %+v", r)
	}
}

func TestAnswerLine(t *testing.T) {
	o := Options{Article: Map(map[string]string{"a": "x"})}
	q := Question{ID: "q", Answerable: true, Must: [][]string{{"x"}}, Answer: []string{"on Friday", "Sept. 9"}}
	for text, want := range map[string]bool{
		"\n  On   FRIDAY, Moscow said.\nmore":  true,
		"Moscow said on Sept.\u00a09.":         true,
		"Moscow said.\nOn Friday it withdrew.": false,
		"":                                     false,
	} {
		if r := Judge(q, Answer{Answer: text}, o); r.AnswerHit != want {
			t.Errorf("%q: hit %v, want %v", text, r.AnswerHit, want)
		}
	}
	q.Answer = []string{"“Kyiv’s”"}
	if r := Judge(q, Answer{Answer: `He said "Kyiv's" army.`}, o); !r.AnswerHit {
		t.Error("typographic quotes not normalised")
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

func TestParseSkipsMalformedLines(t *testing.T) {
	in := strings.Join([]string{
		`{"id":"a","question":"q1","answerable":true,"evidence":["e"],"as_of":"2022-09-10","answer":["x"]}`,
		`{bad json`,
		``,
		`{"id":"b","question":"","answerable":false}`,
		`{"id":"c","question":"q3","answerable":true}`,
		`{"id":"d","question":"q4","as_of":"10/09/2022"}`,
		`{"id":"a","question":"again"}`,
		`{"id":"e","question":"q6","answerable":"yes"}`,
		`{"id":"f","question":"q7","answerable":false}`,
		`{"id":"g","question":"q8","answerable":true,"must":[["m"]]}`,
	}, "\n")
	qs, bad, err := Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, q := range qs {
		ids = append(ids, q.ID)
	}
	if strings.Join(ids, ",") != "a,f,g" {
		t.Errorf("kept %v", ids)
	}
	var lines []int
	for _, b := range bad {
		lines = append(lines, b.Line)
	}
	if want := []int{2, 4, 5, 6, 7, 8}; len(lines) != len(want) || lines[0] != 2 || lines[5] != 8 {
		t.Errorf("bad lines %v (%v), want %v", lines, bad, want)
	}
	if d, err := qs[0].AsOfTime(); err != nil || d.Format(time.RFC3339) != "2022-09-10T23:59:59Z" {
		t.Errorf("as_of: %v %v", d, err)
	}
	if len(qs[0].Answer) != 1 {
		t.Errorf("answer list lost: %+v", qs[0])
	}
}

func TestParseLongLine(t *testing.T) {
	in := `{"id":"a","question":"` + strings.Repeat("x", maxLine+10) + `"}` + "\n" + `{"id":"b","question":"q"}`
	qs, bad, err := Parse(strings.NewReader(in))
	if err != nil || len(qs) != 1 || qs[0].ID != "b" || len(bad) != 1 || bad[0].Line != 1 {
		t.Fatalf("qs %v bad %v err %v", qs, bad, err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(`{"id":"a","question":"q","answerable":true,"evidence":["e"],"must":[["m"]],"answer":["x"],"as_of":"2022-09-10"}` + "\n{bad\n")
	f.Fuzz(func(t *testing.T, in string) {
		qs, bad, err := Parse(strings.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range qs {
			if q.Validate() != nil {
				t.Fatalf("invalid question kept: %+v", q)
			}
			Judge(q, Answer{Answer: in, Citations: []Citation{{ArticleID: "a", Quote: in}}}, Options{Article: Map(map[string]string{"a": in})})
		}
		for _, b := range bad {
			if b.Line < 1 {
				t.Fatalf("bad line number %d", b.Line)
			}
		}
	})
}
