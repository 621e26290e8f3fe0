package slack

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	slackapi "github.com/slack-go/slack"
	"gopkg.in/yaml.v3"

	"github.com/newsdesk/newsdesk/bot"
)

// renderedTexts returns every text object of a message (section texts,
// context elements, button labels) plus its fallback text.
func renderedTexts(t testing.TB, m outMessage) []string {
	t.Helper()
	raw, err := json.Marshal(m.Blocks)
	if err != nil {
		t.Fatalf("blocks do not marshal: %v", err)
	}
	var blocks []any
	if err := json.Unmarshal(raw, &blocks); err != nil {
		t.Fatal(err)
	}
	c := apiCall{JSON: map[string]any{"blocks": blocks, "text": m.Text}}
	return c.texts(t)
}

// markupTexts is renderedTexts without rich_text blocks (literal text).
func markupTexts(t testing.TB, m outMessage) []string {
	t.Helper()
	raw, err := json.Marshal(m.Blocks)
	if err != nil {
		t.Fatalf("blocks do not marshal: %v", err)
	}
	var blocks []any
	if err := json.Unmarshal(raw, &blocks); err != nil {
		t.Fatal(err)
	}
	c := apiCall{JSON: map[string]any{"blocks": blocks, "text": m.Text}}
	return c.markupTexts(t)
}

// checkLimits asserts Slack's limits and the escaping invariant on msgs.
func checkLimits(t testing.TB, msgs []outMessage) {
	t.Helper()
	if len(msgs) == 0 || len(msgs) > maxMessages {
		t.Fatalf("%d messages", len(msgs))
	}
	for i, m := range msgs {
		if len(m.Blocks) == 0 || len(m.Blocks) > maxBlocks {
			t.Fatalf("message %d has %d blocks", i, len(m.Blocks))
		}
		for _, b := range m.Blocks {
			if s, ok := b.(*slackapi.SectionBlock); ok {
				if n := utf8.RuneCountInString(s.Text.Text); n > maxSectionText || n == 0 {
					t.Fatalf("section of %d characters", n)
				}
				if !s.Text.Verbatim {
					t.Fatalf("section not verbatim")
				}
			}
		}
		for _, b := range m.Blocks {
			if rt, ok := b.(*slackapi.RichTextBlock); ok {
				raw, _ := json.Marshal(rt)
				var v any
				_ = json.Unmarshal(raw, &v)
				if n := utf8.RuneCountInString(richPlain(v)); n > maxSectionText || n == 0 {
					t.Fatalf("rich_text block of %d characters", n)
				}
			}
		}
		for _, s := range markupTexts(t, m) {
			if utf8.RuneCountInString(s) > maxSectionText {
				t.Fatalf("text of %d characters", utf8.RuneCountInString(s))
			}
			for j := strings.IndexByte(s, '<'); j >= 0; j = indexFrom(s, "<", j+1) {
				rest := s[j:]
				if !strings.HasPrefix(rest, "<http://") && !strings.HasPrefix(rest, "<https://") && !strings.HasPrefix(rest, "<@") {
					t.Fatalf("unescaped '<' in %q", s)
				}
				end := strings.IndexByte(rest, '>')
				if end < 0 {
					t.Fatalf("unterminated link in %q", s)
				}
				if u, _, _ := strings.Cut(rest[1:end], "|"); strings.ContainsAny(u, "< \n\t") {
					t.Fatalf("malformed link %q", rest[:end+1])
				}
			}
		}
	}
}

func TestRenderAbstainedShowsTextOnly(t *testing.T) {
	a := sampleAnswer()
	a.Abstained = true
	a.Text = "I can't find that in the archive."
	msgs := renderAnswer(a, renderOpts{AnswerID: "x"})
	checkLimits(t, msgs)
	all := strings.Join(renderedTexts(t, msgs[0]), "\n")
	if !strings.Contains(all, "I can't find that in the archive.") || strings.Contains(all, "> ") || strings.Contains(all, "bridge") {
		t.Errorf("abstention rendered quotes:\n%s", all)
	}
}

func TestRenderLongAnswerSplits(t *testing.T) {
	a := &bot.Answer{Lead: strings.Repeat("Long lead sentence & more. ", 400)}
	for i := 1; i <= 120; i++ {
		a.Citations = append(a.Citations, bot.Citation{
			N: i, Source: "Outlet", Published: "2024-01-02", URL: "https://example.com/x?a=1&b=2",
			Quote: strings.Repeat("A quoted <!here> sentence. ", 40),
		})
	}
	msgs := renderAnswer(a, renderOpts{AnswerID: "id1"})
	checkLimits(t, msgs)
	if len(msgs) < 2 {
		t.Fatalf("long answer in %d message(s)", len(msgs))
	}
	last := msgs[len(msgs)-1].Blocks
	if _, ok := last[len(last)-1].(*slackapi.ActionBlock); !ok {
		t.Errorf("feedback buttons not at the end")
	}
	var all []string
	for _, m := range msgs {
		all = append(all, renderedTexts(t, m)...)
	}
	joined := strings.Join(all, "\n")
	for _, want := range []string{"Long lead sentence &amp; more.", "[Outlet · 2024-01-02](https://example.com/x?a=1&b=2)", "Answer truncated"} {
		if !strings.Contains(joined, want) {
			t.Errorf("long answer lacks %q", want)
		}
	}
}

