package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/newsdesk/newsdesk/bot"
	"github.com/newsdesk/newsdesk/bot/llm"
)

// llmCheckTimeout bounds the start-up health check of the chat endpoint.
const llmCheckTimeout = 15 * time.Second

// newLLM wires the LLM answerer (with the extractive one as its fallback)
// and the LLM rewriter from the environment (see llm.ConfigFromEnv).
// Missing or invalid configuration is an error; a failed health check is
// an *llmUnavailable, which newBrain turns into a warning.
func newLLM(ctx context.Context, e *env, lib *library, fallback bot.Answerer, links bot.Linker, logger *slog.Logger) (bot.Answerer, bot.Rewriter, error) {
	cfg, err := llm.ConfigFromEnv(e.getenv)
	if err != nil {
		return nil, nil, fmt.Errorf("LLM answerer: %w", err)
	}
	a, err := llm.New(cfg, lib.ix, fallback, links, logger)
	if err != nil {
		return nil, nil, fmt.Errorf("LLM answerer: %w", err)
	}
	cctx, cancel := context.WithTimeout(ctx, llmCheckTimeout)
	defer cancel()
	if err := a.Check(cctx); err != nil {
		return nil, nil, &llmUnavailable{err: err}
	}
	return a, llm.NewRewriter(cfg, logger), nil
}
