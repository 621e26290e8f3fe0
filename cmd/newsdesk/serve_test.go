package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeHTTP runs serve against a fake Slack Web API on loopback,
// fetches an article page and /healthz, and stops it by cancelling the
// context as SIGTERM would.
func TestServeHTTP(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if strings.HasSuffix(r.URL.Path, "/auth.test") {
			io.WriteString(w, `{"ok":true,"user_id":"UBOT","bot_id":"BBOT","team":"Desk","team_id":"T1"}`)
			return
		}
		io.WriteString(w, `{"ok":true}`)
	}))
	defer api.Close()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	dir := writeCorpus(t, testArticles)
	vars := map[string]string{
		"SLACK_BOT_TOKEN":      "xoxb-test-secret",
		"SLACK_SIGNING_SECRET": "signing-secret-value",
		"SLACK_API_URL":        api.URL + "/",
		"XDG_CACHE_HOME":       t.TempDir(),
		"NEWSDESK_LOG_LEVEL":   "debug", // secrets must not appear even in debug logs
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--http", addr, "--corpus", dir, "--index", t.TempDir()},
			strings.NewReader(""), &stdout, &stderr, func(k string) string { return vars[k] })
	}()

	base := "http://" + addr
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited early with %d: %s", code, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not come up: %s", stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	resp, err := http.Get(base + "/articles/bridge")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "Lena Ortiz") {
		t.Errorf("article page: %d %s", resp.StatusCode, body)
	}

	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Errorf("serve exit %d after cancel: %s", code, stderr.String())
		}
	case <-time.After(40 * time.Second):
		t.Fatal("serve did not stop after cancel")
	}
	for _, secret := range []string{"xoxb-test-secret", "signing-secret-value"} {
		if strings.Contains(stdout.String()+stderr.String(), secret) {
			t.Errorf("a secret was printed: %s", stderr.String())
		}
	}
}

func TestServeHTTPNeedsSigningSecret(t *testing.T) {
	r := runCmd(t, map[string]string{"SLACK_BOT_TOKEN": "xoxb-x"}, "", "serve", "--http", "127.0.0.1:0")
	if r.code != exitError || !strings.Contains(r.stderr, "SLACK_SIGNING_SECRET") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	r = runCmd(t, map[string]string{"SLACK_APP_TOKEN": "xapp-x"}, "", "serve")
	if r.code != exitError || !strings.Contains(r.stderr, "SLACK_BOT_TOKEN") {
		t.Errorf("no bot token: exit %d, stderr %q", r.code, r.stderr)
	}
}
