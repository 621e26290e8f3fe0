// Package watch keeps a live archive up to date: it watches article
// directories with fsnotify and reports articles added, changed and
// removed (debounced, so a burst of writes is one change), and polls
// feeds on an interval, reporting their new and changed items.
package watch

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/newsdesk/newsdesk/corpus"
	"github.com/newsdesk/newsdesk/corpus/feed"
)

// DefaultInterval is how often feeds are polled (and directories rescanned
// as a safety net for missed events) unless Sources.Interval says
// otherwise.
const DefaultInterval = 15 * time.Minute

// DefaultDebounce is how long a directory must be quiet after a file event
// before it is reloaded.
const DefaultDebounce = time.Second

// Sources are what Run watches.
type Sources struct {
	// Dirs are article directories, watched recursively (hidden
	// directories excepted) and loaded with corpus.LoadPathContext.
	Dirs []string
	// Feeds are feed URLs (http or https) or feed files, polled every
	// Interval.
	Feeds []string

	Interval    time.Duration      // 0 means DefaultInterval
	Debounce    time.Duration      // 0 means DefaultDebounce
	LoadOptions corpus.LoadOptions // for the directories
}

// Change is what changed in one source.
type Change struct {
	Source string // the directory, feed URL (redacted) or feed file
	// Initial marks the first Change of each source: its whole content
	// (a directory's articles, a feed's items not in the Fetcher's state)
	// as Added.
	Initial bool
	Added   []corpus.Article
	Changed []corpus.Article
	Removed []string // ids of articles no longer in a directory
	// Warnings are the problems that did not stop the source from loading
	// (skipped files or items).
	Warnings []error
}

// Empty reports a change with nothing added, changed or removed.
func (c Change) Empty() bool { return len(c.Added)+len(c.Changed)+len(c.Removed) == 0 }

// Watcher runs the watch loop.
type Watcher struct {
	// Fetcher fetches the feeds; nil means feed.NewFetcher(nil, nil). Its
	// State tells which items were seen before.
	Fetcher *feed.Fetcher
	// Logger gets fetch and load errors, which do not stop Run; nil means
	// slog.Default().
	Logger *slog.Logger
}

// Run reports the content of every source as its initial Change, then
// every change until ctx is done, calling apply once per source that
// changed, from one goroutine, never concurrently. A directory is
// reloaded when it has been quiet for Debounce after a file event (and
// every Interval, in case an event was missed); feeds are polled every
// Interval. A source that fails to load or fetch is logged and tried
// again next time. Run returns nil when ctx is done, the first error from
// apply (wrapped), or an error when a directory cannot be watched.
func (w *Watcher) Run(ctx context.Context, src Sources, apply func(Change) error) error {
	r := &runner{src: src, apply: apply, logger: w.Logger, fetcher: w.Fetcher, dirs: map[string]map[string]string{}}
	if r.logger == nil {
		r.logger = slog.Default()
	}
	if r.fetcher == nil {
		r.fetcher = feed.NewFetcher(nil, nil)
	}
	interval := src.Interval
	if interval <= 0 {
		interval = DefaultInterval
	}
	debounce := src.Debounce
	if debounce <= 0 {
		debounce = DefaultDebounce
	}
	var events <-chan fsnotify.Event
	var errs <-chan error
	var fw *fsnotify.Watcher
	if len(src.Dirs) > 0 {
		var err error
		if fw, err = fsnotify.NewWatcher(); err != nil {
			return fmt.Errorf("watch: %w", err)
		}
		defer fw.Close()
		for _, d := range src.Dirs {
			if err := addTree(fw, d); err != nil {
				return fmt.Errorf("watch %s: %w", d, err)
			}
		}
		events, errs = fw.Events, fw.Errors
	}
	// The initial content; the watches are in place first, so nothing
	// written meanwhile is missed.
	for _, d := range src.Dirs {
		if err := r.reloadDir(ctx, d, true); err != nil {
			return err
		}
	}
	for _, f := range src.Feeds {
		if err := r.pollFeed(ctx, f, true); err != nil {
			return err
		}
	}

	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	timer := time.NewTimer(debounce)
	timer.Stop()
	dirty := map[string]bool{} // watched directories with events pending
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			d := owner(src.Dirs, ev.Name)
			if d == "" || hiddenBelow(d, ev.Name) {
				continue
			}
			if ev.Has(fsnotify.Create) {
				if st, err := os.Lstat(ev.Name); err == nil && st.IsDir() {
					if err := addTree(fw, ev.Name); err != nil {
						r.logger.Warn("watch: cannot watch new directory", "dir", ev.Name, "err", err)
					}
				}
			}
			dirty[d] = true
			timer.Reset(debounce)
		case err, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			// Typically an overflowed event queue: rescan everything.
			r.logger.Warn("watch: file events lost; reloading directories", "err", err)
			for _, d := range src.Dirs {
				dirty[d] = true
			}
			timer.Reset(debounce)
		case <-timer.C:
			for _, d := range src.Dirs {
				if dirty[d] {
					delete(dirty, d)
					if err := r.reloadDir(ctx, d, false); err != nil {
						return err
					}
				}
			}
		case <-ticker.C:
			for _, d := range src.Dirs {
				if err := r.reloadDir(ctx, d, false); err != nil {
					return err
				}
			}
			for _, f := range src.Feeds {
				if err := r.pollFeed(ctx, f, false); err != nil {
					return err
				}
			}
		}
	}
}

