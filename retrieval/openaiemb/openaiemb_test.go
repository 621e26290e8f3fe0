package openaiemb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/internal/retry"
)

// fakeServer is an OpenAI-compatible /v1/embeddings endpoint. The vector
// of a text is [len(text), number in the text, 1] so tests can check which
// text a vector belongs to.
type fakeServer struct {
	requests atomic.Int32
	inFlight atomic.Int32
	maxIn    atomic.Int32
	// before, if set, may answer the request itself (return true).
	before func(n int32, w http.ResponseWriter) bool
	// mutate, if set, edits the response data before it is sent.
	mutate func(data []map[string]any) []map[string]any
	mu     sync.Mutex
	auth   []string
	delay  time.Duration
}

func (f *fakeServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := f.requests.Add(1)
	cur := f.inFlight.Add(1)
	defer f.inFlight.Add(-1)
	for {
		m := f.maxIn.Load()
		if cur <= m || f.maxIn.CompareAndSwap(m, cur) {
			break
		}
	}
	f.mu.Lock()
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	f.mu.Unlock()
	if r.URL.Path != "/v1/embeddings" || r.Method != http.MethodPost {
		http.Error(w, `{"error":{"message":"not found"}}`, 404)
		return
	}
	var req struct {
		Input []string `json:"input"`
		Model string   `json:"model"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	if f.before != nil && f.before(n, w) {
		return
	}
	if f.delay > 0 {
		time.Sleep(f.delay)
	}
	data := make([]map[string]any, len(req.Input))
	for i, t := range req.Input {
		var num float64
		fmt.Sscanf(strings.TrimPrefix(t, "text "), "%g", &num)
		data[i] = map[string]any{"object": "embedding", "index": i, "embedding": []float64{float64(len(t)), num, 1}}
	}
	// Shuffle: clients must map results by index, not position.
	rand.Shuffle(len(data), func(i, j int) { data[i], data[j] = data[j], data[i] })
	if f.mutate != nil {
		data = f.mutate(data)
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data, "model": req.Model})
}

func texts(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("text %d", i)
	}
	return out
}

func newTest(t *testing.T, f *fakeServer, cfg Config) *Embedder {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	cfg.BaseURL = srv.URL + "/v1"
	if cfg.Retry.Sleep == nil {
		cfg.Retry.Sleep = func(ctx context.Context, d time.Duration) error { return ctx.Err() }
	}
	e, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestBatchesInOrderAndNormalised(t *testing.T) {
	f := &fakeServer{delay: 5 * time.Millisecond}
	e := newTest(t, f, Config{Model: "m", BatchSize: 3, Concurrency: 2})
	in := texts(10)
	vecs, err := e.Embed(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.requests.Load(); got != 4 {
		t.Errorf("requests = %d, want ceil(10/3) = 4", got)
	}
	if m := f.maxIn.Load(); m > 2 {
		t.Errorf("max requests in flight = %d, want <= Concurrency 2", m)
	}
	if len(vecs) != len(in) {
		t.Fatalf("got %d vectors for %d texts", len(vecs), len(in))
	}
	for i, v := range vecs {
		var sum float64
		for _, x := range v {
			sum += float64(x) * float64(x)
		}
		if math.Abs(sum-1) > 1e-5 {
			t.Errorf("vector %d has squared norm %v, want 1", i, sum)
		}
		// Undo the normalisation: the 2nd component over the 3rd is the
		// number in the text.
		if got := math.Round(float64(v[1] / v[2])); got != float64(i) {
			t.Errorf("vector %d belongs to text %v: results out of order", i, got)
		}
	}
	if e.Dim() != 3 {
		t.Errorf("Dim() = %d, want 3", e.Dim())
	}
}

func TestDefaultsAndEmpty(t *testing.T) {
	f := &fakeServer{}
	e := newTest(t, f, Config{})
	vecs, err := e.Embed(context.Background(), nil)
	if err != nil || len(vecs) != 0 || f.requests.Load() != 0 {
		t.Fatalf("empty input: %v, %d vectors, %d requests", err, len(vecs), f.requests.Load())
	}
	if _, err := e.Embed(context.Background(), texts(130)); err != nil {
		t.Fatal(err)
	}
	if got := f.requests.Load(); got != 3 {
		t.Errorf("requests = %d, want ceil(130/64) = 3 with the default batch size", got)
	}
	if e.Dim() != 3 {
		t.Errorf("Dim = %d", e.Dim())
	}
}

func TestRetries429(t *testing.T) {
	f := &fakeServer{before: func(n int32, w http.ResponseWriter) bool {
		if n == 1 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"error":{"message":"Rate limit reached","type":"requests"}}`)
			return true
		}
		return false
	}}
	var waits []time.Duration
	e := newTest(t, f, Config{Model: "m", Retry: retry.Options{Sleep: func(ctx context.Context, d time.Duration) error {
		waits = append(waits, d)
		return nil
	}}})
	vecs, err := e.Embed(context.Background(), texts(2))
	if err != nil {
		t.Fatalf("want success after a retry, got %v", err)
	}
	if len(vecs) != 2 || f.requests.Load() != 2 {
		t.Errorf("%d vectors after %d requests, want 2 after 2", len(vecs), f.requests.Load())
	}
	if len(waits) != 1 || waits[0] != time.Second {
		t.Errorf("waits = %v, want [1s] from Retry-After", waits)
	}
}

