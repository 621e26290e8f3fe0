package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/newsdesk/newsdesk/corpus"
	"github.com/newsdesk/newsdesk/corpus/archive"
	"github.com/newsdesk/newsdesk/retrieval"
	"github.com/newsdesk/newsdesk/retrieval/weaviatestore"
)

// The index directory holds the article store (archive.FileName, the
// source of truth), the derived search index (retrieval.IndexPath) and the
// writer lock. Every command that changes it holds the lock; ask, repl and
// serve only read, unless the index must first be repaired.

// sampleOrigin is the origin of the built-in sample articles.
const sampleOrigin = "builtin:sample"

// defaultLockWait bounds how long a writer waits for another (--wait).
const defaultLockWait = 2 * time.Minute

// library is an opened index and where it lives. ix is live: serve and
// repl swap in newer indexes while it is in use (see reload.go).
type library struct {
	ix     *retrieval.Live
	dir    string // index directory
	ropts  retrieval.Options
	logger *slog.Logger
	file   os.FileInfo // the index file ix was loaded from, for watch

	// wopts is set with --store weaviate (store_weaviate.go); remote is
	// the Weaviate index once opened.
	wopts  *weaviatestore.Options
	remote *weaviatestore.Store
}

// setIndex makes ix the library's index; fi is the index file it was read
// from (or written to), nil if none.
func (l *library) setIndex(ix derivedIndex, fi os.FileInfo) {
	if s, ok := ix.(*weaviatestore.Store); ok {
		l.setRemote(s)
		return
	}
	l.ix = retrieval.NewLive(ix.(*retrieval.Index))
	l.file = fi
}

func statIndex(dir string) os.FileInfo {
	fi, _ := os.Stat(retrieval.IndexPath(dir))
	return fi
}

// newEmbedder builds the embedder chosen by --embedder / $NEWSDESK_EMBEDDER.
func newEmbedder(e *env, o *options) (retrieval.Embedder, error) {
	name, err := o.embedderName(e)
	if err != nil {
		return nil, err
	}
	if name == embedderOpenAI {
		return newOpenAIEmbedder(e) // openai.go
	}
	return retrieval.NewHashEmbedder(), nil
}

// indexLocation resolves the index directory and whether it was named
// (--index or $NEWSDESK_INDEX) rather than the default. A path naming
// something other than a directory is a usage error.
func indexLocation(e *env, o *options, corpusDir string) (dir string, explicit bool, err error) {
	dir, err = o.indexDir(e, corpusDir)
	if err != nil {
		return "", false, err
	}
	_, explicit = o.pick(e, "index", o.index, envIndex, "")
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return "", false, usagef("--index %s is a file, not a directory: name the directory that holds (or will hold) the index", dir)
	}
	return dir, explicit, nil
}

// prepareLibrary resolves the directory and the index options without
// opening anything.
func prepareLibrary(e *env, o *options, corpusDir string, logger *slog.Logger) (*library, bool, error) {
	emb, err := newEmbedder(e, o)
	if err != nil {
		return nil, false, err
	}
	dir, explicit, err := indexLocation(e, o, corpusDir)
	if err != nil {
		return nil, false, err
	}
	lib := &library{dir: dir, logger: logger,
		ropts: retrieval.Options{Dir: dir, Embedder: emb, Logger: logger, VerifyInBackground: o.longRunning}}
	if err := prepareRemote(e, o, lib); err != nil { // store_weaviate.go
		return nil, false, err
	}
	return lib, explicit, nil
}

