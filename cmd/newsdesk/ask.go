package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/newsdesk/newsdesk/bot"
)

const libraryHelp = `
The library:
  Without --corpus the index is used as it is (add articles with
  'newsdesk ingest'); only a brand-new default index is first seeded with
  the built-in sample articles, with a note on stderr. With --corpus DIR the index is
  synced to exactly the articles in DIR (new and changed files are
  embedded, deleted ones dropped), in an index of its own.
  The index lives in --index DIR, else $NEWSDESK_INDEX, else
  <user cache dir>/newsdesk/index/default (corpus-<hash> for --corpus).

Environment (flags override it):
  NEWSDESK_CORPUS       default for --corpus
  NEWSDESK_INDEX        default for --index
  NEWSDESK_ANSWERER     default for --answerer
  NEWSDESK_EMBEDDER     default for --embedder
  NEWSDESK_CHAT_MODEL   chat model for the llm answerer; when set, llm is
                        the default answerer
  OPENAI_BASE_URL       OpenAI-compatible API for llm and --embedder openai
                        (default https://api.openai.com/v1; Ollama:
                        http://localhost:11434/v1)
  OPENAI_API_KEY        its key (most local servers need none)
  NEWSDESK_EMBED_MODEL  embedding model (default text-embedding-3-small)
  NEWSDESK_PUBLIC_URL   base URL of 'newsdesk serve', for links to
                        articles that have no URL of their own
  NEWSDESK_LOG_LEVEL    debug, info, warn (default) or error
  NO_COLOR              disable colour on a terminal`

func runAsk(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("ask", `
Usage: newsdesk ask [flags] QUESTION...

Answers one question with verbatim quotes from the articles, then exits.
The question is the arguments joined by spaces; with no arguments it is
read from stdin (when stdin is not a terminal). An answer that finds
nothing ("I can't find that in the archive") still exits 0.`, `
Examples:
  newsdesk ask "Who retook Izyum, and when?"
  echo "What did the governor say about evacuations?" | newsdesk ask
  newsdesk ask --json --corpus ./articles "What did the mayor promise?" | jq .citations
`+libraryHelp+`

JSON (--json): one object {question, answer, abstained, mode, citations:
[{n, article_id, title, source, published, url, quote}]}; every quote is
copied verbatim from the article.`)
	fs.libraryFlags()
	fs.asOfFlag()
	fs.jsonFlag("print the answer as one JSON object (see below)")
	pos, err := fs.parse(args, e.stdout)
	if err != nil {
		return err
	}
	q := strings.Join(pos, " ")
	if q == "" && e.stdin != nil && !isTerminal(e.stdin) {
		b, err := io.ReadAll(io.LimitReader(e.stdin, 64<<10))
		if err != nil {
			return fmt.Errorf("read question from stdin: %w", err)
		}
		q = string(b)
	}
	q = strings.Join(strings.Fields(q), " ")
	if q == "" {
		return usagef(`empty question: give it as arguments (newsdesk ask "Who won?") or on stdin`)
	}
	o := fs.opts
	asOf, err := o.asOfTime()
	if err != nil {
		return err
	}

	ctx, stop := signalContext(ctx)
	defer stop()
	logger := newLogger(e, o.verbose, false)
	_, b, err := openBrain(ctx, e, o, logger)
	if err != nil {
		return err
	}
	// After the open: an ask that first builds or syncs an index (a new
	// default, --corpus) keeps the collector for that.
	defer oneShotGC()()

	req := bot.Request{Question: q, AsOf: asOf}
	if o.json {
		a, err := b.answerer.Answer(ctx, req)
		if err != nil {
			return fmt.Errorf("answer: %w", err)
		}
		printNotes(e.stderr, a) // notes are not part of the JSON contract
		return bot.WriteJSON(e.stdout, a)
	}
	lv := newLive(e, e.stdout)
	if b.mode == bot.ModeLLM {
		req.OnPartial = lv.partial
	}
	lv.begin("searching the archive…")
	a, err := b.answerer.Answer(ctx, req)
	if err != nil {
		lv.abort()
		return fmt.Errorf("answer: %w", err)
	}
	return lv.final(a, textStyle(e, e.stdout))
}

// textStyle is colour, hyperlinks and wrapping to the window's width on a
// terminal, plain unwrapped text elsewhere. The URLs are always printed
// as text too (OSC 8 only makes them clickable), so a terminal without
// hyperlink support still shows them.
func textStyle(e *env, w io.Writer) bot.TextStyle {
	st := bot.TextStyle{Color: colorOK(e, w), Hyperlinks: isTerminal(w) && e.getenv("TERM") != "dumb"}
	if isTerminal(w) {
		st.Width = termWidth(w)
	}
	return st
}

// printNotes writes the answer's notes (a fallback taken, a query
// rewritten), which RenderText shows but the JSON contract does not carry.
func printNotes(w io.Writer, a *bot.Answer) {
	for _, n := range a.Notes {
		fmt.Fprintln(w, "newsdesk: note: "+safe(n))
	}
}

// oneShotHeap is the heap at which a one-shot ask collects garbage at all
// (see oneShotGC).
const oneShotHeap = 1 << 30

// oneShotGC turns the garbage collector off for one ask, under a memory
// limit of oneShotHeap, and returns the function that restores what was
// set. An ask builds the index tables (nearly all of its heap: ≈80 MB at a
// million chunks, all live until it exits), answers one question and
// exits: the collections its heap growth would start only mark those
// tables, and at a million chunks cost a third of the ask's processor
// time. The limit keeps an unusually large answer from growing without
// bound. GOGC or GOMEMLIMIT in the environment are left to rule.
func oneShotGC() (restore func()) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	limit := debug.SetMemoryLimit(oneShotHeap)
	gc := debug.SetGCPercent(-1)
	return func() {
		debug.SetGCPercent(gc)
		debug.SetMemoryLimit(limit)
	}
}
