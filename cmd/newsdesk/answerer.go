package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/newsdesk/newsdesk/bot"
	"github.com/newsdesk/newsdesk/bot/extractive"
)

// brain is the answerer and follow-up rewriter a command uses.
type brain struct {
	answerer bot.Answerer
	rewriter bot.Rewriter
	mode     string // bot.ModeExtractive or bot.ModeLLM
}

// openBrain loads the library and builds the answerer on it: the start
// of ask and serve.
func openBrain(ctx context.Context, e *env, o *options, logger *slog.Logger) (*library, *brain, error) {
	lib, err := loadLibrary(ctx, e, o, logger)
	if err != nil {
		return nil, nil, err
	}
	b, err := newBrain(ctx, e, o, lib, logger)
	if err != nil {
		return nil, nil, err
	}
	return lib, b, nil
}

// newBrain builds the answerer chosen by --answerer / $NEWSDESK_ANSWERER
// (default: llm when $NEWSDESK_CHAT_MODEL is set, else extractive). The
// extractive answerer is the offline default. An explicit "llm" with a
// missing or invalid configuration is an error; an endpoint that fails its
// health check, or an implicit choice that is misconfigured, only costs a
// visible one-line warning and the extractive answerer, so a flaky
// network never stops the desk.
func newBrain(ctx context.Context, e *env, o *options, lib *library, logger *slog.Logger) (*brain, error) {
	name, explicit, err := o.answererName(e)
	if err != nil {
		return nil, err
	}
	links := bot.Linker{PublicURL: strings.TrimRight(strings.TrimSpace(e.getenv(envPublic)), "/")}
	ext := extractive.New(lib.ix, links)
	b := &brain{answerer: ext, rewriter: bot.HeuristicRewriter{}, mode: bot.ModeExtractive}
	if name != answererLLM {
		return b, nil
	}
	a, rw, err := newLLM(ctx, e, lib, ext, links, logger) // llm.go
	if err != nil {
		var un *llmUnavailable
		if !errors.As(err, &un) && explicit {
			return nil, err
		}
		fmt.Fprintf(e.stderr, "newsdesk: warning: LLM unavailable (%s); answering extractively\n", errText(secrets(e).Error(unwrapLLM(err))))
		return b, nil
	}
	b.answerer, b.rewriter, b.mode = a, rw, bot.ModeLLM
	return b, nil
}

func unwrapLLM(err error) error {
	var un *llmUnavailable
	if errors.As(err, &un) {
		return un.err
	}
	return err
}

// llmUnavailable means the LLM is configured but did not pass its check.
type llmUnavailable struct{ err error }

func (u *llmUnavailable) Error() string { return "LLM unavailable: " + u.err.Error() }
func (u *llmUnavailable) Unwrap() error { return u.err }

// standalone rewrites a follow-up question into a standalone query. A
// failing rewriter (say, the LLM timed out) falls back to the heuristic
// one, and that to the question itself: a rewrite is a nicety.
func (b *brain) standalone(ctx context.Context, q string, history []bot.Turn, logger *slog.Logger) string {
	if len(history) == 0 || b.rewriter == nil {
		return q
	}
	s, err := b.rewriter.Standalone(ctx, q, history)
	if err != nil {
		logger.Debug("rewriter failed; trying the heuristic one", "err", err)
		if _, isHeuristic := b.rewriter.(bot.HeuristicRewriter); isHeuristic {
			return q
		}
		if s, err = (bot.HeuristicRewriter{}).Standalone(ctx, q, history); err != nil {
			return q
		}
	}
	if s = strings.TrimSpace(s); s == "" {
		return q
	}
	return s
}
