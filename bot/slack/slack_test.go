package slack

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/bot"
)

func TestMentionAnsweredInThreadWithQuotesAndLinks(t *testing.T) {
	h := newHarness(t, nil)
	rec := h.event("Ev1", mentionEvent("C1", "U1", "100.000001", "", "<@UBOT> what happened to the bridge?"), nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	upd := h.api.waitFor(t, "chat.update", nil)
	h.idle()

	posts := h.api.Calls("chat.postMessage")
	if len(posts) != 1 {
		t.Fatalf("want 1 postMessage (the placeholder), got %d", len(posts))
	}
	ph := posts[0]
	if ph.Form.Get("channel") != "C1" || ph.Form.Get("thread_ts") != "100.000001" {
		t.Errorf("placeholder not in the mention's thread: %v", ph.Form)
	}
	if got := ph.text(); got != "Searching 3 articles…" {
		t.Errorf("placeholder text %q", got)
	}
	if upd.At < ph.At || upd.Form.Get("ts") != "1700000000.000002" || upd.Form.Get("channel") != "C1" {
		t.Errorf("chat.update does not replace the placeholder: %v", upd.Form)
	}
	all := upd.allText(t)
	for _, want := range []string{
		"Officials said the bridge reopened on Monday.",
		"[1] “The bridge reopened on Monday, the mayor said.” — the mayor\n" +
			"[Bridge reopens · Daily Planet · 2024-05-01](https://example.com/a1#:~:text=bridge)",
		"also reported by [Gazette · 2024-05-02](https://gazette.example/a2)",
		// newsdesk: reference rewritten to the article page, quote highlighted
		"[Herald · 2024-05-03](" + testPublic + "/articles/a3?hl=Attention+%3C%21channel%3E+%26+%3Cb%3Eeveryone%3C%2Fb%3E%3A+traffic+resumed.#p2)",
		"Answered from 2 articles.",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("answer lacks %q:\n%s", want, all)
		}
	}
	buttonValue(t, upd, actionFeedbackUp)
	buttonValue(t, upd, actionFeedbackDown)
	if got := h.ans.requests(); len(got) != 1 || got[0].Question != "what happened to the bridge?" || len(got[0].History) != 0 {
		t.Errorf("answerer requests: %+v", got)
	}
	if !strings.Contains(upd.text(), "Officials said") {
		t.Errorf("fallback text %q", upd.text())
	}
}

func TestArticleMarkupIsEscaped(t *testing.T) {
	h := newHarness(t, nil)
	h.event("Ev1", mentionEvent("C1", "U1", "100.000001", "", "<@UBOT> traffic?"), nil)
	upd := h.api.waitFor(t, "chat.update", nil)
	h.idle()
	// Text Slack reads as mrkdwn is escaped ...
	for _, s := range upd.markupTexts(t) {
		if strings.Contains(s, "<!channel>") || strings.Contains(s, "<b>") || strings.Contains(s, "<!") {
			t.Errorf("unescaped markup posted: %q", s)
		}
		// Every '<' left is a link or mention the bot built.
		for i := strings.Index(s, "<"); i >= 0; i = indexFrom(s, "<", i+1) {
			if !strings.HasPrefix(s[i:], "<http://") && !strings.HasPrefix(s[i:], "<https://") && !strings.HasPrefix(s[i:], "<@") {
				t.Errorf("stray '<' in %q", s)
			}
		}
	}
	if !strings.Contains(upd.text(), "Attention &lt;!channel&gt; &amp; &lt;b&gt;everyone&lt;/b&gt;: traffic resumed.") {
		t.Errorf("escaped quote missing from the fallback text:\n%s", upd.text())
	}
	// ... and quotes are literal rich text: shown as written, never a
	// broadcast, mention or link of the article's making.
	if all := upd.allText(t); !strings.Contains(all, "[2] “Attention <!channel> & <b>everyone</b>: traffic resumed.”") {
		t.Errorf("literal quote missing:\n%s", all)
	}
	checkRichElements(t, upd.blocks(t))
}

// checkRichElements asserts that rich_text blocks hold only text and
// http(s) link elements: no broadcast, user, channel or emoji elements.
func checkRichElements(t testing.TB, blocks []any) {
	t.Helper()
	var walk func(v any, inRich bool)
	walk = func(v any, inRich bool) {
		switch x := v.(type) {
		case map[string]any:
			typ, _ := x["type"].(string)
			if typ == "rich_text" {
				inRich = true
			}
			if inRich && typ != "" {
				switch typ {
				case "rich_text", "rich_text_section", "rich_text_quote", "text":
				case "link":
					if u, _ := x["url"].(string); !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
						t.Errorf("rich text link to %q", u)
					}
				default:
					t.Errorf("rich text element of type %q", typ)
				}
			}
			for _, e := range x {
				walk(e, inRich)
			}
		case []any:
			for _, e := range x {
				walk(e, inRich)
			}
		}
	}
	walk(blocks, false)
}

