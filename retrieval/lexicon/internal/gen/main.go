// Command gen builds lexicon.bin.zst from a WordNet 3.0 database (Debian's
// wordnet-base package installs one under /usr/share/wordnet). It is run by
// go generate in package lexicon.
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"

	"github.com/newsdesk/newsdesk/retrieval"
	"github.com/newsdesk/newsdesk/retrieval/lexicon/internal/build"
)

func main() {
	dir := flag.String("wordnet", "/usr/share/wordnet", "directory of the WordNet database files (data.noun, index.noun, verb.exc, ...)")
	out := flag.String("o", "lexicon.bin.zst", "table to write")
	flag.Parse()
	if err := run(*dir, *out); err != nil {
		slog.Error("lexicon gen", "err", err)
		os.Exit(1)
	}
}

func run(dir, out string) error {
	b, err := build.Build(dir, build.Options{Analyzer: retrieval.AnalyzerVersion(), Source: build.Source})
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, b, 0o644); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	slog.Info("lexicon gen", "out", out, "bytes", len(b))
	return nil
}
