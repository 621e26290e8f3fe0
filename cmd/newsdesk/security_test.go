package main

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/newsdesk/newsdesk/bot"
	"github.com/newsdesk/newsdesk/corpus"
)

func TestAskJSONNeverCitesJavascriptURL(t *testing.T) {
	dir := writeCorpus(t, map[string]string{
		"bridge.json": `{"id":"bridge","title":"Harbor Bridge To Reopen","url":"javascript:alert(document.cookie)","body":` +
			`"Mayor Lena Ortiz said on Tuesday that the Harbor Bridge would reopen to traffic in March after repairs costing 14 million dollars."}`,
	})
	r := runCmd(t, nil, "", "ask", "--json", "--corpus", dir, "--index", t.TempDir(), "When will the Harbor Bridge reopen?")
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if strings.Contains(strings.ToLower(r.stdout), "javascript:") {
		t.Errorf("ask --json output carries the javascript: URL: %s", r.stdout)
	}
	if !strings.Contains(r.stdout, `"url": "newsdesk:bridge#p`) {
		t.Errorf("citation url is not the newsdesk: reference: %s", r.stdout)
	}
}

// hostile sequences: clipboard write, window title, a hidden link, clear
// screen, an 8-bit CSI and a bidi override.
var hostile = []string{"\x1b]52;", "\x1b]0;", "\x1b]8;;https://evil", "\x1b[2J", "\u009b", "\u202e"}

func hostileIn(s string) string {
	for _, h := range hostile {
		if strings.Contains(s, h) {
			return h
		}
	}
	return ""
}

const hostileBridge = "Harbor Bridge\x1b]0;pwned\x07 To Reopen In March\n\n" +
	"Mayor Lena Ortiz said on Tuesday\x1b]52;c;cm0gLXJmIH4=\x07 that the Harbor Bridge would reopen to traffic in March after repairs costing 14 million dollars.\x1b[2J\n\n" +
	"\"We owe the commuters of this city a safe crossing,\" Ortiz told reporters at \x1b]8;;https://evil.example/\x1b\\City Hall\x1b]8;;\x1b\\.\u009b2J\u202e\n"