func indexFrom(s, sub string, from int) int {
	if from >= len(s) {
		return -1
	}
	i := strings.Index(s[from:], sub)
	if i < 0 {
		return -1
	}
	return from + i
}

func TestDuplicateDeliveryAnsweredOnce(t *testing.T) {
	h := newHarness(t, nil)
	ev := mentionEvent("C1", "U1", "100.000001", "", "<@UBOT> what happened?")
	h.event("Ev1", ev, nil)
	h.event("Ev1", ev, map[string]string{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
	// The same message also arrives as message.channels (another event id).
	h.event("Ev2", messageEvent("C1", "channel", "U1", "100.000001", "", "<@UBOT> what happened?"), nil)
	h.api.waitFor(t, "chat.update", nil)
	h.idle()
	if n := len(h.api.Calls("chat.postMessage")); n != 1 {
		t.Errorf("postMessage calls = %d, want 1", n)
	}
	if n := len(h.ans.requests()); n != 1 {
		t.Errorf("answerer calls = %d, want 1", n)
	}
}

func TestBadOrStaleSignatureRejected(t *testing.T) {
	h := newHarness(t, nil)
	body := `{"type":"event_callback","event_id":"Ev9","event":{"type":"app_mention","channel":"C1","user":"U1","ts":"1.1","text":"<@UBOT> hi"}}`
	cases := map[string]func(*http.Request){
		"wrong secret": func(r *http.Request) { sign(r, body, time.Now(), "other-secret") },
		"stale":        func(r *http.Request) { sign(r, body, time.Now().Add(-6*time.Minute), testSecret) },
		"future":       func(r *http.Request) { sign(r, body, time.Now().Add(6*time.Minute), testSecret) },
		"unsigned":     func(r *http.Request) {},
		"tampered": func(r *http.Request) {
			sign(r, strings.Replace(body, "hi", "ho", 1), time.Now(), testSecret)
		},
	}
	for name, prep := range cases {
		for _, path := range []string{"/slack/events", "/slack/commands", "/slack/interactions"} {
			req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
			prep(req)
			rec := httptest.NewRecorder()
			h.srv.Handler().ServeHTTP(rec, req)
			if rec.Code != http.StatusUnauthorized {
				t.Errorf("%s %s: status %d, want 401", name, path, rec.Code)
			}
		}
	}
	h.idle()
	if calls := h.api.Calls(""); len(calls) != 0 {
		t.Errorf("rejected requests caused API calls: %v", h.api.methods())
	}
	if n := len(h.ans.requests()); n != 0 {
		t.Errorf("answerer called %d times", n)
	}
}

func TestURLVerification(t *testing.T) {
	h := newHarness(t, nil)
	rec := h.post("/slack/events", "application/json", `{"token":"x","challenge":"ch4ll3nge","type":"url_verification"}`, nil)
	if rec.Code != http.StatusOK || rec.Body.String() != "ch4ll3nge" {
		t.Errorf("got %d %q", rec.Code, rec.Body)
	}
}

func TestSlowAnswerStillAckedAtOnce(t *testing.T) {
	h := newHarness(t, nil)
	h.ans.release = make(chan struct{})
	h.ans.started = make(chan struct{}, 1)
	rec := h.event("Ev1", mentionEvent("C1", "U1", "100.000001", "", "<@UBOT> slow question"), nil)
	// The handler has returned 200 while the answerer has not produced
	// anything: it is blocked until release is closed.
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	<-h.ans.started
	if n := len(h.api.Calls("chat.update")); n != 0 {
		t.Fatalf("answer posted before the answerer returned")
	}
	h.api.waitFor(t, "chat.postMessage", nil) // the placeholder appears meanwhile
	close(h.ans.release)
	h.api.waitFor(t, "chat.update", nil)
	h.idle()
}

func TestSlashCommandEphemeralThenShare(t *testing.T) {
	h := newHarness(t, nil)
	form := url.Values{
		"command": {"/ask"}, "text": {"what happened to the bridge?"}, "user_id": {"U1"}, "channel_id": {"C1"},
		"trigger_id": {"trig1"}, "response_url": {h.api.responseURL(1)}, "team_id": {"T1"},
	}
	rec := h.post("/slack/commands", "application/x-www-form-urlencoded", form.Encode(), nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	var ack map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &ack); err != nil {
		t.Fatalf("ack is not JSON: %q", rec.Body)
	}
	if ack["response_type"] != "ephemeral" || ack["text"] != "Searching 3 articles…" {
		t.Errorf("ack = %v", ack)
	}
	resp := h.api.waitFor(t, "response_url", nil)
	h.idle()
	if resp.JSON["response_type"] != "ephemeral" || resp.JSON["replace_original"] != true {
		t.Errorf("answer not an ephemeral replacement: %v", resp.JSON)
	}
	if !strings.Contains(resp.allText(t), "[1] “The bridge reopened on Monday") {
		t.Errorf("ephemeral answer lacks the quote")
	}
	if n := len(h.api.Calls("chat.postMessage")); n != 0 {
		t.Errorf("/ask posted %d public messages", n)
	}
	id := buttonValue(t, resp, actionShare)

	// Retried command (same trigger_id) is not answered twice.
	rec = h.post("/slack/commands", "application/x-www-form-urlencoded", form.Encode(), nil)
	h.idle()
	if rec.Code != http.StatusOK || len(h.ans.requests()) != 1 {
		t.Errorf("duplicate slash command answered again (%d requests)", len(h.ans.requests()))
	}

	h.interaction(blockAction("U2", "C1", actionShare, id, "1700000100.000001", h.api.responseURL(2)))
	shared := h.api.waitFor(t, "chat.postMessage", nil)
	h.idle()
	all := shared.allText(t)
	if shared.Form.Get("channel") != "C1" || shared.Form.Get("thread_ts") != "" {
		t.Errorf("share not posted to the channel: %v", shared.Form)
	}
	for _, want := range []string{"Shared by <@U2>", "what happened to the bridge?", "[1] “The bridge reopened on Monday"} {
		if !strings.Contains(all, want) {
			t.Errorf("shared message lacks %q:\n%s", want, all)
		}
	}
	if strings.Contains(shared.Form.Get("blocks"), actionShare) {
		t.Errorf("shared message still has a Share button")
	}
	var deleted bool
	for _, c := range h.api.Calls("response_url") {
		if c.Form.Get("url") == "response/2" && c.JSON["delete_original"] == true {
			deleted = true
		}
	}
	if !deleted {
		t.Errorf("ephemeral copy not deleted after sharing")
	}
}

func TestSlashHelpAndEmpty(t *testing.T) {
	h := newHarness(t, nil)
	for _, text := range []string{"", "help", "  HELP "} {
		form := url.Values{"command": {"/ask"}, "text": {text}, "user_id": {"U1"}, "channel_id": {"C1"}, "trigger_id": {"t-" + text}}
		rec := h.post("/slack/commands", "application/x-www-form-urlencoded", form.Encode(), nil)
		if !strings.Contains(rec.Body.String(), "/ask QUESTION") || !strings.Contains(rec.Body.String(), `"ephemeral"`) {
			t.Errorf("/ask %q: no usage: %s", text, rec.Body)
		}
	}
	h.idle()
	if n := len(h.ans.requests()); n != 0 {
		t.Errorf("answerer called for help")
	}
}

func TestFeedbackClickRecorded(t *testing.T) {
	logPath := filepath.Join(t.TempDir(), "sub", "dir", "feedback.jsonl")
	h := newHarness(t, func(c *Config) { c.FeedbackLog = logPath })
	h.event("Ev1", mentionEvent("C1", "U1", "100.000001", "", "<@UBOT> what happened to the bridge?"), nil)
	upd := h.api.waitFor(t, "chat.update", nil)
	h.idle()
	id := buttonValue(t, upd, actionFeedbackDown)
	h.interaction(blockAction("U7", "C1", actionFeedbackDown, id, "1700000200.000001", h.api.responseURL(3)))
	h.interaction(blockAction("U7", "C1", actionFeedbackDown, id, "1700000200.000001", h.api.responseURL(3))) // retry
	h.interaction(blockAction("U8", "C1", actionFeedbackUp, "unknown-id", "1700000201.000001", ""))
	h.idle()

	f, err := os.Open(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var recs []FeedbackRecord
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r FeedbackRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("bad line %q: %v", sc.Text(), err)
		}
		recs = append(recs, r)
	}
	if len(recs) != 2 {
		t.Fatalf("want 2 records (retry deduplicated), got %d", len(recs))
	}
	if recs[0].User != "U7" {
		recs[0], recs[1] = recs[1], recs[0] // the two clicks are handled concurrently
	}
	r := recs[0]
	if r.Vote != "down" || r.User != "U7" || r.Channel != "C1" || r.Question != "what happened to the bridge?" ||
		!strings.Contains(r.Answer, "bridge reopened") || r.Time.IsZero() || r.AnswerID != id {
		t.Errorf("record = %+v", r)
	}
	if recs[1].Vote != "up" || recs[1].Answer != "the answer as posted" {
		t.Errorf("record for an unknown answer = %+v", recs[1])
	}
	thanks := h.api.waitFor(t, "response_url", func(c apiCall) bool { return strings.Contains(c.text(), "Thanks") })
	if thanks.JSON["replace_original"] == true {
		t.Errorf("thanks replaced the answer")
	}
}

func TestRateLimitPoliteReply(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.RatePerUser = 1; c.RateWindow = time.Hour })
	h.event("Ev1", mentionEvent("C1", "U1", "100.000001", "", "<@UBOT> one"), nil)
	h.event("Ev2", mentionEvent("C1", "U1", "100.000002", "", "<@UBOT> two"), nil)
	h.event("Ev3", mentionEvent("C1", "U1", "100.000003", "", "<@UBOT> three"), nil)
	h.event("Ev4", mentionEvent("C1", "U2", "100.000004", "", "<@UBOT> other user"), nil)
	h.idle()
	if n := len(h.ans.requests()); n != 2 {
		t.Errorf("answerer calls = %d, want 2 (one per user)", n)
	}
	eph := h.api.Calls("chat.postEphemeral")
	if len(eph) != 1 {
		t.Fatalf("want one polite notice, got %d", len(eph))
	}
	if eph[0].Form.Get("user") != "U1" || !strings.Contains(eph[0].text(), "please try again in") {
		t.Errorf("notice = %v", eph[0].Form)
	}
}

