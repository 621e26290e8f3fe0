package slack

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	slackapi "github.com/slack-go/slack"

	"github.com/newsdesk/newsdesk/bot"
)

// Slack's limits (https://docs.slack.dev/reference/block-kit/blocks).
const (
	maxSectionText = 3000 // characters in one section's text
	maxBlocks      = 50   // blocks in one message
	// maxMessageText is a soft budget of text per message: Slack rejects
	// very large messages well before 50 full sections.
	maxMessageText = 12000
	// maxMessages caps how many messages one answer may take.
	maxMessages = 10
	// maxFallbackText bounds the plain-text fallback (notifications).
	maxFallbackText = 3000
	// maxLinkURL bounds a URL placed in <url|label>; longer ones are shown
	// as plain labels.
	maxLinkURL = 2000
	// maxAlsoReported is how many corroborating articles are listed.
	maxAlsoReported = 5
)

// Action IDs of the buttons the bot renders.
const (
	actionFeedbackUp   = "newsdesk_feedback_up"
	actionFeedbackDown = "newsdesk_feedback_down"
	actionShare        = "newsdesk_share"
	actionsBlockID     = "newsdesk_actions"
)

// renderOpts controls renderAnswer.
type renderOpts struct {
	// AnswerID is the button value identifying the stored answer; "" means
	// no buttons.
	AnswerID string
	// Share adds the "Share in channel" button (ephemeral /ask answers).
	Share bool
	// SharedBy, when set, heads the message "Shared by <@user>" followed
	// by the question (answers shared from /ask).
	SharedBy string
	// Question is shown with SharedBy.
	Question string
	// ExtraNotes are appended to the answer's notes (e.g. how a follow-up
	// was understood).
	ExtraNotes []string
	// PublicURL rewrites newsdesk: references into article-page links and
	// adds the ?hl= highlight to article-page links.
	PublicURL string
}

// outMessage is one Slack message: Block Kit blocks plus the plain-text
// fallback Slack shows in notifications and on clients without blocks.
type outMessage struct {
	Text   string
	Blocks []slackapi.Block
}

var userIDPattern = regexp.MustCompile(`^[UW][A-Z0-9]{1,30}$`)

// mention renders a user reference built by the bot: <@U123> for a valid
// user ID, else the escaped text.
func mention(userID string) string {
	if userIDPattern.MatchString(userID) {
		return "<@" + userID + ">"
	}
	return esc(userID)
}

// mrkdwn returns a verbatim mrkdwn text object: verbatim stops Slack from
// auto-linking channel names and bare @channel/@here in quoted text.
func mrkdwn(text string) *slackapi.TextBlockObject {
	return slackapi.NewTextBlockObject(slackapi.MarkdownType, text, false, true)
}

func section(text string) *slackapi.SectionBlock {
	return slackapi.NewSectionBlock(mrkdwn(text), nil, nil)
}

func contextBlock(texts ...string) *slackapi.ContextBlock {
	els := make([]slackapi.MixedElement, 0, len(texts))
	for _, t := range texts {
		els = append(els, mrkdwn(t))
	}
	return slackapi.NewContextBlock("", els...)
}

// escTrunc escapes the longest prefix of s whose escaped form fits in
// limit bytes, adding "…" when it had to cut.
func escTrunc(s string, limit int) string {
	if escLen(s) <= limit {
		return esc(s)
	}
	return esc(splitText(s, limit-len("…"))[0]) + "…"
}

// clean makes text safe to measure and render: valid UTF-8, no NULs, no
// carriage returns.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.NewReplacer("\x00", "", "\r\n", "\n", "\r", "\n").Replace(s)
}

// leadText is what the answer says before its quotes.
func leadText(a *bot.Answer) string {
	if a.Abstained {
		if t := strings.TrimSpace(a.Text); t != "" {
			return t
		}
		if t := strings.TrimSpace(a.Lead); t != "" {
			return t
		}
		return "I can't find that in the archive."
	}
	if t := strings.TrimSpace(a.Lead); t != "" {
		return t
	}
	if t := strings.TrimSpace(a.Text); t != "" {
		return t
	}
	if len(a.Citations) == 0 {
		return "I can't find that in the archive."
	}
	return "Here is what the archive says:"
}

// citationURL is the link for c: its own URL when it is a web link; a link
// to this server's article page when the answerer only had a newsdesk:
// reference and PublicURL is known. Links to the article pages carry the
// quote in ?hl= so the page highlights it.
func citationURL(c bot.Citation, publicURL string) string {
	u := c.URL
	if publicURL != "" && c.ArticleID != "" && safeURL(u) == "" {
		u = bot.Linker{PublicURL: publicURL}.Link("", c.ArticleID, c.Para, c.Quote)
	}
	return withHighlight(u, publicURL, c.Quote)
}

