package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/chzyer/readline"
	"github.com/rivo/uniseg"

	"github.com/newsdesk/newsdesk/bot"
	"github.com/newsdesk/newsdesk/corpus"
)

// maxTurns is how many earlier exchanges the REPL keeps for follow-ups.
const maxTurns = 4

func runREPL(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("repl", `
Usage: newsdesk repl [flags]

Asks questions interactively, with line editing and history. Follow-up
questions that lean on the last answer ("and when was that?", "what did
he say?") are rewritten into standalone ones using the last few exchanges,
and the answer then starts with "Understood as: …"; a question that names
its own topic is searched as typed. :new starts a fresh conversation.

When stdin is not a terminal, reads one question (or command) per line and
prints each answer, with no prompt or banner: a script can pipe questions
in. Exits 0 at end of input (1 if an answer failed).`, `
Commands:
  :help              this list
  :sources           list the articles: id, outlet, date, title
  :open N            show the article of citation N of the last answer,
                     paragraphs numbered and the quoted one marked
  :open ARTICLE_ID   show an article; also :open newsdesk:ID#pN
  :new               start over: forget the conversation, so the next
                     question is never read as a follow-up (also :reset)
  :quit              leave (or Ctrl-D)

Examples:
  newsdesk repl
  newsdesk repl --corpus ./articles --answerer llm
  printf 'Who was quoted on the evacuation?\n:sources\n' | newsdesk repl
`+libraryHelp)
	fs.libraryFlags()
	fs.asOfFlag()
	pos, err := fs.parse(args, e.stdout)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q: the REPL reads questions from its input (for one question use 'newsdesk ask')", pos[0])
	}
	o := fs.opts
	o.longRunning = true
	asOf, err := o.asOfTime()
	if err != nil {
		return err
	}
	logger := newLogger(e, o.verbose, false)

	lctx, stop := signalContext(ctx)
	lib, err := loadLibrary(lctx, e, o, logger)
	if err == nil && lctx.Err() != nil {
		err = lctx.Err()
	}
	var b *brain
	if err == nil {
		b, err = newBrain(lctx, e, o, lib, logger)
	}
	stop()
	if err != nil {
		return err
	}

	// Articles ingested or removed beside the session are picked up
	// within seconds (and on SIGHUP).
	wctx, wstop := context.WithCancel(ctx)
	defer wstop()
	go lib.watch(wctx, reloadEvery)

	r := &repl{e: e, lib: lib, b: b, logger: logger, out: e.stdout, asOf: asOf}
	if isTerminal(e.stdin) && isTerminal(e.stdout) {
		r.tty = true
		r.color = colorOK(e, e.stdout)
		r.style = textStyle(e, e.stdout)
		return r.interactive(ctx)
	}
	return r.piped(ctx)
}

// repl is one REPL session.
type repl struct {
	e      *env
	lib    *library
	b      *brain
	logger *slog.Logger
	out    io.Writer

	tty   bool // interactive terminal session
	color bool
	style bot.TextStyle

	history []bot.Turn
	last    *bot.Answer
	asOf    time.Time // --as-of; zero means now
	failed  bool      // an answer failed (piped exit status)
}

// piped reads one line per question or command until EOF.
func (r *repl) piped(ctx context.Context) error {
	sc := bufio.NewScanner(r.e.stdin)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if r.handle(ctx, sc.Text()) {
			break
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read input: %w", err)
	}
	if r.failed {
		return errReported
	}
	return nil
}