func TestRenderHugeQuoteSplitsSections(t *testing.T) {
	a := &bot.Answer{Lead: "Lead.", Citations: []bot.Citation{{N: 1, Source: "S", Quote: strings.Repeat("é<&>", 3000)}}}
	msgs := renderAnswer(a, renderOpts{})
	checkLimits(t, msgs)
	var quoted int
	for _, m := range msgs {
		for _, b := range m.Blocks {
			if rt, ok := b.(*slackapi.RichTextBlock); ok {
				raw, _ := json.Marshal(rt)
				var v any
				_ = json.Unmarshal(raw, &v)
				if strings.Contains(richPlain(v), "é<&>") {
					quoted++
				}
			}
		}
	}
	if quoted < 2 {
		t.Errorf("huge quote in %d section(s)", quoted)
	}
}

func TestLinkSafety(t *testing.T) {
	cases := map[string]string{
		"javascript:alert(1)":                   "S · 2024 `javascript:alert(1)`",
		"https://x.example/a|<!channel>":        "<https://x.example/a%7C%3C!channel%3E|S · 2024>",
		"https://x.example/a b>c":               "<https://x.example/a%20b%3Ec|S · 2024>",
		"newsdesk:a1#p3":                        "S · 2024 `newsdesk:a1#p3`",
		"":                                      "S · 2024",
		"https://user:pw@x.example/":            "S · 2024 `https://user:pw@x.example/`",
		"ftp://x.example/f":                     "S · 2024 `ftp://x.example/f`",
		"https://x.example/?q=<b>&r=`x`":        "<https://x.example/?q=%3Cb%3E&amp;r=`x`|S · 2024>",
		"https://x.example/" + "\x00\x1b[31m":   "S · 2024 `https://x.example/[31m`",
		"https://example.com/a#:~:text=a%2Cb,c": "<https://example.com/a#:~:text=a%2Cb,c|S · 2024>",
	}
	for u, want := range cases {
		if got := link(u, "S · 2024"); got != want {
			t.Errorf("link(%q) = %q, want %q", u, got, want)
		}
	}
}

func TestCitationURLWithoutPublicURL(t *testing.T) {
	c := bot.Citation{ArticleID: "a3", Para: 2, URL: "newsdesk:a3#p2", Quote: "q"}
	if got := citationURL(c, ""); got != "newsdesk:a3#p2" {
		t.Errorf("got %q", got)
	}
	c.URL = "https://example.com/x#:~:text=q"
	if got := citationURL(c, testPublic); got != c.URL {
		t.Errorf("external URL changed: %q", got)
	}
}

