package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/newsdesk/newsdesk/corpus"
	"github.com/newsdesk/newsdesk/corpus/archive"
)

func runIngest(ctx context.Context, e *env, args []string) error {
	fset := newFlagSet("ingest", `
Usage: newsdesk ingest [flags] PATH...

Loads article files and directories (searched recursively), keeps them in
the article store (articles.db in the index directory: the source of
truth, written first) and brings the index up to date: new articles are
embedded, changed ones (same id) replaced, unchanged ones skipped.
Retracted articles stay retracted (see 'newsdesk remove'). With --prune,
articles that came from a directory PATH and whose file is gone are
removed, so the archive mirrors the directory. One writer at a time: a
second ingest (or remove) waits for the first (--wait), and a running
serve or repl picks the new articles up within seconds. Files that cannot be loaded are reported on stderr
and skipped; the rest are ingested. It is an error if no article loads.
Only regular files are read. Symbolic links inside a directory are skipped
(see --follow-symlinks); a PATH that is itself a link is followed. Nothing
under /proc, /sys or /dev is ever read.

Formats (by file extension):
  .txt         one paragraph a line; the first line is the headline when it
               looks like one ("Headline – Outlet" also sets the outlet)
  .md          optional YAML front matter (id, title, url, source, byline or
               author, published or date), then the text like .txt
  .html .htm   main text extracted (go-readability); title, byline, date,
               site name from the page; URL from rel=canonical or og:url
  .json        an object or an array of objects: title, url, source,
               published, byline, id, and the text in body, text or content
  .jsonl       one such object a line
Limits: files over 20 MiB, other extensions, unreadable or empty files and
duplicate ids are skipped with a warning; files starting with "." and
README.md are ignored. An article's id is its id field, else the file name
without the extension.`, `
Examples:
  newsdesk ingest ./articles
  newsdesk ingest story1.html story2.md ./archive/2024
  newsdesk ingest --index /srv/newsdesk/index --embedder openai ./articles
  newsdesk ingest --prune ./archive      # mirror: drop articles whose files are gone
  newsdesk ingest https://example.com/news/feed.xml   # an RSS/Atom feed: every item

Environment:
  NEWSDESK_INDEX       default for --index (else <user cache dir>/newsdesk/index/default)
  NEWSDESK_EMBEDDER    default for --embedder
  OPENAI_BASE_URL, OPENAI_API_KEY, NEWSDESK_EMBED_MODEL
                       the embeddings API of --embedder openai
  NEWSDESK_LOG_LEVEL   debug, info, warn (default) or error`)
	fset.indexFlag()
	fset.embedderFlag()
	fset.symlinksFlag()
	fset.verboseFlag()
	prune := fset.Bool("prune", false, "remove articles that came from a directory PATH and whose file no longer exists")
	wait := fset.Duration("wait", defaultLockWait, "wait up to `DURATION` for another writer of the index to finish")
	paths, err := fset.parse(args, e.stdout)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return usagef("no PATH given: name the article files or directories to ingest")
	}
	o := fset.opts
	logger := newLogger(e, o.verbose, false)
	ctx, stop := signalContext(ctx)
	defer stop()

	var (
		articles []corpus.Article
		warnings int
		at       = map[string]int{} // article id -> index in articles
	)
	for _, p := range paths {
		if isFeedURL(p) {
			// A feed URL: fetched, every item an article.
		} else if _, err := os.Stat(p); err != nil {
			warnings++
			if errors.Is(err, fs.ErrNotExist) {
				logger.Warn("skipped", "path", p, "err", "no such file or directory")
			} else {
				logger.Warn("skipped", "path", p, "err", err)
			}
			continue
		}
		arts, warns, err := loadSource(ctx, p, o.loadOptions(), nil) // feedsources.go
		logWarnings(logger, warns)
		warnings += len(warns)
		if ctx.Err() != nil {
			return fmt.Errorf("ingest %s: %w", p, ctx.Err())
		}
		if err != nil {
			warnings++
			logger.Warn("skipped", "path", p, "err", err)
			continue
		}
		for _, a := range arts {
			if i, dup := at[a.ID]; dup {
				// The index keys articles by id: the later file wins, as it
				// would in two ingest runs.
				logger.Warn("duplicate article id; keeping the later file", "id", a.ID, "first", articles[i].Path, "kept", a.Path)
				warnings++
				articles[i] = a
				continue
			}
			at[a.ID] = len(articles)
			articles = append(articles, a)
		}
	}
	if len(articles) == 0 {
		return fmt.Errorf("no articles loaded from %d path(s) (%d warnings above)", len(paths), warnings)
	}

	lib, _, err := prepareLibrary(e, o, "", logger)
	if err != nil {
		return err
	}
	w, err := lockLibrary(ctx, e, lib, "newsdesk ingest", *wait)
	if err != nil {
		return err
	}
	defer w.unlock()

	// The store first: once it has the articles they survive anything
	// that happens to the index.
	store, err := w.openStore()
	if err != nil {
		return err
	}
	ps, putErr := putBatches(store, articles)
	var pruned []string
	if putErr == nil && *prune {
		pruned, err = prunable(store, paths, articles)
		if err == nil && len(pruned) > 0 {
			_, err = store.Delete(pruned...)
		}
	}
	if cerr := store.Close(); err == nil {
		err = cerr
	}
	if err == nil && putErr != nil && ps.Added+ps.Updated == 0 {
		err = putErr // nothing was stored: nothing for the index to do
	}
	if err != nil {
		return fmt.Errorf("ingest into %s: %w", lib.dir, err)
	}
	// A store write that failed part way kept the batches before it: the
	// index is brought up to date with them below (so a running bot
	// answers from them), and the failure is returned after.
	// The index reads the articles back from the store a page at a time
	// (see reconcile): the loaded ones are not needed beyond this point,
	// and holding them through the build would add the whole archive's
	// text to its peak memory.
	loaded := len(articles)
	articles, at = nil, nil
	for _, id := range ps.Retracted {
		logger.Warn("article is retracted; not re-ingested ('newsdesk remove' it first to restore it)", "id", id)
		warnings++
	}

	ix, err := w.openIndexRW()
	if err != nil {
		return err
	}
	st, err := w.reconcile(ctx, e, ix, "embedding")
	if err != nil {
		return fmt.Errorf("ingest into %s (the articles are in the store; the next ingest or 'newsdesk index rebuild' finishes the index): %w", lib.dir, err)
	}
	if putErr != nil {
		return fmt.Errorf("ingest into %s: %w (%d articles were stored and indexed, %d unchanged; run the same ingest again to store the rest)",
			lib.dir, putErr, ps.Added+ps.Updated, ps.Unchanged)
	}
	total := ix.Stats().Articles
	fmt.Fprintf(e.stdout, "ingested %d articles into %s\n  %d added, %d updated, %d unchanged; %d chunks embedded; %d %s\n",
		loaded, lib.dir, ps.Added, ps.Updated, ps.Unchanged, st.ChunksEmbedded,
		warnings, plural(warnings, "warning", "warnings"))
	if len(ps.Retracted) > 0 {
		fmt.Fprintf(e.stdout, "  %d retracted, left out\n", len(ps.Retracted))
	}
	if *prune {
		fmt.Fprintf(e.stdout, "  %d pruned (their files are gone)\n", len(pruned))
	}
	fmt.Fprintf(e.stdout, "  the index holds %d articles\n", total)
	return nil
}