// openIndex opens the index chosen by the flags for reading only (index
// stats): nothing is written, a missing index is empty.
func openIndex(e *env, o *options, corpusDir string, logger *slog.Logger) (*library, error) {
	lib, _, err := prepareLibrary(e, o, corpusDir, logger)
	if err != nil {
		return nil, err
	}
	logger.Debug("opening index", "dir", lib.dir, "embedder", lib.ropts.Embedder.ID())
	if lib.wopts != nil {
		s, err := lib.openRemote(context.Background(), true)
		if err != nil {
			return nil, err
		}
		lib.setRemote(s)
		return lib, nil
	}
	ro := lib.ropts
	ro.ReadOnly = true
	ix, err := retrieval.Open(ro)
	if err != nil {
		return nil, fmt.Errorf("open index %s: %w (run 'newsdesk index rebuild' to rebuild it from the article store)", lib.dir, err)
	}
	lib.setIndex(ix, nil)
	return lib, nil
}

// writer is a held writer lock on an index directory.
type writer struct {
	lib  *library
	lock *archive.Lock
}

// lockLibrary takes the writer lock of lib's directory (waiting up to
// wait for another writer, with a note on stderr), removes what a crashed
// writer left behind, and moves the articles of an index from before the
// article store into a new store.
func lockLibrary(ctx context.Context, e *env, lib *library, command string, wait time.Duration) (*writer, error) {
	lk, err := archive.Acquire(ctx, lib.dir, archive.LockOptions{
		Command: command,
		Wait:    wait,
		OnWait: func(h archive.Holder) {
			fmt.Fprintf(e.stderr, "newsdesk: waiting up to %s for %s to finish writing %s\n", wait, h, lib.dir)
		},
	})
	if err != nil {
		return nil, err
	}
	w := &writer{lib: lib, lock: lk}
	if n, err := retrieval.RemoveStaleTemp(lib.dir); err != nil {
		lib.logger.Warn("could not remove stale index files", "dir", lib.dir, "err", err)
	} else if n > 0 {
		lib.logger.Warn("removed temporary index files left by an interrupted write", "dir", lib.dir, "files", n)
	}
	if err := w.migrate(); err != nil {
		w.unlock()
		return nil, err
	}
	return w, nil
}

// ensureStore creates an empty store if there is none.
func (w *writer) ensureStore() error {
	if archive.Exists(w.lib.dir) {
		return nil
	}
	st, err := w.openStore()
	if err != nil {
		return err
	}
	return st.Close()
}

func (w *writer) unlock() {
	if err := w.lock.Unlock(); err != nil {
		w.lib.logger.Warn("writer unlock", "err", err)
	}
}

// migrate copies the articles of an index written before the article
// store existed into a new store, so that they are not lost when the
// index is next reconciled with it.
func (w *writer) migrate() error {
	dir := w.lib.dir
	if archive.Exists(dir) {
		return nil
	}
	if _, err := os.Stat(retrieval.IndexPath(dir)); err != nil {
		return nil // nothing to migrate
	}
	ro := w.lib.ropts
	ro.ReadOnly = true
	ix, err := retrieval.Open(ro)
	if err != nil {
		// A corrupt index from before the store: nothing can be saved.
		w.lib.logger.Warn("index from before the article store is unreadable; its articles cannot be kept", "dir", dir, "err", err)
		st, err := w.openStore() // an empty store: the directory is now initialised
		if err != nil {
			return err
		}
		return st.Close()
	}
	arts := ix.Articles()
	list := make([]corpus.Article, len(arts))
	for i, a := range arts {
		list[i] = *a
	}
	st, err := w.openStore()
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := st.Put(list, originOf); err != nil {
		return fmt.Errorf("move the indexed articles into the article store: %w", err)
	}
	w.lib.logger.Warn("created the article store from the existing index", "dir", dir, "articles", len(list))
	return nil
}

// openStore opens the article store for writing.
func (w *writer) openStore() (*archive.Store, error) {
	return archive.Open(w.lib.dir, archive.Options{})
}

// originOf is where an article came from: its file's absolute path.
func originOf(a *corpus.Article) string {
	if a.Path == "" {
		return ""
	}
	if abs, err := filepath.Abs(a.Path); err == nil {
		return abs
	}
	return a.Path
}

