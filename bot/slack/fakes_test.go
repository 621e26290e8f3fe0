package slack

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/newsdesk/newsdesk/bot"
	"github.com/newsdesk/newsdesk/corpus"
	"github.com/newsdesk/newsdesk/retrieval"
)

const (
	testBotToken = "xoxb-test-0000-secret-bot-token"
	testAppToken = "xapp-1-test-secret-app-token"
	testSecret   = "8f742231b10e8888abcd99yyyzzz85a5"
	testBotUser  = "UBOT"
	testBotID    = "BBOT"
	testPublic   = "https://newsdesk.example.org"
)

// waitTimeout bounds every wait for asynchronous work in these tests. It
// is a failure deadline, not a performance assertion.
const waitTimeout = 10 * time.Second

// apiCall is one request seen by the fake Web API.
type apiCall struct {
	Method string
	Form   url.Values     // form-encoded Web API calls
	JSON   map[string]any // response_url posts
	At     int            // sequence number
}

// blocks decodes the blocks of a call (form field or JSON body).
func (c apiCall) blocks(t testing.TB) []any {
	t.Helper()
	if c.JSON != nil {
		b, _ := c.JSON["blocks"].([]any)
		return b
	}
	raw := c.Form.Get("blocks")
	if raw == "" {
		return nil
	}
	var b []any
	if err := json.Unmarshal([]byte(raw), &b); err != nil {
		t.Fatalf("%s: blocks are not JSON: %v", c.Method, err)
	}
	return b
}

// texts returns every "text" string in the call's blocks plus its
// top-level text, as Slack would read them. A rich_text block is one
// string, as Slack shows it: its elements' texts run together, a link as
// "[text](url)".
func (c apiCall) texts(t testing.TB) []string {
	t.Helper()
	return walkTexts(c.blocks(t), c.text(), true)
}

// markupTexts is texts without rich_text blocks: the strings Slack reads
// as mrkdwn (or plain_text), which must be escaped.
func (c apiCall) markupTexts(t testing.TB) []string {
	t.Helper()
	return walkTexts(c.blocks(t), c.text(), false)
}

// richPlain renders a rich_text block (or element) as Slack shows it.
func richPlain(v any) string {
	var b strings.Builder
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			switch x["type"] {
			case "text":
				s, _ := x["text"].(string)
				b.WriteString(s)
				return
			case "link":
				s, _ := x["text"].(string)
				u, _ := x["url"].(string)
				fmt.Fprintf(&b, "[%s](%s)", s, u)
				return
			case "rich_text_quote":
				b.WriteString("\n> ")
				walk(x["elements"])
				b.WriteString("\n")
				return
			case "rich_text_section":
				walk(x["elements"])
				b.WriteString("\n")
				return
			}
			walk(x["elements"])
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return strings.TrimRight(b.String(), "\n")
}