// putBatch is how many articles ingest stores per transaction.
var putBatch = 4096 // a variable for tests

// storePut stores one batch (a variable so that tests can fail one).
var storePut = (*archive.Store).Put

// putBatches stores articles putBatch at a time, each batch a transaction
// of its own: bbolt holds a transaction's every new record, and then the
// pages it writes, in memory until it commits, so one transaction for a
// whole archive would hold the archive two more times over. A failure
// part way keeps the batches already stored (the store is the source of
// truth; the next ingest stores the rest) and is returned with the
// statistics of those batches.
func putBatches(store *archive.Store, articles []corpus.Article) (archive.PutStats, error) {
	var all archive.PutStats
	for lo := 0; lo < len(articles); lo += putBatch {
		ps, err := storePut(store, articles[lo:min(lo+putBatch, len(articles))], originOf)
		if err != nil {
			return all, fmt.Errorf("store articles %d–%d of %d: %w", lo+1, min(lo+putBatch, len(articles)), len(articles), err)
		}
		all.Added += ps.Added
		all.Updated += ps.Updated
		all.Unchanged += ps.Unchanged
		all.Retracted = append(all.Retracted, ps.Retracted...)
	}
	return all, nil
}

// prunable lists the stored articles that came from inside one of the
// directories among paths and were not loaded this time, because their
// file no longer exists or was loaded without them (a .jsonl that dropped
// an entry). A file that exists but failed to load keeps its articles.
func prunable(store *archive.Store, paths []string, articles []corpus.Article) ([]string, error) {
	loaded := make(map[string]bool, len(articles))
	files := make(map[string]bool)
	for i := range articles {
		loaded[articles[i].ID] = true
		files[originOf(&articles[i])] = true
	}
	var dirs []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil || !fi.IsDir() {
			continue
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, fmt.Errorf("prune %s: %w", p, err)
		}
		dirs = append(dirs, abs)
	}
	var out []string
	err := store.Each(func(rec *archive.Record) error {
		if loaded[rec.Article.ID] || rec.Origin == "" {
			return nil
		}
		for _, d := range dirs {
			if !underDir(rec.Origin, d) {
				continue
			}
			if _, err := os.Lstat(rec.Origin); files[rec.Origin] || errors.Is(err, fs.ErrNotExist) {
				out = append(out, rec.Article.ID)
			}
			return nil
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("prune: %w", err)
	}
	return out, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