// openIndexRW opens the index for writing; a corrupt file is moved aside
// (retrieval does that) and the index is rebuilt from the store by
// reconcile, with a warning.
func (w *writer) openIndexRW() (derivedIndex, error) {
	if w.lib.wopts != nil {
		return w.lib.openRemote(context.Background(), false)
	}
	ix, err := retrieval.Open(w.lib.ropts)
	if err != nil {
		return nil, fmt.Errorf("open index %s: %w", w.lib.dir, err)
	}
	return ix, nil
}

// reconcile brings ix to exactly the live articles of the store: new and
// changed ones embedded, removed and retracted ones dropped, stale ones
// re-embedded, and the store's generation recorded. A first pass reads
// only ids and hashes; the articles to embed are then read from the store
// a page at a time (see storeArticles), so an index that takes them as a
// stream (retrieval.Index.ApplyFrom) holds one batch of them beside
// itself, not the whole archive.
func (w *writer) reconcile(ctx context.Context, e *env, ix derivedIndex, what string) (retrieval.SyncStats, error) {
	if err := w.ensureStore(); err != nil {
		return retrieval.SyncStats{}, err
	}
	have, err := indexHashes(ctx, ix)
	if err != nil {
		return retrieval.SyncStats{}, err
	}
	st, err := archive.Open(w.lib.dir, archive.Options{ReadOnly: true})
	if err != nil {
		return retrieval.SyncStats{}, err
	}
	var add []string // ids, in id order
	live := 0
	err = st.EachHash(func(id, hash string, isLive bool) error {
		if !isLive {
			return nil
		}
		live++
		h, ok := have[id]
		delete(have, id)
		if !ok || h != hash {
			add = append(add, id)
		}
		return nil
	})
	gen, changed, gerr := st.Generation()
	st.Close()
	if err == nil {
		err = gerr
	}
	if err != nil {
		return retrieval.SyncStats{}, fmt.Errorf("read article store: %w", err)
	}
	remove := make([]string, 0, len(have))
	for id := range have {
		remove = append(remove, id)
	}
	sort.Strings(remove)
	if len(add) > 0 && ix.Stats().Articles == 0 && live == len(add) && live > 0 {
		w.lib.logger.Debug("building the index from the article store", "articles", live)
	}
	c := retrieval.Change{Remove: remove, Generation: gen, Changed: changed}
	prog := newProgress(e, what)
	var s retrieval.SyncStats
	if sa, ok := ix.(streamApplier); ok {
		s, err = sa.ApplyFrom(ctx, c, w.storeArticles(ctx, add), len(add), prog.update)
	} else {
		// Another backend takes the changed articles in one Change.
		c.Add = make([]corpus.Article, 0, len(add))
		for a, aerr := range w.storeArticles(ctx, add) {
			if aerr != nil {
				prog.done()
				return retrieval.SyncStats{}, fmt.Errorf("read article store: %w", aerr)
			}
			c.Add = append(c.Add, a)
		}
		s, err = ix.Apply(ctx, c, prog.update)
	}
	prog.done()
	if err != nil {
		return s, fmt.Errorf("index %s: %w", w.lib.dir, err)
	}
	return s, nil
}

// streamApplier is a derived index that takes the articles of a change as
// a stream (retrieval.Index).
type streamApplier interface {
	ApplyFrom(ctx context.Context, c retrieval.Change, more iter.Seq2[corpus.Article, error], n int, progress func(done, total int)) (retrieval.SyncStats, error)
}

// storePage is how many articles storeArticles reads per opening of the
// store.
var storePage = 1024 // a variable for tests