func TestAllowListPoliteReplyAndDMsAllowed(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.AllowChannels = []string{"C-OK"} })
	h.event("Ev1", mentionEvent("C-NO", "U1", "100.000001", "", "<@UBOT> question"), nil)
	h.event("Ev2", messageEvent("D1", "im", "U1", "100.000002", "", "question in a DM"), nil)
	h.idle()
	eph := h.api.Calls("chat.postEphemeral")
	if len(eph) != 1 || eph[0].Form.Get("channel") != "C-NO" || !strings.Contains(eph[0].text(), "not enabled in this channel") {
		t.Errorf("no polite refusal: %v", h.api.methods())
	}
	if got := h.ans.requests(); len(got) != 1 || got[0].Question != "question in a DM" {
		t.Errorf("requests = %+v", got)
	}
}

func TestDMAnsweredInDM(t *testing.T) {
	h := newHarness(t, nil)
	h.event("Ev1", messageEvent("D1", "im", "U1", "100.000001", "", "what happened to the bridge?"), nil)
	upd := h.api.waitFor(t, "chat.update", nil)
	h.idle()
	ph := h.api.Calls("chat.postMessage")[0]
	if ph.Form.Get("channel") != "D1" || ph.Form.Get("thread_ts") != "" {
		t.Errorf("DM answer not top-level in the DM: %v", ph.Form)
	}
	if upd.Form.Get("channel") != "D1" {
		t.Errorf("update in %q", upd.Form.Get("channel"))
	}
	// A second top-level DM is a new conversation, however soon it comes.
	h.event("Ev2", messageEvent("D1", "im", "U1", "100.000009", "", "and when?"), nil)
	h.idle()
	reqs := h.ans.requests()
	if len(reqs) != 2 || len(reqs[1].History) != 0 {
		t.Errorf("top-level DM has history: %+v", reqs)
	}
	// A reply in the thread of the first question continues it.
	h.event("Ev3", messageEvent("D1", "im", "U1", "100.000010", "100.000001", "and when?"), nil)
	h.idle()
	reqs = h.ans.requests()
	if len(reqs) != 3 || len(reqs[2].History) != 1 || reqs[2].History[0].Question != "what happened to the bridge?" {
		t.Errorf("DM thread follow-up history: %+v", reqs)
	}
}

