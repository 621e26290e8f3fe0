// Package retry is an http.RoundTripper that retries transient failures
// (429, most 5xx, dropped connections) with capped exponential backoff and
// full jitter, honouring Retry-After.
//
// It exists because go-openai has no retries of its own, and rate limits and
// overloaded servers are routine for hosted and local LLM endpoints alike.
// The transport stops at once when the request's context is done, never
// starts a wait that would overrun its time budget or the context deadline,
// and replays request bodies through Request.GetBody (set automatically by
// http.NewRequest for bytes/strings readers, which is what go-openai uses).
package retry

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Options tune a Transport. The zero value gives the defaults below.
type Options struct {
	// MaxAttempts counts the first try; 1 disables retries. Default 4.
	MaxAttempts int
	// BaseDelay is the backoff before the second attempt; it doubles per
	// attempt up to MaxDelay, and full jitter picks a uniform wait in
	// [0, that). Defaults 250ms and 4s.
	BaseDelay time.Duration
	MaxDelay  time.Duration
	// MaxRetryAfter caps a server's Retry-After (a misbehaving server must
	// not park a chat reply for an hour). Default 20s.
	MaxRetryAfter time.Duration
	// Budget is the total time from the first attempt after which no new
	// attempt starts; the last response or error is returned instead.
	// Default 60s.
	Budget time.Duration
	// RetryNonIdempotent allows retrying POST and PATCH requests after
	// transport errors and 5xx responses, where the server may already have
	// acted. Safe for APIs without side effects such as chat completions and
	// embeddings. Without it only idempotent methods, or requests carrying
	// an Idempotency-Key header, are retried in those cases; 429 and 503
	// (request not processed) are retried for every method.
	RetryNonIdempotent bool

	// Sleep waits for d or until ctx is done (tests inject a recorder).
	// Default: a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock used for the budget and HTTP-date Retry-After.
	// Default time.Now.
	Now func() time.Time
	// Jitter returns a uniform number in [0, 1). Default math/rand/v2.
	Jitter func() float64
	// Logger receives one line per retry (method, host, path, status,
	// attempt, wait: never headers, so never a key). Nil discards.
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 4
	}
	if o.BaseDelay <= 0 {
		o.BaseDelay = 250 * time.Millisecond
	}
	if o.MaxDelay <= 0 {
		o.MaxDelay = 4 * time.Second
	}
	if o.MaxDelay < o.BaseDelay {
		o.MaxDelay = o.BaseDelay
	}
	if o.MaxRetryAfter <= 0 {
		o.MaxRetryAfter = 20 * time.Second
	}
	if o.Budget <= 0 {
		o.Budget = 60 * time.Second
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Jitter == nil {
		o.Jitter = rand.Float64
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Transport retries requests sent through Base.
type Transport struct {
	base http.RoundTripper
	opts Options
}

// New wraps base (http.DefaultTransport when nil).
func New(base http.RoundTripper, opts Options) *Transport {
	if base == nil {
		base = http.DefaultTransport
	}
	return &Transport{base: base, opts: opts.withDefaults()}
}

// Client returns a copy of c (a new client when nil) whose transport
// retries, and whose Timeout is timeout when c has none. A client whose
// transport already is a *Transport keeps it, so wrapping twice does not
// multiply attempts.
func Client(c *http.Client, timeout time.Duration, opts Options) *http.Client {
	var out http.Client
	if c != nil {
		out = *c
	}
	if out.Timeout == 0 {
		out.Timeout = timeout
	}
	if _, ok := out.Transport.(*Transport); !ok {
		out.Transport = New(out.Transport, opts)
	}
	return &out
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	o := t.opts
	ctx := req.Context()
	deadline := o.Now().Add(o.Budget)
	hasBody := req.Body != nil && req.Body != http.NoBody
	replayable := !hasBody || req.GetBody != nil

	for attempt := 1; ; attempt++ {
		r := req
		if attempt > 1 {
			r = req.Clone(ctx)
			if hasBody {
				body, err := req.GetBody()
				if err != nil {
					return nil, fmt.Errorf("retry: replay request body: %w", err)
				}
				r.Body = body
			}
		}
		resp, err := t.base.RoundTrip(r)
		if attempt >= o.MaxAttempts || !replayable || ctx.Err() != nil {
			return resp, err
		}
		wait, ok := t.retryAfter(req, resp, err, attempt)
		if !ok {
			return resp, err
		}
		now := o.Now()
		if now.Add(wait).After(deadline) {
			return resp, err
		}
		if d, has := ctx.Deadline(); has && now.Add(wait).After(d) {
			return resp, err
		}
		status := 0
		if resp != nil {
			status = resp.StatusCode
			// Drain a little so the connection can be reused, then close:
			// this response is discarded.
			_, _ = io.CopyN(io.Discard, resp.Body, 64<<10)
			resp.Body.Close()
		}
		o.Logger.Info("retrying HTTP request",
			"method", req.Method, "host", req.URL.Host, "path", req.URL.Path,
			"status", status, "error", errString(err), "attempt", attempt, "wait", wait)
		if err := o.Sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// retryAfter decides whether the outcome of attempt is worth another try
// and how long to wait first.
func (t *Transport) retryAfter(req *http.Request, resp *http.Response, err error, attempt int) (time.Duration, bool) {
	o := t.opts
	unsafeOK := o.RetryNonIdempotent || idempotent(req)
	if err != nil {
		if !unsafeOK {
			return 0, false
		}
		return t.backoff(attempt), true
	}
	switch strings.ToLower(resp.Header.Get("X-Should-Retry")) {
	case "false":
		return 0, false
	case "true":
		if w, ok := t.serverWait(resp); ok {
			return w, true
		}
		return t.backoff(attempt), true
	}
	code := resp.StatusCode
	switch {
	case code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable:
	case code >= 500 && code != http.StatusNotImplemented && code != http.StatusHTTPVersionNotSupported:
		if !unsafeOK {
			return 0, false
		}
	default:
		return 0, false
	}
	if w, ok := t.serverWait(resp); ok {
		return w, true
	}
	return t.backoff(attempt), true
}

// backoff is full jitter: uniform in [0, min(MaxDelay, BaseDelay·2^(attempt-1))).
func (t *Transport) backoff(attempt int) time.Duration {
	o := t.opts
	d := o.BaseDelay
	for i := 1; i < attempt && d < o.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, o.MaxDelay)
	return time.Duration(o.Jitter() * float64(d))
}

// serverWait reads retry-after-ms (OpenAI) or Retry-After (delta seconds or
// an HTTP date), capped at MaxRetryAfter.
func (t *Transport) serverWait(resp *http.Response) (time.Duration, bool) {
	if resp == nil {
		return 0, false
	}
	var d time.Duration
	if v := strings.TrimSpace(resp.Header.Get("Retry-After-Ms")); v != "" {
		ms, err := strconv.ParseFloat(v, 64)
		if err != nil || ms < 0 || ms > 1e9 {
			return 0, false
		}
		d = time.Duration(ms * float64(time.Millisecond))
	} else if d2, ok := ParseRetryAfter(resp.Header.Get("Retry-After"), t.opts.Now()); ok {
		d = d2
	} else {
		return 0, false
	}
	return min(d, t.opts.MaxRetryAfter), true
}

// ParseRetryAfter parses a Retry-After value: delta seconds or an HTTP date
// (relative to now; a date in the past means 0).
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(24*time.Hour/time.Second) {
			secs = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(secs) * time.Second, true
	}
	when, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(when.Sub(now), 0), true
}

func idempotent(req *http.Request) bool {
	switch req.Method {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodPut, http.MethodDelete:
		return true
	}
	return req.Header.Get("Idempotency-Key") != "" || req.Header.Get("X-Idempotency-Key") != ""
}
