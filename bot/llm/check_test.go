package llm

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/bot"
)

func modelsList(w http.ResponseWriter, ids ...string) {
	var data []string
	for _, id := range ids {
		data = append(data, fmt.Sprintf(`{"id":%q,"object":"model","owned_by":"x"}`, id))
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"object":"list","data":[%s]}`, strings.Join(data, ","))
}

func TestCheck(t *testing.T) {
	cases := []struct {
		name    string
		key     string
		reply   func(n int, s seen, w http.ResponseWriter)
		wantErr []string // substrings; nil means success
		wantN   int      // requests made
	}{
		{"listed", "", func(n int, s seen, w http.ResponseWriter) { modelsList(w, "other", "test-model") }, nil, 1},
		{"key rejected", "sk-secret-abcdef123456", func(n int, s seen, w http.ResponseWriter) {
			writeError(w, 401, "Incorrect API key provided: sk-secr*****3456.")
		}, []string{"rejected the API key", "HTTP 401", "OPENAI_API_KEY"}, 1},
		{"key missing", "", func(n int, s seen, w http.ResponseWriter) { writeError(w, 401, "missing key") },
			[]string{"needs an API key", "OPENAI_API_KEY"}, 1},
		{"unknown model", "", func(n int, s seen, w http.ResponseWriter) {
			if s.Path == "/v1/models" {
				modelsList(w, "llama3", "qwen2.5")
				return
			}
			writeError(w, 404, "The model `test-model` does not exist")
		}, []string{`chat model "test-model" not found`, "available: llama3, qwen2.5", "NEWSDESK_CHAT_MODEL"}, 2},
		{"alias not listed but served", "", func(n int, s seen, w http.ResponseWriter) {
			if s.Path == "/v1/models" {
				modelsList(w, "default")
				return
			}
			writeChat(w, "OK")
		}, nil, 2},
		{"no models endpoint", "", func(n int, s seen, w http.ResponseWriter) {
			if s.Path == "/v1/models" {
				http.NotFound(w, nil)
				return
			}
			if s.Req.MaxCompletionTokens != 1 {
				writeError(w, 500, "want a one-token probe")
				return
			}
			writeChat(w, "OK")
		}, nil, 2},
		{"server error", "", func(n int, s seen, w http.ResponseWriter) { writeError(w, 500, "boom") },
			[]string{"HTTP 500", "boom"}, 4},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, c.reply, Config{APIKey: c.key})
			err := h.ans.Check(context.Background())
			if c.wantErr == nil {
				if err != nil {
					t.Fatalf("Check: %v", err)
				}
			} else {
				if err == nil {
					t.Fatal("Check succeeded, want an error")
				}
				msg := err.Error()
				for _, w := range c.wantErr {
					if !strings.Contains(msg, w) {
						t.Errorf("error %q lacks %q", msg, w)
					}
				}
				if strings.Contains(msg, "\n") {
					t.Errorf("error is not one line: %q", msg)
				}
				if c.key != "" && strings.Contains(msg, "secret") {
					t.Errorf("error leaks the key: %q", msg)
				}
			}
			if n := len(h.llm.requests()); n != c.wantN {
				t.Errorf("%d requests, want %d", n, c.wantN)
			}
		})
	}
}

func TestCheckUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	a, err := New(Config{BaseURL: url + "/v1", Model: "m", Timeout: 2 * time.Second, Retry: retryFast}, newSearcher(), &fakeFallback{}, bot.Linker{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = a.Check(context.Background())
	if err == nil || !strings.Contains(err.Error(), "cannot reach chat endpoint") || !strings.Contains(err.Error(), "OPENAI_BASE_URL") {
		t.Errorf("err = %v", err)
	}
}
