package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/corpus/watch"
)

// TestServeWatchFeed runs serve --watch's loop against an httptest RSS
// feed beside the reload loop: the feed's items are answered, an item
// added between polls is answered too, and the unchanged feed is asked
// for with a conditional GET.
func TestServeWatchFeed(t *testing.T) {
	var (
		mu          sync.Mutex
		items       = []string{feedItem("bridge-1", "Harbor Bridge to reopen", "The Harbor Bridge will reopen to traffic on Friday, the city engineer said.")}
		conditional atomic.Int32
		version     = 1
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		etag := fmt.Sprintf(`"v%d"`, version)
		if r.Header.Get("If-None-Match") != "" {
			conditional.Add(1)
			if r.Header.Get("If-None-Match") == etag {
				w.WriteHeader(http.StatusNotModified)
				return
			}
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>City Wire</title>%s</channel></rss>`, strings.Join(items, ""))
	}))
	defer srv.Close()

	index := t.TempDir()
	ingestInto(t, index, writeCorpus(t, map[string]string{"storm.txt": testArticles["storm.txt"]}))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	live, quotes := liveLibrary(ctx, t, index)
	lib, e, logger := live.lib, live.e, live.logger
	done := make(chan error, 1)
	go func() {
		cfg := watchConfig{Interval: 50 * time.Millisecond, StateFile: watchStateFile(lib), Logger: logger, Client: srv.Client()}
		done <- watchSources(ctx, []string{srv.URL + "/feed.xml"}, cfg, func(c watch.Change) error {
			return applyWatched(ctx, e, lib, logger, c)
		})
	}()
	waitFor(t, 15*time.Second, "the feed's item to be answered", func() bool { return quotes("When will the Harbor Bridge reopen?", "reopen to traffic") })
	waitFor(t, 15*time.Second, "a conditional GET of the unchanged feed", func() bool { return conditional.Load() > 0 })

	mu.Lock()
	items = append(items, feedItem("ferry-2", "Ferry crews strike", "Ferry crews will strike on Monday over unpaid overtime, their union said."))
	version++
	mu.Unlock()
	waitFor(t, 15*time.Second, "the new item to be answered", func() bool { return quotes("When will the ferry crews strike?", "unpaid overtime") })
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("watch: %v", err)
	}
}

func feedItem(guid, title, body string) string {
	return fmt.Sprintf(`<item><guid>%s</guid><title>%s</title><link>https://news.example/%s</link><pubDate>Mon, 01 Dec 2025 10:00:00 GMT</pubDate><description>%s</description></item>`, guid, title, guid, body)
}
