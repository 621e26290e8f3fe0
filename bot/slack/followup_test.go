package slack

import (
	"strings"
	"testing"

	slackapi "github.com/slack-go/slack"

	"github.com/newsdesk/newsdesk/bot"
)

func TestStartOver(t *testing.T) {
	for _, c := range []struct {
		in, rest string
		fresh    bool
	}{
		{"new question: who is Girkin?", "who is Girkin?", true},
		{"New Question - who is Girkin?", "who is Girkin?", true},
		{"new q who is Girkin?", "who is Girkin?", true},
		{"start over", "", true},
		{"Start over. What happened in Izyum?", "What happened in Izyum?", true},
		{"new questions about the dam?", "new questions about the dam?", false},
		{"new quarterly figures?", "new quarterly figures?", false},
		{"what is new?", "what is new?", false},
	} {
		rest, fresh := startOver(c.in)
		if rest != c.rest || fresh != c.fresh {
			t.Errorf("startOver(%q) = %q, %v; want %q, %v", c.in, rest, fresh, c.rest, c.fresh)
		}
	}
}

func TestNewQuestionResetsThread(t *testing.T) {
	h := newHarness(t, nil)
	h.event("Ev1", mentionEvent("C1", "U1", "100.000001", "", "<@UBOT> what happened to the bridge?"), nil)
	h.idle()
	h.event("Ev2", messageEvent("C1", "channel", "U1", "100.000005", "100.000001", "new question: who is the mayor?"), nil)
	h.idle()
	h.event("Ev3", messageEvent("C1", "channel", "U1", "100.000006", "100.000001", "and when?"), nil)
	h.idle()
	reqs := h.ans.requests()
	if len(reqs) != 3 {
		t.Fatalf("answerer calls = %d, want 3", len(reqs))
	}
	if reqs[1].Question != "who is the mayor?" || len(reqs[1].History) != 0 {
		t.Errorf("after 'new question': %q with history %+v", reqs[1].Question, reqs[1].History)
	}
	if len(reqs[2].History) != 1 || reqs[2].History[0].Question != "who is the mayor?" {
		t.Errorf("the next follow-up should see only the new question: %+v", reqs[2].History)
	}
	// "start over" alone answers nothing and clears the thread.
	h.event("Ev4", messageEvent("C1", "channel", "U1", "100.000007", "100.000001", "start over"), nil)
	h.idle()
	if n := len(h.ans.requests()); n != 3 {
		t.Errorf("'start over' alone was answered")
	}
	if c, _ := h.srv.convs.Get("C1/100.000001"); len(c.Turns) != 0 {
		t.Errorf("turns kept after 'start over': %+v", c.Turns)
	}
	if last := h.api.Calls("chat.postMessage"); !strings.Contains(last[len(last)-1].allText(t), "starting over") {
		t.Errorf("'start over' not acknowledged")
	}
}

func TestTopLevelMentionStartsOver(t *testing.T) {
	h := newHarness(t, nil)
	h.event("Ev1", mentionEvent("C1", "U1", "100.000001", "", "<@UBOT> what happened to the bridge?"), nil)
	h.idle()
	h.event("Ev2", mentionEvent("C1", "U1", "100.000002", "", "<@UBOT> and when?"), nil)
	h.idle()
	if reqs := h.ans.requests(); len(reqs) != 2 || len(reqs[1].History) != 0 || reqs[1].Question != "and when?" {
		t.Errorf("fresh top-level mention: %+v", reqs)
	}
}

func TestThreadFollowupRewrittenByHeuristic(t *testing.T) {
	h := newHarness(t, nil)
	h.srv.rw = bot.HeuristicRewriter{}
	h.event("Ev1", mentionEvent("C1", "U1", "100.000001", "", "<@UBOT> What did Zelensky say about the Kakhovka dam?"), nil)
	h.idle()
	h.event("Ev2", messageEvent("C1", "channel", "U1", "100.000005", "100.000001", "what did he say?"), nil)
	h.idle()
	h.event("Ev3", messageEvent("C1", "channel", "U1", "100.000006", "100.000001", "who is girkin and what did he say"), nil)
	h.idle()
	reqs := h.ans.requests()
	if len(reqs) != 3 {
		t.Fatalf("answerer calls = %d, want 3", len(reqs))
	}
	if reqs[1].Question != "what did Zelensky say?" {
		t.Errorf("follow-up searched as %q", reqs[1].Question)
	}
	if reqs[2].Question != "who is girkin and what did he say" {
		t.Errorf("stand-alone question hijacked: %q", reqs[2].Question)
	}
	upd := h.api.Calls("chat.update")
	var shown []string
	for _, c := range upd {
		if txt := c.allText(t); strings.Contains(txt, "Understood as") {
			shown = append(shown, txt)
		}
	}
	if len(shown) != 1 || !strings.Contains(shown[0], "what did Zelensky say?") {
		t.Errorf("want one 'Understood as' line, for the follow-up: %q", shown)
	}
}

func TestRenderUnderstoodFirst(t *testing.T) {
	for _, abstained := range []bool{false, true} {
		a := sampleAnswer()
		a.Abstained = abstained
		a.Understood = "what did Zelensky say <b>?"
		msgs := renderAnswer(a, renderOpts{AnswerID: "x"})
		checkLimits(t, msgs)
		first, ok := msgs[0].Blocks[0].(*slackapi.ContextBlock)
		if !ok {
			t.Fatalf("abstained=%v: first block is %T, want a context line", abstained, msgs[0].Blocks[0])
		}
		got := strings.Join(renderedTexts(t, outMessage{Blocks: []slackapi.Block{first}}), " ")
		if !strings.Contains(got, "Understood as") || !strings.Contains(got, "Zelensky") {
			t.Errorf("abstained=%v: first line %q", abstained, got)
		}
		if strings.Contains(got, "<b>") {
			t.Errorf("understood text not escaped: %q", got)
		}
	}
}

func FuzzStartOver(f *testing.F) {
	for _, s := range []string{"new question: who?", "new q", "start over—", "new quarterly", "Ñew question"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		rest, fresh := startOver(q)
		if !fresh && rest != q {
			t.Errorf("startOver(%q) changed the question to %q without a start-over phrase", q, rest)
		}
		if fresh && len(rest) >= len(q) {
			t.Errorf("startOver(%q) = %q: the phrase was not removed", q, rest)
		}
	})
}