// runner is the state of one Run.
type runner struct {
	src     Sources
	apply   func(Change) error
	logger  *slog.Logger
	fetcher *feed.Fetcher
	dirs    map[string]map[string]string // directory -> article id -> hash
}

// reloadDir loads a directory and reports what differs from the last
// load. Only an error from apply is returned.
func (r *runner) reloadDir(ctx context.Context, dir string, initial bool) error {
	arts, warns, err := corpus.LoadPathContext(ctx, dir, r.src.LoadOptions)
	if ctx.Err() != nil {
		return nil
	}
	if err != nil {
		r.logger.Warn("watch: cannot load directory", "dir", dir, "err", err)
		return nil
	}
	prev := r.dirs[dir]
	next := make(map[string]string, len(arts))
	c := Change{Source: dir, Initial: initial}
	for _, a := range arts {
		h := a.Hash()
		next[a.ID] = h
		old, seen := prev[a.ID]
		switch {
		case !seen:
			c.Added = append(c.Added, a)
		case old != h:
			c.Changed = append(c.Changed, a)
		}
	}
	for id := range prev {
		if _, ok := next[id]; !ok {
			c.Removed = append(c.Removed, id)
		}
	}
	slices.Sort(c.Removed)
	r.dirs[dir] = next
	if c.Empty() && !initial {
		return nil
	}
	c.Warnings = warns
	if err := r.apply(c); err != nil {
		return fmt.Errorf("apply changes of %s: %w", dir, err)
	}
	return nil
}

// pollFeed fetches or reads one feed and reports its new and changed
// items. Only an error from apply is returned.
func (r *runner) pollFeed(ctx context.Context, src string, initial bool) error {
	var res *feed.Result
	var err error
	if feed.IsFeedURL(src) {
		res, err = r.fetcher.Fetch(ctx, src)
	} else {
		res, err = r.fetcher.ReadFile(ctx, src)
	}
	if ctx.Err() != nil {
		return nil
	}
	if err != nil {
		r.logger.Warn("watch: cannot fetch feed", "err", err) // err names the feed, redacted
		return nil
	}
	c := Change{Source: res.Source, Initial: initial, Added: res.New, Changed: res.Changed, Warnings: res.Warnings}
	if c.Empty() && !initial {
		return nil
	}
	if err := r.apply(c); err != nil {
		return fmt.Errorf("apply changes of %s: %w", res.Source, err)
	}
	return nil
}

// addTree watches dir and every directory below it except hidden ones.
func addTree(fw *fsnotify.Watcher, dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir {
				return err
			}
			return nil
		}
		if !d.IsDir() {
			return nil
		}
		if p != dir && strings.HasPrefix(d.Name(), ".") {
			return fs.SkipDir
		}
		if err := fw.Add(p); err != nil {
			if p == dir {
				return err
			}
			return nil
		}
		return nil
	})
}

// owner returns the watched directory that holds name, or "".
func owner(dirs []string, name string) string {
	best := ""
	for _, d := range dirs {
		if rel, err := filepath.Rel(d, name); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			if len(d) > len(best) {
				best = d
			}
		}
	}
	return best
}

// hiddenBelow reports a path below dir with a hidden component (".git",
// an editor's ".swp" file), which the loaders ignore too.
func hiddenBelow(dir, name string) bool {
	rel, err := filepath.Rel(dir, name)
	if err != nil {
		return false
	}
	for _, part := range strings.Split(rel, string(filepath.Separator)) {
		if strings.HasPrefix(part, ".") && part != "." {
			return true
		}
	}
	return false
}
