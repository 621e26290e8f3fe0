package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/newsdesk/newsdesk/corpus/archive"
	"github.com/newsdesk/newsdesk/retrieval"
)

const indexUsage = `
Usage:
  newsdesk index stats [flags]     describe the index
  newsdesk index verify [flags]    check every byte of the index file
  newsdesk index rebuild [flags]   rebuild the index from the article store
  newsdesk index backup [flags] FILE   copy the article store to FILE

stats prints the number of articles and chunks, the embedder and its
dimension, the BM25 vocabulary, the size on disk, the publication date
range, the directory and the article store (live and retracted articles,
last change). verify checks the whole index file against its checksums
(ask checks only what it reads; serve and repl check the rest in the
background). rebuild brings the index up to date with the article store
and re-embeds articles with the current embedder (after switching
--embedder, or to repair vectors); the articles themselves are kept in the
store. backup writes a consistent copy of the article store (articles.db)
while ingest and serve keep running.`

func runIndex(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(e.stderr, strings.TrimSpace(indexUsage))
		fmt.Fprintln(e.stderr, "\nRun 'newsdesk index stats --help' for the flags.")
		return &usageError{msg: "missing subcommand (stats, verify, rebuild or backup)"}
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(e.stdout, strings.TrimSpace(indexUsage))
		fmt.Fprintln(e.stdout, "\nRun 'newsdesk index stats --help' for the flags.")
		return errHelp
	case "stats":
		return runIndexStats(ctx, e, args[1:])
	case "verify":
		return runIndexVerify(ctx, e, args[1:])
	case "rebuild":
		return runIndexRebuild(ctx, e, args[1:])
	case "backup":
		return runIndexBackup(ctx, e, args[1:])
	}
	return usagef("unknown subcommand %q (want stats, verify, rebuild or backup)", args[0])
}

const indexEnvHelp = `
Environment:
  NEWSDESK_INDEX       default for --index (else <user cache dir>/newsdesk/index/default)
  NEWSDESK_CORPUS      default for --corpus
  NEWSDESK_EMBEDDER    default for --embedder
  OPENAI_BASE_URL, OPENAI_API_KEY, NEWSDESK_EMBED_MODEL
                       the embeddings API of --embedder openai`

func indexFlags(name, usage, extra string) *flagSet {
	fs := newFlagSet("index "+name, usage, extra)
	fs.indexFlag()
	fs.StringVar(&fs.opts.corpus, "corpus", "", "use the index of --corpus `DIR` (default $NEWSDESK_CORPUS)")
	fs.embedderFlag()
	fs.verboseFlag()
	return fs
}

func runIndexStats(ctx context.Context, e *env, args []string) error {
	fs := indexFlags("stats", `
Usage: newsdesk index stats [flags]

Describes the index: articles, chunks, embedder and dimension, BM25
terms, size on disk, publication date range, directory. It changes
nothing (a corpus given with --corpus only selects its index).`, `
Examples:
  newsdesk index stats
  newsdesk index stats --json --index /srv/newsdesk/index
`+indexEnvHelp)
	fs.jsonFlag("print the statistics as one JSON object")
	if err := fs.parseNone(args, e.stdout); err != nil {
		return err
	}
	o := fs.opts
	logger := newLogger(e, o.verbose, false)
	lib, err := openIndex(e, o, o.corpusDir(e), logger)
	if err != nil {
		return err
	}
	st := indexStats{Stats: lib.ix.Stats()}
	st.Backend = indexHealth(ctx, lib) // store_weaviate.go
	if lib.remote != nil {
		st.URL = st.Dir
	}
	st.Dir = lib.dir
	if err := st.readStore(lib.dir); err != nil {
		return err
	}
	if st.Store != nil {
		st.Store.IndexGeneration, _ = lib.ix.Generation()
	}
	if o.json {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(st)
	}
	writeStats(e.stdout, st)
	return nil
}

