package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"sort"

	"github.com/newsdesk/newsdesk/corpus"
	"github.com/newsdesk/newsdesk/retrieval"
)

// library is an opened index and where it lives.
type library struct {
	ix  *retrieval.Index
	dir string // index directory
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

// openIndex opens the index directory chosen by the flags and environment
// for corpusDir ("" for the default library).
func openIndex(e *env, o *options, corpusDir string, logger *slog.Logger) (*library, error) {
	emb, err := newEmbedder(e, o)
	if err != nil {
		return nil, err
	}
	dir, err := o.indexDir(e, corpusDir)
	if err != nil {
		return nil, err
	}
	logger.Debug("opening index", "dir", dir, "embedder", emb.ID())
	ix, err := retrieval.Open(retrieval.Options{Dir: dir, Embedder: emb, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("open index %s: %w", dir, err)
	}
	return &library{ix: ix, dir: dir}, nil
}

// loadLibrary opens the index for ask, repl and serve and brings it up to
// date. With --corpus DIR (or $NEWSDESK_CORPUS) the index is synced to
// exactly DIR's articles; without it the index is used as it is, and an
// empty index is first seeded with the built-in default corpus. Notes and
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
	lib, err := openIndex(e, o, corpusDir, logger)
	if err != nil {
		return nil, err
	}
	if corpusDir != "" {
		prog := newProgress(e, "embedding "+corpusDir)
		st, err := lib.ix.Sync(ctx, articles, prog.update)
		prog.done()
		if err != nil {
			return nil, fmt.Errorf("index %s: %w", corpusDir, err)
		}
		logger.Debug("index synced", "corpus", corpusDir, "dir", lib.dir,
			"added", st.Added, "updated", st.Updated, "unchanged", st.Unchanged,
			"removed", st.Removed, "chunks_embedded", st.ChunksEmbedded)
		return lib, nil
	}
	st := lib.ix.Stats()
	if st.Stale > 0 {
		// The embedder changed since the articles were indexed: without
		// new vectors the index can only search them by keyword.
		fmt.Fprintf(e.stderr, "newsdesk: re-embedding %d articles with %s (the index was built with another embedder)\n", st.Stale, st.EmbedderID)
		prog := newProgress(e, "re-embedding")
		_, err := lib.ix.Refresh(ctx, prog.update)
		prog.done()
		if err != nil {
			return nil, fmt.Errorf("re-embed index %s: %w", lib.dir, err)
		}
	}
	if st.Articles == 0 {
		defaults, warns, err := corpus.Default()
		for _, w := range warns {
			logger.Warn("default corpus: load warning", "err", w)
		}
		if err != nil {
			return nil, fmt.Errorf("load default corpus: %w", err)
		}
		if len(defaults) == 0 {
			return nil, errors.New("the index is empty and there is no default corpus: run 'newsdesk ingest PATH' or pass --corpus DIR")
		}
		fmt.Fprintf(e.stderr, "newsdesk: the index is empty; seeding it with the %d built-in sample articles (use 'newsdesk ingest' or --corpus DIR for your own)\n", len(defaults))
		prog := newProgress(e, "embedding sample articles")
		_, err = lib.ix.Add(ctx, defaults, prog.update)
		prog.done()
		if err != nil {
			return nil, fmt.Errorf("seed index %s: %w", lib.dir, err)
		}
	}
	return lib, nil
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
