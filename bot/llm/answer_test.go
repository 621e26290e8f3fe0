package llm

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/bot"
)

// Passage numbers in the default harness: 1-3 are the harbour article's
// paragraphs, 4 is the ferry article's.

func allText(a *bot.Answer) string {
	b, _ := json.Marshal(a)
	return string(b) + a.Lead + strings.Join(a.Notes, " ")
}

func TestAnswerVerifiesAndUsesExactArticleText(t *testing.T) {
	h := newHarness(t, func(n int, s seen, w http.ResponseWriter) {
		writeChat(w, replyJSON("The mayor said the bridge will reopen in May [2]; ferries run every 20 minutes meanwhile [4].", false,
			2, `"We will reopen the bridge in May," Mayor Ana Ruiz said`,
			4, "The ferry will run every 20 minutes"))
	}, Config{})
	ans, err := h.ans.Answer(context.Background(), bot.Request{Question: "When does the bridge reopen?"})
	if err != nil {
		t.Fatal(err)
	}
	if ans.Mode != bot.ModeLLM || ans.Abstained || h.fallback.n() != 0 {
		t.Fatalf("mode %q abstained %v fallback calls %d; want a verified LLM answer", ans.Mode, ans.Abstained, h.fallback.n())
	}
	if ans.Text != "The mayor said the bridge will reopen in May [1]; ferries run every 20 minutes meanwhile [2]." || ans.Lead != ans.Text {
		t.Errorf("Text = %q (Lead %q): want passage numbers renumbered to citations", ans.Text, ans.Lead)
	}
	if len(ans.Citations) != 2 {
		t.Fatalf("citations = %+v", ans.Citations)
	}
	art := harbourArticle()
	c := ans.Citations[0]
	wantQuote := "“We will reopen the bridge in May,” Mayor Ana Ruiz said"
	if c.Quote != wantQuote {
		t.Errorf("quote = %q, want the article's exact characters %q", c.Quote, wantQuote)
	}
	if got := art.Text()[c.Start : c.Start+len(c.Quote)]; got != c.Quote {
		t.Errorf("Start %d does not point at the quote (%q)", c.Start, got)
	}
	want := bot.Citation{N: 1, ArticleID: "harbour-1", Title: "Harbour bridge to reopen", Source: "Daily Planet",
		Published: "2024-03-01", URL: bot.Linker{}.Link(art.URL, art.ID, 1, wantQuote), Quote: wantQuote, Para: 1,
		Start: c.Start, ArticleURL: "https://example.com/harbour"}
	if c.N != want.N || c.ArticleID != want.ArticleID || c.Title != want.Title || c.Source != want.Source ||
		c.Published != want.Published || c.URL != want.URL || c.Para != want.Para || c.ArticleURL != want.ArticleURL {
		t.Errorf("citation = %+v\nwant       %+v", c, want)
	}
	c2 := ans.Citations[1]
	if c2.N != 2 || c2.ArticleID != "ferry-2" || c2.Source != "unknown outlet" || c2.Published != "" || !strings.HasPrefix(c2.URL, "newsdesk:ferry-2#p0") {
		t.Errorf("second citation = %+v", c2)
	}

	reqs := h.llm.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.Path != "/v1/chat/completions" || r.Req.Model != "test-model" || r.format() != "json_schema" {
		t.Errorf("request to %s model %q format %q", r.Path, r.Req.Model, r.format())
	}
	user := r.user()
	for _, p := range append(art.Paragraphs, ferryArticle(false).Paragraphs...) {
		if !strings.Contains(user, p) {
			t.Errorf("user message lacks retrieved passage %q", p)
		}
	}
	for _, want := range []string{`<passage n="2" outlet="Daily Planet" date="2024-03-01"`, `<passage n="4" outlet="unknown outlet" date="unknown"`, "When does the bridge reopen?"} {
		if !strings.Contains(user, want) {
			t.Errorf("user message lacks %q", want)
		}
	}
	if strings.Contains(r.system(), "Harbour") {
		t.Error("article text reached the system message")
	}
	var raw map[string]any
	json.Unmarshal(r.Raw, &raw)
	if temp, ok := raw["temperature"].(float64); !ok || temp <= 0 || temp > 1e-3 {
		t.Errorf("temperature = %v (present %v), want a near-zero value actually sent", raw["temperature"], ok)
	}
}