func TestOwnAndOtherBotMessagesIgnored(t *testing.T) {
	h := newHarness(t, nil)
	own := messageEvent("D1", "im", testBotUser, "100.000001", "", "Searching 3 articles…")
	other := messageEvent("D1", "im", "U9", "100.000002", "", "I am a bot")
	other["bot_id"] = "B9"
	botMsg := messageEvent("D1", "im", "", "100.000003", "", "legacy bot")
	botMsg["subtype"] = "bot_message"
	changed := messageEvent("D1", "im", "U1", "100.000004", "", "")
	changed["subtype"] = "message_changed"
	changed["message"] = map[string]any{"type": "message", "user": "U1", "text": "edited question", "ts": "100.000001"}
	mentionByBot := mentionEvent("C1", "U9", "100.000005", "", "<@UBOT> hello from a bot")
	mentionByBot["bot_id"] = "B9"
	for i, ev := range []map[string]any{own, other, botMsg, changed, mentionByBot} {
		h.event("Ev"+string(rune('a'+i)), ev, nil)
	}
	h.idle()
	if n := len(h.ans.requests()); n != 0 {
		t.Errorf("answerer called %d times", n)
	}
	for _, c := range h.api.Calls("") {
		if c.Method != "auth.test" {
			t.Errorf("unexpected call %s", c.Method)
		}
	}
}

