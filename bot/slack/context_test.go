package slack

import (
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/newsdesk/newsdesk/bot"
	"github.com/newsdesk/newsdesk/corpus"
)

var update = flag.Bool("update", false, "rewrite the Block Kit golden files in testdata/blockkit")

// golden compares v, as indented JSON, with testdata/blockkit/name.json.
func golden(t *testing.T, name string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	path := filepath.Join("testdata", "blockkit", name+".json")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update ./bot/slack)", err, t.Name())
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from %s (go test -update rewrites it):\n%s", name, path, got)
	}
}

// answerWithLine is an extractive answer as the answerer now writes it:
// a short answer line, then the summary line, then the quotes.
func answerWithLine() *bot.Answer {
	a := sampleAnswer()
	a.Lead = "The mayor [1] and the Herald [2].\n2 quotes from 2 outlets (Daily Planet, Herald):"
	a.Citations[1].Title = "Traffic resumes after bridge works"
	return a
}

func TestGoldenAnswerWithHeadlineAndAnswerLine(t *testing.T) {
	msgs := renderAnswer(answerWithLine(), renderOpts{AnswerID: "ans1", PublicURL: testPublic})
	checkLimits(t, msgs)
	checkMarkup(t, msgs)
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	golden(t, "answer", msgs[0])
	all := strings.Join(renderedTexts(t, msgs[0]), "\n")
	for _, want := range []string{
		"The mayor [1] and the Herald [2].",
		"[1] “The bridge reopened on Monday, the mayor said.” — the mayor\n[Bridge reopens · Daily Planet · 2024-05-01](https://example.com/a1#:~:text=bridge)",
		"[2] “Attention <!channel> & <b>everyone</b>: traffic resumed.”\n[Traffic resumes after bridge works · Herald · 2024-05-03](",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("answer lacks %q:\n%s", want, all)
		}
	}
	// The fallback text names the source after the quote, not as a speaker.
	if want := "[2] “Attention &lt;!channel&gt; &amp; &lt;b&gt;everyone&lt;/b&gt;: traffic resumed.” (Traffic resumes after bridge works, Herald, 2024-05-03)"; !strings.Contains(msgs[0].Text, want) {
		t.Errorf("fallback text %q lacks %q", msgs[0].Text, want)
	}
}

func TestGoldenOverlongAnswerSplit(t *testing.T) {
	a := &bot.Answer{Lead: "Many reports.", Mode: bot.ModeExtractive}
	for i := 1; i <= 14; i++ {
		a.Citations = append(a.Citations, bot.Citation{
			N: i, ArticleID: "a1", Title: "Headline", Source: "Outlet", Published: "2024-01-02",
			URL: "https://example.com/x", Quote: strings.Repeat("A long quoted sentence about the bridge. ", 60),
		})
	}
	msgs := renderAnswer(a, renderOpts{AnswerID: "ans2"})
	checkLimits(t, msgs)
	if len(msgs) < 2 {
		t.Fatalf("overlong answer in %d message", len(msgs))
	}
	golden(t, "overlong", msgs)
}

func TestGoldenHostileMrkdwnInQuote(t *testing.T) {
	hostile := "*Not bold* _not italic_ ~not struck~ `not code` <!here> <@U123> <https://evil.example|click> &amp;"
	a := &bot.Answer{Lead: "Answer *line*.", Mode: bot.ModeExtractive, Citations: []bot.Citation{{
		N: 1, ArticleID: "a1", Title: "*Headline*", Source: "_Outlet_", Published: "2024-01-02",
		URL: "https://example.com/a1", Quote: hostile, Speaker: "~Speaker~",
	}}}
	msgs := renderAnswer(a, renderOpts{AnswerID: "ans3"})
	checkLimits(t, msgs)
	checkMarkup(t, msgs)
	golden(t, "hostile", msgs[0])
	// The quote is one literal text element: copied, it is the article's
	// text exactly, with no escapes or invisible characters added.
	raw, _ := json.Marshal(msgs[0].Blocks)
	if !strings.Contains(string(raw), `"text":"“`+jsonText(hostile)+`”"`) {
		t.Errorf("quote not one literal text element:\n%s", raw)
	}
	if strings.ContainsAny(string(raw), "\u200b\u200c\u200d\u2060") {
		t.Errorf("invisible characters added:\n%s", raw)
	}
}