func walkTexts(blocks []any, top string, rich bool) []string {
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if x["type"] == "rich_text" {
				if rich {
					out = append(out, richPlain(x))
				}
				return
			}
			for k, e := range x {
				if s, ok := e.(string); ok && k == "text" {
					out = append(out, s)
				} else {
					walk(e)
				}
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(blocks)
	return append(out, top)
}

func (c apiCall) text() string {
	if c.JSON != nil {
		s, _ := c.JSON["text"].(string)
		return s
	}
	return c.Form.Get("text")
}

// allText joins texts for substring checks.
func (c apiCall) allText(t *testing.T) string { return strings.Join(c.texts(t), "\n") }

// fakeAPI is a loopback Slack Web API that records calls.
type fakeAPI struct {
	srv *httptest.Server

	mu        sync.Mutex
	calls     []apiCall
	seq       int
	ts        int
	wsURL     string
	replies   []map[string]any
	rateLimit map[string]int    // method -> 429s still to return
	fail      map[string]string // method -> Slack error code it returns (the call is not recorded)
	failed    []apiCall         // calls answered with an error from fail
	connErr   string            // apps.connections.open error code
	changed   chan struct{}
}

func newFakeAPI(t *testing.T) *fakeAPI {
	f := &fakeAPI{rateLimit: map[string]int{}, fail: map[string]string{}, changed: make(chan struct{}, 1)}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) URL() string { return f.srv.URL + "/" }

func (f *fakeAPI) responseURL(n int) string { return f.srv.URL + "/response/" + strconv.Itoa(n) }

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	method := strings.TrimPrefix(r.URL.Path, "/")
	call := apiCall{Method: method}
	if strings.HasPrefix(method, "response/") {
		call.JSON = map[string]any{}
		_ = json.Unmarshal(body, &call.JSON)
		call.Method = "response_url"
		call.Form = url.Values{"url": {method}}
	} else if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		// views.open and other JSON methods (slacktest has no views.open).
		call.JSON = map[string]any{}
		_ = json.Unmarshal(body, &call.JSON)
		call.Form = url.Values{}
	} else {
		call.Form, _ = url.ParseQuery(string(body))
	}
	token := call.Form.Get("token")
	if token == "" {
		token = strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	}

	f.mu.Lock()
	if n := f.rateLimit[call.Method]; n > 0 {
		f.rateLimit[call.Method] = n - 1
		f.mu.Unlock()
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	f.seq++
	call.At = f.seq
	if code := f.fail[call.Method]; code != "" {
		f.failed = append(f.failed, call)
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if call.Method == "response_url" {
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, code)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": code})
		return
	}
	f.calls = append(f.calls, call)
	f.ts++
	ts := fmt.Sprintf("1700000000.%06d", f.ts)
	wsURL, replies, connErr := f.wsURL, f.replies, f.connErr
	f.mu.Unlock()
	select {
	case f.changed <- struct{}{}:
	default:
	}

	reply := func(v map[string]any) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
	switch call.Method {
	case "auth.test":
		if token != testBotToken {
			reply(map[string]any{"ok": false, "error": "invalid_auth"})
			return
		}
		reply(map[string]any{"ok": true, "user_id": testBotUser, "bot_id": testBotID, "team": "Newsroom", "team_id": "T1", "user": "newsdesk"})
	case "apps.connections.open":
		if connErr != "" {
			reply(map[string]any{"ok": false, "error": connErr})
			return
		}
		if token != testAppToken {
			reply(map[string]any{"ok": false, "error": "invalid_auth"})
			return
		}
		reply(map[string]any{"ok": true, "url": wsURL})
	case "chat.postMessage":
		reply(map[string]any{"ok": true, "channel": call.Form.Get("channel"), "ts": ts})
	case "chat.update":
		reply(map[string]any{"ok": true, "channel": call.Form.Get("channel"), "ts": call.Form.Get("ts")})
	case "chat.delete":
		reply(map[string]any{"ok": true, "channel": call.Form.Get("channel"), "ts": call.Form.Get("ts")})
	case "chat.postEphemeral":
		reply(map[string]any{"ok": true, "message_ts": ts})
	case "conversations.replies":
		reply(map[string]any{"ok": true, "messages": replies, "has_more": false})
	case "response_url":
		reply(map[string]any{"ok": true})
	case "views.open":
		if token != testBotToken {
			reply(map[string]any{"ok": false, "error": "invalid_auth"})
			return
		}
		if tid, _ := call.JSON["trigger_id"].(string); tid == "" {
			reply(map[string]any{"ok": false, "error": "invalid_trigger_id"})
			return
		}
		reply(map[string]any{"ok": true, "view": map[string]any{"id": "V1", "type": "modal"}})
	default:
		reply(map[string]any{"ok": false, "error": "unknown_method"})
	}
}

// Calls returns the recorded calls of method ("" = all).
func (f *fakeAPI) Calls(method string) []apiCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []apiCall
	for _, c := range f.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// waitFor waits until a call of method satisfying ok was recorded.
