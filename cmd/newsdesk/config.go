package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/term"
)

// Environment variables read by the command itself. The LLM, OpenAI
// embedding and Slack packages read their own (see their ConfigFromEnv).
const (
	envCorpus   = "NEWSDESK_CORPUS"    // default for --corpus
	envIndex    = "NEWSDESK_INDEX"     // default for --index
	envAnswerer = "NEWSDESK_ANSWERER"  // default for --answerer
	envEmbedder = "NEWSDESK_EMBEDDER"  // default for --embedder
	envLogLevel = "NEWSDESK_LOG_LEVEL" // debug|info|warn|error
	envPublic   = "NEWSDESK_PUBLIC_URL"
	// envChatModel configures the chat endpoint (read by bot/llm); when
	// set and no answerer is chosen, the LLM answerer is the default.
	envChatModel = "NEWSDESK_CHAT_MODEL"
)

// Answerer and embedder names.
const (
	answererExtractive = "extractive"
	answererLLM        = "llm"
	embedderHash       = "hash"
	embedderOpenAI     = "openai"
)

// pick returns the flag value when the flag was given, else the
// environment variable, else def. The bool reports whether the value was
// chosen explicitly (flag or environment).
func (o *options) pick(e *env, flagName, flagVal, envName, def string) (string, bool) {
	if o.set[flagName] {
		return strings.TrimSpace(flagVal), true
	}
	if v := strings.TrimSpace(e.getenv(envName)); v != "" {
		return v, true
	}
	return def, false
}

// corpusDir is --corpus, else $NEWSDESK_CORPUS, else "".
func (o *options) corpusDir(e *env) string {
	v, _ := o.pick(e, "corpus", o.corpus, envCorpus, "")
	return v
}

// answererName validates and returns the answerer choice and whether it
// was explicit. Without --answerer or $NEWSDESK_ANSWERER it is llm when
// $NEWSDESK_CHAT_MODEL configures a chat endpoint, else extractive.
func (o *options) answererName(e *env) (string, bool, error) {
	def := answererExtractive
	if strings.TrimSpace(e.getenv(envChatModel)) != "" {
		def = answererLLM
	}
	v, explicit := o.pick(e, "answerer", o.answerer, envAnswerer, def)
	v = strings.ToLower(v)
	switch v {
	case answererExtractive, answererLLM:
		return v, explicit, nil
	}
	return "", false, usagef("unknown answerer %q (want %s or %s)", v, answererExtractive, answererLLM)
}

// embedderName validates and returns the embedder choice.
func (o *options) embedderName(e *env) (string, error) {
	v, _ := o.pick(e, "embedder", o.embedder, envEmbedder, embedderHash)
	v = strings.ToLower(v)
	switch v {
	case embedderHash, embedderOpenAI:
		return v, nil
	}
	return "", usagef("unknown embedder %q (want %s or %s)", v, embedderHash, embedderOpenAI)
}

// indexDir resolves where the index lives: --index, else $NEWSDESK_INDEX,
// else <user cache dir>/newsdesk/index/default for the default (ingested)
// library and .../index/corpus-<short sha of the absolute DIR> for
// --corpus DIR, so that syncing to DIR never disturbs the ingested library
// or the index of another corpus.
func (o *options) indexDir(e *env, corpusDir string) (string, error) {
	if v, explicit := o.pick(e, "index", o.index, envIndex, ""); explicit {
		if v == "" {
			return "", usagef("--index: empty directory name")
		}
		return v, nil
	}
	cache, err := cacheDir(e)
	if err != nil {
		return "", fmt.Errorf("no index directory: %w (set --index or %s)", err, envIndex)
	}
	name := "default"
	if corpusDir != "" {
		name = "corpus-" + corpusKey(corpusDir)
	}
	return filepath.Join(cache, "newsdesk", "index", name), nil
}

// corpusKey is a short, stable name for a corpus directory.
func corpusKey(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
	sum := sha256.Sum256([]byte(dir))
	return hex.EncodeToString(sum[:])[:12]
}

// cacheDir is the user cache directory. $XDG_CACHE_HOME is read through
// e.getenv first so tests (and users) can redirect it on every platform.
func cacheDir(e *env) (string, error) {
	if x := e.getenv("XDG_CACHE_HOME"); x != "" && filepath.IsAbs(x) {
		return x, nil
	}
	return os.UserCacheDir()
}

// newLogger returns the logger on stderr: level from $NEWSDESK_LOG_LEVEL
// (default warn; info for serve, whose start-up line says what it is
// serving), debug with -v. A server (timestamps) logs slog text lines;
// the interactive commands print readable lines instead ("newsdesk:
// warning: skipped x.pdf: unsupported format"), without timestamps.
func newLogger(e *env, verbose, timestamps bool) *slog.Logger {
	level := slog.LevelWarn
	if timestamps {
		level = slog.LevelInfo
	}
	if s := strings.TrimSpace(e.getenv(envLogLevel)); s != "" {
		var l slog.Level
		if err := l.UnmarshalText([]byte(s)); err != nil {
			fmt.Fprintf(e.stderr, "newsdesk: ignoring %s=%q (want debug, info, warn or error)\n", envLogLevel, s)
		} else {
			level = l
		}
	}
	if verbose {
		level = slog.LevelDebug
	}
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler
	if timestamps {
		h = slog.NewTextHandler(e.stderr, opts)
	} else {
		h = newHumanHandler(e.stderr, level)
	}
	// Secrets are masked in every message and attribute (a server error
	// may echo the API key).
	return slog.New(secrets(e).Handler(h))
}

// isTerminal reports whether x is a terminal.
func isTerminal(x any) bool {
	f, ok := x.(*os.File)
	return ok && f != nil && term.IsTerminal(int(f.Fd()))
}

// termWidth is the width of terminal w, or 80.
func termWidth(w io.Writer) int {
	if f, ok := w.(*os.File); ok {
		if width, _, err := term.GetSize(int(f.Fd())); err == nil && width > 0 {
			return width
		}
	}
	return 80
}

// colorOK reports whether colour may be used on terminal w: not when
// $NO_COLOR is set (https://no-color.org) or TERM is dumb.
func colorOK(e *env, w io.Writer) bool {
	return isTerminal(w) && e.getenv("NO_COLOR") == "" && e.getenv("TERM") != "dumb"
}