func TestCleanQuestion(t *testing.T) {
	cases := map[string]string{
		"<@UBOT> what happened?":                       "what happened?",
		"<@UBOT|newsdesk>   what  happened?":           "what happened?",
		"ask <@U123> about <#C1|news> and <!here>":     "ask @U123 about #news and @here",
		"see <https://x.example/a|the story> &amp; co": "see the story & co",
		"&lt;b&gt; tags":                               "<b> tags",
		"<!subteam^S1|@editors> hi":                    "@editors hi",
		"<!subteam^S1> hi":                             "@subteam hi",
		"<@UBOT>":                                      "",
	}
	for in, want := range cases {
		if got := cleanQuestion(in, "UBOT"); got != want {
			t.Errorf("cleanQuestion(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSplitText(t *testing.T) {
	s := strings.Repeat("word & <x> ", 1000)
	parts := splitText(s, 100)
	if strings.Join(parts, "") != s {
		t.Fatal("split lost text")
	}
	for _, p := range parts {
		if escLen(p) > 100 || len(esc(p)) != escLen(p) {
			t.Fatalf("part too long: %d", escLen(p))
		}
	}
	if got := splitText("ééé", 8); strings.Join(got, "") != "ééé" {
		t.Errorf("runes split: %q", got)
	}
}

func TestRenderPartialKeepsTail(t *testing.T) {
	text := strings.Repeat("x", 5000) + " THE END"
	m := renderPartial(text)
	sec := m.Blocks[0].(*slackapi.SectionBlock).Text.Text
	if !strings.HasSuffix(sec, "THE END") || len(sec) > maxSectionText || len(sec) < maxSectionText-20 {
		t.Errorf("partial section: %d bytes, suffix %q", len(sec), sec[len(sec)-10:])
	}
}

func TestTTLCache(t *testing.T) {
	now := time.Unix(1000, 0)
	c := newTTLCache[int](time.Minute, 3)
	c.now = func() time.Time { return now }
	if c.Seen("a") || !c.Seen("a") {
		t.Fatal("Seen does not dedupe")
	}
	c.Put("b", 2)
	c.Put("c", 3)
	c.Put("d", 4) // evicts a (oldest)
	if _, ok := c.Get("a"); ok || c.Len() != 3 {
		t.Errorf("not bounded: len %d", c.Len())
	}
	now = now.Add(2 * time.Minute)
	if _, ok := c.Get("d"); ok {
		t.Errorf("expired entry returned")
	}
	if c.Seen("b") {
		t.Errorf("expired key still seen")
	}
	c.Update("k", func(v int, ok bool) int { return v + 1 })
	c.Update("k", func(v int, ok bool) int { return v + 1 })
	if v, _ := c.Get("k"); v != 2 {
		t.Errorf("update = %d", v)
	}
	for i := 0; i < 1000; i++ {
		c.Put("k", i)
	}
	if len(c.order) > 2*c.Len()+65 {
		t.Errorf("order grows without bound: %d", len(c.order))
	}
}

func TestRateLimiter(t *testing.T) {
	now := time.Unix(1000, 0)
	r := newRateLimiter(2, time.Minute)
	r.now = func() time.Time { return now }
	for i := 0; i < 2; i++ {
		if ok, _, _ := r.Allow("u"); !ok {
			t.Fatal("denied under the limit")
		}
	}
	ok, wait, tell := r.Allow("u")
	if ok || wait != time.Minute || !tell {
		t.Errorf("over limit: ok=%v wait=%v tell=%v", ok, wait, tell)
	}
	if _, _, tell := r.Allow("u"); tell {
		t.Errorf("told twice in one window")
	}
	if ok, _, _ := r.Allow("v"); !ok {
		t.Errorf("other user limited")
	}
	now = now.Add(61 * time.Second)
	if ok, _, _ := r.Allow("u"); !ok {
		t.Errorf("still limited after the window")
	}
	if ok, _, _ := (*rateLimiter)(nil).Allow("u"); !ok {
		t.Errorf("nil limiter limits")
	}
}

func TestManifest(t *testing.T) {
	checkManifest(t, "manifest.yaml", []string{"app_mention", "message.im", "message.mpim"}, []string{"message.channels", "message.groups"})
	checkManifest(t, "manifest-thread-followups.yaml", []string{"app_mention", "message.im", "message.mpim", "message.channels", "message.groups"}, nil)
}

// checkManifest checks an app manifest: scopes, the events it must and
// must not subscribe to, /ask, interactivity, Socket Mode.
func checkManifest(t *testing.T, path string, events, notEvents []string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Features struct {
			SlashCommands []struct{ Command string } `yaml:"slash_commands"`
			AppHome       struct {
				MessagesTab bool `yaml:"messages_tab_enabled"`
			} `yaml:"app_home"`
		}
		OAuth struct {
			Scopes struct{ Bot []string }
		} `yaml:"oauth_config"`
		Settings struct {
			Events struct {
				BotEvents []string `yaml:"bot_events"`
			} `yaml:"event_subscriptions"`
			Interactivity struct {
				Enabled bool `yaml:"is_enabled"`
			}
			SocketMode bool `yaml:"socket_mode_enabled"`
		}
	}
	if err := yaml.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	has := func(list []string, v string) bool {
		for _, x := range list {
			if x == v {
				return true
			}
		}
		return false
	}
	for _, s := range []string{"app_mentions:read", "chat:write", "commands", "im:history", "im:read", "mpim:history", "channels:history", "groups:history"} {
		if !has(m.OAuth.Scopes.Bot, s) {
			t.Errorf("%s: scope %s missing", path, s)
		}
	}
	for _, e := range events {
		if !has(m.Settings.Events.BotEvents, e) {
			t.Errorf("%s: event %s missing", path, e)
		}
	}
	for _, e := range notEvents {
		if has(m.Settings.Events.BotEvents, e) {
			t.Errorf("%s: subscribes to %s", path, e)
		}
	}
	if len(m.Features.SlashCommands) != 1 || m.Features.SlashCommands[0].Command != "/ask" {
		t.Errorf("slash commands = %+v", m.Features.SlashCommands)
	}
	if !m.Settings.Interactivity.Enabled || !m.Settings.SocketMode || !m.Features.AppHome.MessagesTab {
		t.Errorf("settings = %+v", m.Settings)
	}
}

func TestAlsoReportedByWithoutURLLinksArticlePage(t *testing.T) {
	c := bot.Citation{N: 1, Source: "A", Quote: "q", URL: "https://a.example/1",
		AlsoReportedBy: []bot.Ref{{ArticleID: "b/2", Source: "B", Published: "2024-01-01"}, {Source: "C"}}}
	bs, _ := citationBlocks(c, testPublic)
	raw, _ := json.Marshal(bs)
	for _, want := range []string{
		`{"type":"link","url":"https://a.example/1","text":"A"}`,
		`{"type":"link","url":"` + testPublic + `/articles/b%2F2","text":"B · 2024-01-01"}`,
		`{"type":"text","text":"C"}`,
	} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("citation lacks %s:\n%s", want, raw)
		}
	}
}