func (f *fakeAPI) waitFor(t *testing.T, method string, ok func(apiCall) bool) apiCall {
	t.Helper()
	deadline := time.After(waitTimeout)
	for {
		for _, c := range f.Calls(method) {
			if ok == nil || ok(c) {
				return c
			}
		}
		select {
		case <-f.changed:
		case <-time.After(5 * time.Millisecond):
		case <-deadline:
			t.Fatalf("timed out waiting for %s; calls: %v", method, f.methods())
		}
	}
}

// Failed returns the calls of method answered with an error from fail.
func (f *fakeAPI) Failed(method string) []apiCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []apiCall
	for _, c := range f.failed {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

func (f *fakeAPI) methods() []string {
	var m []string
	for _, c := range f.Calls("") {
		m = append(m, c.Method)
	}
	return m
}

// fakeAnswerer returns a fixed answer and records requests.
type fakeAnswerer struct {
	mu      sync.Mutex
	reqs    []bot.Request
	answer  *bot.Answer
	err     error
	release chan struct{} // when set, Answer waits for it
	started chan struct{} // when set, receives one value per call
	partial func(req bot.Request)
}

func (f *fakeAnswerer) Answer(ctx context.Context, req bot.Request) (*bot.Answer, error) {
	f.mu.Lock()
	f.reqs = append(f.reqs, req)
	release, started, partial := f.release, f.started, f.partial
	f.mu.Unlock()
	if started != nil {
		started <- struct{}{}
	}
	if partial != nil {
		partial(req)
	}
	if release != nil {
		select {
		case <-release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if f.err != nil {
		return nil, f.err
	}
	a := *f.answer
	a.Question = req.Question
	return &a, nil
}

func (f *fakeAnswerer) requests() []bot.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]bot.Request(nil), f.reqs...)
}

// fakeRewriter prefixes follow-ups with the previous question.
type fakeRewriter struct {
	mu    sync.Mutex
	calls [][]bot.Turn
}

func (r *fakeRewriter) Standalone(_ context.Context, q string, h []bot.Turn) (string, error) {
	r.mu.Lock()
	r.calls = append(r.calls, h)
	r.mu.Unlock()
	if len(h) == 0 {
		return q, nil
	}
	return h[len(h)-1].Question + " — " + q, nil
}

// fakeSearcher serves a few articles.
type fakeSearcher struct{ arts []*corpus.Article }

func (s *fakeSearcher) Search(context.Context, string, int) ([]retrieval.Hit, error) {
	return nil, errors.New("not used")
}
func (s *fakeSearcher) Articles() []*corpus.Article { return s.arts }
func (s *fakeSearcher) Article(id string) *corpus.Article {
	for _, a := range s.arts {
		if a.ID == id {
			return a
		}
	}
	return nil
}

func testSearcher() *fakeSearcher {
	return &fakeSearcher{arts: []*corpus.Article{
		{ID: "a1", Title: "Bridge reopens", Source: "Daily Planet", URL: "https://example.com/a1",
			Published:  time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC),
			Paragraphs: []string{"The bridge reopened on Monday, the mayor said.", "Traffic was light."}},
		{ID: "a2", Title: "Gazette report", Source: "Gazette", Paragraphs: []string{"The bridge reopened on Monday, the mayor said."}},
		{ID: "a3", Title: "Herald <script>alert(1)</script>", Source: "Herald",
			Paragraphs: []string{"First paragraph.", "Second <b>bold</b> paragraph.", "Attention <!channel> & <b>everyone</b>: traffic resumed."}},
	}}
}

// sampleAnswer has two citations; the second quote contains Slack and
// HTML markup that must be shown, not interpreted.
func sampleAnswer() *bot.Answer {
	return &bot.Answer{
		Text: "Officials said the bridge reopened. [1] [2]",
		Lead: "Officials said the bridge reopened on Monday.",
		Mode: bot.ModeExtractive,
		Citations: []bot.Citation{
			{N: 1, ArticleID: "a1", Title: "Bridge reopens", Source: "Daily Planet", Published: "2024-05-01",
				URL: "https://example.com/a1#:~:text=bridge", Quote: "The bridge reopened on Monday, the mayor said.",
				Speaker: "the mayor", ArticleURL: "https://example.com/a1",
				AlsoReportedBy: []bot.Ref{{ArticleID: "a2", Source: "Gazette", Published: "2024-05-02", URL: "https://gazette.example/a2"}}},
			{N: 2, ArticleID: "a3", Source: "Herald", Published: "2024-05-03", URL: "newsdesk:a3#p2", Para: 2,
				Quote: "Attention <!channel> & <b>everyone</b>: traffic resumed."},
		},
		Notes: []string{"Answered from 2 articles."},
	}
}

