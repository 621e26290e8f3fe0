package slack

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// recordingBody records whether anything read it.
type recordingBody struct {
	r    io.Reader
	read atomic.Bool
}

func (b *recordingBody) Read(p []byte) (int, error) {
	b.read.Store(true)
	return b.r.Read(p)
}

// heldBody blocks its first Read until release is closed, after telling
// started: a slow client holding its connection open.
type heldBody struct {
	r       io.Reader
	once    sync.Once
	started chan<- struct{}
	release <-chan struct{}
}

func (b *heldBody) Read(p []byte) (int, error) {
	b.once.Do(func() {
		b.started <- struct{}{}
		<-b.release
	})
	return b.r.Read(p)
}

const challengeBody = `{"token":"x","challenge":"ch4ll3nge","type":"url_verification"}`

func TestUnsignedRequestsRejectedBeforeBodyIsRead(t *testing.T) {
	h := newHarness(t, nil)
	noSecret := newHarness(t, func(c *Config) { c.SigningSecret = "" })
	cases := map[string]struct {
		h    *harness
		prep func(*http.Request)
		want int
	}{
		"no signature headers": {h, func(r *http.Request) {}, http.StatusUnauthorized},
		"no timestamp": {h, func(r *http.Request) {
			sign(r, challengeBody, time.Now(), testSecret)
			r.Header.Del("X-Slack-Request-Timestamp")
		}, http.StatusUnauthorized},
		"no signature": {h, func(r *http.Request) {
			sign(r, challengeBody, time.Now(), testSecret)
			r.Header.Del("X-Slack-Signature")
		}, http.StatusUnauthorized},
		"malformed signature": {h, func(r *http.Request) {
			sign(r, challengeBody, time.Now(), testSecret)
			r.Header.Set("X-Slack-Signature", "v0=not-hex")
		}, http.StatusUnauthorized},
		"bad timestamp": {h, func(r *http.Request) {
			sign(r, challengeBody, time.Now(), testSecret)
			r.Header.Set("X-Slack-Request-Timestamp", "yesterday")
		}, http.StatusUnauthorized},
		"stale":     {h, func(r *http.Request) { sign(r, challengeBody, time.Now().Add(-6*time.Minute), testSecret) }, http.StatusUnauthorized},
		"future":    {h, func(r *http.Request) { sign(r, challengeBody, time.Now().Add(6*time.Minute), testSecret) }, http.StatusUnauthorized},
		"no secret": {noSecret, func(r *http.Request) { sign(r, challengeBody, time.Now(), testSecret) }, http.StatusUnauthorized},
		"declared too large": {h, func(r *http.Request) {
			sign(r, challengeBody, time.Now(), testSecret)
			r.ContentLength = maxBody + 1
		}, http.StatusRequestEntityTooLarge},
	}
	for name, c := range cases {
		for _, path := range []string{"/slack/events", "/slack/commands", "/slack/interactions"} {
			body := &recordingBody{r: strings.NewReader(challengeBody)}
			req := httptest.NewRequest(http.MethodPost, path, body)
			c.prep(req)
			rec := httptest.NewRecorder()
			c.h.srv.Handler().ServeHTTP(rec, req)
			if rec.Code != c.want {
				t.Errorf("%s %s: status %d, want %d", name, path, rec.Code, c.want)
			}
			if body.read.Load() {
				t.Errorf("%s %s: the body was read before the request was refused", name, path)
			}
		}
	}
	// A signed request is read and answered.
	body := &recordingBody{r: strings.NewReader(challengeBody)}
	req := httptest.NewRequest(http.MethodPost, "/slack/events", body)
	sign(req, challengeBody, time.Now(), testSecret)
	rec := httptest.NewRecorder()
	h.srv.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !body.read.Load() {
		t.Errorf("signed request: status %d, read %v", rec.Code, body.read.Load())
	}
}

// holdRequests starts n signed requests whose bodies block, and returns
// once each has started being read, with a func that lets them finish
// and returns their status codes.
func holdRequests(t *testing.T, h *harness, n int) func() []int {
	t.Helper()
	started := make(chan struct{}, n)
	release := make(chan struct{})
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		req := httptest.NewRequest(http.MethodPost, "/slack/events",
			&heldBody{r: strings.NewReader(challengeBody), started: started, release: release})
		sign(req, challengeBody, time.Now(), testSecret)
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec := httptest.NewRecorder()
			h.srv.Handler().ServeHTTP(rec, req)
			codes[i] = rec.Code
		}()
	}
	for range n {
		select {
		case <-started:
		case <-time.After(waitTimeout):
			t.Fatal("held requests were not read")
		}
	}
	return func() []int {
		close(release)
		wg.Wait()
		return codes
	}
}

