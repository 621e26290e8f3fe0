package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/corpus"
	"github.com/newsdesk/newsdesk/corpus/feed"
	"github.com/newsdesk/newsdesk/corpus/watch"
)

const testRSS = `<rss version="2.0"><channel><title>Wire</title><link>https://wire.example/</link>
<item><title>Story one</title><link>https://wire.example/1</link><guid>https://wire.example/1</guid><description>&lt;p&gt;Text of story one.&lt;/p&gt;</description></item>
<item><title>Story two</title><link>https://wire.example/2</link><guid>https://wire.example/2</guid><description>Text of story two.</description></item>
</channel></rss>`

func TestIsFeed(t *testing.T) {
	for arg, want := range map[string]bool{"https://x.example/feed.xml": true, "http://x.example/rss": true, "ftp://x.example/f": false, "./feed.xml": false, "articles": false} {
		if isFeedURL(arg) != want {
			t.Errorf("isFeedURL(%q) = %v", arg, !want)
		}
	}
	for arg, want := range map[string]bool{"wire.RSS": true, "a/b.atom": true, "export.xml": true, "story.md": false, "dir": false} {
		if isFeedFile(arg) != want {
			t.Errorf("isFeedFile(%q) = %v", arg, !want)
		}
	}
}

func TestLoadSource(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, testRSS) }))
	defer srv.Close()
	ctx := context.Background()
	arts, _, err := loadSource(ctx, srv.URL+"/feed.xml", corpus.LoadOptions{}, srv.Client())
	if err != nil || len(arts) != 2 || arts[0].Source != "Wire" || arts[0].Text() != "Text of story one." {
		t.Fatalf("URL: %d articles, err %v: %+v", len(arts), err, arts)
	}
	dir := t.TempDir()
	feedFile := filepath.Join(dir, "wire.rss")
	os.WriteFile(feedFile, []byte(testRSS), 0o644)
	arts, _, err = loadSource(ctx, feedFile, corpus.LoadOptions{}, nil)
	if err != nil || len(arts) != 2 {
		t.Fatalf("feed file: %d articles, err %v", len(arts), err)
	}
	os.WriteFile(filepath.Join(dir, "story.md"), []byte("---\ntitle: T\n---\nBody text here.\n"), 0o644)
	arts, _, err = loadSource(ctx, filepath.Join(dir, "story.md"), corpus.LoadOptions{}, nil)
	if err != nil || len(arts) != 1 || arts[0].ID != "story" {
		t.Fatalf("article file: %+v, err %v", arts, err)
	}
	if _, _, err := loadSource(ctx, srv.URL+"/x?token=s3cret", corpus.LoadOptions{}, &http.Client{Transport: failing{}}); err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Fatalf("failing fetch: %v", err)
	}
}

type failing struct{}

func (failing) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, fmt.Errorf("connection refused")
}

func TestWatchSources(t *testing.T) {
	dir := t.TempDir()
	arts := filepath.Join(dir, "articles")
	os.MkdirAll(arts, 0o755)
	os.WriteFile(filepath.Join(arts, "a.md"), []byte("---\ntitle: A\n---\nThe dam failed.\n"), 0o644)
	feedFile := filepath.Join(dir, "wire.rss")
	os.WriteFile(feedFile, []byte(testRSS), 0o644)
	stateFile := filepath.Join(dir, "feeds.json")

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got := map[string]int{}
	err := watchSources(ctx, []string{arts, feedFile}, watchConfig{Interval: time.Hour, StateFile: stateFile}, func(c watch.Change) error {
		got[c.Source] = len(c.Added)
		if len(got) == 2 {
			cancel()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got[arts] != 1 || got[feedFile] != 2 {
		t.Fatalf("initial changes %v", got)
	}
	st, err := feed.LoadState(stateFile)
	if err != nil || len(st[feedFile].Items) != 2 {
		t.Fatalf("state %v, err %v", st, err)
	}
	if err := watchSources(context.Background(), []string{filepath.Join(arts, "a.md")}, watchConfig{}, nil); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Fatalf("file argument: %v", err)
	}
}
