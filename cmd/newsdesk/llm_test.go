package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
)

// fakeChat is a loopback OpenAI-compatible chat server. It answers a
// question by quoting the first passage that contains quote, and a
// follow-up rewrite with standalone.
type fakeChat struct {
	quote      string
	standalone string
	status     int // when non-zero, every request fails with it
	answers    atomic.Int64
	rewrites   atomic.Int64
	streams    atomic.Int64
}

var passageRE = regexp.MustCompile(`(?s)<passage n="(\d+)"[^>]*>(.*?)</passage>`)

func (f *fakeChat) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if f.status != 0 {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(f.status)
		fmt.Fprintf(w, `{"error":{"message":"fake failure","type":"invalid_request_error"}}`)
		return
	}
	switch {
	case strings.HasSuffix(r.URL.Path, "/models"):
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"object":"list","data":[{"id":"fake-model","object":"model","owned_by":"test"}]}`)
		return
	case !strings.HasSuffix(r.URL.Path, "/chat/completions"):
		http.NotFound(w, r)
		return
	}
	var req struct {
		Stream   bool `json:"stream"`
		Messages []struct {
			Role    string `json:"role"`
			Content string `json:"content"`
		} `json:"messages"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	user := req.Messages[len(req.Messages)-1].Content
	var content string
	if strings.Contains(user, "<conversation>") {
		f.rewrites.Add(1)
		content = f.standalone
	} else {
		f.answers.Add(1)
		n := 0
		for _, m := range passageRE.FindAllStringSubmatch(user, -1) {
			if strings.Contains(m[2], f.quote) {
				fmt.Sscan(m[1], &n)
				break
			}
		}
		rep := map[string]any{"answer": "It reopens in March [1].", "abstain": false,
			"citations": []map[string]any{{"n": n, "quote": f.quote}}}
		if n == 0 {
			rep = map[string]any{"answer": "", "abstain": true, "citations": []any{}}
		}
		b, _ := json.Marshal(rep)
		content = string(b)
	}
	if req.Stream {
		f.streams.Add(1)
		w.Header().Set("Content-Type", "text/event-stream")
		for i := 0; i < len(content); i += 7 {
			part := content[i:min(i+7, len(content))]
			chunk, _ := json.Marshal(map[string]any{"id": "c", "object": "chat.completion.chunk", "model": "fake-model",
				"choices": []map[string]any{{"index": 0, "delta": map[string]string{"content": part}}}})
			fmt.Fprintf(w, "data: %s\n\n", chunk)
		}
		io.WriteString(w, "data: [DONE]\n\n")
		return
	}
	resp, _ := json.Marshal(map[string]any{"id": "c", "object": "chat.completion", "model": "fake-model",
		"choices": []map[string]any{{"index": 0, "finish_reason": "stop",
			"message": map[string]string{"role": "assistant", "content": content}}}})
	w.Header().Set("Content-Type", "application/json")
	w.Write(resp)
}

const bridgeQuote = "Mayor Lena Ortiz said on Tuesday that the Harbor Bridge would reopen to traffic in March after repairs costing 14 million dollars."

func TestLLMAnswerer(t *testing.T) {
	f := &fakeChat{quote: bridgeQuote, standalone: "What did Mayor Lena Ortiz say about the Harbor Bridge?"}
	srv := httptest.NewServer(f)
	defer srv.Close()
	dir := writeCorpus(t, testArticles)
	index := t.TempDir()
	// NEWSDESK_CHAT_MODEL alone selects the LLM answerer.
	vars := map[string]string{"OPENAI_BASE_URL": srv.URL + "/v1", envChatModel: "fake-model"}
	r := runCmd(t, vars, "", "ask", "--json", "--corpus", dir, "--index", index, "When will the Harbor Bridge reopen?")
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	var a jsonAnswer
	if err := json.Unmarshal([]byte(r.stdout), &a); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if a.Mode != "llm" || len(a.Citations) != 1 || a.Citations[0].Quote != bridgeQuote {
		t.Errorf("answer = %+v\nstderr %q", a, r.stderr)
	}
	if f.answers.Load() == 0 {
		t.Error("the chat server was not asked")
	}
	// --answerer extractive overrides the environment.
	before := f.answers.Load()
	r = runCmd(t, vars, "", "ask", "--json", "--answerer", "extractive", "--corpus", dir, "--index", index, "When will the Harbor Bridge reopen?")
	if r.code != exitOK || !strings.Contains(r.stdout, `"mode": "extractive"`) || f.answers.Load() != before {
		t.Errorf("--answerer extractive: exit %d, %s", r.code, r.stdout)
	}
	// The piped REPL rewrites follow-ups with the LLM rewriter and shows
	// the standalone query on stderr.
	r = runCmd(t, vars, "When will the Harbor Bridge reopen?\nand what did she say?\n", "repl", "--corpus", dir, "--index", index)
	if r.code != exitOK {
		t.Fatalf("repl: exit %d, stderr %q", r.code, r.stderr)
	}
	if f.rewrites.Load() == 0 || !strings.Contains(r.stderr, "searching for: "+f.standalone) {
		t.Errorf("follow-up not rewritten by the LLM: stderr %q", r.stderr)
	}
	if f.streams.Load() != 0 {
		t.Error("streamed into a pipe")
	}
}

func TestLLMUnavailableFallsBack(t *testing.T) {
	f := &fakeChat{status: http.StatusUnauthorized}
	srv := httptest.NewServer(f)
	defer srv.Close()
	dir := writeCorpus(t, testArticles)
	vars := map[string]string{"OPENAI_BASE_URL": srv.URL + "/v1", envChatModel: "fake-model", envAnswerer: "llm", "OPENAI_API_KEY": "sk-test-secret-key"}
	r := runCmd(t, vars, "", "ask", "--json", "--corpus", dir, "--index", t.TempDir(), "When will the Harbor Bridge reopen?")
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "warning: LLM unavailable") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Errorf("want one warning line, got %q", r.stderr)
	}
	if strings.Contains(r.stderr, "sk-test-secret-key") {
		t.Error("the API key was printed")
	}
	if !strings.Contains(r.stdout, `"mode": "extractive"`) || !strings.Contains(r.stdout, "March") {
		t.Errorf("no extractive answer: %s", r.stdout)
	}
}

func TestLLMImplicitMisconfiguredFallsBack(t *testing.T) {
	dir := writeCorpus(t, testArticles)
	// A chat model but no key for api.openai.com: not explicit, so a warning.
	r := runCmd(t, map[string]string{envChatModel: "gpt-4o-mini"}, "", "ask", "--json", "--corpus", dir, "--index", t.TempDir(), "When will the Harbor Bridge reopen?")
	if r.code != exitOK || !strings.Contains(r.stderr, "OPENAI_API_KEY") || !strings.Contains(r.stdout, `"mode": "extractive"`) {
		t.Errorf("exit %d, stdout %s, stderr %q", r.code, r.stdout, r.stderr)
	}
}
