package main

import (
	"context"
	"fmt"

	"github.com/newsdesk/newsdesk/corpus"
	"github.com/newsdesk/newsdesk/internal/baseline"
	"github.com/newsdesk/newsdesk/internal/eval"
	"github.com/newsdesk/newsdesk/internal/judge"
)

func runEval(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("eval", `
Usage: newsdesk eval [flags] QUESTIONS.jsonl...

Runs every question of the question files through the configured
answerer (extractive or llm), one at a time, and reports per file and
overall: questions passed; answerable ones found in the first k quotes
(by an evidence phrase, or by the must groups when a question has no
evidence), with every must term present, and answered; unanswerable ones
abstained; quotes verbatim in the article text the library holds;
answer-line hits; latency p50/p95. Then every failure, with what was
expected and the first quotes given. "-" reads a question file from stdin.

A question file has one JSON object a line:
  {"id": "q01", "question": "who confirmed the Izyum withdrawal",
   "answerable": true, "evidence": ["confirmed the pullout from Izyum"],
   "must": [["defense ministry", "Konashenkov"]], "answer": ["Konashenkov"],
   "as_of": "2022-09-10"}
evidence, must, answer and as_of are optional, but an answerable question
needs evidence or must. A malformed line is reported (file:line) and
skipped. A question's as_of overrides --as-of.

Exit status: 0 when every question was run (whatever the scores: read
them, or the --json fields, to gate a build), 1 on an error or when
interrupted (Ctrl-C prints the report so far first), 2 on bad usage.`, `
Examples:
  newsdesk eval questions.jsonl
  newsdesk eval --corpus ./articles --baseline week1.jsonl week2.jsonl
  newsdesk eval --json -k 5 questions.jsonl | jq '.overall.pass'
  newsdesk eval --answerer llm --as-of 2024-04-17 slack-questions.jsonl

Baseline (--baseline): the same questions through a plain search box,
BM25 over every sentence of the library with the top k sentences quoted,
scored side by side, so a desk sees what the bot adds over keyword search.

JSON (--json): one object {answerer, k, as_of, interrupted, files:
[{file, totals, malformed: [{line, error}], questions: [{id, question,
answerable, pass, found, must_ok, answered, abstained_ok, verbatim,
answer_hit, latency_ms, error, problems, expected, answer_line, quotes,
quotes_given, quotes_verbatim}]}], overall: totals}, with the baseline's
report under "baseline". totals: {questions, answerable, unanswerable,
pass, found, must_ok, answered, abstained_ok, quotes, verbatim,
with_answer, answer_hits, errors, malformed, not_run, latency_p50_ms,
latency_p95_ms}.
`+libraryHelp)
	fs.libraryFlags()
	fs.jsonFlag("print the report as one JSON object (see below)")
	k := fs.Int("k", judge.DefaultK, "look for the evidence in the first `N` quotes")
	asOf := fs.String("as-of", "", "ask as of `DATE` (YYYY-MM-DD) the questions without an as_of of their own (default now)")
	withBaseline := fs.Bool("baseline", false, "also run the BM25-over-sentences baseline and report it side by side")
	pos, err := fs.parse(args, e.stdout)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("no question file: newsdesk eval QUESTIONS.jsonl...")
	}
	if *k < 1 {
		return usagef("-k %d: want at least 1", *k)
	}
	asOfTime, err := judge.ParseAsOf(*asOf)
	if err != nil {
		return usagef("--as-of: %v", err)
	}
	files, err := loadQuestionFiles(e, pos)
	if err != nil {
		return err
	}
	o := fs.opts

	ctx, stop := signalContext(ctx)
	defer stop()
	logger := newLogger(e, o.verbose, false)
	lib, b, err := openBrain(ctx, e, o, logger)
	if err != nil {
		return err
	}
	opts := eval.Options{
		Answerer: b.mode,
		K:        *k,
		AsOf:     asOfTime,
		Article: func(id string) (string, bool) {
			if a := lib.ix.Article(id); a != nil {
				return a.Text(), true
			}
			return "", false
		},
	}
	progress, stopBar := evalProgress(e, "answering ("+b.mode+")")
	opts.Progress = progress
	rep := eval.Run(ctx, b.answerer, files, opts)
	stopBar()

	var base *eval.Report
	if *withBaseline && !rep.Interrupted {
		arts := lib.ix.Articles()
		all := make([]corpus.Article, len(arts))
		for i, a := range arts {
			all[i] = *a
		}
		bl, err := baseline.New(ctx, all, *k)
		switch {
		case err != nil && ctx.Err() != nil:
			rep.Interrupted = true // report what was run
		case err != nil:
			return err
		default:
			opts.Answerer = baseline.Mode
			opts.Progress, stopBar = evalProgress(e, "answering ("+baseline.Mode+")")
			base = eval.Run(ctx, bl, files, opts)
			stopBar()
			rep.Interrupted = rep.Interrupted || base.Interrupted
		}
	}

	if o.json {
		err = eval.WriteJSON(e.stdout, rep, base)
	} else {
		err = eval.WriteText(e.stdout, rep, base)
	}
	if err != nil {
		return err
	}
	if rep.Interrupted {
		return fmt.Errorf("interrupted; the report covers the questions run until then: %w", context.Canceled)
	}
	return nil
}

// loadQuestionFiles reads the question files ("-" is stdin), warning on
// stderr about each malformed line. A file that cannot be read, or no
// valid question in any file, is an error.
func loadQuestionFiles(e *env, paths []string) ([]eval.File, error) {
	var files []eval.File
	total := 0
	for _, p := range paths {
		var (
			f   eval.File
			err error
		)
		if p == "-" {
			f, err = eval.ReadFile("stdin", e.stdin)
		} else {
			f, err = eval.LoadFile(p)
		}
		if err != nil {
			return nil, err
		}
		for _, m := range f.Malformed {
			fmt.Fprintf(e.stderr, "newsdesk eval: warning: %s:%d: %s (line skipped)\n", displayPath(p, f.Name), m.Line, m.Err)
		}
		total += len(f.Questions)
		files = append(files, f)
	}
	if total == 0 {
		return nil, fmt.Errorf("no valid question in %d question file(s)", len(paths))
	}
	return files, nil
}

func displayPath(p, name string) string {
	if p == "-" {
		return name
	}
	return p
}

// evalProgress shows a question counter on a terminal stderr; the
// returned func clears it.
func evalProgress(e *env, desc string) (func(done, total int), func()) {
	p := newProgress(e, desc)
	p.unit = "questions"
	return p.update, p.done
}