func TestBadResponses(t *testing.T) {
	cases := []struct {
		name   string
		mutate func([]map[string]any) []map[string]any
		want   string
	}{
		{"count", func(d []map[string]any) []map[string]any { return d[1:] }, "embeddings for"},
		{"zero vector", func(d []map[string]any) []map[string]any {
			d[0]["embedding"] = []float64{0, 0, 0}
			return d
		}, "all-zero"},
		{"duplicate index", func(d []map[string]any) []map[string]any {
			d[1]["index"] = d[0]["index"]
			return d
		}, "index"},
		{"dimension change", func(d []map[string]any) []map[string]any {
			d[0]["embedding"] = []float64{1, 2, 3, 4}
			return d
		}, "dimension"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newTest(t, &fakeServer{mutate: c.mutate}, Config{Model: "m"})
			_, err := e.Embed(context.Background(), texts(3))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want one mentioning %q", err, c.want)
			}
		})
	}
}

func TestNaNRejected(t *testing.T) {
	if _, err := normalise([]float32{1, float32(math.NaN())}); err == nil {
		t.Error("NaN accepted")
	}
	if _, err := normalise([]float32{float32(math.Inf(1))}); err == nil {
		t.Error("Inf accepted")
	}
	if _, err := normalise(nil); err == nil {
		t.Error("empty accepted")
	}
}

func TestHTTPErrorIsOneLineWithoutKey(t *testing.T) {
	f := &fakeServer{before: func(n int32, w http.ResponseWriter) bool {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"error":{"message":"Incorrect API key provided: sk-abc12*****wxyz. You can find your API key at https://platform.openai.com.","type":"invalid_request_error","code":"invalid_api_key"}}`)
		return true
	}}
	e := newTest(t, f, Config{APIKey: "sk-abc123456wxyz", Model: "m"})
	_, err := e.Embed(context.Background(), texts(1))
	if err == nil {
		t.Fatal("want an error")
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") || !strings.Contains(msg, "HTTP 401") || !strings.Contains(msg, "OPENAI_API_KEY") {
		t.Errorf("error = %q, want one line naming HTTP 401 and OPENAI_API_KEY", msg)
	}
	if strings.Contains(msg, "sk-abc") {
		t.Errorf("error leaks key material: %q", msg)
	}
	var se *StatusError
	if !errors.As(err, &se) || se.Status != 401 {
		t.Errorf("want a *StatusError with status 401, got %T", err)
	}
	if f.requests.Load() != 1 {
		t.Errorf("401 was retried: %d requests", f.requests.Load())
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.auth[0] != "Bearer sk-abc123456wxyz" {
		t.Errorf("Authorization = %q", f.auth[0])
	}
}

func TestContextCancelStops(t *testing.T) {
	f := &fakeServer{delay: 50 * time.Millisecond}
	e := newTest(t, f, Config{Model: "m", BatchSize: 1, Concurrency: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := e.Embed(ctx, texts(20)); err == nil {
		t.Fatal("want an error from a cancelled context")
	}
	if n := f.requests.Load(); n > 2 {
		t.Errorf("%d requests sent after the context ended, want the rest skipped", n)
	}
}

func TestIDAndConfig(t *testing.T) {
	cases := []struct {
		env     map[string]string
		wantID  string
		wantErr string
	}{
		{map[string]string{"OPENAI_API_KEY": "k"}, "openai:text-embedding-3-small", ""},
		{map[string]string{}, "", "OPENAI_API_KEY is not set"},
		{map[string]string{"OPENAI_BASE_URL": "https://x.openai.azure.com/openai/v1"}, "", "OPENAI_API_KEY is not set"},
		{map[string]string{"OPENAI_BASE_URL": "http://localhost:11434", "NEWSDESK_EMBED_MODEL": "nomic-embed-text"}, "openai:nomic-embed-text@localhost:11434", ""},
		{map[string]string{"OPENAI_BASE_URL": "localhost:11434/v1"}, "", "http(s) URL"},
	}
	for _, c := range cases {
		cfg, err := ConfigFromEnv(func(k string) string { return c.env[k] })
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%v: err = %v, want %q", c.env, err, c.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v: %v", c.env, err)
			continue
		}
		e, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if e.ID() != c.wantID {
			t.Errorf("%v: ID = %q, want %q", c.env, e.ID(), c.wantID)
		}
	}
	if cfg, _ := ConfigFromEnv(func(k string) string {
		return map[string]string{"OPENAI_BASE_URL": "http://localhost:11434/"}[k]
	}); cfg.BaseURL != "http://localhost:11434/v1" {
		t.Errorf("BaseURL = %q, want /v1 appended", cfg.BaseURL)
	}
}