// interactive runs the readline loop on a terminal.
func (r *repl) interactive(ctx context.Context) error {
	cfg := &readline.Config{
		Prompt:            style(r.color, "\x1b[1;36m", "newsdesk› "),
		HistoryLimit:      1000,
		HistorySearchFold: true,
		InterruptPrompt:   "^C",
		EOFPrompt:         ":quit",
		AutoComplete:      r.completer(),
		Stdout:            r.e.stdout,
		Stderr:            r.e.stderr,
	}
	if path, err := historyFile(r.e); err == nil {
		cfg.HistoryFile = path
	} else {
		r.logger.Debug("no REPL history file", "err", err)
	}
	rl, err := readline.NewEx(cfg)
	if err != nil {
		return fmt.Errorf("terminal: %w", err)
	}
	defer rl.Close()

	r.banner()
	for {
		line, err := rl.Readline()
		switch {
		case errors.Is(err, readline.ErrInterrupt):
			if strings.TrimSpace(line) == "" {
				fmt.Fprintln(r.out, style(r.color, ansiDim, "(type :quit or press Ctrl-D to leave)"))
			}
			continue
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			return fmt.Errorf("read input: %w", err)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if r.handle(ctx, line) {
			return nil
		}
	}
}

// historyFile is the REPL history under the user cache directory.
func historyFile(e *env) (string, error) {
	dir, err := cacheDir(e)
	if err != nil {
		return "", err
	}
	dir = filepath.Join(dir, "newsdesk")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	return filepath.Join(dir, "repl_history"), nil
}

func (r *repl) completer() readline.AutoCompleter {
	ids := func(string) []string {
		var out []string
		for _, a := range r.lib.sortedArticles() {
			out = append(out, a.ID)
		}
		return out
	}
	return readline.NewPrefixCompleter(
		readline.PcItem(":help"),
		readline.PcItem(":sources"),
		readline.PcItem(":open", readline.PcItemDynamic(ids)),
		readline.PcItem(":new"),
		readline.PcItem(":quit"),
	)
}

// banner describes the library when an interactive session starts.
func (r *repl) banner() {
	st := r.lib.ix.Stats()
	outlets := map[string]bool{}
	for _, a := range r.lib.ix.Articles() {
		if a.Source != "" || a.URL != "" {
			outlets[a.SourceName()] = true
		}
	}
	desc := countNoun(st.Articles, "article") + " from " + countNoun(len(outlets), "outlet")
	if st.Dates[0] != "" {
		if st.Dates[0] == st.Dates[1] {
			desc += ", " + st.Dates[0]
		} else {
			desc += ", " + st.Dates[0] + " to " + st.Dates[1]
		}
	}
	mode := "extractive answers (verbatim quotes)"
	if r.b.mode == bot.ModeLLM {
		mode = "LLM answers with verified quotes"
	}
	fmt.Fprintf(r.out, "%s · %s · %s\n", style(r.color, ansiBold, "newsdesk"), desc, mode)
	fmt.Fprintln(r.out, style(r.color, ansiDim, "Ask a question, or :help for commands. Ctrl-D quits."))
}

// handle runs one input line and reports whether to quit.
func (r *repl) handle(ctx context.Context, line string) (quit bool) {
	line = strings.TrimSpace(line)
	if line == "" {
		return false
	}
	if strings.HasPrefix(line, ":") {
		return r.command(line)
	}
	r.ask(ctx, line)
	return false
}

func (r *repl) command(line string) (quit bool) {
	cmd, arg, _ := strings.Cut(line, " ")
	arg = strings.TrimSpace(arg)
	switch strings.ToLower(cmd) {
	case ":quit", ":q", ":exit":
		return true
	case ":help", ":h", ":?":
		r.help()
	case ":sources", ":s":
		r.sources()
	case ":open", ":o":
		if err := r.open(arg); err != nil {
			r.errorf("%v", err)
		}
	case ":new", ":reset":
		r.history, r.last = nil, nil
		r.info("conversation cleared: the next question starts afresh")
	default:
		r.errorf("unknown command %s (try :help)", cmd)
	}
	return false
}

func (r *repl) help() {
	fmt.Fprint(r.out, `Ask a question in plain words; follow-ups may refer to the last answers.
  :sources           list the articles: id, outlet, date, title
  :open N            show the article of citation N, the quoted paragraph marked
  :open ARTICLE_ID   show an article (also :open newsdesk:ID#pN)
  :new               start over (the next question is not a follow-up)
  :quit              leave (or Ctrl-D)
`)
}

// ask answers one question, rewriting a follow-up into a standalone
// query first.
func (r *repl) ask(ctx context.Context, q string) {
	if r.tty {
		// Ctrl-C cancels this answer, not the session.
		var stop context.CancelFunc
		ctx, stop = signal.NotifyContext(ctx, os.Interrupt)
		defer stop()
	}
	query := r.b.standalone(ctx, q, r.history, r.logger)
	understood := bot.UnderstoodAs(q, query)
	if understood != "" && !r.tty {
		// The answer shows it too ("Understood as: …"); this line is for
		// scripts reading stderr.
		fmt.Fprintln(r.e.stderr, "newsdesk: searching for: "+safe(query))
	}
	req := bot.Request{Question: query, History: append([]bot.Turn(nil), r.history...), AsOf: r.asOf}
	lv := newLive(r.e, r.out)
	if !r.tty {
		lv.tty = false // never draw status lines into a pipe
	}
	if r.b.mode == bot.ModeLLM && lv.tty {
		req.OnPartial = lv.partial
	}
	lv.begin("searching the archive…")
	a, err := r.b.answerer.Answer(ctx, req)
	if err != nil {
		lv.abort()
		if errors.Is(err, context.Canceled) && r.tty {
			r.info("(cancelled)")
			return
		}
		r.failed = true
		r.errorf("answer: %v", oneLine(err.Error()))
		return
	}
	a.Understood = understood
	st := r.style
	if r.tty {
		st.Width = termWidth(r.out) // the window may have been resized
	}
	if err := lv.final(a, st); err != nil {
		r.errorf("print answer: %v", err)
	}
	fmt.Fprintln(r.out)
	r.last = a
	turn := bot.Turn{Question: query, Answer: a.Lead}
	if turn.Answer == "" {
		turn.Answer = a.Text
	}
	r.history = append(r.history, turn)
	if len(r.history) > maxTurns {
		r.history = r.history[len(r.history)-maxTurns:]
	}
}

// sources lists the indexed articles in aligned columns: id, outlet,
// date, title. Columns are measured in display width (uniseg), and the
// header is styled after padding, so colour codes and wide characters
// never shift a column; on a terminal the title is cut to fit the line.
func (r *repl) sources() {
	arts := r.lib.sortedArticles()
	if len(arts) == 0 {
		r.info("the index is empty")
		return
	}
	rows := [][4]string{{"ID", "OUTLET", "DATE", "TITLE"}}
	for _, a := range arts {
		date := a.Date()
		if date == "" {
			date = "-"
		}
		outlet := a.SourceName()
		if outlet == "unknown outlet" {
			outlet = "-"
		}
		rows = append(rows, [4]string{shorten(safe(a.ID), 40), shorten(safe(outlet), 30), date, safe(displayTitle(a, 200))})
	}
	var w [3]int
	for _, row := range rows {
		for i := range w {
			w[i] = max(w[i], uniseg.StringWidth(row[i]))
		}
	}
	titleRoom := 0
	if r.tty {
		titleRoom = termWidth(r.out) - (w[0] + w[1] + w[2] + 6) - 1
	}
	for i, row := range rows {
		var b strings.Builder
		for j := range w {
			cell := row[j] + strings.Repeat(" ", w[j]-uniseg.StringWidth(row[j])) + "  "
			if i == 0 {
				cell = style(r.color, ansiBold, row[j]) + strings.Repeat(" ", w[j]-uniseg.StringWidth(row[j])) + "  "
			}
			b.WriteString(cell)
		}
		title := row[3]
		if titleRoom >= 10 && uniseg.StringWidth(title) > titleRoom {
			title = truncWidth(title, titleRoom)
		}
		if i == 0 {
			title = style(r.color, ansiBold, title)
		}
		b.WriteString(title)
		fmt.Fprintln(r.out, strings.TrimRight(b.String(), " "))
	}
	fmt.Fprintln(r.out, countNoun(len(arts), "article"))
}

// countNoun is "1 article", "2 articles".
func countNoun(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// truncWidth cuts s to at most width display columns, ending in "…".
func truncWidth(s string, width int) string {
	var b strings.Builder
	w := 0
	g := uniseg.NewGraphemes(s)
	for g.Next() {
		cw := g.Width()
		if w+cw > width-1 {
			break
		}
		b.WriteString(g.Str())
		w += cw
	}
	return strings.TrimRight(b.String(), " ") + "…"
}

func (r *repl) info(msg string) {
	fmt.Fprintln(r.out, style(r.color, ansiDim, safe(msg)))
}

// errorf reports a problem with one input line; the session goes on.
func (r *repl) errorf(format string, args ...any) {
	// The message may quote the input or a server's reply.
	msg := secrets(r.e).String(safe(fmt.Sprintf(format, args...)))
	if r.tty {
		fmt.Fprintln(r.out, style(r.color, "\x1b[31m", "error: "+msg))
		return
	}
	fmt.Fprintln(r.e.stderr, "newsdesk: "+msg)
}

// articleByID is Article with a nil check on the index.
func (r *repl) articleByID(id string) *corpus.Article {
	if id == "" {
		return nil
	}
	return r.lib.ix.Article(id)
}

// displayTitle is the article's title, else the start of its first
// paragraph, shortened to about max characters.
func displayTitle(a *corpus.Article, max int) string {
	t := a.Title
	if t == "" && len(a.Paragraphs) > 0 {
		t = a.Paragraphs[0]
	}
	if t == "" {
		return "(untitled)"
	}
	return shorten(t, max)
}

// shorten cuts s at a word boundary to at most max runes, adding "…".
func shorten(s string, max int) string {
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	cut := string(r[:max])
	if i := strings.LastIndexByte(cut, ' '); i > max/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:") + "…"
}