// syncBuffer is a goroutine-safe log sink.
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

type harness struct {
	t    *testing.T
	api  *fakeAPI
	ans  *fakeAnswerer
	rw   *fakeRewriter
	srv  *Server
	logs *syncBuffer
}

func newHarness(t *testing.T, mod func(*Config)) *harness {
	t.Helper()
	h := &harness{t: t, api: newFakeAPI(t), ans: &fakeAnswerer{answer: sampleAnswer()}, rw: &fakeRewriter{}, logs: &syncBuffer{}}
	cfg := Config{
		BotToken:      testBotToken,
		SigningSecret: testSecret,
		APIURL:        h.api.URL(),
		PublicURL:     testPublic,
		RatePerUser:   100,
		RateWindow:    time.Minute,
		AnswerTimeout: waitTimeout,
		DrainTimeout:  waitTimeout,
	}
	if mod != nil {
		mod(&cfg)
	}
	log := slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, err := New(cfg, h.ans, h.rw, testSearcher(), log)
	if err != nil {
		t.Fatal(err)
	}
	srv.streamEvery = 5 * time.Millisecond
	h.srv = srv
	t.Cleanup(func() {
		srv.wg.Wait()
		if strings.Contains(h.logs.String(), testBotToken) || strings.Contains(h.logs.String(), testAppToken) {
			t.Error("a token was logged")
		}
	})
	return h
}

// idle waits for every spawned task to finish.
func (h *harness) idle() { h.srv.wg.Wait() }

func sign(req *http.Request, body string, ts time.Time, secret string) {
	sts := strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:%s", sts, body)
	req.Header.Set("X-Slack-Request-Timestamp", sts)
	req.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
}

// post sends a signed request to the handler and returns the response.
func (h *harness) post(path, contentType, body string, hdr map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	sign(req, body, time.Now(), testSecret)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.srv.Handler().ServeHTTP(rec, req)
	return rec
}

func (h *harness) event(eventID string, inner map[string]any, hdr map[string]string) *httptest.ResponseRecorder {
	h.t.Helper()
	body, _ := json.Marshal(map[string]any{
		"token": "x", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
		"event_id": eventID, "event_time": 1700000000, "event": inner,
	})
	rec := h.post("/slack/events", "application/json", string(body), hdr)
	if rec.Code != http.StatusOK {
		h.t.Fatalf("event %s: status %d: %s", eventID, rec.Code, rec.Body)
	}
	return rec
}

func mentionEvent(channel, user, ts, threadTS, text string) map[string]any {
	e := map[string]any{"type": "app_mention", "channel": channel, "user": user, "ts": ts, "event_ts": ts, "text": text}
	if threadTS != "" {
		e["thread_ts"] = threadTS
	}
	return e
}

func messageEvent(channel, channelType, user, ts, threadTS, text string) map[string]any {
	e := map[string]any{"type": "message", "channel": channel, "channel_type": channelType, "user": user, "ts": ts, "event_ts": ts, "text": text}
	if threadTS != "" {
		e["thread_ts"] = threadTS
	}
	return e
}

func (h *harness) interaction(payload map[string]any) *httptest.ResponseRecorder {
	h.t.Helper()
	p, _ := json.Marshal(payload)
	rec := h.post("/slack/interactions", "application/x-www-form-urlencoded", url.Values{"payload": {string(p)}}.Encode(), nil)
	if rec.Code != http.StatusOK {
		h.t.Fatalf("interaction: status %d: %s", rec.Code, rec.Body)
	}
	return rec
}

