package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/newsdesk/newsdesk/retrieval"
)

const indexUsage = `
Usage:
  newsdesk index stats [flags]     describe the index
  newsdesk index rebuild [flags]   re-embed the indexed articles

stats prints the number of articles and chunks, the embedder and its
dimension, the BM25 vocabulary, the size on disk, the publication date
range and the directory. rebuild re-embeds articles with the current
embedder (after switching --embedder, or to repair vectors); the articles
themselves are kept.`

func runIndex(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		fmt.Fprintln(e.stderr, strings.TrimSpace(indexUsage))
		fmt.Fprintln(e.stderr, "\nRun 'newsdesk index stats --help' for the flags.")
		return &usageError{msg: "missing subcommand (stats or rebuild)"}
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(e.stdout, strings.TrimSpace(indexUsage))
		fmt.Fprintln(e.stdout, "\nRun 'newsdesk index stats --help' for the flags.")
		return errHelp
	case "stats":
		return runIndexStats(ctx, e, args[1:])
	case "rebuild":
		return runIndexRebuild(ctx, e, args[1:])
	}
	return usagef("unknown subcommand %q (want stats or rebuild)", args[0])
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
	st := lib.ix.Stats()
	st.Dir = lib.dir
	if o.json {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(st)
	}
	writeStats(e.stdout, st)
	return nil
}

func writeStats(w io.Writer, st retrieval.Stats) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "index\t%s\n", st.Dir)
	if st.Articles == 0 {
		fmt.Fprintf(tw, "articles\t0 (empty: ask/repl seed it with the sample articles; 'newsdesk ingest' adds yours)\n")
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
	if st.Partitions > 0 {
		fmt.Fprintf(tw, "vector search\tapproximate: %d partitions (inverted file)\n", st.Partitions)
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

Re-embeds the indexed articles with the current embedder, keeping the
articles. After switching embedders (--embedder, $NEWSDESK_EMBEDDER) the
index re-embeds on its next use anyway; rebuild does it now.`, `
Examples:
  newsdesk index rebuild --embedder openai
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
	if lib.ix.Stats().Articles == 0 {
		fmt.Fprintf(e.stdout, "index %s is empty: nothing to rebuild\n", lib.dir)
		return nil
	}
	prog := newProgress(e, "re-embedding")
	var st retrieval.SyncStats
	r, forced := any(lib.ix).(reembedder)
	if forced {
		st, err = r.Reembed(ctx, prog.update)
	} else {
		// Re-embeds the articles an embedder change left stale.
		st, err = lib.ix.Refresh(ctx, prog.update)
	}
	prog.done()
	if err != nil {
		return fmt.Errorf("rebuild %s: %w", lib.dir, err)
	}
	after := lib.ix.Stats()
	if st.ChunksEmbedded == 0 && !forced {
		fmt.Fprintf(e.stdout, "index %s is up to date: all %d articles are embedded with %s\n", lib.dir, after.Articles, after.EmbedderID)
		return nil
	}
	fmt.Fprintf(e.stdout, "rebuilt %s: %d articles, %d chunks embedded with %s\n",
		lib.dir, after.Articles, st.ChunksEmbedded, after.EmbedderID)
	return nil
}