func TestThreadFollowupUsesHistory(t *testing.T) {
	h := newHarness(t, nil)
	h.event("Ev1", mentionEvent("C1", "U1", "100.000001", "", "<@UBOT> what happened to the bridge?"), nil)
	h.api.waitFor(t, "chat.update", nil)
	h.idle()
	// Un-mentioned reply in the thread the bot answered; and chatter elsewhere.
	h.event("Ev2", messageEvent("C1", "channel", "U1", "100.000005", "100.000001", "and when?"), nil)
	h.event("Ev3", messageEvent("C1", "channel", "U1", "100.000006", "", "unrelated chatter"), nil)
	h.event("Ev4", messageEvent("C1", "channel", "U1", "100.000007", "999.000001", "a thread we never answered"), nil)
	h.event("Ev5", messageEvent("C1", "channel", "U2", "100.000008", "100.000001", "Thanks!"), nil)
	h.event("Ev6", messageEvent("C1", "channel", "U2", "100.000009", "100.000001", "<@U1> can you check this?"), nil)
	h.idle()
	reqs := h.ans.requests()
	if len(reqs) != 2 {
		t.Fatalf("answerer calls = %d, want 2", len(reqs))
	}
	fu := reqs[1]
	if len(fu.History) != 1 || fu.History[0].Question != "what happened to the bridge?" ||
		fu.History[0].Answer != "Officials said the bridge reopened on Monday." {
		t.Errorf("history = %+v", fu.History)
	}
	if fu.Question != "what happened to the bridge? — and when?" {
		t.Errorf("follow-up not rewritten: %q", fu.Question)
	}
	last := h.api.Calls("chat.update")
	if !strings.Contains(last[len(last)-1].allText(t), "Understood as") {
		t.Errorf("rewritten question not shown")
	}
	if ph := h.api.Calls("chat.postMessage"); ph[len(ph)-1].Form.Get("thread_ts") != "100.000001" {
		t.Errorf("follow-up not answered in the thread")
	}
}

func TestThreadFollowupNeedsMentionWhenConfigured(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.ThreadFollowupsNeedMention = true })
	h.event("Ev1", mentionEvent("C1", "U1", "100.000001", "", "<@UBOT> what happened to the bridge?"), nil)
	h.api.waitFor(t, "chat.update", nil)
	h.idle()
	h.event("Ev2", messageEvent("C1", "channel", "U1", "100.000005", "100.000001", "and when?"), nil)
	h.idle()
	if n := len(h.ans.requests()); n != 1 {
		t.Fatalf("un-mentioned follow-up answered")
	}
	h.event("Ev3", mentionEvent("C1", "U1", "100.000006", "100.000001", "<@UBOT> and when?"), nil)
	h.idle()
	reqs := h.ans.requests()
	if len(reqs) != 2 || len(reqs[1].History) != 1 {
		t.Errorf("mentioned follow-up: %+v", reqs)
	}
}

func TestMentionInUnknownThreadReadsReplies(t *testing.T) {
	h := newHarness(t, nil)
	h.api.replies = []map[string]any{
		{"type": "message", "user": "U3", "ts": "200.000001", "text": "Did the bridge reopen &amp; when?"},
		{"type": "message", "user": testBotUser, "bot_id": testBotID, "ts": "200.000002", "text": "It reopened on Monday."},
		{"type": "message", "user": "U9", "bot_id": "B9", "ts": "200.000003", "text": "another bot"},
		{"type": "message", "user": "U1", "ts": "200.000004", "text": "<@UBOT> who said so?"},
	}
	h.event("Ev1", mentionEvent("C1", "U1", "200.000004", "200.000001", "<@UBOT> who said so?"), nil)
	h.idle()
	if len(h.api.Calls("conversations.replies")) != 1 {
		t.Fatalf("thread not read")
	}
	reqs := h.ans.requests()
	if len(reqs) != 1 {
		t.Fatalf("requests %d", len(reqs))
	}
	want := []bot.Turn{{Question: "Did the bridge reopen & when?", Answer: "It reopened on Monday."}}
	if len(reqs[0].History) != 1 || reqs[0].History[0] != want[0] {
		t.Errorf("history = %+v", reqs[0].History)
	}
}

