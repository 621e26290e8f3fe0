package slack

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/newsdesk/newsdesk/corpus"
	"github.com/newsdesk/newsdesk/retrieval"
)

// remoteSearcher is a searcher over a large remote archive: it counts and
// reports its health, and listing it would be a bug.
type remoteSearcher struct{ oneArticle }

func (remoteSearcher) Articles() []*corpus.Article { panic("listed a remote archive") }
func (remoteSearcher) ArticleCount() int           { return 1234567 }
func (remoteSearcher) Health(context.Context) retrieval.Health {
	return retrieval.Health{Backend: "weaviate", Nodes: 3, Healthy: 2, Shards: 15, Ready: 10, Missing: 5}
}

// TestHealthzReportsBackend: /healthz shows the index backend's nodes and
// shards, and counts articles without listing them.
func TestHealthzReportsBackend(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := New(Config{}, nopAnswerer{}, nil, remoteSearcher{}, log)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	var h struct {
		Articles int
		Index    retrieval.Health
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &h); err != nil {
		t.Fatalf("%v: %s", err, rec.Body)
	}
	if h.Articles != 1234567 || h.Index.Backend != "weaviate" || h.Index.Nodes != 3 || h.Index.Missing != 5 || h.Index.OK {
		t.Errorf("healthz = %s", rec.Body)
	}
	if got := s.searchingText(); got != "Searching 1234567 articles…" {
		t.Errorf("placeholder %q", got)
	}
}