// withHighlight adds ?hl=quote to links to this server's article pages.
func withHighlight(u, publicURL, quote string) string {
	if publicURL == "" || quote == "" || !strings.HasPrefix(u, publicURL+"/articles/") || strings.Contains(u, "?") {
		return u
	}
	base, frag, hasFrag := strings.Cut(u, "#")
	q := strings.TrimSpace(quote)
	if len(q) > 300 {
		return u // too long for a comfortable URL; the #p anchor still works
	}
	out := base + "?hl=" + url.QueryEscape(q)
	if hasFrag {
		out += "#" + frag
	}
	return out
}

func label(source, date string) string {
	source = strings.TrimSpace(source)
	if source == "" {
		source = "source"
	}
	source = truncate(source, 100)
	if date = strings.TrimSpace(date); date != "" {
		return source + " · " + truncate(date, 40)
	}
	return source
}

// boundedLink is link() but drops over-long URLs.
func boundedLink(u, text string) string {
	if len(u) > maxLinkURL {
		return esc(text)
	}
	return link(u, text)
}

// citationLines renders one citation as escaped mrkdwn lines, each well
// under maxSectionText: the number and speaker, the quote as a blockquote,
// then the outlet/date link and "also reported by".
func citationLines(c bot.Citation, publicURL string) []string {
	head := fmt.Sprintf("*[%d]*", c.N)
	if sp := strings.TrimSpace(clean(c.Speaker)); sp != "" {
		head += " " + escTrunc(sp, 200) + ":"
	}
	lines := []string{head}
	for _, l := range strings.Split(clean(c.Quote), "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		for _, piece := range splitText(l, maxSectionText-100) {
			lines = append(lines, "> "+esc(piece))
		}
	}
	src := boundedLink(clean(citationURL(c, publicURL)), label(clean(c.Source), clean(c.Published)))
	if len(c.AlsoReportedBy) > 0 {
		var refs []string
		for i, r := range c.AlsoReportedBy {
			if i == maxAlsoReported {
				refs = append(refs, fmt.Sprintf("and %d more", len(c.AlsoReportedBy)-i))
				break
			}
			ru := r.URL
			if safeURL(ru) == "" && publicURL != "" && r.ArticleID != "" {
				ru = publicURL + "/articles/" + url.PathEscape(r.ArticleID)
			}
			ref := boundedLink(clean(ru), label(clean(r.Source), clean(r.Published)))
			if len(src)+len(strings.Join(refs, ", "))+len(ref) > maxSectionText-200 {
				refs = append(refs, fmt.Sprintf("and %d more", len(c.AlsoReportedBy)-i))
				break
			}
			refs = append(refs, ref)
		}
		src += " · also reported by " + strings.Join(refs, ", ")
	}
	return append(lines, src)
}