func TestAnswerErrorApologisesWithRef(t *testing.T) {
	h := newHarness(t, nil)
	h.ans.err = errors.New("llm exploded")
	h.event("Ev1", mentionEvent("C1", "U1", "100.000001", "", "<@UBOT> question"), nil)
	upd := h.api.waitFor(t, "chat.update", nil)
	h.idle()
	m := regexp.MustCompile(`Sorry — something went wrong \(ref ([0-9a-f]{6})\)`).FindStringSubmatch(upd.text())
	if m == nil {
		t.Fatalf("no apology: %q", upd.text())
	}
	if logs := h.logs.String(); !strings.Contains(logs, "ref="+m[1]) || !strings.Contains(logs, "llm exploded") {
		t.Errorf("log lacks ref %s:\n%s", m[1], logs)
	}
}

func TestStreamingUpdatesPlaceholder(t *testing.T) {
	h := newHarness(t, nil)
	h.ans.partial = func(req bot.Request) {
		if req.OnPartial == nil {
			t.Error("no OnPartial for a threaded answer")
			return
		}
		req.OnPartial("Officials said")
		h.api.waitFor(t, "chat.update", func(c apiCall) bool { return strings.Contains(c.allText(t), "writing…") })
	}
	h.event("Ev1", mentionEvent("C1", "U1", "100.000001", "", "<@UBOT> stream it"), nil)
	h.idle()
	ups := h.api.Calls("chat.update")
	if len(ups) < 2 {
		t.Fatalf("want progressive and final updates, got %d", len(ups))
	}
	if !strings.Contains(ups[0].allText(t), "Officials said") {
		t.Errorf("partial text not shown")
	}
	final := ups[len(ups)-1]
	if strings.Contains(final.allText(t), "writing…") || !strings.Contains(final.allText(t), "[1] “The bridge reopened") {
		t.Errorf("final update is not the answer")
	}
}

func TestWebAPIRateLimitRetried(t *testing.T) {
	h := newHarness(t, nil)
	h.api.rateLimit["chat.postMessage"] = 2
	h.event("Ev1", mentionEvent("C1", "U1", "100.000001", "", "<@UBOT> question"), nil)
	h.api.waitFor(t, "chat.update", nil)
	h.idle()
	if n := len(h.api.Calls("chat.postMessage")); n != 1 {
		t.Errorf("postMessage succeeded %d times", n)
	}
	if !strings.Contains(h.metrics(), "newsdesk_slack_api_retries_total 2") {
		t.Errorf("retries not counted:\n%s", h.metrics())
	}
}

func (h *harness) metrics() string {
	rec := httptest.NewRecorder()
	h.srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	return rec.Body.String()
}

func TestHealthAndMetrics(t *testing.T) {
	h := newHarness(t, nil)
	h.event("Ev1", mentionEvent("C1", "U1", "100.000001", "", "<@UBOT> question"), nil)
	h.idle()
	rec := httptest.NewRecorder()
	h.srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	var health map[string]any
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &health) != nil || health["status"] != "ok" || health["articles"] != 3.0 {
		t.Errorf("healthz: %d %s", rec.Code, rec.Body)
	}
	m := h.metrics()
	for _, want := range []string{
		`newsdesk_slack_questions_total{surface="mention"} 1`,
		`newsdesk_slack_answers_total{outcome="answered"} 1`,
		`newsdesk_slack_requests_total{kind="events"} 1`,
		`newsdesk_slack_inflight_answers 0`,
		`newsdesk_slack_answer_duration_seconds_bucket`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %q:\n%s", want, m)
		}
	}
}

func TestArticlePage(t *testing.T) {
	h := newHarness(t, nil)
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.srv.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec
	}
	rec := get("/articles/a3?hl=" + url.QueryEscape("Attention <!channel> & <b>everyone</b>"))
	body := rec.Body.String()
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	for _, want := range []string{
		`<p id="p0">First paragraph.</p>`,
		`<p id="p1">Second &lt;b&gt;bold&lt;/b&gt; paragraph.</p>`,
		`<p id="p2"><mark>Attention &lt;!channel&gt; &amp; &lt;b&gt;everyone&lt;/b&gt;</mark>: traffic resumed.</p>`,
		`Herald &lt;script&gt;alert(1)&lt;/script&gt;`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "<script>") {
		t.Errorf("unescaped script")
	}
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP = %q", csp)
	}
	if rec := get("/articles/nope"); rec.Code != http.StatusNotFound {
		t.Errorf("unknown article: %d", rec.Code)
	}
}

func TestHighlight(t *testing.T) {
	segs := highlight("a b a", "a")
	if len(segs) != 3 || !segs[0].Mark || segs[1].Text != " b " || !segs[2].Mark {
		t.Errorf("segments = %+v", segs)
	}
	if s := highlight("abc", "x"); len(s) != 1 || s[0].Mark {
		t.Errorf("no-match segments = %+v", s)
	}
}

