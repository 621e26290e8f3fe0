package slack

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/newsdesk/newsdesk/bot"
	"github.com/newsdesk/newsdesk/corpus"
)

var builtMention = regexp.MustCompile(`^<@[UW][A-Z0-9]+>`)

// checkMarkup asserts that the only markup in rendered text is what the
// bot builds: every '<' opens an http(s) link or a valid user mention, and
// every '>' closes one.
func checkMarkup(t testing.TB, msgs []outMessage) {
	t.Helper()
	for _, m := range msgs {
		raw, _ := json.Marshal(m.Blocks)
		var blocks []any
		_ = json.Unmarshal(raw, &blocks)
		checkRichElements(t, blocks)
		for _, s := range markupTexts(t, m) {
			if strings.Contains(s, "<!") {
				t.Fatalf("unescaped <! in %q", s)
			}
			// '>' is either a blockquote marker at a line start or closes markup.
			var body strings.Builder
			for _, l := range strings.Split(s, "\n") {
				body.WriteString(strings.TrimPrefix(l, "> "))
				body.WriteByte('\n')
			}
			if b := body.String(); strings.Count(b, "<") != strings.Count(b, ">") {
				t.Fatalf("unbalanced markup in %q", s)
			}
			for j := strings.IndexByte(s, '<'); j >= 0; j = indexFrom(s, "<", j+1) {
				if strings.HasPrefix(s[j:], "<@") && !builtMention.MatchString(s[j:]) {
					t.Fatalf("bad mention in %q", s)
				}
			}
		}
	}
}

func FuzzRenderAnswer(f *testing.F) {
	f.Add("Lead <!channel>", "Quote & <b>x</b>", "Outlet", "2024-01-02", "https://e.example/a?x=1&y=<2>", "Speaker", "note", "U123", false, uint8(2))
	f.Add("", "", "", "", "newsdesk:a1#p0", "", "", "", true, uint8(0))
	f.Add(strings.Repeat("é&", 2000), strings.Repeat("<!here>\n", 500), "S|x>", "d", "javascript:x", "<@U1>", "<!everyone>", "<!channel>", false, uint8(60))
	f.Fuzz(func(t *testing.T, lead, quote, source, date, u, speaker, note, sharedBy string, abstained bool, n uint8) {
		a := &bot.Answer{Lead: lead, Text: lead + quote, Abstained: abstained, Notes: []string{note, quote}}
		for i := 0; i < int(n%70); i++ {
			a.Citations = append(a.Citations, bot.Citation{
				N: i + 1, ArticleID: source, Source: source, Published: date, URL: u, Quote: quote, Speaker: speaker, Para: i,
				AlsoReportedBy: []bot.Ref{{Source: speaker, Published: date, URL: u}, {Source: note, URL: quote}},
			})
		}
		for _, o := range []renderOpts{
			{},
			{AnswerID: "id", Share: true, PublicURL: testPublic, ExtraNotes: []string{note}},
			{AnswerID: "id", SharedBy: sharedBy, Question: quote, PublicURL: "https://p.example/x"},
		} {
			msgs := renderAnswer(a, o)
			checkLimits(t, msgs)
			checkMarkup(t, msgs)
		}
		for _, m := range []outMessage{renderNotice(quote), renderPartial(quote)} {
			checkLimits(t, []outMessage{m})
			checkMarkup(t, []outMessage{m})
		}
	})
}

func FuzzCleanQuestion(f *testing.F) {
	f.Add("<@UBOT> what <https://x|y> &amp; <#C1|news>?", "UBOT")
	f.Add("<<<>>><!subteam^|>", "")
	f.Fuzz(func(t *testing.T, text, botID string) {
		q := cleanQuestion(text, botID)
		if q != strings.TrimSpace(q) {
			t.Fatalf("not trimmed: %q", q)
		}
	})
}

func FuzzSplitText(f *testing.F) {
	f.Add("hello & <world>\nnext line", 10)
	f.Add("\xff\xfe日本語", 8)
	f.Fuzz(func(t *testing.T, s string, limit int) {
		limit = 8 + abs(limit)%5000
		parts := splitText(s, limit)
		if strings.Join(parts, "") != s {
			t.Fatalf("split lost text")
		}
		for _, p := range parts {
			if p == "" || escLen(p) > limit {
				t.Fatalf("bad part %q (limit %d)", p, limit)
			}
		}
	})
}

func abs(i int) int {
	if i < 0 {
		if i == -i { // math.MinInt
			return 0
		}
		return -i
	}
	return i
}

// FuzzContextView renders the Context modal from untrusted article text:
// no panic, only text and http(s) link elements in rich text, valid UTF-8,
// and the header, title and each text within Slack's limits.
func FuzzContextView(f *testing.F) {
	f.Add("Title", "Herald", "p0", "The <!channel> *quote* here.", "p2", "*quote*", 1, "https://e.example/a")
	f.Add("", "", "", strings.Repeat("é<&>", 2000), "", strings.Repeat("é<&>", 1500), 0, "javascript:x")
	f.Fuzz(func(t *testing.T, title, source, p0, p1, p2, quote string, para int, u string) {
		art := &corpus.Article{ID: "a|1", Title: title, Source: source, URL: u, Paragraphs: []string{p0, p1, p2}}
		c := bot.Citation{N: 1, ArticleID: art.ID, Para: para, Quote: quote}
		for _, pub := range []string{"", testPublic} {
			v := contextView(c, art, pub)
			raw, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			if !utf8.Valid(raw) {
				t.Fatalf("invalid UTF-8")
			}
			var m map[string]any
			if err := json.Unmarshal(raw, &m); err != nil {
				t.Fatal(err)
			}
			checkRichElements(t, []any{m})
			if n := utf8.RuneCountInString(v.Title.Text); n > maxModalTitle {
				t.Fatalf("title of %d characters", n)
			}
			for _, s := range walkTexts([]any{m["blocks"]}, "", true) {
				if utf8.RuneCountInString(s) > 3*maxSectionText {
					t.Fatalf("text of %d characters", utf8.RuneCountInString(s))
				}
			}
		}
	})
}
