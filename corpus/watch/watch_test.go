package watch

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/corpus"
	"github.com/newsdesk/newsdesk/corpus/feed"
)

// wait bounds every wait for a change; the loop itself needs no more than
// a debounce.
const wait = 10 * time.Second

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func article(title, body string) string {
	return "---\ntitle: " + title + "\n---\n" + body + "\n"
}

// run starts Run and returns the channel of its changes and a stop
// function that waits for Run to return and reports its error.
func run(t *testing.T, w *Watcher, src Sources) (<-chan Change, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan Change, 16)
	done := make(chan error, 1)
	go func() {
		done <- w.Run(ctx, src, func(c Change) error {
			select {
			case ch <- c:
			case <-ctx.Done():
			}
			return nil
		})
	}()
	stop := func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(wait):
			t.Fatal("Run did not return after cancel")
			return nil
		}
	}
	t.Cleanup(func() { cancel() })
	return ch, stop
}

// next returns the next change for which ok is true, skipping others,
// within the wait bound.
func next(t *testing.T, ch <-chan Change, what string, ok func(Change) bool) Change {
	t.Helper()
	deadline := time.After(wait)
	for {
		select {
		case c := <-ch:
			if ok(c) {
				return c
			}
		case <-deadline:
			t.Fatalf("no change %s within %s", what, wait)
		}
	}
}

func ids(arts []corpus.Article) string {
	var s []string
	for _, a := range arts {
		s = append(s, a.ID)
	}
	return strings.Join(s, ",")
}

func TestWatchDirectory(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.md"), article("Dam fails", "The dam failed on Sunday."))
	ch, stop := run(t, &Watcher{}, Sources{Dirs: []string{dir}, Debounce: 50 * time.Millisecond, Interval: time.Hour})

	c := next(t, ch, "initial", func(c Change) bool { return c.Initial })
	if c.Source != dir || ids(c.Added) != "a" {
		t.Fatalf("initial %+v", c)
	}

	// A new file, written in several steps: one change once it is quiet.
	write(t, filepath.Join(dir, "b.md"), article("Toll", "Nine"))
	write(t, filepath.Join(dir, "b.md"), article("Toll climbs", "Nine people died."))
	c = next(t, ch, "adding b", func(c Change) bool { return len(c.Added) > 0 })
	if ids(c.Added) != "b" || len(c.Changed)+len(c.Removed) != 0 || c.Added[0].Text() != "Nine people died." {
		t.Fatalf("add: %+v", c)
	}

	// A file in a new subdirectory.
	write(t, filepath.Join(dir, "2024", "c.md"), article("Inquiry", "The mayor called for an inquiry."))
	c = next(t, ch, "adding c", func(c Change) bool { return len(c.Added) > 0 })
	if ids(c.Added) != "c" {
		t.Fatalf("add in subdirectory: %+v", c)
	}

	write(t, filepath.Join(dir, "a.md"), article("Dam fails", "The dam failed on Sunday morning."))
	c = next(t, ch, "changing a", func(c Change) bool { return len(c.Changed) > 0 })
	if ids(c.Changed) != "a" || len(c.Added)+len(c.Removed) != 0 {
		t.Fatalf("change: %+v", c)
	}

	// Hidden files are ignored, as the loaders ignore them.
	write(t, filepath.Join(dir, ".b.md.swp"), "x")
	if err := os.Remove(filepath.Join(dir, "b.md")); err != nil {
		t.Fatal(err)
	}
	c = next(t, ch, "removing b", func(c Change) bool { return len(c.Removed) > 0 })
	if strings.Join(c.Removed, ",") != "b" || len(c.Added)+len(c.Changed) != 0 {
		t.Fatalf("remove: %+v", c)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

const feedTmpl = `<rss version="2.0"><channel><title>Wire</title><link>https://wire.example/</link>%s</channel></rss>`

func rssItem(n int) string {
	return fmt.Sprintf(`<item><title>Story %d</title><link>https://wire.example/%d</link><guid>https://wire.example/%d</guid><description>Text of story %d.</description></item>`, n, n, n, n)
}

func TestPollFeed(t *testing.T) {
	var mu sync.Mutex
	items := rssItem(1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(w, feedTmpl, items)
	}))
	defer srv.Close()
	w := &Watcher{Fetcher: feed.NewFetcher(srv.Client(), nil)}
	ch, stop := run(t, w, Sources{Feeds: []string{srv.URL + "/rss"}, Interval: 20 * time.Millisecond})
	c := next(t, ch, "initial", func(c Change) bool { return c.Initial })
	if len(c.Added) != 1 || c.Added[0].Title != "Story 1" {
		t.Fatalf("initial %+v", c)
	}
	mu.Lock()
	items = rssItem(2) + rssItem(1)
	mu.Unlock()
	c = next(t, ch, "new item", func(c Change) bool { return !c.Empty() })
	if len(c.Added) != 1 || c.Added[0].Title != "Story 2" || len(c.Changed) != 0 {
		t.Fatalf("poll %+v", c)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

func TestApplyErrorStopsRun(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.md"), article("Dam fails", "The dam failed on Sunday."))
	boom := errors.New("index closed")
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	err := (&Watcher{}).Run(ctx, Sources{Dirs: []string{dir}}, func(Change) error { return boom })
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if err := (&Watcher{}).Run(ctx, Sources{Dirs: []string{filepath.Join(dir, "missing")}}, func(Change) error { return nil }); err == nil {
		t.Fatal("missing directory watched")
	}
}