// storeArticles yields the store's articles with the given ids, in that
// order (until ctx is done), reading storePage of them at a time with the store opened only
// for the page: bbolt maps its file, and every page of it read stays
// resident while the store is open, so reading a large archive in one go
// would add the store's whole size to a build's peak memory.
func (w *writer) storeArticles(ctx context.Context, ids []string) iter.Seq2[corpus.Article, error] {
	return func(yield func(corpus.Article, error) bool) {
		for lo := 0; lo < len(ids); lo += storePage {
			if err := ctx.Err(); err != nil { // Ctrl-C: stop reading pages
				yield(corpus.Article{}, err)
				return
			}
			page := make([]corpus.Article, 0, min(storePage, len(ids)-lo))
			st, err := archive.Open(w.lib.dir, archive.Options{ReadOnly: true})
			if err == nil {
				err = st.GetEach(ids[lo:lo+cap(page)], func(rec *archive.Record) error {
					page = append(page, rec.Article)
					return nil
				})
				if cerr := st.Close(); err == nil {
					err = cerr
				}
			}
			if err != nil {
				yield(corpus.Article{}, err)
				return
			}
			for _, a := range page {
				if !yield(a, nil) {
					return
				}
			}
		}
	}
}

// storeGeneration reads the store's generation without a write lock;
// ok is false when there is no store.
func storeGeneration(dir string) (gen uint64, ok bool, err error) {
	if !archive.Exists(dir) {
		return 0, false, nil
	}
	st, err := archive.Open(dir, archive.Options{ReadOnly: true, Timeout: 5 * time.Second})
	if err != nil {
		return 0, false, err
	}
	defer st.Close()
	g, _, err := st.Generation()
	return g, err == nil, err
}

// loadLibrary opens the index for ask, repl and serve and brings it up to
// date. With --corpus DIR (or $NEWSDESK_CORPUS) the store and index are
// synced to exactly DIR's articles; without it the index is used as it
// is. Only a brand-new default index (no store, no index file, no --index)
// is seeded with the built-in sample articles: a named directory that
// holds nothing is an error, and an index that cannot be read is rebuilt
// from the article store, never replaced by the samples. Notes and
// progress go to stderr, never stdout.
func loadLibrary(ctx context.Context, e *env, o *options, logger *slog.Logger) (*library, error) {
	corpusDir := o.corpusDir(e)
	var articles []corpus.Article
	if corpusDir != "" {
		// Load before opening the index: a typo in DIR should not cost an
		// index directory.
		var err error
		articles, err = loadCorpusDir(ctx, corpusDir, o.loadOptions(), logger)
		if err != nil {
			return nil, err
		}
	}
	lib, explicit, err := prepareLibrary(e, o, corpusDir, logger)
	if err != nil {
		return nil, err
	}
	if lib.wopts != nil {
		return lib, lib.loadRemote(ctx, e, corpusDir, articles, explicit) // store_weaviate.go
	}
	if corpusDir != "" {
		if lib.corpusCurrent(corpusDir, articles) {
			return lib, nil
		}
		return lib, lib.syncCorpus(ctx, e, corpusDir, articles)
	}
	_, ierr := os.Stat(retrieval.IndexPath(lib.dir))
	fresh := !archive.Exists(lib.dir) && errors.Is(ierr, fs.ErrNotExist)
	if fresh && explicit {
		return nil, fmt.Errorf("index %s holds no articles (no %s): check the path, or add articles with 'newsdesk ingest --index %s PATH'",
			lib.dir, archive.FileName, lib.dir)
	}
	if fresh {
		return lib, lib.seed(ctx, e)
	}

	// Read-only first: the common case writes nothing and takes no lock.
	ro := lib.ropts
	ro.ReadOnly = true
	fi := statIndex(lib.dir)
	ix, err := retrieval.Open(ro)
	if err == nil && lib.current(ix) {
		lib.setIndex(ix, fi)
		return lib, nil
	}
	if err != nil && !errors.Is(err, retrieval.ErrCorrupt) {
		return nil, fmt.Errorf("open index %s: %w", lib.dir, err)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "newsdesk: warning: the index in %s is unreadable (%s); rebuilding it from the article store\n", lib.dir, oneLine(err.Error()))
	}
	return lib, lib.repair(ctx, e, "loading")
}