func TestFabricatedQuoteNeverReachesUser(t *testing.T) {
	const fake = "The mayor resigned in protest"
	h := newHarness(t, func(n int, s seen, w http.ResponseWriter) {
		writeChat(w, replyJSON(`The bridge reopens in May [2]. The mayor said "`+fake+`" [3]. See also [9].`, false,
			2, "We will reopen the bridge in May",
			3, fake,
			9, "Repairs will cost"))
	}, Config{})
	ans, err := h.ans.Answer(context.Background(), bot.Request{Question: "What did the mayor say?"})
	if err != nil {
		t.Fatal(err)
	}
	if ans.Mode != bot.ModeLLM || len(ans.Citations) != 1 {
		t.Fatalf("mode %q, %d citations; want the one verified citation kept", ans.Mode, len(ans.Citations))
	}
	if strings.Contains(allText(ans), "resigned") {
		t.Errorf("fabricated quote reached the user: %q / %+v / %v", ans.Text, ans.Citations, ans.Notes)
	}
	if !strings.Contains(ans.Text, "[1]") || strings.Count(ans.Text, Unsupported) != 2 || !strings.Contains(ans.Text, RemovedQuotation) {
		t.Errorf("Text = %q: want [1] kept, the two unverifiable claims marked %s and the quotation removed", ans.Text, Unsupported)
	}
	if len(ans.Notes) == 0 {
		t.Error("want a note saying quotes were left out")
	}
}

func TestNothingVerifiedFallsBack(t *testing.T) {
	h := newHarness(t, func(n int, s seen, w http.ResponseWriter) {
		writeChat(w, replyJSON("The mayor resigned [2].", false, 2, "The mayor resigned on Friday"))
	}, Config{})
	ans, err := h.ans.Answer(context.Background(), bot.Request{Question: "Did the mayor resign?"})
	if err != nil {
		t.Fatal(err)
	}
	if ans.Mode != bot.ModeExtractive || ans.Text != "extractive answer" || h.fallback.n() != 1 {
		t.Fatalf("answer %+v: want the fallback", ans)
	}
	if len(ans.Notes) != 1 || !strings.Contains(ans.Notes[0], "could not be verified") {
		t.Errorf("notes = %v", ans.Notes)
	}
}

func TestAbstentionIsKept(t *testing.T) {
	h := newHarness(t, func(n int, s seen, w http.ResponseWriter) {
		writeChat(w, replyJSON("The passages do not say who designed the bridge.", true))
	}, Config{})
	ans, err := h.ans.Answer(context.Background(), bot.Request{Question: "Who designed the bridge?"})
	if err != nil {
		t.Fatal(err)
	}
	if !ans.Abstained || ans.Mode != bot.ModeLLM || len(ans.Citations) != 0 || h.fallback.n() != 0 {
		t.Errorf("answer %+v: want an LLM abstention", ans)
	}
	if ans.Text != "The passages do not say who designed the bridge." {
		t.Errorf("Text = %q", ans.Text)
	}
}

func TestRetries429ThenSucceeds(t *testing.T) {
	h := newHarness(t, func(n int, s seen, w http.ResponseWriter) {
		if n == 1 {
			w.Header().Set("Retry-After", "0")
			writeError(w, 429, "Rate limit reached")
			return
		}
		writeChat(w, replyJSON("Cracks closed the bridge [1].", false, 1, "inspectors found cracks"))
	}, Config{})
	ans, err := h.ans.Answer(context.Background(), bot.Request{Question: "Why is the bridge closed?"})
	if err != nil {
		t.Fatal(err)
	}
	if ans.Mode != bot.ModeLLM || len(ans.Citations) != 1 || len(h.llm.requests()) != 2 {
		t.Errorf("mode %q, %d citations after %d requests; want LLM after 2", ans.Mode, len(ans.Citations), len(h.llm.requests()))
	}
}

