// Package openaiemb is a retrieval.Embedder backed by any server that
// speaks the OpenAI embeddings API (POST {base}/embeddings): OpenAI, Azure
// OpenAI's v1 endpoint, Ollama, vLLM, llama.cpp, LM Studio.
//
// Environment (read by ConfigFromEnv; the CLI chooses this embedder when
// NEWSDESK_EMBEDDER=openai, the default being the offline hash embedder):
//
//	OPENAI_API_KEY        API key; required for api.openai.com and Azure,
//	                      optional for local servers
//	OPENAI_BASE_URL       API base including /v1 (default
//	                      https://api.openai.com/v1; a bare host such as
//	                      http://localhost:11434 gets /v1 appended)
//	NEWSDESK_EMBED_MODEL  embedding model (default text-embedding-3-small)
package openaiemb

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	openai "github.com/sashabaranov/go-openai"

	"github.com/newsdesk/newsdesk/internal/openaicfg"
	"github.com/newsdesk/newsdesk/internal/retry"
	"github.com/newsdesk/newsdesk/retrieval"
)

// Defaults.
const (
	DefaultBaseURL     = openaicfg.DefaultBaseURL
	DefaultModel       = "text-embedding-3-small"
	DefaultBatchSize   = 64
	DefaultConcurrency = 2
	DefaultTimeout     = 60 * time.Second
)

// Config configures an Embedder. Zero fields take the defaults above.
type Config struct {
	APIKey  string
	BaseURL string
	Model   string
	// BatchSize is the number of texts per request.
	BatchSize int
	// Concurrency bounds the requests in flight.
	Concurrency int
	// Timeout bounds one request, retries included.
	Timeout time.Duration
	// HTTPClient is the client to use (its transport is wrapped with
	// retries); nil means a new client.
	HTTPClient *http.Client
	// Retry tunes retries of 429, 5xx and dropped connections.
	Retry retry.Options
}