func blockAction(user, channel, actionID, value, actionTS, responseURL string) map[string]any {
	return map[string]any{
		"type":         "block_actions",
		"user":         map[string]any{"id": user},
		"channel":      map[string]any{"id": channel},
		"container":    map[string]any{"type": "message", "channel_id": channel, "message_ts": "1700000000.000002"},
		"response_url": responseURL,
		"trigger_id":   "trig-" + actionTS,
		"message":      map[string]any{"text": "the answer as posted", "ts": "1700000000.000002"},
		"actions": []any{map[string]any{
			"action_id": actionID, "block_id": actionsBlockID, "type": "button", "value": value, "action_ts": actionTS,
		}},
	}
}

// buttonValue finds the value of the button actionID in a call's blocks.
func buttonValue(t *testing.T, c apiCall, actionID string) string {
	t.Helper()
	for _, b := range c.blocks(t) {
		m, _ := b.(map[string]any)
		els, _ := m["elements"].([]any)
		for _, e := range els {
			em, _ := e.(map[string]any)
			if em["action_id"] == actionID {
				v, _ := em["value"].(string)
				return v
			}
		}
	}
	t.Fatalf("%s: no %s button", c.Method, actionID)
	return ""
}

// fakeSocket is a Socket Mode WebSocket endpoint: it sends hello, keeps
// the client alive with PINGs, delivers envelopes and collects acks.
type fakeSocket struct {
	srv  *httptest.Server
	send chan []byte
	acks chan map[string]any

	mu    sync.Mutex
	conns []*websocket.Conn
}

func newFakeSocket(t *testing.T) *fakeSocket {
	fs := &fakeSocket{send: make(chan []byte, 16), acks: make(chan map[string]any, 16)}
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }} // slack-go sends Origin: https://api.slack.com
	fs.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		fs.mu.Lock()
		fs.conns = append(fs.conns, conn)
		fs.mu.Unlock()
		done := make(chan struct{})
		defer close(done)
		go func() { // pings: without them the client reconnects
			tk := time.NewTicker(20 * time.Millisecond)
			defer tk.Stop()
			for {
				select {
				case <-done:
					return
				case <-tk.C:
					if conn.WriteControl(websocket.PingMessage, []byte("p"), time.Now().Add(time.Second)) != nil {
						return
					}
				}
			}
		}()
		go func() { // the only writer of data frames
			if conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"hello","num_connections":1,"connection_info":{"app_id":"A1"}}`)) != nil {
				return
			}
			for {
				select {
				case <-done:
					return
				case m := <-fs.send:
					if conn.WriteMessage(websocket.TextMessage, m) != nil {
						return
					}
				}
			}
		}()
		for {
			_, data, err := conn.ReadMessage()
			if err != nil {
				return
			}
			var ack map[string]any
			if json.Unmarshal(data, &ack) == nil {
				fs.acks <- ack
			}
		}
	}))
	t.Cleanup(func() {
		fs.mu.Lock()
		for _, c := range fs.conns {
			c.Close()
		}
		fs.mu.Unlock()
		fs.srv.Close()
	})
	return fs
}

func (fs *fakeSocket) wsURL() string { return "ws" + strings.TrimPrefix(fs.srv.URL, "http") + "/link" }

// deliver sends an envelope and returns the client's ack for it.
func (fs *fakeSocket) deliver(t *testing.T, envType, envelopeID string, payload any) map[string]any {
	t.Helper()
	b, _ := json.Marshal(map[string]any{
		"type": envType, "envelope_id": envelopeID, "payload": payload, "accepts_response_payload": envType != "events_api",
	})
	fs.send <- b
	deadline := time.After(waitTimeout)
	for {
		select {
		case ack := <-fs.acks:
			if ack["envelope_id"] == envelopeID {
				return ack
			}
		case <-deadline:
			t.Fatalf("no ack for envelope %s", envelopeID)
		}
	}
}
