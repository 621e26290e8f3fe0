package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"

	"github.com/newsdesk/newsdesk/corpus/watch"
)

// applyWatched writes one change from serve --watch the way ingest and
// remove do, under the index directory's writer lock: the article store
// first, then the index. The running bot's reload loop picks the new index
// up, as it does after an ingest run beside it.
func applyWatched(ctx context.Context, e *env, lib *library, logger *slog.Logger, c watch.Change) error {
	if c.Empty() {
		return nil
	}
	w, err := lockLibrary(ctx, e, lib, "newsdesk serve --watch", defaultLockWait)
	if err != nil {
		return err
	}
	defer w.unlock()
	store, err := w.openStore()
	if err != nil {
		return err
	}
	ps, err := store.Put(slices.Concat(c.Added, c.Changed), originOf)
	if err == nil && len(c.Removed) > 0 {
		_, err = store.Delete(c.Removed...)
	}
	if cerr := store.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("watch %s: store: %w", c.Source, err)
	}
	ix, err := w.openIndexRW()
	if err != nil {
		return err
	}
	st, err := w.reconcile(ctx, e, ix, "embedding")
	if err != nil {
		return fmt.Errorf("watch %s: index (the articles are in the store): %w", c.Source, err)
	}
	logger.Info("watch: archive updated", "source", c.Source, "added", ps.Added, "updated", ps.Updated,
		"removed", len(c.Removed), "chunks_embedded", st.ChunksEmbedded)
	return nil
}

// watchStateFile is where serve --watch keeps the feeds' ETags and items.
func watchStateFile(lib *library) string { return filepath.Join(lib.dir, "feeds.json") }
