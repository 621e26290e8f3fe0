package extractive

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/bot"
	"github.com/newsdesk/newsdesk/corpus"
	"github.com/newsdesk/newsdesk/retrieval"
)

// countingSearcher finds nothing, counts its articles and knows its dates,
// and must never be listed (a large remote archive).
type countingSearcher struct{}

func (countingSearcher) Search(context.Context, string, int) ([]retrieval.Hit, error) {
	return nil, nil
}
func (countingSearcher) Articles() []*corpus.Article    { panic("listed the archive") }
func (countingSearcher) Article(string) *corpus.Article { return nil }
func (countingSearcher) ArticleCount() int              { return 2500000 }
func (countingSearcher) DateRange() (time.Time, time.Time) {
	return time.Date(2001, 2, 3, 0, 0, 0, 0, time.UTC), time.Date(2025, 6, 7, 0, 0, 0, 0, time.UTC)
}

// TestAbstainCountsWithoutListing: an abstention names the archive's size
// and dates from Counter and DateRanger, without listing it.
func TestAbstainCountsWithoutListing(t *testing.T) {
	a, err := New(countingSearcher{}, bot.Linker{}).Answer(context.Background(), bot.Request{Question: "who won the regional election in Norbridge"})
	if err != nil {
		t.Fatal(err)
	}
	if !a.Abstained || !strings.Contains(a.Text, "2500000 articles") || !strings.Contains(a.Text, "2001-02-03 to 2025-06-07") {
		t.Errorf("answer %q", a.Text)
	}
}