// current reports whether ix can be served as it is: it reflects the
// store's generation and needs no re-embedding.
func (l *library) current(ix *retrieval.Index) bool {
	if ix.Stats().Stale > 0 {
		return false
	}
	gen, ok, err := storeGeneration(l.dir)
	if err != nil {
		l.logger.Warn("could not read the article store; using the index as it is", "dir", l.dir, "err", err)
		return true
	}
	if !ok {
		return false // an index from before the store: migrate
	}
	g, _ := ix.Generation()
	return g == gen
}

// repair takes the writer lock and reconciles the index with the store
// (rebuilding a corrupt index, re-embedding a stale one).
func (l *library) repair(ctx context.Context, e *env, command string) error {
	w, err := lockLibrary(ctx, e, l, "newsdesk "+command, defaultLockWait)
	if err != nil {
		return err
	}
	defer w.unlock()
	ix, err := w.openIndexRW()
	if err != nil {
		return err
	}
	if st := ix.Stats(); st.Stale > 0 {
		fmt.Fprintf(e.stderr, "newsdesk: re-embedding %d articles with %s (the index was built with another embedder)\n", st.Stale, st.EmbedderID)
	}
	if _, err := w.reconcile(ctx, e, ix, "indexing"); err != nil {
		return err
	}
	l.setIndex(ix, statIndex(l.dir))
	return nil
}

// seed fills a brand-new default library with the built-in sample
// articles.
func (l *library) seed(ctx context.Context, e *env) error {
	defaults, warns, err := corpus.Default()
	for _, w := range warns {
		l.logger.Warn("default corpus: load warning", "err", w)
	}
	if err != nil {
		return fmt.Errorf("load default corpus: %w", err)
	}
	if len(defaults) == 0 {
		return errors.New("the index is empty and there is no default corpus: run 'newsdesk ingest PATH' or pass --corpus DIR")
	}
	w, err := lockLibrary(ctx, e, l, "newsdesk (seeding)", defaultLockWait)
	if err != nil {
		return err
	}
	defer w.unlock()
	if !archive.Exists(l.dir) {
		// Still new now that we hold the lock.
		fmt.Fprintf(e.stderr, "newsdesk: the index is new; seeding it with the %d built-in sample articles (use 'newsdesk ingest' or --corpus DIR for your own; 'newsdesk remove' drops them)\n", len(defaults))
		st, err := w.openStore()
		if err != nil {
			return err
		}
		_, err = st.Put(defaults, func(*corpus.Article) string { return sampleOrigin })
		if cerr := st.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("seed %s: %w", l.dir, err)
		}
	}
	ix, err := w.openIndexRW()
	if err != nil {
		return err
	}
	if _, err := w.reconcile(ctx, e, ix, "embedding sample articles"); err != nil {
		return err
	}
	l.setIndex(ix, statIndex(l.dir))
	return nil
}

// storeHoldsExactly reports whether the article store in dir holds
// exactly articles (retracted records aside), unchanged, and its
// generation; it opens the store read-only and writes nothing.
func storeHoldsExactly(dir string, articles []corpus.Article) (uint64, bool) {
	if !archive.Exists(dir) {
		return 0, false
	}
	st, err := archive.Open(dir, archive.Options{ReadOnly: true, Timeout: 5 * time.Second})
	if err != nil {
		return 0, false
	}
	defer st.Close()
	want := make(map[string]string, len(articles))
	for i := range articles {
		want[articles[i].ID] = articles[i].Hash()
	}
	same := true
	err = st.Each(func(rec *archive.Record) error {
		h, ok := want[rec.Article.ID]
		if !ok || (rec.Live() && h != rec.Hash) {
			same = false
			return errStop
		}
		delete(want, rec.Article.ID)
		return nil
	})
	gen, _, gerr := st.Generation()
	if !same || err != nil || gerr != nil || len(want) > 0 {
		return 0, false
	}
	return gen, true
}

