package retry

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// recorder is an injectable Sleep that records waits without sleeping.
type recorder struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (r *recorder) sleep(ctx context.Context, d time.Duration) error {
	r.mu.Lock()
	r.waits = append(r.waits, d)
	r.mu.Unlock()
	return ctx.Err()
}

func (r *recorder) got() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Duration(nil), r.waits...)
}

// script serves the given statuses and headers in turn (the last of each
// repeats) and records the request bodies it saw.
type script struct {
	mu       sync.Mutex
	statuses []int
	headers  []map[string]string
	bodies   []string
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	n := len(s.bodies)
	s.bodies = append(s.bodies, string(b))
	code := s.statuses[min(n, len(s.statuses)-1)]
	var hdr map[string]string
	if len(s.headers) > 0 {
		hdr = s.headers[min(n, len(s.headers)-1)]
	}
	s.mu.Unlock()
	for k, v := range hdr {
		w.Header().Set(k, v)
	}
	w.WriteHeader(code)
	io.WriteString(w, http.StatusText(code))
}

func (s *script) calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.bodies)
}

func post(t *testing.T, c *http.Client, url, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("Do: %v", err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestRetries429ThenSuccessReplayingBody(t *testing.T) {
	s := &script{statuses: []int{429, 200}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	rec := &recorder{}
	c := &http.Client{Transport: New(nil, Options{Sleep: rec.sleep, Jitter: func() float64 { return 0.5 }})}

	resp := post(t, c, srv.URL, `{"input":"x"}`)
	if resp.StatusCode != 200 {
		t.Fatalf("status = %d, want 200", resp.StatusCode)
	}
	if s.calls() != 2 {
		t.Fatalf("calls = %d, want 2", s.calls())
	}
	for i, b := range s.bodies {
		if b != `{"input":"x"}` {
			t.Errorf("attempt %d body = %q, want the original body replayed", i+1, b)
		}
	}
	if w := rec.got(); len(w) != 1 || w[0] != 125*time.Millisecond {
		t.Errorf("waits = %v, want [125ms] (half of the 250ms base)", w)
	}
}

func TestRetryAfterSecondsAndCap(t *testing.T) {
	s := &script{statuses: []int{429, 429, 200}, headers: []map[string]string{{"Retry-After": "2"}, {"Retry-After": "90"}}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	rec := &recorder{}
	c := &http.Client{Transport: New(nil, Options{Sleep: rec.sleep, MaxRetryAfter: 5 * time.Second, Budget: time.Hour})}

	if resp := post(t, c, srv.URL, "b"); resp.StatusCode != 200 {
		t.Fatalf("status = %d", resp.StatusCode)
	}
	want := []time.Duration{2 * time.Second, 5 * time.Second}
	got := rec.got()
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("waits = %v, want %v", got, want)
	}
}

func TestRetryAfterHTTPDate(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	s := &script{statuses: []int{503, 200}, headers: []map[string]string{{"Retry-After": now.Add(7 * time.Second).Format(http.TimeFormat)}}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	rec := &recorder{}
	c := &http.Client{Transport: New(nil, Options{Sleep: rec.sleep, Now: func() time.Time { return now }})}

	if resp := post(t, c, srv.URL, "b"); resp.StatusCode != 200 {
		t.Fatalf("status = %d", resp.StatusCode)
	}
	if got := rec.got(); len(got) != 1 || got[0] != 7*time.Second {
		t.Errorf("waits = %v, want [7s]", got)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"0", 0, true},
		{" 3 ", 3 * time.Second, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{"", 0, false},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, true},
		{now.Add(time.Minute).Format(http.TimeFormat), time.Minute, true},
	}
	for _, c := range cases {
		got, ok := ParseRetryAfter(c.in, now)
		if got != c.want || ok != c.ok {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestGivesUpAfterMaxAttemptsWithLastResponse(t *testing.T) {
	s := &script{statuses: []int{500}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	rec := &recorder{}
	c := &http.Client{Transport: New(nil, Options{Sleep: rec.sleep, MaxAttempts: 3, RetryNonIdempotent: true, Jitter: func() float64 { return 0.999999 }, BaseDelay: 100 * time.Millisecond, MaxDelay: 150 * time.Millisecond})}

	resp := post(t, c, srv.URL, "b")
	if resp.StatusCode != 500 {
		t.Fatalf("status = %d, want the last 500", resp.StatusCode)
	}
	body, _ := io.ReadAll(resp.Body)
	if string(body) != http.StatusText(500) {
		t.Errorf("body = %q: the returned response must still be readable", body)
	}
	if s.calls() != 3 {
		t.Errorf("calls = %d, want 3", s.calls())
	}
	got := rec.got()
	if len(got) != 2 || got[0] >= 100*time.Millisecond || got[0] < 99*time.Millisecond || got[1] >= 150*time.Millisecond || got[1] < 149*time.Millisecond {
		t.Errorf("waits = %v, want just under [100ms 150ms] (doubling, capped at MaxDelay)", got)
	}
}

func TestNoRetryOnClientErrorsOrWhenForbidden(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		header map[string]string
		opts   Options
	}{
		{"400", 400, nil, Options{RetryNonIdempotent: true}},
		{"401", 401, nil, Options{RetryNonIdempotent: true}},
		{"501", 501, nil, Options{RetryNonIdempotent: true}},
		{"500 on plain POST", 500, nil, Options{}},
		{"x-should-retry false", 429, map[string]string{"X-Should-Retry": "false"}, Options{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &script{statuses: []int{tc.status, 200}, headers: []map[string]string{tc.header}}
			srv := httptest.NewServer(s)
			defer srv.Close()
			rec := &recorder{}
			tc.opts.Sleep = rec.sleep
			c := &http.Client{Transport: New(nil, tc.opts)}
			if resp := post(t, c, srv.URL, "b"); resp.StatusCode != tc.status {
				t.Errorf("status = %d, want %d unretried", resp.StatusCode, tc.status)
			}
			if s.calls() != 1 {
				t.Errorf("calls = %d, want 1", s.calls())
			}
		})
	}
}

func TestGetRetried500WithoutFlag(t *testing.T) {
	s := &script{statuses: []int{502, 200}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	rec := &recorder{}
	c := &http.Client{Transport: New(nil, Options{Sleep: rec.sleep})}
	resp, err := c.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || s.calls() != 2 {
		t.Errorf("status %d after %d calls, want 200 after 2", resp.StatusCode, s.calls())
	}
}

// flaky drops the connection on the first n requests.
func flaky(n int32, calls *atomic.Int32) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body)
		if calls.Add(1) <= n {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		io.WriteString(w, "ok")
	})
}

func TestTransportErrorRetriedOnlyWhenAllowed(t *testing.T) {
	for _, allow := range []bool{false, true} {
		var calls atomic.Int32
		srv := httptest.NewServer(flaky(1, &calls))
		rec := &recorder{}
		c := &http.Client{Transport: New(&http.Transport{DisableKeepAlives: true}, Options{Sleep: rec.sleep, RetryNonIdempotent: allow})}
		req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader("payload"))
		resp, err := c.Do(req)
		if allow {
			if err != nil {
				t.Errorf("RetryNonIdempotent: err = %v, want success after retry", err)
			} else {
				resp.Body.Close()
			}
			if calls.Load() != 2 {
				t.Errorf("RetryNonIdempotent: calls = %d, want 2", calls.Load())
			}
		} else {
			if err == nil {
				resp.Body.Close()
				t.Errorf("plain POST: want the transport error, got status %d", resp.StatusCode)
			}
			if calls.Load() != 1 {
				t.Errorf("plain POST: calls = %d, want 1", calls.Load())
			}
		}
		srv.Close()
	}
}

func TestStopsWhenContextDoneDuringWait(t *testing.T) {
	s := &script{statuses: []int{429}, headers: []map[string]string{{"Retry-After": "10"}}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	c := &http.Client{Transport: New(nil, Options{Sleep: func(ctx context.Context, d time.Duration) error {
		cancel() // the caller gives up while we wait
		<-ctx.Done()
		return ctx.Err()
	}})}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, strings.NewReader("b"))
	resp, err := c.Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatal("want an error once the context is cancelled")
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if s.calls() != 1 {
		t.Errorf("calls = %d, want 1", s.calls())
	}
}

func TestDoesNotWaitPastContextDeadline(t *testing.T) {
	s := &script{statuses: []int{429}, headers: []map[string]string{{"Retry-After": "10"}}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	rec := &recorder{}
	c := &http.Client{Transport: New(nil, Options{Sleep: rec.sleep})}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, strings.NewReader("b"))
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// Retry-After 10s fits the 1 minute deadline: one wait, then 429s until
	// MaxAttempts. With a 5s deadline it must not wait at all.
	if n := len(rec.got()); n != 3 {
		t.Errorf("waits = %d, want 3 with a roomy deadline", n)
	}

	rec2 := &recorder{}
	c2 := &http.Client{Transport: New(nil, Options{Sleep: rec2.sleep})}
	ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel2()
	req2, _ := http.NewRequestWithContext(ctx2, http.MethodPost, srv.URL, strings.NewReader("b"))
	resp2, err := c2.Do(req2)
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if resp2.StatusCode != 429 || len(rec2.got()) != 0 {
		t.Errorf("status %d after %d waits; want the 429 at once", resp2.StatusCode, len(rec2.got()))
	}
}

func TestBudgetStopsRetries(t *testing.T) {
	s := &script{statuses: []int{503}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	var mu sync.Mutex
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	c := &http.Client{Transport: New(nil, Options{
		MaxAttempts: 10, Budget: 3 * time.Second, Now: clock,
		Sleep: func(ctx context.Context, d time.Duration) error {
			mu.Lock()
			now = now.Add(d)
			mu.Unlock()
			return nil
		},
		Jitter: func() float64 { return 0 }, // backoff 0: only Retry-After moves the clock
	})}
	s.headers = []map[string]string{{"Retry-After": "1"}}
	resp := post(t, c, srv.URL, "b")
	if resp.StatusCode != 503 {
		t.Fatalf("status = %d", resp.StatusCode)
	}
	// Waits of 1s fit a 3s budget three times: 4 attempts, not 10.
	if s.calls() != 4 {
		t.Errorf("calls = %d, want 4 within the 3s budget", s.calls())
	}
}

// oneShot is a body without GetBody: it cannot be replayed.
type oneShot struct{ io.Reader }

func TestBodyWithoutGetBodyIsNotRetried(t *testing.T) {
	s := &script{statuses: []int{429, 200}}
	srv := httptest.NewServer(s)
	defer srv.Close()
	rec := &recorder{}
	c := &http.Client{Transport: New(nil, Options{Sleep: rec.sleep})}
	req, _ := http.NewRequest(http.MethodPost, srv.URL, oneShot{strings.NewReader("b")})
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 429 || s.calls() != 1 {
		t.Errorf("status %d after %d calls; want the 429 unretried", resp.StatusCode, s.calls())
	}
}

func TestClientDoesNotDoubleWrap(t *testing.T) {
	c1 := Client(nil, 5*time.Second, Options{})
	if c1.Timeout != 5*time.Second {
		t.Errorf("Timeout = %v", c1.Timeout)
	}
	if _, ok := c1.Transport.(*Transport); !ok {
		t.Fatalf("Transport = %T, want *Transport", c1.Transport)
	}
	c2 := Client(c1, time.Second, Options{})
	if c2.Transport != c1.Transport || c2.Timeout != 5*time.Second {
		t.Errorf("rewrapped: transport changed %v, timeout %v", c2.Transport != c1.Transport, c2.Timeout)
	}
	if c2 == c1 {
		t.Error("Client must copy, not modify, the given client")
	}
}