// signedRecorded sends one signed url_verification request.
func signedRecorded(h *harness) (int, bool, http.Header) {
	body := &recordingBody{r: strings.NewReader(challengeBody)}
	req := httptest.NewRequest(http.MethodPost, "/slack/events", body)
	sign(req, challengeBody, time.Now(), testSecret)
	rec := httptest.NewRecorder()
	h.srv.Handler().ServeHTTP(rec, req)
	return rec.Code, body.read.Load(), rec.Header()
}

func TestConcurrentBodyReadsBounded(t *testing.T) {
	h := newHarness(t, nil)
	h.srv.gate = newBodyGate(3, maxBufferedBytes)
	finish := holdRequests(t, h, 3)
	if got := h.srv.gate.reading(); got != 3 {
		t.Errorf("%d bodies being read, want 3", got)
	}
	code, read, hdr := signedRecorded(h)
	if code != http.StatusServiceUnavailable || read || hdr.Get("Retry-After") == "" {
		t.Errorf("over the limit: status %d, body read %v, Retry-After %q; want 503 at once", code, read, hdr.Get("Retry-After"))
	}
	for i, c := range finish() {
		if c != http.StatusOK {
			t.Errorf("held request %d: status %d", i, c)
		}
	}
	if r, used := h.srv.gate.reading(), h.srv.gate.used.Load(); r != 0 || used != 0 {
		t.Errorf("after the requests: %d reads, %d bytes reserved; want 0, 0", r, used)
	}
	if code, _, _ := signedRecorded(h); code != http.StatusOK {
		t.Errorf("after release: status %d, want 200", code)
	}
	if m := h.metrics(); !strings.Contains(m, `newsdesk_slack_http_rejected_total{reason="busy"} 1`) {
		t.Errorf("busy rejection not counted:\n%s", m)
	}
}

func TestBufferedBytesBounded(t *testing.T) {
	h := newHarness(t, nil)
	h.srv.gate = newBodyGate(100, 2*readChunk)
	finish := holdRequests(t, h, 2) // each holds one chunk
	if used := h.srv.gate.used.Load(); used != 2*readChunk {
		t.Errorf("%d bytes reserved, want %d", used, 2*readChunk)
	}
	if code, read, _ := signedRecorded(h); code != http.StatusServiceUnavailable || read {
		t.Errorf("over the byte budget: status %d, body read %v; want 503 unread", code, read)
	}
	finish()
	if code, _, _ := signedRecorded(h); code != http.StatusOK {
		t.Errorf("after release: status %d", code)
	}
}

func TestBodyOverLimitWithoutContentLength(t *testing.T) {
	h := newHarness(t, nil)
	big := strings.Repeat("x", maxBody+10)
	req := httptest.NewRequest(http.MethodPost, "/slack/events", io.NopCloser(strings.NewReader(big)))
	req.ContentLength = -1
	sign(req, big, time.Now(), testSecret)
	rec := httptest.NewRecorder()
	h.srv.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d, want 413", rec.Code)
	}
	if used := h.srv.gate.used.Load(); used != 0 {
		t.Errorf("%d bytes still reserved", used)
	}
}

func TestRunHTTPBoundsHeaders(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.HTTPAddr = "127.0.0.1:0" })
	stop := runHTTP(t, h)
	defer stop()
	req, _ := http.NewRequest(http.MethodGet, "http://"+h.srv.Addr()+"/healthz", nil)
	req.Header.Set("X-Padding", strings.Repeat("p", 2*maxHeaderBytes))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Errorf("status %d for %s bytes of headers, want 431", resp.StatusCode, strconv.Itoa(2*maxHeaderBytes))
	}
}

// runHTTP runs h's server in HTTP mode until the returned func is called.
func runHTTP(t *testing.T, h *harness) func() {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	runErr := make(chan error, 1)
	go func() { runErr <- h.srv.Run(ctx) }()
	deadline := time.Now().Add(waitTimeout)
	for h.srv.Addr() == "" && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	return func() {
		cancel()
		if err := <-runErr; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
}

// BenchmarkSignedEvent measures a signed url_verification request through
// the handler: the body buffer comes from the pool.
func BenchmarkSignedEvent(b *testing.B) {
	srv, err := New(Config{BotToken: testBotToken, SigningSecret: testSecret}, &fakeAnswerer{answer: sampleAnswer()}, nil, nil,
		slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/slack/events", strings.NewReader(challengeBody))
		sign(req, challengeBody, time.Now(), testSecret)
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}