func TestArticleEscapesNeverReachTheTerminal(t *testing.T) {
	dir := writeCorpus(t, map[string]string{"bridge.txt": hostileBridge, "storm.txt": testArticles["storm.txt"]})
	index := t.TempDir()
	r := runCmd(t, nil, "", "ask", "--corpus", dir, "--index", index, "When will the Harbor Bridge reopen?")
	if r.code != exitOK {
		t.Fatalf("ask: exit %d, stderr %q", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "Mayor Lena Ortiz said") {
		t.Fatalf("ask did not quote the article: %q", r.stdout)
	}
	if h := hostileIn(r.stdout + r.stderr); h != "" {
		t.Errorf("ask printed %q from the article: %q", h, r.stdout)
	}
	in := "When will the Harbor Bridge reopen?\n:open 1\n:open bridge\n:sources\n:quit\n"
	r = runCmd(t, nil, in, "repl", "--corpus", dir, "--index", index)
	if r.code != exitOK {
		t.Fatalf("repl: exit %d, stderr %q", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "> p0  Mayor Lena Ortiz said on Tuesday that") {
		t.Errorf(":open did not print the stripped paragraph, marked:\n%s", r.stdout)
	}
	if h := hostileIn(r.stdout + r.stderr); h != "" {
		t.Errorf("repl printed %q from the article:\n%q", h, r.stdout)
	}
}

func TestOwnEscapesSurviveStripping(t *testing.T) {
	art := &corpus.Article{
		ID: "bridge", Title: "Bridge\x1b]0;pwned\x07", URL: "https://example.com/bridge",
		Paragraphs: []string{"Ortiz said\x1b]52;c;eA==\x07 it would reopen.\x1b[2J", "Second\u202e."},
	}
	var b bytes.Buffer
	writeArticle(&b, art, openTarget{para: 0, quote: "it would reopen.", start: -1}, articleStyle{color: true, links: true})
	out := b.String()
	if h := hostileIn(out); h != "" {
		t.Errorf(":open printed %q: %q", h, out)
	}
	for _, want := range []string{"\x1b]8;;https://example.com/bridge\x1b\\", ansiBold + "Bridge" + ansiReset, ansiMark + "it would reopen." + ansiReset} {
		if !strings.Contains(out, want) {
			t.Errorf(":open output lacks its own escape %q: %q", want, out)
		}
	}

	a := &bot.Answer{Text: "The bridge reopens [1].\x1b]52;c;eA==\x07", Citations: []bot.Citation{{
		N: 1, ArticleID: "bridge", Source: "Daily\x1b[2J", Title: "T\u009b2J",
		URL: "https://example.com/bridge#:~:text=x", Quote: "it would reopen\x1b]0;x\x07.",
	}}}
	b.Reset()
	lv := &live{w: &b, tty: true, color: true, width: 80}
	lv.partial("streamed \x1b]52;c;eA==\x07 text")
	if err := lv.final(a, bot.TextStyle{Color: true, Hyperlinks: true}); err != nil {
		t.Fatal(err)
	}
	out = b.String()
	if h := hostileIn(out); h != "" {
		t.Errorf("answer printed %q: %q", h, out)
	}
	if !strings.Contains(out, "\x1b]8;;https://example.com/bridge#:~:text=x\x1b\\") || !strings.Contains(out, "“it would reopen.”") {
		t.Errorf("answer lacks its own hyperlink or the stripped quote: %q", out)
	}
}

func TestErrorTextIsStripped(t *testing.T) {
	var b bytes.Buffer
	exitCode(&b, "ask", errors.New("server said \x1b]52;c;eA==\x07 no\x1b[2J"))
	if h := hostileIn(b.String()); h != "" || !strings.Contains(b.String(), "server said no") {
		t.Errorf("exitCode printed %q", b.String())
	}
}

// echoKeyServer is an OpenAI-compatible server that rejects every call
// with an error body quoting the API key it was sent, as some proxies and
// local servers do. With listModel it lists model first, so start-up
// checks pass and the failure comes from the answer itself.
func echoKeyServer(t *testing.T, model string, listModel bool) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if listModel && strings.HasSuffix(r.URL.Path, "/models") {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"object":"list","data":[{"id":%q,"object":"model"}]}`, model)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprintf(w, `{"error":{"message":"upstream refused api-key %s for %s","type":"invalid_request_error"}}`, key, r.URL.Path)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestSecretsNeverPrinted(t *testing.T) {
	const key = "azure-7d1e0c94b2a84f5e9c3b" // no sk- prefix
	dir := writeCorpus(t, testArticles)
	for _, tc := range []struct {
		name   string
		listed bool
		args   []string
	}{
		{"answer fails, WARN fallback", true, []string{"ask", "-v", "--json", "--answerer", "llm", "--corpus", dir, "When will the Harbor Bridge reopen?"}},
		{"start-up check fails", false, []string{"ask", "--json", "--corpus", dir, "When will the Harbor Bridge reopen?"}},
		{"explicit llm, check fails", false, []string{"ask", "--answerer", "llm", "--corpus", dir, "When will the Harbor Bridge reopen?"}},
		{"ingest embeddings fail", false, []string{"ingest", "-v", "--embedder", "openai", dir}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := echoKeyServer(t, "fake-model", tc.listed)
			vars := map[string]string{
				"OPENAI_BASE_URL": srv.URL + "/v1", "OPENAI_API_KEY": key, envChatModel: "fake-model",
				"SLACK_BOT_TOKEN": "bot-token-value-123",
			}
			args := append([]string{tc.args[0], "--index", t.TempDir()}, tc.args[1:]...)
			r := runCmd(t, vars, "", args...)
			out := r.stdout + r.stderr
			if !strings.Contains(out, "upstream refused") && !strings.Contains(out, "[redacted]") {
				t.Logf("note: the server's message was not printed at all: %q", r.stderr)
			}
			if strings.Contains(out, key) || strings.Contains(out, "7d1e0c94") {
				t.Errorf("exit %d: the API key was printed:\n%s", r.code, r.stderr)
			}
		})
	}
}
