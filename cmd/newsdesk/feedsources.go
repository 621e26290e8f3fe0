package main

// Sources beyond article files: RSS/Atom feeds (URLs or files) for ingest,
// and the live sources of serve --watch. Not wired into any command yet:
// see the functions below for how ingest and serve call them.

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/newsdesk/newsdesk/corpus"
	"github.com/newsdesk/newsdesk/corpus/feed"
	"github.com/newsdesk/newsdesk/corpus/watch"
)

// feedExts are the file extensions read as feeds rather than articles.
var feedExts = map[string]bool{".rss": true, ".atom": true, ".xml": true}

// isFeedURL reports an ingest or --watch argument that is a feed URL:
// an absolute http or https URL.
func isFeedURL(arg string) bool { return feed.IsFeedURL(arg) }

// isFeedFile reports a path read as a feed document: .rss, .atom or .xml.
func isFeedFile(arg string) bool { return feedExts[strings.ToLower(filepath.Ext(arg))] }

// loadSource loads one ingest argument: a feed URL (fetched, all items),
// a feed file (all items), or an article file or directory
// (corpus.LoadPathContext with opt). Warnings are problems that skipped
// part of the source; err means nothing loaded from it. Errors never show
// a feed URL's query or credentials. A nil client means the feed
// package's default (30 s timeout).
func loadSource(ctx context.Context, arg string, opt corpus.LoadOptions, client *http.Client) ([]corpus.Article, []error, error) {
	switch {
	case isFeedURL(arg):
		res, err := feed.NewFetcher(client, nil).Fetch(ctx, arg)
		if err != nil {
			return nil, nil, err
		}
		return res.New, res.Warnings, nil
	case isFeedFile(arg):
		if st, err := os.Stat(arg); err == nil && st.IsDir() {
			break
		}
		return feed.ParseFile(arg, 0)
	}
	return corpus.LoadPathContext(ctx, arg, opt)
}

// watchConfig configures watchSources.
type watchConfig struct {
	Interval  time.Duration      // feed poll interval; 0 means watch.DefaultInterval
	Load      corpus.LoadOptions // for directories
	StateFile string             // where feed state is kept across runs; "" keeps it in memory
	Client    *http.Client       // nil: the feed package's default
	Logger    *slog.Logger
}

// watchSources runs serve --watch: args are directories (watched for
// new, changed and removed article files) and feed URLs or feed files
// (polled every cfg.Interval). apply gets every change, starting with
// each source's whole content (Change.Initial), one at a time; it should
// add Added and Changed to the index and remove Removed. With
// cfg.StateFile the feeds' state (ETags and items seen) is loaded at the
// start and saved after each applied change, so a restart neither
// refetches unchanged feeds nor reports old items again. It returns when
// ctx is done (nil) or apply fails.
func watchSources(ctx context.Context, args []string, cfg watchConfig, apply func(watch.Change) error) error {
	var src watch.Sources
	for _, a := range args {
		switch {
		case isFeedURL(a):
			src.Feeds = append(src.Feeds, a)
		case isFeedFile(a):
			src.Feeds = append(src.Feeds, a)
		default:
			st, err := os.Stat(a)
			if err != nil {
				return fmt.Errorf("watch %s: %w", a, err)
			}
			if !st.IsDir() {
				return usagef("watch %s: not a directory, feed URL or feed file (.rss, .atom, .xml)", a)
			}
			src.Dirs = append(src.Dirs, a)
		}
	}
	if len(src.Dirs)+len(src.Feeds) == 0 {
		return usagef("nothing to watch: name directories or feeds")
	}
	src.Interval, src.LoadOptions = cfg.Interval, cfg.Load
	state := feed.State{}
	if cfg.StateFile != "" {
		var err error
		if state, err = feed.LoadState(cfg.StateFile); err != nil {
			return err
		}
	}
	fetcher := feed.NewFetcher(cfg.Client, state)
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	w := &watch.Watcher{Fetcher: fetcher, Logger: logger}
	return w.Run(ctx, src, func(c watch.Change) error {
		logWarnings(logger, c.Warnings)
		if err := apply(c); err != nil {
			return err
		}
		if cfg.StateFile != "" {
			if err := feed.SaveState(cfg.StateFile, fetcher.State()); err != nil {
				// The index is up to date; only a restart would refetch.
				logger.Warn("watch: cannot save feed state", "err", err)
			}
		}
		return nil
	})
}