func TestServerErrorFallsBackWithinBudget(t *testing.T) {
	h := newHarness(t, func(n int, s seen, w http.ResponseWriter) {
		writeError(w, 500, "internal error")
	}, Config{Budget: 2 * time.Second})
	start := time.Now()
	ans, err := h.ans.Answer(context.Background(), bot.Request{Question: "When does the bridge reopen?"})
	if err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second+time.Second {
		t.Errorf("took %v, beyond the budget", elapsed)
	}
	if ans.Mode != bot.ModeExtractive || len(ans.Notes) != 1 || ans.Notes[0] != "LLM unavailable (HTTP 500); showing extractive answer" {
		t.Errorf("mode %q notes %q", ans.Mode, ans.Notes)
	}
	if n := len(h.llm.requests()); n != 4 {
		t.Errorf("%d requests, want 4 (the default retry attempts)", n)
	}
}

func TestHangingServerFallsBackAtBudget(t *testing.T) {
	h := newHarness(t, func(n int, s seen, w http.ResponseWriter) {
		select {
		case <-s.Ctx.Done():
		case <-time.After(10 * time.Second):
		}
	}, Config{Budget: 300 * time.Millisecond, Timeout: 5 * time.Second})
	for _, stream := range []bool{false, true} {
		req := bot.Request{Question: "When does the bridge reopen?"}
		if stream {
			req.OnPartial = func(string) {}
		}
		start := time.Now()
		ans, err := h.ans.Answer(context.Background(), req)
		elapsed := time.Since(start)
		if err != nil {
			t.Fatal(err)
		}
		if elapsed > 3*time.Second {
			t.Errorf("stream=%v: took %v with a 300ms budget", stream, elapsed)
		}
		if ans.Mode != bot.ModeExtractive || len(ans.Notes) != 1 || !strings.Contains(ans.Notes[0], "did not answer within 300ms") {
			t.Errorf("stream=%v: mode %q notes %q", stream, ans.Mode, ans.Notes)
		}
	}
}

func TestCallerCancellationIsAnError(t *testing.T) {
	h := newHarness(t, func(n int, s seen, w http.ResponseWriter) {
		<-s.Ctx.Done()
	}, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := h.ans.Answer(ctx, bot.Request{Question: "q?"}); err == nil {
		t.Error("a cancelled caller should get an error, not a fallback answer")
	}
}

func TestMalformedReplies(t *testing.T) {
	fenced := "Sure! Here is the answer:\n```json\n" + replyJSON("It costs about 4 million euros [3].", false, 3, "Repairs will cost about 4 million euros") + "\n```\nHope this helps {not json}."
	cases := []struct {
		name, content string
		wantMode      string
		wantNote      string
	}{
		{"fenced with chatter", fenced, bot.ModeLLM, ""},
		{"thinking block", "<think>{\"answer\": \"no\"} maybe</think>" + replyJSON("It costs about 4 million euros [3].", false, 3, "about 4 million euros"), bot.ModeLLM, ""},
		{"loose types", `{"answer": "It costs about 4 million euros [3].", "abstain": "false", "citations": [{"n": "3", "quote": "about 4 million euros"}]}`, bot.ModeLLM, ""},
		{"prose only", "The repairs cost about 4 million euros.", bot.ModeExtractive, "could not be read"},
		{"truncated JSON", `{"answer": "The repairs cost [3]", "citations": [{"n": 3, "quo`, bot.ModeExtractive, "could not be read"},
		{"empty", "", bot.ModeExtractive, "LLM unavailable (empty reply"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, func(n int, s seen, w http.ResponseWriter) { writeChat(w, c.content) }, Config{})
			ans, err := h.ans.Answer(context.Background(), bot.Request{Question: "What do repairs cost?"})
			if err != nil {
				t.Fatal(err)
			}
			if ans.Mode != c.wantMode {
				t.Fatalf("mode %q, want %q (notes %v)", ans.Mode, c.wantMode, ans.Notes)
			}
			if c.wantMode == bot.ModeLLM && (len(ans.Citations) != 1 || ans.Citations[0].Para != 2) {
				t.Errorf("citations %+v", ans.Citations)
			}
			if c.wantNote != "" && (len(ans.Notes) != 1 || !strings.Contains(ans.Notes[0], c.wantNote)) {
				t.Errorf("notes %q, want %q", ans.Notes, c.wantNote)
			}
		})
	}
}