func runIndexVerify(ctx context.Context, e *env, args []string) error {
	fs := indexFlags("verify", `
Usage: newsdesk index verify [flags]

Checks every byte of the index file against its checksums. Opening the
index checks its tables; the large sections (article records, vectors,
BM25 postings) are checked a block at a time as questions first read
them, so ask reads and checks only what it needs, and serve and repl
check the rest in the background. verify checks it all now and names
any damaged section; the cure is 'newsdesk index rebuild'. It changes
nothing.`, `
Examples:
  newsdesk index verify
  newsdesk index verify --index /srv/newsdesk/index
`+indexEnvHelp)
	if err := fs.parseNone(args, e.stdout); err != nil {
		return err
	}
	o := fs.opts
	logger := newLogger(e, o.verbose, false)
	ctx, stop := signalContext(ctx)
	defer stop()
	lib, err := openIndex(e, o, o.corpusDir(e), logger)
	if err != nil {
		return err
	}
	ix := lib.ix.Current()
	if ix == nil {
		return fmt.Errorf("index %s is kept by --store weaviate: there is no index file to verify", lib.dir)
	}
	defer ix.Close()
	start := time.Now()
	if err := ix.Verify(ctx); err != nil {
		return err
	}
	st := ix.Stats()
	fmt.Fprintf(e.stdout, "index %s: %s verified, no damage found (%s)\n", lib.dir, humanBytes(st.Bytes), time.Since(start).Round(time.Millisecond))
	return nil
}

// indexStats is the index's statistics and its article store's.
type indexStats struct {
	retrieval.Stats
	Store *storeStats `json:"store,omitempty"` // nil: no article store yet
	// Backend is the search index's backend and its health; URL is
	// Weaviate's (without credentials).
	Backend retrieval.Health `json:"backend"`
	URL     string           `json:"url,omitempty"`
}

type storeStats struct {
	Live       int       `json:"articles"`
	Retracted  int       `json:"retracted"`
	Generation uint64    `json:"generation"`
	Changed    time.Time `json:"changed,omitzero"`
	// IndexGeneration is the generation the index reflects; behind the
	// store's after an interrupted write (the next writer catches up).
	IndexGeneration uint64 `json:"index_generation"`
}

func (st *indexStats) readStore(dir string) error {
	if !archive.Exists(dir) {
		return nil
	}
	s, err := archive.Open(dir, archive.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer s.Close()
	ss := &storeStats{}
	if ss.Live, ss.Retracted, err = s.Count(); err != nil {
		return err
	}
	if ss.Generation, ss.Changed, err = s.Generation(); err != nil {
		return err
	}
	st.Store = ss
	return nil
}

func writeStats(w io.Writer, st indexStats) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "index\t%s\n", st.Dir)
	writeBackend(tw, st) // store_weaviate.go
	if ss := st.Store; ss != nil {
		line := fmt.Sprintf("%d articles", ss.Live)
		if ss.Retracted > 0 {
			line += fmt.Sprintf(" (+%d retracted)", ss.Retracted)
		}
		if !ss.Changed.IsZero() {
			line += ", last changed " + ss.Changed.Local().Format(time.DateTime)
		}
		fmt.Fprintf(tw, "store\t%s (%s)\n", line, archive.FileName)
		if ss.IndexGeneration != ss.Generation {
			fmt.Fprintf(tw, "behind\tthe index is behind the store (generation %d of %d): 'newsdesk index rebuild' catches up\n", ss.IndexGeneration, ss.Generation)
		}
	} else {
		fmt.Fprintf(tw, "store\tnone yet (%s is created by the first ingest)\n", archive.FileName)
	}
	if st.Articles == 0 {
		fmt.Fprintf(tw, "articles\t0 (empty: 'newsdesk ingest' adds articles; only a brand-new default index is seeded with the samples)\n")
		tw.Flush()
		return
	}
	fmt.Fprintf(tw, "articles\t%d\n", st.Articles)
	fmt.Fprintf(tw, "chunks\t%d\n", st.Chunks)
	emb := st.EmbedderID
	if st.Dim > 0 {
		emb += fmt.Sprintf(" (%d dimensions)", st.Dim)
	}
	fmt.Fprintf(tw, "embedder\t%s\n", emb)
	if st.Stale > 0 {
		fmt.Fprintf(tw, "stale\t%d articles were embedded by another embedder: 'newsdesk index rebuild' re-embeds them with this one\n", st.Stale)
	}
	if st.Approximate {
		fmt.Fprintf(tw, "vector search\tapproximate: binary-code pre-filter, exact re-rank of the %d nearest\n", retrieval.RerankCandidates())
	} else {
		fmt.Fprintf(tw, "vector search\texact\n")
	}
	fmt.Fprintf(tw, "terms\t%d\n", st.Terms)
	fmt.Fprintf(tw, "size\t%s\n", humanBytes(st.Bytes))
	switch {
	case st.Dates[0] == "":
		fmt.Fprintf(tw, "dates\tunknown\n")
	case st.Dates[0] == st.Dates[1]:
		fmt.Fprintf(tw, "dates\t%s\n", st.Dates[0])
	default:
		fmt.Fprintf(tw, "dates\t%s to %s\n", st.Dates[0], st.Dates[1])
	}
	tw.Flush()
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// reembedder is an index that can re-embed every article, not only the
// stale ones.
type reembedder interface {
	Reembed(ctx context.Context, progress func(done, total int)) (retrieval.SyncStats, error)
}