func TestDrainOnCancel(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.AppToken = testAppToken })
	sock := newFakeSocket(t)
	h.api.wsURL = sock.wsURL()
	h.ans.release = make(chan struct{})
	h.ans.started = make(chan struct{}, 1)

	ctx, cancel := context.WithCancel(context.Background())
	runErr := make(chan error, 1)
	go func() { runErr <- h.srv.Run(ctx) }()

	payload := map[string]any{"type": "event_callback", "event_id": "EvS1", "team_id": "T1",
		"event": mentionEvent("C1", "U1", "300.000001", "", "<@UBOT> drain me")}
	ack := sock.deliver(t, "events_api", "env-1", payload)
	if ack["envelope_id"] != "env-1" {
		t.Fatalf("ack = %v", ack)
	}
	<-h.ans.started
	cancel() // SIGTERM
	select {
	case err := <-runErr:
		t.Fatalf("Run returned (%v) with an answer in flight", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(h.ans.release)
	select {
	case err := <-runErr:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(waitTimeout):
		t.Fatal("Run did not return after the drain")
	}
	ups := h.api.Calls("chat.update")
	if len(ups) != 1 || !strings.Contains(ups[0].allText(t), "[1] “The bridge reopened") {
		t.Errorf("in-flight answer not delivered before Run returned: %v", h.api.methods())
	}
}

func TestSocketModeSlashAndInteractive(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.AppToken = testAppToken; c.SigningSecret = "" })
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

	ack := sock.deliver(t, "slash_commands", "env-cmd", map[string]any{
		"command": "/ask", "text": "what happened?", "user_id": "U1", "channel_id": "C1",
		"trigger_id": "trigS", "response_url": h.api.responseURL(5),
	})
	p, _ := ack["payload"].(map[string]any)
	if p["response_type"] != "ephemeral" || p["text"] != "Searching 3 articles…" {
		t.Errorf("slash ack payload = %v", ack)
	}
	resp := h.api.waitFor(t, "response_url", nil)
	id := buttonValue(t, resp, actionShare)

	ack = sock.deliver(t, "interactive", "env-int", blockAction("U2", "C1", actionShare, id, "1700000300.000001", h.api.responseURL(6)))
	if ack["envelope_id"] != "env-int" {
		t.Errorf("interactive ack = %v", ack)
	}
	shared := h.api.waitFor(t, "chat.postMessage", nil)
	if !strings.Contains(shared.allText(t), "Shared by <@U2>") {
		t.Errorf("share not posted")
	}
	// Redelivered events envelope: acked again, answered once.
	ev := map[string]any{"type": "event_callback", "event_id": "EvS2", "event": messageEvent("D1", "im", "U1", "400.000001", "", "dm question")}
	sock.deliver(t, "events_api", "env-a", ev)
	sock.deliver(t, "events_api", "env-b", ev)
	h.api.waitFor(t, "chat.update", func(c apiCall) bool { return c.Form.Get("channel") == "D1" })
	h.idle()
	if n := len(h.ans.requests()); n != 2 {
		t.Errorf("answerer calls = %d, want 2", n)
	}
}

func TestRunBadBotToken(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.BotToken = "xoxb-wrong-secret-token"; c.HTTPAddr = "127.0.0.1:0" })
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	err := h.srv.Run(ctx)
	if err == nil || err.Error() != "slack: auth.test: invalid_auth (check SLACK_BOT_TOKEN)" {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "wrong-secret") || strings.Contains(h.logs.String(), "wrong-secret") {
		t.Errorf("token leaked")
	}
	if n := len(h.api.Calls("auth.test")); n != 1 {
		t.Errorf("auth.test called %d times: no retry loop expected", n)
	}
}

func TestRunBadAppToken(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.AppToken = testAppToken })
	h.api.connErr = "not_allowed_token_type"
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	err := h.srv.Run(ctx)
	if err == nil || !strings.Contains(err.Error(), "not_allowed_token_type") || !strings.Contains(err.Error(), "SLACK_APP_TOKEN") {
		t.Fatalf("err = %v", err)
	}
}

func TestRunConfigErrors(t *testing.T) {
	for name, mod := range map[string]func(*Config){
		"no bot token":          func(c *Config) { c.BotToken = "" },
		"nothing to serve":      func(c *Config) {},
		"http without a secret": func(c *Config) { c.HTTPAddr = "127.0.0.1:0"; c.SigningSecret = "" },
	} {
		h := newHarness(t, mod)
		if err := h.srv.Run(context.Background()); err == nil {
			t.Errorf("%s: Run succeeded", name)
		}
		if n := len(h.api.Calls("")); n != 0 {
			t.Errorf("%s: %d API calls", name, n)
		}
	}
}

