package llm

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/newsdesk/newsdesk/bot"
)

func TestCheckQuotationsEveryMark(t *testing.T) {
	ps := []passage{{n: 1, article: harbourArticle(), text: harbourArticle().Text()}}
	cases := []struct {
		in, want string
		removed  int
	}{
		// Made-up quotations, whatever their marks, are removed.
		{`He said ‘the mayor resigned in protest’ today.`, `He said ` + RemovedQuotation + ` today.`, 1},
		{`He said 'the mayor resigned in protest' today.`, `He said ` + RemovedQuotation + ` today.`, 1},
		{`市长说「市长已经辞职」。`, `市长说` + RemovedQuotation + `。`, 1},
		{`Il a dit ‹le maire a démissionné› hier.`, `Il a dit ` + RemovedQuotation + ` hier.`, 1},
		{`市长说『市长已经辞职』。`, `市长说` + RemovedQuotation + `。`, 1},
		{`Er sagte »Der Bürgermeister tritt zurück« gestern.`, `Er sagte ` + RemovedQuotation + ` gestern.`, 1},
		{`Sie sagte ‚wir treten zurück‘ gestern.`, `Sie sagte ` + RemovedQuotation + ` gestern.`, 1},
		// An unclosed mark no longer hides the quotations after it.
		{`He is 6'2" tall. “The mayor resigned in protest,” he said.`, `He is 6'2" tall. ` + RemovedQuotation + ` he said.`, 1},
		// A verified quotation in single marks keeps the article's text.
		{`Ruiz said ‘We will reopen the bridge in May’ on Friday.`, `Ruiz said ‘We will reopen the bridge in May’ on Friday.`, 0},
		{`Ruiz said 'We will reopen the bridge in May' on Friday.`, `Ruiz said 'We will reopen the bridge in May' on Friday.`, 0},
		{`She wrote ‘We’re ready,’ and left.`, `She wrote ` + RemovedQuotation + ` and left.`, 1},
		// Apostrophes are not quotations.
		{`It's the council's bridge, Kyiv’s too, since the '90s.`, `It's the council's bridge, Kyiv’s too, since the '90s.`, 0},
		{`The '90s and the mayor’s plan, 'til May.`, `The '90s and the mayor’s plan, 'til May.`, 0},
		{`Rock 'n' roll and the ‘new’ bridge.`, `Rock 'n' roll and the ‘new’ bridge.`, 0},
		{`The '90s ended and 'we will rebuild it' was the motto.`, `The '90s ended and ` + RemovedQuotation + ` was the motto.`, 1},
		{`Workers' pay and the engineers' report.`, `Workers' pay and the engineers' report.`, 0},
	}
	for _, c := range cases {
		got, n := checkQuotations(c.in, ps)
		if got != c.want || n != c.removed {
			t.Errorf("checkQuotations(%q)\n got  %q (%d)\n want %q (%d)", c.in, got, n, c.want, c.removed)
		}
	}
}

func TestFabricatedSingleQuotedQuotationRemoved(t *testing.T) {
	for _, q := range []string{"‘The mayor resigned in protest’", "'The mayor resigned in protest'", "「The mayor resigned in protest」", "‹The mayor resigned in protest›", "『The mayor resigned in protest』"} {
		h := newHarness(t, func(n int, s seen, w http.ResponseWriter) {
			writeChat(w, replyJSON("The bridge reopens in May [2]. Ruiz said "+q+" [2].", false,
				2, "We will reopen the bridge in May"))
		}, Config{})
		ans, err := h.ans.Answer(context.Background(), bot.Request{Question: "What did the mayor say?"})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(allText(ans), "resigned") {
			t.Errorf("%s: fabricated quotation reached the user: %q", q, ans.Text)
		}
		if !strings.Contains(strings.Join(ans.Notes, " "), "quotation(s) in the model's answer were not in the articles") {
			t.Errorf("%s: notes %q lack the removal note", q, ans.Notes)
		}
	}
}

func TestPartialViewHidesEveryMark(t *testing.T) {
	cases := map[string]string{
		"He said ‘we will go’ [1] and it's fine": "He said ‘…’ and it's fine",
		"He said 「我们」 then ‹x y›":                "He said 「…」 then ‹…›",
		"Kyiv’s mayor said ‘we will":             "Kyiv’s mayor said ‘…",
	}
	for in, want := range cases {
		if got := partialView(in); got != want {
			t.Errorf("partialView(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzFindQuotations(f *testing.F) {
	f.Add(`He said ‘we’re ready,’ and 'the '90s' «a» „b“ 「c」`)
	f.Add(`'''‘’’"“”`)
	f.Fuzz(func(t *testing.T, s string) {
		spans, unclosed := findQuotations(s)
		last := 0
		for _, q := range spans {
			if q.start < last || q.start >= q.inStart || q.inStart > q.inEnd || q.inEnd >= q.end || q.end > len(s) {
				t.Fatalf("bad span %+v (last %d) in %q", q, last, s)
			}
			last = q.end
		}
		if unclosed >= len(s) {
			t.Fatalf("unclosed %d out of range", unclosed)
		}
		_ = partialView(s)
		if out, _ := checkQuotations(s, nil); len(spans) == 0 && out != s {
			t.Fatalf("text without quotations changed: %q -> %q", s, out)
		}
	})
}
