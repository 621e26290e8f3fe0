package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/newsdesk/newsdesk/retrieval"
)

// reloadEvery is how often serve and repl look for a newer index.
const reloadEvery = 2 * time.Second

// retireAfter is how long a replaced index stays open after a reload.
const retireAfter = 30 * time.Second

// watch keeps lib's index current until ctx is done: every interval it
// checks whether the index file was replaced (a writer saves by renaming a
// new file into place) and, if so, loads the new one in the background
// and swaps it in; answers in flight finish on the index they started
// with. SIGHUP reloads at once. It returns when ctx is cancelled.
func (l *library) watch(ctx context.Context, interval time.Duration) {
	if l.remote != nil {
		return // Weaviate is always current
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	l.watchWith(ctx, interval, hup)
}

// watchWith is watch with the reload trigger given (tests).
func (l *library) watchWith(ctx context.Context, interval time.Duration, trigger <-chan os.Signal) {
	last := l.file
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		force := false
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-trigger:
			force = true
			l.logger.Info("SIGHUP: reloading the index", "dir", l.dir)
		}
		cur, err := os.Stat(retrieval.IndexPath(l.dir))
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				l.logger.Warn("index reload: stat", "err", err)
			}
			continue
		}
		if !force && last != nil && os.SameFile(last, cur) && cur.ModTime().Equal(last.ModTime()) && cur.Size() == last.Size() {
			continue
		}
		if err := l.reload(); err != nil {
			// Keep serving the old index; try again on the next change.
			l.logger.Warn("index reload failed; still serving the previous index", "dir", l.dir, "err", err)
		}
		last = cur
	}
}

// reload loads the index file now and swaps it in.
func (l *library) reload() error {
	start := time.Now()
	ro := l.ropts
	ro.ReadOnly = true
	ix, err := retrieval.Open(ro)
	if err != nil {
		return fmt.Errorf("load index: %w", err)
	}
	old := l.ix.Swap(ix)
	// The old index maps its file: release it once the calls that began
	// on it before the swap are long done (each call takes the index
	// current when it starts; Close waits for those in flight).
	time.AfterFunc(retireAfter, func() {
		if err := old.Close(); err != nil {
			l.logger.Warn("close the previous index", "err", err)
		}
	})
	gen, changed := ix.Generation()
	og, _ := old.Generation()
	l.logger.Info("index reloaded", "dir", l.dir, "articles", ix.Stats().Articles,
		"generation", gen, "was", og, "changed", changed, "took", time.Since(start).Round(time.Millisecond))
	return nil
}
