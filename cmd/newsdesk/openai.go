package main

import (
	"fmt"

	"github.com/newsdesk/newsdesk/retrieval"
	"github.com/newsdesk/newsdesk/retrieval/openaiemb"
)

// newOpenAIEmbedder builds the OpenAI-compatible embedder from the
// environment (see openaiemb.ConfigFromEnv).
func newOpenAIEmbedder(e *env) (retrieval.Embedder, error) {
	cfg, err := openaiemb.ConfigFromEnv(e.getenv)
	if err != nil {
		return nil, fmt.Errorf("--embedder openai: %w", err)
	}
	emb, err := openaiemb.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("--embedder openai: %w", err)
	}
	return emb, nil
}
