package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/newsdesk/newsdesk/corpus"
)

func runIngest(ctx context.Context, e *env, args []string) error {
	fset := newFlagSet("ingest", `
Usage: newsdesk ingest [flags] PATH...

Loads article files and directories (searched recursively) and adds them
to the index: new articles are embedded, changed ones (same id) replaced,
unchanged ones skipped. Files that cannot be loaded are reported on stderr
and skipped; the rest are ingested. It is an error if no article loads.
Only regular files are read. Symbolic links inside a directory are skipped
(see --follow-symlinks); a PATH that is itself a link is followed. Nothing
under /proc, /sys or /dev is ever read.`, `
Examples:
  newsdesk ingest ./articles
  newsdesk ingest story1.html story2.md ./archive/2024
  newsdesk ingest --index /srv/newsdesk/index --embedder openai ./articles

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
		if _, err := os.Stat(p); err != nil {
			warnings++
			if errors.Is(err, fs.ErrNotExist) {
				logger.Warn("skipped", "path", p, "err", "no such file or directory")
			} else {
				logger.Warn("skipped", "path", p, "err", err)
			}
			continue
		}
		arts, warns, err := corpus.LoadPathContext(ctx, p, o.loadOptions())
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

	lib, err := openIndex(e, o, "", logger)
	if err != nil {
		return err
	}
	prog := newProgress(e, "embedding")
	st, err := lib.ix.Add(ctx, articles, prog.update)
	prog.done()
	if err != nil {
		return fmt.Errorf("ingest into %s: %w", lib.dir, err)
	}
	total := lib.ix.Stats().Articles
	fmt.Fprintf(e.stdout, "ingested %d articles into %s\n  %d added, %d updated, %d unchanged; %d chunks embedded; %d %s\n  the index holds %d articles\n",
		len(articles), lib.dir, st.Added, st.Updated, st.Unchanged, st.ChunksEmbedded,
		warnings, plural(warnings, "warning", "warnings"), total)
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
