package extractive

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/newsdesk/newsdesk/bot"
	"github.com/newsdesk/newsdesk/retrieval"
)

// TestDebugQuestion prints the analysis of $Q (development aid; skipped without it).
func TestDebugQuestion(t *testing.T) {
	q := os.Getenv("Q")
	if q == "" {
		t.Skip("set Q")
	}
	ix := devIndex(t)
	e := New(ix, bot.Linker{})
	qa := analyze(q, ix)
	fmt.Printf("kind=%d unknown=%v names=%v expand=%v predicate=%v role=%q\n", qa.kind, qa.unknown, qa.names, qa.expand, qa.predicate, qa.role)
	total := 0.0
	for _, tm := range qa.terms {
		total += tm.weight
		fmt.Printf("  term %-14s word %-12s w=%.2f name=%v df=%d alt=%v\n", tm.term, tm.word, tm.weight, tm.name, ix.DocFreq(tm.term), tm.alt)
	}
	hits, _ := ix.Search(context.Background(), q+" "+strings.Join(qa.expand, " "), e.Passages)
	cands := e.candidates(hits, &qa)
	for i, c := range cands {
		if i >= 8 {
			break
		}
		fmt.Printf("%.3f cov=%.2f %s | %s\n", c.score, c.coverage, c.art.ID[:3], c.sent.Text)
	}
	_ = retrieval.Term
}

// TestDebugLines prints the answer line of every question in $QF.
func TestDebugLines(t *testing.T) {
	qf := os.Getenv("QF")
	if qf == "" {
		t.Skip("set QF")
	}
	e := New(devIndex(t), bot.Linker{})
	for _, q := range loadQuestions(t, qf) {
		a, _ := e.Answer(context.Background(), bot.Request{Question: q.Question})
		line, _, _ := strings.Cut(a.Text, "\n")
		fmt.Printf("%-5s %-60.60s | %s\n", q.ID, q.Question, line)
	}
}

func TestDebugNear(t *testing.T) {
	q := os.Getenv("QN")
	if q == "" {
		t.Skip()
	}
	ix := devIndex(t)
	qa := analyze(q, ix)
	fmt.Println(qa.subjectTerms())
	for _, tm := range qa.terms {
		fmt.Println(tm.term, tm.spell, tm.unseen)
	}
	qq := quantitiesOf(os.Getenv("S"))
	fmt.Println(qq.terms, qq.nums)
	fmt.Println(qq.nearest(&qa))
}

func TestDebugFiltered(t *testing.T) {
	q := os.Getenv("QX")
	if q == "" {
		t.Skip()
	}
	ix := devIndex(t)
	e := New(ix, bot.Linker{})
	qa := analyze(q, ix)
	hits, _ := e.retrieve(context.Background(), &qa)
	promoteNames(&qa, hits)
	fmt.Println("atype", qa.atype, "names", qa.names, "hits", len(hits))
	for _, c := range e.candidates(hits, &qa) {
		if hasForm(c.sent.Text, qa.atype) {
			fmt.Printf("%.3f cov=%.2f nums=%d near=%v | %s\n", c.score, c.coverage, len(c.qty.nums), c.qty.near(&qa), c.sent.Text)
		}
	}
}

func TestDebugHits(t *testing.T) {
	q := os.Getenv("QH")
	if q == "" {
		t.Skip()
	}
	ix := devIndex(t)
	e := New(ix, bot.Linker{})
	qa := analyze(q, ix)
	e.Passages = 100
	hits, _ := e.retrieve(context.Background(), &qa)
	for i, h := range hits {
		if strings.Contains(h.Chunk.Text, os.Getenv("GREP")) {
			fmt.Printf("%d %s lex=%d vec=%d %.60q\n", i, h.Chunk.ID, h.LexRank, h.VecRank, h.Chunk.Text)
		}
	}
	for _, tm := range qa.terms {
		fmt.Println(tm.term, tm.alt, tm.unseen, tm.weight)
	}
}
