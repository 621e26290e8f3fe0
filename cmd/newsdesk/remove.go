package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/newsdesk/newsdesk/corpus/archive"
)

func runRemove(ctx context.Context, e *env, args []string) error {
	fset := newFlagSet("remove", `
Usage: newsdesk remove [flags] ID...
       newsdesk remove --retract --reason TEXT ID...

Removes articles from the archive (the article store and the index): they
are never quoted again. With --retract the record is kept, marked
retracted with the reason and the time, but never indexed or quoted again,
and a later ingest of the same article leaves it retracted. A running
serve or repl stops quoting them within seconds (at its next reload), and
the Slack bot will not re-post a cached answer that quotes them. Article
ids are shown by ':sources' in the REPL and in 'ask --json'. An id the
archive does not hold is an error (the others are still removed).`, `
Examples:
  newsdesk remove 000_d1e025f4b285e726
  newsdesk remove --retract --reason "legal: settlement 2024-05" story-123
`+indexEnvHelp)
	fset.indexFlag()
	fset.embedderFlag()
	fset.verboseFlag()
	retract := fset.Bool("retract", false, "keep the record but mark it retracted (needs --reason)")
	reason := fset.String("reason", "", "why the articles are retracted (with --retract)")
	wait := fset.Duration("wait", defaultLockWait, "wait up to `DURATION` for another writer of the index to finish")
	ids, err := fset.parse(args, e.stdout)
	if err != nil {
		return err
	}
	if len(ids) == 0 {
		return usagef("no ID given: name the articles to remove")
	}
	*reason = strings.TrimSpace(*reason)
	if *retract && *reason == "" {
		return usagef("--retract needs --reason TEXT (it is kept with the record)")
	}
	if !*retract && *reason != "" {
		return usagef("--reason goes with --retract")
	}
	o := fset.opts
	logger := newLogger(e, o.verbose, false)
	ctx, stop := signalContext(ctx)
	defer stop()
	lib, explicit, err := prepareLibrary(e, o, "", logger)
	if err != nil {
		return err
	}
	if !archive.Exists(lib.dir) && explicit && statIndex(lib.dir) == nil {
		return fmt.Errorf("index %s holds no articles (no %s): check the path", lib.dir, archive.FileName)
	}
	w, err := lockLibrary(ctx, e, lib, "newsdesk remove", *wait)
	if err != nil {
		return err
	}
	defer w.unlock()
	store, err := w.openStore()
	if err != nil {
		return err
	}
	var missing []string
	if *retract {
		for _, id := range ids {
			if rerr := store.Retract(id, *reason); errors.Is(rerr, archive.ErrNotFound) {
				missing = append(missing, id)
			} else if rerr != nil {
				err = rerr
				break
			}
		}
	} else {
		missing, err = store.Delete(ids...)
	}
	if cerr := store.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("remove from %s: %w", lib.dir, err)
	}
	ix, err := w.openIndexRW()
	if err != nil {
		return err
	}
	if _, err := w.reconcile(ctx, e, ix, "indexing"); err != nil {
		return fmt.Errorf("remove from %s (the article store is updated; 'newsdesk index rebuild' finishes the index): %w", lib.dir, err)
	}
	done := len(ids) - len(missing)
	verb := "removed"
	if *retract {
		verb = "retracted"
	}
	fmt.Fprintf(e.stdout, "%s %d %s from %s; the index holds %d articles\n", verb, done, plural(done, "article", "articles"), lib.dir, ix.Stats().Articles)
	if len(missing) > 0 {
		return fmt.Errorf("not in the archive: %s", strings.Join(missing, ", "))
	}
	return nil
}
