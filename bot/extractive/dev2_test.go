package extractive

import (
	"testing"

	"github.com/newsdesk/newsdesk/bot"
)

// dev2Measured is the dev2 score measured (see the README's "Measured"):
// 21 of 22, n03 failing (it needs a semantic model). TestDev2 fails below
// it; raise it when the score rises.
const dev2Measured = 21

// TestDev2 runs the chat-style public dev questions (lowercase, filler,
// paraphrase, near-miss unanswerables). It logs every failure and fails
// if fewer pass than measured.
func TestDev2(t *testing.T) {
	qs := loadQuestions(t, "testdata/dev2.jsonl")
	pass, failures := judgeSet(t, New(devIndex(t), bot.Linker{}), qs, rawArticles(t))
	for _, f := range failures {
		t.Log(f)
	}
	t.Logf("dev2: %d/%d pass", pass, len(qs))
	if pass < dev2Measured {
		t.Errorf("dev2: %d/%d pass, below the %d measured", pass, len(qs), dev2Measured)
	}
}