// corpusCurrent serves the index of a --corpus directory without taking
// the writer lock or writing anything when the store already holds
// exactly articles and the index reflects the store.
func (l *library) corpusCurrent(corpusDir string, articles []corpus.Article) bool {
	gen, ok := storeHoldsExactly(l.dir, articles)
	if !ok {
		return false
	}
	ro := l.ropts
	ro.ReadOnly = true
	fi := statIndex(l.dir)
	ix, err := retrieval.Open(ro)
	if err != nil || ix.Stats().Stale > 0 {
		return false
	}
	if g, _ := ix.Generation(); g != gen {
		return false
	}
	l.logger.Debug("index synced", "corpus", corpusDir, "dir", l.dir,
		"added", 0, "updated", 0, "unchanged", len(articles), "removed", 0, "chunks_embedded", 0)
	l.setIndex(ix, fi)
	return true
}

var errStop = errors.New("stop")

// syncCorpus makes the store and the index of a --corpus directory hold
// exactly its articles (retracted ones stay retracted).
func (l *library) syncCorpus(ctx context.Context, e *env, corpusDir string, articles []corpus.Article) error {
	w, err := lockLibrary(ctx, e, l, "newsdesk --corpus "+corpusDir, defaultLockWait)
	if err != nil {
		return err
	}
	defer w.unlock()
	st, err := w.openStore()
	if err != nil {
		return err
	}
	keep := make(map[string]bool, len(articles))
	for _, a := range articles {
		keep[a.ID] = true
	}
	ps, err := st.Put(articles, originOf)
	var gone []string
	if err == nil {
		err = st.Each(func(rec *archive.Record) error {
			if !keep[rec.Article.ID] {
				gone = append(gone, rec.Article.ID)
			}
			return nil
		})
	}
	if err == nil && len(gone) > 0 {
		_, err = st.Delete(gone...)
	}
	if cerr := st.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("corpus %s: %w", corpusDir, err)
	}
	ix, err := w.openIndexRW()
	if err != nil {
		return err
	}
	s, err := w.reconcile(ctx, e, ix, "embedding "+corpusDir)
	if err != nil {
		return err
	}
	l.logger.Debug("index synced", "corpus", corpusDir, "dir", l.dir,
		"added", ps.Added, "updated", ps.Updated, "unchanged", ps.Unchanged,
		"removed", len(gone), "chunks_embedded", s.ChunksEmbedded)
	l.setIndex(ix, statIndex(l.dir))
	return nil
}

// loadCorpusDir loads the articles of a --corpus directory (or file).
// Loader warnings are logged; no loadable article is an error.
func loadCorpusDir(ctx context.Context, dir string, opt corpus.LoadOptions, logger *slog.Logger) ([]corpus.Article, error) {
	if _, err := os.Stat(dir); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("corpus %s: no such directory", dir)
		}
		return nil, fmt.Errorf("corpus %s: %w", dir, err)
	}
	articles, warns, err := corpus.LoadPathContext(ctx, dir, opt)
	logWarnings(logger, warns)
	if err != nil {
		return nil, fmt.Errorf("corpus %s: %w", dir, err)
	}
	if len(articles) == 0 {
		return nil, fmt.Errorf("corpus %s: no loadable articles (%d files skipped)", dir, len(warns))
	}
	return articles, nil
}

func logWarnings(logger *slog.Logger, warns []error) {
	for _, w := range warns {
		logger.Warn("load warning", "err", w)
	}
}

// sortedArticles returns the indexed articles in id order.
func (l *library) sortedArticles() []*corpus.Article {
	arts := l.ix.Articles()
	sort.SliceStable(arts, func(i, j int) bool { return arts[i].ID < arts[j].ID })
	return arts
}

// underDir reports whether path is dir or inside it (both absolute).
func underDir(path, dir string) bool {
	return path == dir || strings.HasPrefix(path, strings.TrimSuffix(dir, string(filepath.Separator))+string(filepath.Separator))
}