func TestRunHTTPMode(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.HTTPAddr = "127.0.0.1:0" })
	ctx, cancel := context.WithCancel(context.Background())
	runErr := make(chan error, 1)
	go func() { runErr <- h.srv.Run(ctx) }()
	deadline := time.Now().Add(waitTimeout)
	for h.srv.Addr() == "" && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	resp, err := http.Get("http://" + h.srv.Addr() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("healthz %d", resp.StatusCode)
	}
	cancel()
	if err := <-runErr; err != nil {
		t.Errorf("Run: %v", err)
	}
}

func TestConfigFromEnv(t *testing.T) {
	env := map[string]string{
		"SLACK_BOT_TOKEN":                 " xoxb-1 ",
		"SLACK_APP_TOKEN":                 "xapp-1",
		"SLACK_SIGNING_SECRET":            "s",
		"NEWSDESK_PUBLIC_URL":             "https://n.example/",
		"NEWSDESK_SLACK_FOLLOWUP_MENTION": "true",
		"NEWSDESK_SLACK_RATE_PER_USER":    "3",
		"NEWSDESK_SLACK_RATE_WINDOW":      "30s",
		"NEWSDESK_SLACK_ALLOW_CHANNELS":   "C1, C2,,",
		"NEWSDESK_SLACK_FEEDBACK_LOG":     "/tmp/fb.jsonl",
		"NEWSDESK_SLACK_ANSWER_TIMEOUT":   "bogus",
	}
	c := ConfigFromEnv(func(k string) string { return env[k] })
	if c.BotToken != "xoxb-1" || c.AppToken != "xapp-1" || c.SigningSecret != "s" || c.APIURL != DefaultAPIURL ||
		!c.ThreadFollowupsNeedMention || c.RatePerUser != 3 || c.RateWindow != 30*time.Second ||
		len(c.AllowChannels) != 2 || c.AllowChannels[1] != "C2" || c.FeedbackLog != "/tmp/fb.jsonl" ||
		c.AnswerTimeout != DefaultAnswerTimeout || c.PublicURL != "https://n.example/" {
		t.Errorf("config = %+v", c)
	}
	d := ConfigFromEnv(func(string) string { return "" })
	if d.RatePerUser != DefaultRatePerUser || d.ThreadFollowupsNeedMention || d.AllowChannels != nil {
		t.Errorf("defaults = %+v", d)
	}
}

func TestAnswerTimeoutAndDrainTimeoutApologise(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.AnswerTimeout = 20 * time.Millisecond })
	h.ans.release = make(chan struct{}) // never released: the answerer waits for its context
	h.event("Ev1", mentionEvent("C1", "U1", "100.000001", "", "<@UBOT> slow"), nil)
	upd := h.api.waitFor(t, "chat.update", nil)
	h.idle()
	if !strings.Contains(upd.text(), "Sorry — that took too long (ref ") {
		t.Errorf("timeout apology = %q", upd.text())
	}

	h = newHarness(t, func(c *Config) { c.AppToken = testAppToken; c.DrainTimeout = 20 * time.Millisecond })
	sock := newFakeSocket(t)
	h.api.wsURL = sock.wsURL()
	h.ans.release = make(chan struct{})
	h.ans.started = make(chan struct{}, 1)
	ctx, cancel := context.WithCancel(context.Background())
	runErr := make(chan error, 1)
	go func() { runErr <- h.srv.Run(ctx) }()
	sock.deliver(t, "events_api", "env-1", map[string]any{"type": "event_callback", "event_id": "EvT",
		"event": mentionEvent("C1", "U1", "300.000001", "", "<@UBOT> never finishes")})
	<-h.ans.started
	cancel()
	if err := <-runErr; err != nil {
		t.Fatalf("Run: %v", err)
	}
	ups := h.api.Calls("chat.update")
	if len(ups) != 1 || !strings.Contains(ups[0].text(), "I was restarted before I could answer") {
		t.Errorf("no apology after the drain timeout: %v", h.api.methods())
	}
}

func TestEmptyMentionGetsUsage(t *testing.T) {
	h := newHarness(t, nil)
	h.event("Ev1", mentionEvent("C1", "U1", "100.000001", "", "<@UBOT>"), nil)
	h.idle()
	posts := h.api.Calls("chat.postMessage")
	if len(posts) != 1 || !strings.Contains(posts[0].text(), "/ask QUESTION") || posts[0].Form.Get("thread_ts") != "100.000001" {
		t.Errorf("no usage reply: %v", h.api.methods())
	}
	if len(h.ans.requests()) != 0 {
		t.Errorf("answerer called for an empty mention")
	}
}