func TestResponseFormatStepsDownAndRemembers(t *testing.T) {
	h := newHarness(t, func(n int, s seen, w http.ResponseWriter) {
		switch s.format() {
		case "json_schema", "json_object":
			writeError(w, 400, "response_format "+s.format()+" is not supported")
		default:
			writeChat(w, "```json\n"+replyJSON("Cracks [1].", false, 1, "inspectors found cracks")+"\n```")
		}
	}, Config{})
	for i := range 2 {
		ans, err := h.ans.Answer(context.Background(), bot.Request{Question: "Why closed?"})
		if err != nil {
			t.Fatal(err)
		}
		if ans.Mode != bot.ModeLLM {
			t.Fatalf("answer %d: mode %q notes %v", i, ans.Mode, ans.Notes)
		}
	}
	var formats []string
	for _, r := range h.llm.requests() {
		formats = append(formats, r.format())
	}
	if got := strings.Join(formats, ","); got != "json_schema,json_object,," {
		t.Errorf("formats tried = %q, want json_schema,json_object,(none) then (none) again", got)
	}
}

func TestInjectionStaysInUserMessage(t *testing.T) {
	var systems []string
	var users []string
	for _, injected := range []bool{false, true} {
		h := newHarness(t, func(n int, s seen, w http.ResponseWriter) {
			writeChat(w, replyJSON("Ferries run every 20 minutes [4].", false, 4, "The ferry will run every 20 minutes"))
		}, Config{}, harbourArticle(), ferryArticle(injected))
		if _, err := h.ans.Answer(context.Background(), bot.Request{Question: "How often do ferries run?"}); err != nil {
			t.Fatal(err)
		}
		r := h.llm.requests()[0]
		if len(r.Req.Messages) != 2 || r.Req.Messages[0].Role != "system" || r.Req.Messages[1].Role != "user" {
			t.Fatalf("messages = %+v, want system then user", r.Req.Messages)
		}
		systems = append(systems, r.system())
		users = append(users, r.user())
	}
	if systems[0] != systems[1] {
		t.Error("the system message changed when an article carried an injection")
	}
	if strings.Contains(systems[1], "Ignore previous") {
		t.Error("injection reached the system message")
	}
	if !strings.Contains(users[1], injection) {
		t.Error("the injected paragraph should be in the user message, as data")
	}
	// It sits inside a passage fence.
	i := strings.Index(users[1], injection)
	open := strings.LastIndex(users[1][:i], "<passage ")
	closeTag := strings.Index(users[1][i:], "</passage>")
	if open < 0 || closeTag < 0 || strings.Contains(users[1][open:i], "</passage>") {
		t.Error("injection is not inside a <passage> fence")
	}
}

