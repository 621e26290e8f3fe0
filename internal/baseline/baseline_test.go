package baseline

import (
	"context"
	"strings"
	"testing"

	"github.com/newsdesk/newsdesk/bot"
	"github.com/newsdesk/newsdesk/corpus"
)

func TestBM25Sentences(t *testing.T) {
	arts := []corpus.Article{
		{ID: "bridge", Source: "Herald", Paragraphs: []string{"The bridge reopens in March. Repairs cost 14 million dollars.", "Engineers found corrosion in the cables."}},
		{ID: "storm", Paragraphs: []string{"A storm closed every school. Classes resume on Thursday."}},
	}
	b, err := New(context.Background(), arts, 2)
	if err != nil {
		t.Fatal(err)
	}
	a, err := b.Answer(context.Background(), bot.Request{Question: "How much did the bridge repairs cost?"})
	if err != nil {
		t.Fatal(err)
	}
	if a.Abstained || len(a.Citations) != 2 || a.Mode != Mode {
		t.Fatalf("%+v", a)
	}
	c := a.Citations[0]
	if c.ArticleID != "bridge" || c.Quote != "Repairs cost 14 million dollars." || c.N != 1 || c.Source != "Herald" {
		t.Errorf("top citation %+v", c)
	}
	text := arts[0].Text()
	if text[c.Start:c.Start+len(c.Quote)] != c.Quote {
		t.Errorf("offset %d does not point at the quote", c.Start)
	}
	if !strings.HasPrefix(a.Text, "[1] Repairs cost") {
		t.Errorf("answer text %q", a.Text)
	}

	a, err = b.Answer(context.Background(), bot.Request{Question: "xylophone quartet"})
	if err != nil || !a.Abstained || len(a.Citations) != 0 {
		t.Fatalf("no matching word: %+v %v", a, err)
	}
	if _, err := b.Answer(context.Background(), bot.Request{Question: "  "}); err != bot.ErrEmptyQuestion {
		t.Errorf("blank question: %v", err)
	}
}
