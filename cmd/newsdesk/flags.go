package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/newsdesk/newsdesk/corpus"
	"github.com/newsdesk/newsdesk/internal/judge"
)

// options are the flags shared by the subcommands; each subcommand
// registers the ones it accepts.
type options struct {
	corpus   string // --corpus DIR
	index    string // --index DIR
	answerer string // --answerer extractive|llm
	embedder string // --embedder hash|openai
	store    string // --store embedded|weaviate
	json     bool   // --json
	verbose  bool   // -v, --verbose
	http     string // --http ADDR (serve)

	// longRunning: the command keeps the index open (serve, repl), so a
	// read-only index verifies its whole file in the background.
	longRunning bool

	followSymlinks bool   // --follow-symlinks
	asOf           string // --as-of DATE (ask, repl)

	// set records which flags were given on the command line, so that
	// flags override the environment only when present.
	set map[string]bool
}

// flagSet is a flag.FlagSet with the usage text of one subcommand.
type flagSet struct {
	*flag.FlagSet
	opts  *options
	usage string // synopsis and description, before the flag list
	extra string // examples and environment, after the flag list
}

func newFlagSet(name, usage, extra string) *flagSet {
	fs := &flagSet{
		FlagSet: flag.NewFlagSet("newsdesk "+name, flag.ContinueOnError),
		opts:    &options{},
		usage:   usage,
		extra:   extra,
	}
	fs.SetOutput(io.Discard) // errors are reported by exitCode
	return fs
}

func (fs *flagSet) corpusFlag() {
	fs.StringVar(&fs.opts.corpus, "corpus", "", "answer from exactly the articles in `DIR` (default $NEWSDESK_CORPUS)")
	fs.symlinksFlag()
}

func (fs *flagSet) symlinksFlag() {
	fs.BoolVar(&fs.opts.followSymlinks, "follow-symlinks", false, "follow symbolic links inside a directory, to files inside that same directory only (links leading out of it, links to directories and anything under /proc, /sys or /dev are never read)")
}

// loadOptions are the corpus loader options of the flags.
func (o *options) loadOptions() corpus.LoadOptions {
	return corpus.LoadOptions{FollowSymlinks: o.followSymlinks}
}

func (fs *flagSet) indexFlag() {
	fs.StringVar(&fs.opts.index, "index", "", "keep the index in `DIR` (default $NEWSDESK_INDEX, else under the user cache dir)")
}

func (fs *flagSet) answererFlag() {
	fs.StringVar(&fs.opts.answerer, "answerer", "", "answer with `NAME`: extractive (offline, verbatim quotes) or llm (default $NEWSDESK_ANSWERER, else llm if $NEWSDESK_CHAT_MODEL is set, else extractive)")
}

func (fs *flagSet) embedderFlag() {
	fs.StringVar(&fs.opts.embedder, "embedder", "", "embed with `NAME`: hash (offline) or openai (default $NEWSDESK_EMBEDDER, else hash)")
	fs.storeFlag() // store_weaviate.go
}

func (fs *flagSet) jsonFlag(help string) {
	fs.BoolVar(&fs.opts.json, "json", false, help)
}

func (fs *flagSet) verboseFlag() {
	fs.BoolVar(&fs.opts.verbose, "v", false, "log debug messages to stderr (same as --verbose)")
	fs.BoolVar(&fs.opts.verbose, "verbose", false, "log debug messages to stderr")
}

// asOfFlag registers --as-of, the time of asking.
func (fs *flagSet) asOfFlag() {
	fs.StringVar(&fs.opts.asOf, "as-of", "", "read \"today\", \"this week\", \"latest\" as of `DATE` (YYYY-MM-DD, the end of that day; default now), for historical questions and evaluation")
}

// asOfTime is --as-of as a time: the end of that day, or zero (now).
func (o *options) asOfTime() (time.Time, error) {
	t, err := judge.ParseAsOf(o.asOf)
	if err != nil {
		return time.Time{}, usagef("--as-of: %v", err)
	}
	return t, nil
}

// libraryFlags are the flags of the commands that answer questions.
func (fs *flagSet) libraryFlags() {
	fs.corpusFlag()
	fs.indexFlag()
	fs.answererFlag()
	fs.embedderFlag()
	fs.verboseFlag()
}

// printUsage writes the subcommand's help.
func (fs *flagSet) printUsage(w io.Writer) {
	fmt.Fprintln(w, strings.TrimSpace(fs.usage))
	fmt.Fprintln(w, "\nFlags:")
	fs.VisitAll(func(f *flag.Flag) {
		if f.Name == "v" {
			return // documented with --verbose
		}
		name, help := flag.UnquoteUsage(f)
		flagName := "--" + f.Name
		if len(f.Name) == 1 {
			flagName = "-" + f.Name
		}
		if f.Name == "verbose" {
			flagName = "-v, --verbose"
		}
		if name != "" {
			flagName += " " + name
		}
		// Wrap the help text beside the flag column.
		for i, line := range wrap(help, 78-25) {
			if i > 0 {
				flagName = ""
			}
			fmt.Fprintf(w, "  %-22s %s\n", flagName, line)
		}
	})
	if fs.extra != "" {
		fmt.Fprintln(w)
		fmt.Fprintln(w, strings.TrimSpace(fs.extra))
	}
}

// parseNone parses the flags of a command that takes no positional
// arguments, and rejects any.
func (fs *flagSet) parseNone(args []string, stdout io.Writer) error {
	pos, err := fs.parse(args, stdout)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	return nil
}

// parse parses args, allowing flags after positional arguments
// ("newsdesk ask who won --json"), and returns the positional arguments.
// After the first positional argument, only words that name a defined
// flag are taken as flags, so a question may contain words such as "-5".
// "--" ends the flags. --help prints the usage to stdout and returns
// errHelp; a bad flag returns a usageError.
func (fs *flagSet) parse(args []string, stdout io.Writer) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.printUsage(stdout)
				return nil, errHelp
			}
			return nil, &usageError{msg: err.Error()}
		}
		rest := fs.Args()
		// flag.Parse stops at "--" (consumed) or at the first non-flag.
		consumedDashes := len(args) > len(rest) && args[len(args)-len(rest)-1] == "--"
		if consumedDashes {
			pos = append(pos, rest...)
			break
		}
		i := 0
		for i < len(rest) && !fs.isFlag(rest[i]) {
			i++
		}
		pos = append(pos, rest[:i]...)
		if i == len(rest) {
			break
		}
		args = rest[i:]
	}
	fs.opts.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { fs.opts.set[f.Name] = true })
	return pos, nil
}

// isFlag reports whether arg names a flag of fs (or is -h/--help).
func (fs *flagSet) isFlag(arg string) bool {
	if arg == "--" {
		return true
	}
	if len(arg) < 2 || arg[0] != '-' {
		return false
	}
	name := strings.TrimPrefix(strings.TrimPrefix(arg, "-"), "-")
	if i := strings.IndexByte(name, '='); i >= 0 {
		name = name[:i]
	}
	if name == "h" || name == "help" {
		return true
	}
	return fs.Lookup(name) != nil
}
