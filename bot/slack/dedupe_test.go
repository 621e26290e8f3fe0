package slack

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/bot"
	"github.com/newsdesk/newsdesk/corpus"
	"github.com/newsdesk/newsdesk/retrieval"
)

// mapDeduper is a durable store shared by two Servers, as the article
// store is shared by a process and its restart.
type mapDeduper struct {
	mu   sync.Mutex
	seen map[string]bool
	err  error
}

func (m *mapDeduper) Seen(key string, _ time.Duration) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.err != nil {
		return false, m.err
	}
	if m.seen[key] {
		return true, nil
	}
	m.seen[key] = true
	return false, nil
}

type nopAnswerer struct{}

func (nopAnswerer) Answer(context.Context, bot.Request) (*bot.Answer, error) {
	return &bot.Answer{}, nil
}

func TestDedupeSurvivesRestart(t *testing.T) {
	store := &mapDeduper{seen: map[string]bool{}}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	first, err := New(Config{Dedupe: store}, nopAnswerer{}, nil, nil, log)
	if err != nil {
		t.Fatal(err)
	}
	if first.seen.Seen("event:Ev1") {
		t.Fatal("first delivery reported as a duplicate")
	}
	if !first.seen.Seen("event:Ev1") {
		t.Error("retry within the run not caught")
	}
	// Restarted: empty memory, same store.
	second, err := New(Config{Dedupe: store}, nopAnswerer{}, nil, nil, log)
	if err != nil {
		t.Fatal(err)
	}
	if !second.seen.Seen("event:Ev1") {
		t.Error("redelivery after a restart would be answered twice")
	}
	// Without a durable store, a restart forgets (the old behaviour).
	mem, _ := New(Config{}, nopAnswerer{}, nil, nil, log)
	if mem.seen.Seen("event:Ev1") {
		t.Error("memory-only dedupe knew an id from another server")
	}
	// A failing store never drops an event.
	store.err = errors.New("disk full")
	if second.seen.Seen("event:Ev2") {
		t.Error("a store error turned a new event into a duplicate")
	}
}

type oneArticle struct{ ids map[string]bool }

func (o oneArticle) Search(context.Context, string, int) ([]retrieval.Hit, error) { return nil, nil }
func (o oneArticle) Articles() []*corpus.Article                                  { return nil }
func (o oneArticle) Article(id string) *corpus.Article {
	if o.ids[id] {
		return &corpus.Article{ID: id}
	}
	return nil
}

func TestWithdrawnCachedAnswer(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := New(Config{}, nopAnswerer{}, nil, oneArticle{ids: map[string]bool{"kept": true}}, log)
	if err != nil {
		t.Fatal(err)
	}
	ok := &bot.Answer{Citations: []bot.Citation{{ArticleID: "kept"}}}
	gone := &bot.Answer{Citations: []bot.Citation{{ArticleID: "kept"}, {ArticleID: "retracted"}}}
	if id := s.withdrawn(ok); id != "" {
		t.Errorf("answer citing a live article withdrawn: %q", id)
	}
	if id := s.withdrawn(gone); id != "retracted" {
		t.Errorf("answer citing a retracted article: %q", id)
	}
}

type genSearcher struct {
	oneArticle
	gen uint64
	at  time.Time
}

func (g genSearcher) Generation() (uint64, time.Time) { return g.gen, g.at }

func TestHealthzShowsLastChange(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	s, err := New(Config{}, nopAnswerer{}, nil, genSearcher{gen: 7, at: at}, log)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	var h map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &h); err != nil {
		t.Fatal(err)
	}
	if h["generation"] != float64(7) || h["last_change"] != "2026-03-04T05:06:07Z" {
		t.Errorf("healthz = %v", h)
	}
}