func runIndexRebuild(ctx context.Context, e *env, args []string) error {
	fs := indexFlags("rebuild", `
Usage: newsdesk index rebuild [flags]

Rebuilds the index from the article store: articles added, changed,
removed or retracted since the index was written are brought in line, and
every article is re-embedded with the current embedder. The articles
themselves are kept in the store (articles.db); the index can be deleted
and rebuilt at any time. After switching embedders (--embedder,
$NEWSDESK_EMBEDDER) the index re-embeds on its next use anyway; rebuild
does it now. Waits for another writer (see --wait).`, `
Examples:
  newsdesk index rebuild --embedder openai
`+indexEnvHelp)
	wait := fs.Duration("wait", defaultLockWait, "wait up to `DURATION` for another writer of the index to finish")
	if err := fs.parseNone(args, e.stdout); err != nil {
		return err
	}
	o := fs.opts
	logger := newLogger(e, o.verbose, false)
	ctx, stop := signalContext(ctx)
	defer stop()
	lib, _, err := prepareLibrary(e, o, o.corpusDir(e), logger)
	if err != nil {
		return err
	}
	w, err := lockLibrary(ctx, e, lib, "newsdesk index rebuild", *wait)
	if err != nil {
		return err
	}
	defer w.unlock()
	ix, err := w.openIndexRW()
	if err != nil {
		return err
	}
	rs, err := w.reconcile(ctx, e, ix, "indexing")
	if err != nil {
		return fmt.Errorf("rebuild %s: %w", lib.dir, err)
	}
	if ix.Stats().Articles == 0 {
		fmt.Fprintf(e.stdout, "index %s is empty: nothing to rebuild\n", lib.dir)
		return nil
	}
	prog := newProgress(e, "re-embedding")
	var st retrieval.SyncStats
	r, forced := any(ix).(reembedder)
	if forced {
		st, err = r.Reembed(ctx, prog.update)
	} else {
		// Re-embeds the articles an embedder change left stale.
		st, err = ix.Refresh(ctx, prog.update)
	}
	prog.done()
	if err != nil {
		return fmt.Errorf("rebuild %s: %w", lib.dir, err)
	}
	st.ChunksEmbedded += rs.ChunksEmbedded
	after := ix.Stats()
	if st.ChunksEmbedded == 0 && rs.Removed == 0 && !forced {
		fmt.Fprintf(e.stdout, "index %s is up to date: all %d articles are embedded with %s\n", lib.dir, after.Articles, after.EmbedderID)
		return nil
	}
	fmt.Fprintf(e.stdout, "rebuilt %s: %d articles, %d chunks embedded with %s\n",
		lib.dir, after.Articles, st.ChunksEmbedded, after.EmbedderID)
	return nil
}

func runIndexBackup(ctx context.Context, e *env, args []string) error {
	fs := indexFlags("backup", `
Usage: newsdesk index backup [flags] FILE

Writes a consistent copy of the article store (articles.db) to FILE
("-" for stdout), without stopping ingest or serve. The copy is itself an
article store: put it in an empty directory as articles.db and run
'newsdesk index rebuild --index DIR' to get a working index back.`, `
Examples:
  newsdesk index backup /backups/newsdesk-$(date +%F).db
`+indexEnvHelp)
	pos, err := fs.parse(args, e.stdout)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("name one FILE to write the backup to")
	}
	o := fs.opts
	logger := newLogger(e, o.verbose, false)
	lib, _, err := prepareLibrary(e, o, o.corpusDir(e), logger)
	if err != nil {
		return err
	}
	if !archive.Exists(lib.dir) {
		return fmt.Errorf("index %s has no article store (%s) to back up", lib.dir, archive.FileName)
	}
	st, err := archive.Open(lib.dir, archive.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer st.Close()
	if pos[0] == "-" {
		_, err := st.Backup(e.stdout)
		return err
	}
	n, err := st.BackupFile(pos[0])
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "backed up the article store of %s to %s (%s)\n", lib.dir, pos[0], humanBytes(n))
	return nil
}