// jsonText is s as encoding/json writes it inside a string.
func jsonText(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

func TestGoldenContextModal(t *testing.T) {
	art := &corpus.Article{ID: "a3", Title: "Traffic resumes", Source: "Herald", Byline: "Ann Reporter",
		Paragraphs: []string{"First paragraph.", "The bridge *reopened* on Monday, the mayor said. Traffic was light.", "Last <b>one</b>."}}
	c := bot.Citation{N: 2, ArticleID: "a3", Para: 1, Quote: "The bridge *reopened* on Monday, the mayor said."}
	v := contextView(c, art, testPublic)
	golden(t, "context_modal", v)
	raw, _ := json.Marshal(v)
	var m any
	_ = json.Unmarshal(raw, &m)
	checkRichElements(t, []any{m})
	plainText := richPlain(m.(map[string]any)["blocks"])
	for _, want := range []string{"First paragraph.", "> The bridge *reopened* on Monday, the mayor said. Traffic was light.", "Last <b>one</b>.", "[Read it in Newsdesk](" + testPublic + "/articles/a3?hl="} {
		if !strings.Contains(plainText, want) {
			t.Errorf("modal lacks %q:\n%s", want, plainText)
		}
	}
	if !strings.Contains(string(raw), `{"type":"text","text":"The bridge *reopened* on Monday, the mayor said.","style":{"bold":true}}`) {
		t.Errorf("quote not bold in the modal:\n%s", raw)
	}
	// Without a public URL and without an article URL: no link, a note.
	v = contextView(c, art, "")
	raw, _ = json.Marshal(v)
	if strings.Contains(string(raw), `"type":"link"`) || !strings.Contains(string(raw), "without a web address") {
		t.Errorf("modal without links:\n%s", raw)
	}
	// A withdrawn article: the modal says so.
	raw, _ = json.Marshal(contextView(c, nil, ""))
	if !strings.Contains(string(raw), "no longer in the archive") {
		t.Errorf("withdrawn article modal:\n%s", raw)
	}
}

func TestContextValueRoundTrip(t *testing.T) {
	c := bot.Citation{N: 3, Para: 7, ArticleID: "id|with|bars"}
	ref, ok := parseContextValue(contextValue("ans", c))
	if !ok || ref != (contextRef{AnswerID: "ans", N: 3, Para: 7, ArticleID: "id|with|bars"}) {
		t.Errorf("round trip: %+v %v", ref, ok)
	}
	for _, bad := range []string{"", "a|b|c|d", "a|1", "a|-1|0|x"} {
		if _, ok := parseContextValue(bad); ok {
			t.Errorf("%q parsed", bad)
		}
	}
}

// TestSocketModeContextOpensModal clicks a citation's Context button over
// Socket Mode (no HTTP, no public URL): views.open gets a modal with the
// quoted paragraph.
func TestSocketModeContextOpensModal(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.AppToken = testAppToken; c.SigningSecret = ""; c.PublicURL = "" })
	sock := newFakeSocket(t)
	h.api.wsURL = sock.wsURL()
	ctx, cancel := context.WithCancel(context.Background())
	runErr := make(chan error, 1)
	go func() { runErr <- h.srv.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-runErr; err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	ev := map[string]any{"type": "event_callback", "event_id": "EvC1", "event": messageEvent("D1", "im", "U1", "500.000001", "", "what about traffic?")}
	sock.deliver(t, "events_api", "env-c1", ev)
	upd := h.api.waitFor(t, "chat.update", func(c apiCall) bool { return c.Form.Get("channel") == "D1" })
	value := buttonValue(t, upd, actionContextPrefix+"1") // citation [2], article a3 paragraph 2

	click := blockAction("U1", "D1", actionContextPrefix+"1", value, "1700000500.000001", h.api.responseURL(7))
	sock.deliver(t, "interactive", "env-c2", click)
	call := h.api.waitFor(t, "views.open", nil)
	if call.JSON["trigger_id"] != "trig-1700000500.000001" {
		t.Errorf("views.open trigger_id = %v", call.JSON["trigger_id"])
	}
	view, _ := call.JSON["view"].(map[string]any)
	if view["type"] != "modal" {
		t.Fatalf("view = %v", view)
	}
	text := richPlain(view["blocks"])
	for _, want := range []string{"Herald <script>alert(1)</script>", "Second <b>bold</b> paragraph.", "> Attention <!channel> & <b>everyone</b>: traffic resumed."} {
		if !strings.Contains(text, want) && !strings.Contains(mustJSON(view), jsonText(want)) {
			t.Errorf("modal lacks %q:\n%s", want, text)
		}
	}
	h.idle()
	if m := h.metrics(); !strings.Contains(m, "newsdesk_slack_context_views_total 1") {
		t.Errorf("context view not counted")
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// memFeedback is an in-memory FeedbackStore.
type memFeedback struct {
	mu   sync.Mutex
	recs []FeedbackRecord
}

func (m *memFeedback) AddFeedback(r FeedbackRecord) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.recs = append(m.recs, r)
	return nil
}

// TestFeedbackRecordedInStoreWithoutLog: with no JSONL log configured the
// click still reaches the durable store, and the user is thanked.
func TestFeedbackRecordedInStoreWithoutLog(t *testing.T) {
	store := &memFeedback{}
	h := newHarness(t, func(c *Config) { c.Feedback = store })
	h.event("Ev1", mentionEvent("C1", "U1", "100.000001", "", "<@UBOT> what happened to the bridge?"), nil)
	upd := h.api.waitFor(t, "chat.update", nil)
	h.idle()
	id := buttonValue(t, upd, actionFeedbackUp)
	h.interaction(blockAction("U7", "C1", actionFeedbackUp, id, "1700000200.000001", h.api.responseURL(3)))
	h.idle()
	store.mu.Lock()
	defer store.mu.Unlock()
	if len(store.recs) != 1 || store.recs[0].Vote != "up" || store.recs[0].Question != "what happened to the bridge?" {
		t.Fatalf("store = %+v", store.recs)
	}
	h.api.waitFor(t, "response_url", func(c apiCall) bool { return strings.Contains(c.text(), "Thanks") })
}

// TestFeedbackNowhereApologises: a Server with neither store nor log says
// the feedback was not recorded instead of thanking.
func TestFeedbackNowhereApologises(t *testing.T) {
	h := newHarness(t, nil)
	h.event("Ev1", mentionEvent("C1", "U1", "100.000001", "", "<@UBOT> what happened to the bridge?"), nil)
	upd := h.api.waitFor(t, "chat.update", nil)
	h.idle()
	id := buttonValue(t, upd, actionFeedbackUp)
	h.interaction(blockAction("U7", "C1", actionFeedbackUp, id, "1700000200.000001", h.api.responseURL(3)))
	h.idle()
	h.api.waitFor(t, "response_url", func(c apiCall) bool { return strings.Contains(c.text(), "could not be recorded") })
}

func TestStartLineAndLinkWarnings(t *testing.T) {
	h := newHarness(t, func(c *Config) {
		c.AppToken = testAppToken
		c.HTTPAddr = ":8080"
		c.PublicURL = ""
		c.Backend = "index /tmp/x"
	})
	id := identity{UserID: testBotUser, User: "newsdesk", Team: "Newsroom", TeamID: "T1"}
	if got, want := h.srv.startLine(id), "connected as @newsdesk (UBOT) to workspace Newsroom (T1) · Socket Mode + HTTP on :8080 · 3 articles · index /tmp/x"; got != want {
		t.Errorf("start line\n got %q\nwant %q", got, want)
	}
	if w := h.srv.linkWarnings(); len(w) != 1 || !strings.Contains(w[0], "2 of 3 articles have no URL") || !strings.Contains(w[0], "NEWSDESK_PUBLIC_URL") {
		t.Errorf("warnings = %q", w)
	}
	h2 := newHarness(t, nil) // PublicURL set, no --http
	if w := h2.srv.linkWarnings(); len(w) != 1 || !strings.Contains(w[0], "no --http") {
		t.Errorf("warnings = %q", w)
	}
	h3 := newHarness(t, func(c *Config) { c.HTTPAddr = ":1" })
	if w := h3.srv.linkWarnings(); len(w) != 0 {
		t.Errorf("warnings = %q", w)
	}
}

// TestGroupDMNeedsMention: in a group DM (message.mpim) the bot answers a
// mention, in a thread, and ignores the rest of the conversation.
func TestGroupDMNeedsMention(t *testing.T) {
	h := newHarness(t, nil)
	h.event("EvG1", messageEvent("G1", "mpim", "U1", "600.000001", "", "lunch anyone?"), nil)
	h.idle()
	if n := len(h.ans.requests()); n != 0 {
		t.Fatalf("answered group DM chatter (%d)", n)
	}
	h.event("EvG2", messageEvent("G1", "mpim", "U1", "600.000002", "", "<@UBOT> what happened to the bridge?"), nil)
	upd := h.api.waitFor(t, "chat.update", nil)
	h.idle()
	if n := len(h.ans.requests()); n != 1 {
		t.Fatalf("answerer calls = %d", n)
	}
	post := h.api.Calls("chat.postMessage")[0]
	if post.Form.Get("channel") != "G1" || post.Form.Get("thread_ts") != "600.000002" || !strings.Contains(upd.allText(t), "bridge reopened") {
		t.Errorf("group DM answer not in the thread: %v", post.Form)
	}
}
