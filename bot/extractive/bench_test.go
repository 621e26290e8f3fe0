package extractive

import (
	"context"
	"github.com/newsdesk/newsdesk/bot"
	"testing"
)

// BenchmarkAnswerSeed measures one extractive answer on the embedded seed
// corpus, in process: retrieval, sentence scoring, attribution, rendering.
func BenchmarkAnswerSeed(b *testing.B) {
	ix := devIndex(b)
	ex := New(ix, bot.Linker{})
	qs := devQuestions(b)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := ex.Answer(context.Background(), bot.Request{Question: qs[i%len(qs)].Question}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSearchSeed measures one hybrid retrieval (no answer building)
// on the embedded seed corpus.
func BenchmarkSearchSeed(b *testing.B) {
	ix := devIndex(b)
	qs := devQuestions(b)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := ix.Search(context.Background(), qs[i%len(qs)].Question, 24); err != nil {
			b.Fatal(err)
		}
	}
}
