// Package llm answers questions with a chat model behind any
// OpenAI-compatible API (OpenAI, Azure OpenAI's v1 endpoint, Ollama, vLLM,
// llama.cpp, LM Studio) through go-openai, and never lets an unverified
// quote through: every quote the model gives is checked against the article
// it cites with bot.FindQuote and replaced by the article's exact text, and
// whenever the model fails, is slow, or cannot be verified, the answer
// falls back to the extractive answerer with a note saying so.
//
// Environment (read by ConfigFromEnv for the CLI; the CLI also reads
// NEWSDESK_ANSWERER to choose between this answerer and the extractive one):
//
//	OPENAI_API_KEY       API key; required for api.openai.com and Azure,
//	                     optional for local servers (Ollama etc.)
//	OPENAI_BASE_URL      API base including /v1 (default
//	                     https://api.openai.com/v1; a bare host such as
//	                     http://localhost:11434 gets /v1 appended)
//	NEWSDESK_CHAT_MODEL  chat model; setting it configures the chat
//	                     endpoint (default gpt-4o-mini, for OpenAI only)
//
// go-openai choices made here, and why:
//   - go-openai neither retries nor sets an HTTP timeout: the client is
//     wrapped with internal/retry (429/5xx/dropped connections, POSTs
//     included since completions have no side effects) and every call runs
//     under a context deadline, inside the overall Budget.
//   - Temperature is float32 with omitempty, so 0 would be dropped and the
//     server default (1.0 on OpenAI) used. We send NearZeroTemperature
//     (1e-6): effectively greedy everywhere (vLLM treats anything below
//     1e-5 as greedy), yet present in the JSON. Models that reject a
//     temperature (o-series, gpt-5 reasoning models, per go-openai's own
//     validator) get none.
//   - Structured output: response_format json_schema first, json_object
//     when the server rejects that (HTTP 400/422), then no response_format
//     with a parser that digs the first JSON object out of free text and
//     ```json fences. The format that worked is remembered.
//   - Errors are *openai.APIError or *openai.RequestError carrying
//     HTTPStatusCode; notes and Check messages are built from the status,
//     with key-like strings masked.
package llm

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/newsdesk/newsdesk/internal/openaicfg"
	"github.com/newsdesk/newsdesk/internal/retry"
)

// Defaults.
const (
	DefaultBaseURL  = openaicfg.DefaultBaseURL
	DefaultModel    = "gpt-4o-mini" // used only with api.openai.com
	DefaultTimeout  = 15 * time.Second
	DefaultBudget   = 20 * time.Second
	DefaultPassages = 8

	// NearZeroTemperature stands in for 0, which go-openai's omitempty
	// would drop (see the package comment).
	NearZeroTemperature float32 = 1e-6

	// maxAnswerTokens bounds the answer; at budget speeds it is never the
	// binding limit for a short cited answer.
	maxAnswerTokens = 1500
)

// Config configures an Answerer or a Rewriter. Zero fields take defaults.
type Config struct {
	APIKey  string
	BaseURL string
	Model   string
	// Timeout bounds one API call, retries included (default 15s).
	Timeout time.Duration
	// Budget bounds a whole Answer, retrieval and every call included;
	// when it runs out the fallback answer is served (default 20s).
	Budget time.Duration
	// HTTPClient is the client to use (its transport is wrapped with
	// retries); nil means a new one.
	HTTPClient *http.Client
	// Passages is how many retrieved passages the model sees (default 8).
	Passages int
	// Retry tunes retries of 429, 5xx and dropped connections.
	Retry retry.Options
}

// ConfigFromEnv reads the environment variables in the package comment
// through getenv (os.Getenv in the CLI) and checks them: a missing key for
// OpenAI or Azure, a malformed base URL, or no model for a non-OpenAI
// server is an error.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	cfg := Config{
		APIKey:  strings.TrimSpace(getenv("OPENAI_API_KEY")),
		BaseURL: strings.TrimSpace(getenv("OPENAI_BASE_URL")),
		Model:   strings.TrimSpace(getenv("NEWSDESK_CHAT_MODEL")),
	}
	if err := cfg.normalise(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// normalise applies defaults and validates.
func (c *Config) normalise() error {
	base, err := openaicfg.BaseURL(c.BaseURL)
	if err != nil {
		return err
	}
	c.BaseURL = base
	if err := openaicfg.CheckKey(base, c.APIKey); err != nil {
		return err
	}
	if c.Model == "" {
		if !openaicfg.IsOpenAI(base) {
			return fmt.Errorf("NEWSDESK_CHAT_MODEL is not set; name the chat model served at %s", base)
		}
		c.Model = DefaultModel
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.Budget <= 0 {
		c.Budget = DefaultBudget
	}
	if c.Passages <= 0 {
		c.Passages = DefaultPassages
	}
	return nil
}

// newClient builds the go-openai client for a normalised cfg.
func newClient(cfg Config) *openai.Client {
	ro := cfg.Retry
	ro.RetryNonIdempotent = true // chat completions have no side effects
	oc := openai.DefaultConfig(cfg.APIKey)
	oc.BaseURL = cfg.BaseURL
	oc.HTTPClient = retry.Client(cfg.HTTPClient, cfg.Timeout, ro)
	return openai.NewClientWithConfig(oc)
}

// withTemperature sets the near-zero temperature unless go-openai's
// validator says the model takes none.
func withTemperature(req openai.ChatCompletionRequest) openai.ChatCompletionRequest {
	req.Temperature = NearZeroTemperature
	if openai.NewReasoningValidator().Validate(req) != nil {
		req.Temperature = 0
	}
	return req
}

// statusOf returns the HTTP status of a go-openai error, 0 if none.
func statusOf(err error) int {
	var apiErr *openai.APIError
	if errors.As(err, &apiErr) {
		return apiErr.HTTPStatusCode
	}
	var reqErr *openai.RequestError
	if errors.As(err, &reqErr) {
		return reqErr.HTTPStatusCode
	}
	return 0
}

// serverMessage is the server's error message, on one line, masked.
func serverMessage(err error) string {
	var apiErr *openai.APIError
	if errors.As(err, &apiErr) {
		return maskKeys(strings.Join(strings.Fields(apiErr.Message), " "))
	}
	return ""
}
