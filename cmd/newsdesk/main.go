// Command newsdesk answers questions about a library of news articles with
// verbatim quotes and links: one-shot (ask), interactively (repl), or in
// Slack (serve). It also ingests articles into its persistent index.
//
// The command itself is thin: flag parsing, configuration from the
// environment, wiring of the corpus, retrieval and bot packages, and
// terminal I/O. Everything that decides what an answer says lives in those
// packages.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}

// Exit codes.
const (
	exitOK    = 0 // success, including an abstained answer
	exitError = 1 // runtime error
	exitUsage = 2 // bad invocation
)

// env is the process environment plus its standard streams: everything a
// subcommand may touch, so tests can run it in-process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

func commands() []command {
	return []command{
		{"ask", "answer one question and exit", runAsk},
		{"repl", "ask questions interactively (or one per line from a pipe)", runREPL},
		{"ingest", "add article files or directories to the archive", runIngest},
		{"remove", "remove (or --retract) articles from the archive", runRemove},
		{"index", "index statistics (stats), rebuild from the article store (rebuild), back up (backup)", runIndex},
		{"serve", "answer questions in Slack (Socket Mode) or over HTTP", runServe},
		{"eval", "score the answerer on question files (and a search-box baseline)", runEval},
		{"feedback", "list or export (jsonl, csv) readers' 👍/👎 votes from Slack", runFeedback},
		{"version", "print the version and build of this binary", runVersion},
	}
}

// run is main without the process: it parses args (without the program
// name), runs the subcommand and returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
	if len(args) == 0 {
		printUsage(stderr)
		return exitUsage
	}
	args, err := hoistGlobalFlags(args)
	if err != nil {
		fmt.Fprintf(stderr, "newsdesk: %s\n\n", err)
		printUsage(stderr)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "--version", "-version", "-V":
		return exitCode(stderr, "version", runVersion(ctx, e, nil))
	case "-h", "-help", "--help", "help":
		if len(args) > 1 && name == "help" {
			// "newsdesk help ask" is "newsdesk ask --help".
			return run(ctx, []string{args[1], "--help"}, stdin, stdout, stderr, getenv)
		}
		printUsage(stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name == name {
			return exitCode(stderr, c.name, secrets(e).Error(c.run(ctx, e, args[1:])))
		}
	}
	fmt.Fprintf(stderr, "newsdesk: unknown command %q\n\n", name)
	printUsage(stderr)
	return exitUsage
}

// valueFlags are the flags shared by several commands that take a value;
// a global flag before the command name ("newsdesk --index DIR ask …")
// needs to know whether the next word is its value.
var valueFlags = map[string]bool{"corpus": true, "index": true, "answerer": true, "embedder": true, "http": true, "as-of": true}

// hoistGlobalFlags moves flags given before the command name after it:
// "newsdesk -v ask who" is "newsdesk ask -v who". The command then parses
// them like its own (and rejects those it does not take). --version,
// --help and a bare "newsdesk -v" are left in place.
func hoistGlobalFlags(args []string) ([]string, error) {
	var lead []string
	i := 0
	for i < len(args) && strings.HasPrefix(args[i], "-") && args[i] != "-" {
		a := args[i]
		name := strings.TrimLeft(a, "-")
		if k, _, ok := strings.Cut(name, "="); ok {
			name = k
		} else if valueFlags[name] {
			if i+1 >= len(args) {
				return nil, fmt.Errorf("flag %s needs a value", a)
			}
			lead = append(lead, a)
			i++
			a = args[i]
		}
		switch name {
		case "version", "V", "h", "help":
			if len(lead) == 0 {
				return args, nil
			}
		}
		lead = append(lead, a)
		i++
	}
	if len(lead) == 0 {
		return args, nil
	}
	if i == len(args) {
		return nil, fmt.Errorf("flags %s given without a command", strings.Join(lead, " "))
	}
	out := append([]string{args[i]}, lead...)
	return append(out, args[i+1:]...), nil
}

// usageError is an error in the invocation (exit 2).
type usageError struct{ msg string }

func (u *usageError) Error() string { return u.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// errHelp means usage was printed on request (exit 0).
var errHelp = errors.New("help requested")

// errReported means the error has already been printed (exit 1).
var errReported = errors.New("error already reported")

func exitCode(stderr io.Writer, cmd string, err error) int {
	var ue *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errHelp):
		return exitOK
	case errors.Is(err, errReported):
		return exitError
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "newsdesk %s: %s\nRun 'newsdesk %s --help' for usage.\n", cmd, ue.msg, cmd)
		return exitUsage
	case errors.Is(err, context.Canceled):
		fmt.Fprintf(stderr, "newsdesk %s: interrupted\n", cmd)
		return exitError
	default:
		fmt.Fprintf(stderr, "newsdesk %s: %s\n", cmd, errText(err))
		return exitError
	}
}

// oneLine folds a multi-line error message (errors.Join) onto one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", "; ")), " ")
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, `newsdesk answers questions about news articles with verbatim quotes and links.

Usage:
  newsdesk [flags] <command> [flags] [arguments]
  newsdesk --version

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Examples:
  newsdesk ask "Who retook Izyum, and when?"
  newsdesk ask --json --corpus ./articles "What did the mayor say about the bridge?"
  newsdesk repl
  printf 'first question\nsecond question\n' | newsdesk repl
  newsdesk ingest ./articles ./more/story.html
  newsdesk remove --retract --reason "corrected story" story-123
  newsdesk index stats
  newsdesk eval --baseline questions.jsonl
  SLACK_APP_TOKEN=xapp-... SLACK_BOT_TOKEN=xoxb-... newsdesk serve

The library: without --corpus, ask, repl and serve use the persistent index
as it is (built up by 'newsdesk ingest'); only a brand-new default index is
first seeded with the built-in sample articles. With --corpus DIR the index is synced to exactly
the articles in DIR, in an index of its own.

Run 'newsdesk <command> --help' for the flags and environment of a command.
`)
}