// ConfigFromEnv reads the environment variables in the package comment
// through getenv (os.Getenv in the CLI) and checks them.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	cfg := Config{
		APIKey:  strings.TrimSpace(getenv("OPENAI_API_KEY")),
		BaseURL: strings.TrimSpace(getenv("OPENAI_BASE_URL")),
		Model:   strings.TrimSpace(getenv("NEWSDESK_EMBED_MODEL")),
	}
	if err := cfg.endpoint(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// endpoint defaults the model and checks the base URL and the key.
func (cfg *Config) endpoint() error {
	if cfg.Model == "" {
		cfg.Model = DefaultModel
	}
	base, err := openaicfg.BaseURL(cfg.BaseURL)
	if err != nil {
		return err
	}
	cfg.BaseURL = base
	return openaicfg.CheckKey(base, cfg.APIKey)
}

// Embedder implements retrieval.Embedder over the OpenAI embeddings API.
// It is safe for concurrent use.
type Embedder struct {
	client *openai.Client
	cfg    Config
	id     string
	dim    atomic.Int64
}

var _ retrieval.Embedder = (*Embedder)(nil)

// New returns an Embedder; it makes no network call.
func New(cfg Config) (*Embedder, error) {
	if err := cfg.endpoint(); err != nil {
		return nil, err
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = DefaultBatchSize
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	ro := cfg.Retry
	ro.RetryNonIdempotent = true // embedding POSTs have no side effects
	oc := openai.DefaultConfig(cfg.APIKey)
	oc.BaseURL = cfg.BaseURL
	oc.HTTPClient = retry.Client(cfg.HTTPClient, cfg.Timeout, ro)
	return &Embedder{client: openai.NewClientWithConfig(oc), cfg: cfg, id: embedderID(cfg.Model, cfg.BaseURL)}, nil
}

// embedderID is "openai:<model>" for OpenAI itself and
// "openai:<model>@<host>" for any other server: two servers can serve
// different weights under one model name, and an index built with one must
// not be reused with the other.
func embedderID(model, base string) string {
	u, err := url.Parse(base)
	if err != nil || strings.EqualFold(u.Hostname(), "api.openai.com") {
		return "openai:" + model
	}
	return "openai:" + model + "@" + strings.ToLower(u.Host)
}

// ID implements retrieval.Embedder.
func (e *Embedder) ID() string { return e.id }

// Dim returns the vector dimension seen so far, 0 before the first Embed.
func (e *Embedder) Dim() int { return int(e.dim.Load()) }

// Embed implements retrieval.Embedder: texts are sent in batches of
// BatchSize, at most Concurrency at a time; the vectors come back in the
// order of texts, L2-normalised. The first failing batch cancels the rest.
func (e *Embedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	if len(texts) == 0 {
		return out, nil
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	sem := make(chan struct{}, e.cfg.Concurrency)
	var wg sync.WaitGroup
	var once sync.Once
	var firstErr error
	for lo := 0; lo < len(texts); lo += e.cfg.BatchSize {
		hi := min(lo+e.cfg.BatchSize, len(texts))
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			defer func() { <-sem }()
			if err := e.embedBatch(ctx, texts[lo:hi], out[lo:hi]); err != nil {
				once.Do(func() { firstErr = fmt.Errorf("embed texts %d-%d: %w", lo, hi-1, err) })
				cancel(err)
			}
		}(lo, hi)
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("embed: %w", context.Cause(ctx))
	}
	return out, nil
}

func (e *Embedder) embedBatch(ctx context.Context, texts []string, out [][]float32) error {
	ctx, cancel := context.WithTimeout(ctx, e.cfg.Timeout)
	defer cancel()
	input := make([]string, len(texts))
	for i, t := range texts {
		// The API rejects empty strings; a space embeds as "nothing".
		if strings.TrimSpace(t) == "" {
			t = " "
		}
		input[i] = t
	}
	resp, err := e.client.CreateEmbeddings(ctx, openai.EmbeddingRequestStrings{
		Input:          input,
		Model:          openai.EmbeddingModel(e.cfg.Model),
		EncodingFormat: openai.EmbeddingEncodingFormatFloat,
	})
	if err != nil {
		return describe(err, e.cfg.BaseURL, e.cfg.Model)
	}
	if len(resp.Data) != len(texts) {
		return fmt.Errorf("server returned %d embeddings for %d texts", len(resp.Data), len(texts))
	}
	seen := make([]bool, len(texts))
	for _, d := range resp.Data {
		if d.Index < 0 || d.Index >= len(texts) || seen[d.Index] {
			return fmt.Errorf("server returned embedding index %d (batch of %d, duplicate or out of range)", d.Index, len(texts))
		}
		seen[d.Index] = true
		v, err := normalise(d.Embedding)
		if err != nil {
			return fmt.Errorf("embedding %d: %w", d.Index, err)
		}
		if err := e.checkDim(len(v)); err != nil {
			return err
		}
		out[d.Index] = v
	}
	return nil
}

// checkDim records the first dimension seen and rejects any other.
func (e *Embedder) checkDim(n int) error {
	if e.dim.CompareAndSwap(0, int64(n)) {
		return nil
	}
	if d := e.dim.Load(); d != int64(n) {
		return fmt.Errorf("embedding dimension %d, earlier embeddings had %d (did the model change?)", n, d)
	}
	return nil
}

// normalise returns v scaled to unit length, or an error for an empty,
// all-zero or non-finite vector (which would poison cosine similarity).
func normalise(v []float32) ([]float32, error) {
	if len(v) == 0 {
		return nil, errors.New("empty vector")
	}
	var sum float64
	for _, x := range v {
		f := float64(x)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, errors.New("vector contains NaN or Inf")
		}
		sum += f * f
	}
	if sum == 0 {
		return nil, errors.New("all-zero vector")
	}
	norm := math.Sqrt(sum)
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(float64(x) / norm)
	}
	return out, nil
}

// describe turns go-openai errors into one line that says what to fix.
// Server messages are kept (they name the problem) but anything that looks
// like an API key is masked: OpenAI echoes part of a rejected key.
func describe(err error, base, model string) error {
	var apiErr *openai.APIError
	var reqErr *openai.RequestError
	status, msg := 0, ""
	switch {
	case errors.As(err, &apiErr):
		status, msg = apiErr.HTTPStatusCode, apiErr.Message
	case errors.As(err, &reqErr):
		status = reqErr.HTTPStatusCode
	default:
		return fmt.Errorf("embeddings endpoint %s: %w", base, err)
	}
	hint := ""
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden:
		hint = " (check OPENAI_API_KEY)"
	case http.StatusNotFound:
		hint = fmt.Sprintf(" (is %q an embedding model served there? check NEWSDESK_EMBED_MODEL and OPENAI_BASE_URL)", model)
	}
	if msg = keyLike.ReplaceAllString(strings.Join(strings.Fields(msg), " "), "[key]"); msg != "" {
		msg = ": " + msg
	}
	return &StatusError{
		Status: status,
		msg:    fmt.Sprintf("embeddings endpoint %s: HTTP %d%s%s", base, status, msg, hint),
		err:    err,
	}
}

// keyLike matches API-key-shaped tokens (sk-..., possibly masked with *).
var keyLike = regexp.MustCompile(`\b(sk|key)-[A-Za-z0-9_*\-]{6,}`)

// StatusError is an HTTP error from the embeddings endpoint. It unwraps to
// the go-openai error (*openai.APIError or *openai.RequestError).
type StatusError struct {
	Status int // HTTP status code
	msg    string
	err    error
}

func (e *StatusError) Error() string { return e.msg }
func (e *StatusError) Unwrap() error { return e.err }