// packLines joins lines into texts of at most limit bytes each.
func packLines(lines []string, limit int) []string {
	var out []string
	var cur strings.Builder
	for _, l := range lines {
		if len(l) > limit { // unreachable by construction; never emit an oversized text
			l = "…"
		}
		if cur.Len() > 0 && cur.Len()+1+len(l) > limit {
			out = append(out, cur.String())
			cur.Reset()
		}
		if cur.Len() > 0 {
			cur.WriteByte('\n')
		}
		cur.WriteString(l)
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

// fallbackText is the plain-text version of a: the lead and the numbered
// quotes, escaped and bounded.
func fallbackText(a *bot.Answer) string {
	var b strings.Builder
	b.WriteString(clean(leadText(a)))
	if !a.Abstained {
		for _, c := range a.Citations {
			fmt.Fprintf(&b, "\n[%d] “%s” — %s", c.N, strings.TrimSpace(clean(c.Quote)), label(clean(c.Source), clean(c.Published)))
		}
	}
	return escTrunc(b.String(), maxFallbackText)
}

// renderAnswer renders a as one or more Slack messages (more than one only
// when it exceeds Slack's per-message limits). Abstentions show the text
// only. Every piece of answer, article and user text is escaped; the only
// markup is what this function builds (links, user mentions, formatting).
func renderAnswer(a *bot.Answer, o renderOpts) []outMessage {
	var blocks []slackapi.Block
	var sizes []int
	add := func(b slackapi.Block, size int) {
		blocks = append(blocks, b)
		sizes = append(sizes, size)
	}
	if o.SharedBy != "" {
		t := "Shared by " + mention(o.SharedBy)
		if q := strings.TrimSpace(clean(o.Question)); q != "" {
			t += " · asked “" + escTrunc(q, 2000) + "”"
		}
		add(contextBlock(t), len(t))
	}
	if u := strings.TrimSpace(clean(a.Understood)); u != "" {
		// How a follow-up was understood: a small line above the answer.
		t := "_" + strings.TrimSpace(bot.UnderstoodPrefix) + "_ “" + escTrunc(u, 1000) + "”"
		add(contextBlock(t), len(t))
	}
	for _, p := range splitText(clean(leadText(a)), maxSectionText) {
		t := esc(p)
		add(section(t), len(t))
	}
	if !a.Abstained {
		for _, c := range a.Citations {
			for _, t := range packLines(citationLines(c, o.PublicURL), maxSectionText) {
				add(section(t), len(t))
			}
		}
		notes := append(append([]string(nil), a.Notes...), o.ExtraNotes...)
		var els []string
		for _, n := range notes {
			if n = strings.TrimSpace(clean(n)); n != "" && len(els) < 10 {
				els = append(els, escTrunc(n, 1000))
			}
		}
		if len(els) > 0 {
			size := 0
			for _, e := range els {
				size += len(e)
			}
			add(contextBlock(els...), size)
		}
	}

	msgs := packMessages(blocks, sizes)
	var tail []slackapi.Block
	if len(msgs) > maxMessages {
		tail = append(tail, contextBlock(fmt.Sprintf("_Answer truncated: %d more message(s) not shown._", len(msgs)-maxMessages)))
		msgs = msgs[:maxMessages]
	}
	if o.AnswerID != "" {
		tail = append(tail, actionsBlock(o.AnswerID, o.Share))
	}
	if len(tail) > 0 {
		last := &msgs[len(msgs)-1]
		if len(last.Blocks)+len(tail) > maxBlocks {
			if len(msgs) < maxMessages {
				msgs = append(msgs, outMessage{})
				last = &msgs[len(msgs)-1]
			} else {
				last.Blocks = last.Blocks[:maxBlocks-len(tail)]
			}
		}
		last.Blocks = append(last.Blocks, tail...)
	}
	for i := range msgs {
		if i == 0 {
			msgs[i].Text = fallbackText(a)
		} else {
			msgs[i].Text = "(answer continued)"
		}
	}
	return msgs
}

// packMessages groups blocks into messages within maxBlocks and
// maxMessageText. It always returns at least one message.
func packMessages(blocks []slackapi.Block, sizes []int) []outMessage {
	msgs := []outMessage{{}}
	used := 0
	for i, b := range blocks {
		cur := &msgs[len(msgs)-1]
		if len(cur.Blocks) > 0 && (len(cur.Blocks) >= maxBlocks || used+sizes[i] > maxMessageText) {
			msgs = append(msgs, outMessage{})
			cur = &msgs[len(msgs)-1]
			used = 0
		}
		cur.Blocks = append(cur.Blocks, b)
		used += sizes[i]
	}
	return msgs
}

func actionsBlock(answerID string, share bool) *slackapi.ActionBlock {
	up := slackapi.NewButtonBlockElement(actionFeedbackUp, answerID, slackapi.NewTextBlockObject(slackapi.PlainTextType, "👍", true, false))
	down := slackapi.NewButtonBlockElement(actionFeedbackDown, answerID, slackapi.NewTextBlockObject(slackapi.PlainTextType, "👎", true, false))
	els := []slackapi.BlockElement{up, down}
	if share {
		sh := slackapi.NewButtonBlockElement(actionShare, answerID, slackapi.NewTextBlockObject(slackapi.PlainTextType, "Share in channel", false, false))
		sh.Style = slackapi.StylePrimary
		els = append([]slackapi.BlockElement{sh}, els...)
	}
	return slackapi.NewActionBlock(actionsBlockID, els...)
}

// renderNotice is a one-section message (placeholders, apologies, usage)
// from text the bot wrote; it is still escaped.
func renderNotice(text string) outMessage {
	if strings.TrimSpace(text) == "" {
		text = "…" // Slack rejects empty sections
	}
	t := escTrunc(clean(text), maxSectionText)
	return outMessage{Text: t, Blocks: []slackapi.Block{section(t)}}
}

// renderPartial shows a streaming answer so far; long texts show their end.
func renderPartial(text string) outMessage {
	text = clean(text)
	if strings.TrimSpace(text) == "" {
		text = "…"
	}
	if limit := maxSectionText - 10; escLen(text) > limit {
		// Keep the longest tail that fits: the newest words matter most.
		start, n := len(text), 0
		for start > 0 {
			w := escLen(text[start-1 : start])
			if n+w > limit {
				break
			}
			n += w
			start--
		}
		for start < len(text) && !utf8.RuneStart(text[start]) {
			start++
		}
		text = "…" + text[start:]
	}
	t := esc(text)
	return outMessage{
		Text:   escTrunc(text, maxFallbackText),
		Blocks: []slackapi.Block{section(t), contextBlock("_writing…_")},
	}
}