func TestStreamingPartialsAndVerifiedResult(t *testing.T) {
	content := replyJSON(`Mayor Ana Ruiz said “We will reopen the bridge in May” [2], and that it is “closed for good” [3].`, false,
		2, "We will reopen the bridge in May",
		3, "the bridge is closed for good")
	h := newHarness(t, func(n int, s seen, w http.ResponseWriter) {
		if !s.Req.Stream {
			t.Errorf("want a streaming request")
		}
		writeStream(w, content, 7)
	}, Config{})
	var mu sync.Mutex
	var partials []string
	ans, err := h.ans.Answer(context.Background(), bot.Request{Question: "What did the mayor say?", OnPartial: func(s string) {
		mu.Lock()
		partials = append(partials, s)
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(partials) < 3 {
		t.Fatalf("got %d partials, want progressive updates", len(partials))
	}
	for i, p := range partials {
		if strings.Contains(p, "for good") || strings.Contains(p, "[") {
			t.Errorf("partial %d shows unverified quote text or a marker: %q", i, p)
		}
		if i > 0 && len(p) < len(partials[i-1]) && !strings.HasSuffix(partials[i-1], "…") {
			t.Errorf("partial %d shrank: %q after %q", i, p, partials[i-1])
		}
	}
	if last := partials[len(partials)-1]; !strings.HasPrefix(last, "Mayor Ana Ruiz said “…”") {
		t.Errorf("last partial = %q", last)
	}
	if ans.Mode != bot.ModeLLM || len(ans.Citations) != 1 {
		t.Fatalf("final answer %+v", ans)
	}
	if strings.Contains(allText(ans), "for good") {
		t.Errorf("fabricated quote in the final answer: %q", ans.Text)
	}
	if !strings.Contains(ans.Text, "“We will reopen the bridge in May”") {
		t.Errorf("verified inline quote lost: %q", ans.Text)
	}
}

func TestStreamingServerErrorFallsBack(t *testing.T) {
	h := newHarness(t, func(n int, s seen, w http.ResponseWriter) { writeError(w, 503, "overloaded") }, Config{})
	ans, err := h.ans.Answer(context.Background(), bot.Request{Question: "q?", OnPartial: func(string) {}})
	if err != nil {
		t.Fatal(err)
	}
	if ans.Mode != bot.ModeExtractive || len(ans.Notes) != 1 || !strings.Contains(ans.Notes[0], "HTTP 503") {
		t.Errorf("mode %q notes %v", ans.Mode, ans.Notes)
	}
}

func TestNoFallbackReturnsError(t *testing.T) {
	h := newHarness(t, func(n int, s seen, w http.ResponseWriter) { writeError(w, 401, "bad key") }, Config{})
	a, err := New(h.cfg, h.search, nil, bot.Linker{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Answer(context.Background(), bot.Request{Question: "q?"}); err == nil || !strings.Contains(err.Error(), "HTTP 401") {
		t.Errorf("err = %v", err)
	}
}

func TestDuplicateSpansShareANumber(t *testing.T) {
	// Two overlapping passages of one article: the same quote cited via
	// both gets one citation.
	art := harbourArticle()
	h := newHarness(t, func(n int, s seen, w http.ResponseWriter) {
		writeChat(w, replyJSON("It reopens in May [1] [2].", false, 1, "We will reopen the bridge in May", 2, "We will reopen the bridge in May"))
	}, Config{})
	h.search.articles = nil
	h.ans.search = &dupSearcher{art: art}
	ans, err := h.ans.Answer(context.Background(), bot.Request{Question: "When?"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ans.Citations) != 1 || ans.Text != "It reopens in May [1]." {
		t.Errorf("text %q citations %+v", ans.Text, ans.Citations)
	}
}

func TestPerCallTimeoutNote(t *testing.T) {
	h := newHarness(t, func(n int, s seen, w http.ResponseWriter) {
		select {
		case <-s.Ctx.Done():
		case <-time.After(10 * time.Second):
		}
	}, Config{Budget: 5 * time.Second, Timeout: 200 * time.Millisecond})
	start := time.Now()
	ans, err := h.ans.Answer(context.Background(), bot.Request{Question: "When?"})
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(start) > 3*time.Second {
		t.Errorf("took %v with a 200ms call timeout", time.Since(start))
	}
	if len(ans.Notes) != 1 || !strings.Contains(ans.Notes[0], "did not answer within 200ms") {
		t.Errorf("notes %q", ans.Notes)
	}
}
