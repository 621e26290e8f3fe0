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
	// actionContextPrefix starts the action ID of a citation's Context
	// button (newsdesk_context_0, _1, …: unique within the block).
	actionContextPrefix = "newsdesk_context_"
	actionsBlockID      = "newsdesk_actions"
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

// unknownOutlet is what corpus.Article.SourceName says when an article
// names no outlet; it is not shown as an outlet.
const unknownOutlet = "unknown outlet"

func label(source, date string) string {
	source = strings.TrimSpace(source)
	if source == "" || source == unknownOutlet {
		source = "source"
	}
	source = truncate(source, 100)
	if date = strings.TrimSpace(date); date != "" {
		return source + " · " + truncate(date, 40)
	}
	return source
}

// sourceLine is the line under a quote: "Headline · Outlet · date", each
// part only when known ("unknown outlet" is left out).
func sourceLine(title, source, date string) string {
	var parts []string
	if t := strings.TrimSpace(clean(title)); t != "" {
		parts = append(parts, truncate(t, 150))
	}
	if s := strings.TrimSpace(clean(source)); s != "" && s != unknownOutlet {
		parts = append(parts, truncate(s, 100))
	}
	if d := strings.TrimSpace(clean(date)); d != "" {
		parts = append(parts, truncate(d, 40))
	}
	if len(parts) == 0 {
		return "source"
	}
	return strings.Join(parts, " · ")
}

// boundedLink is link() but drops over-long URLs.
func boundedLink(u, text string) string {
	if len(u) > maxLinkURL {
		return esc(text)
	}
	return link(u, text)
}

// webLink returns u when it may be the target of a rich_text link: an
// absolute http(s) URL with a host, of bounded length; else "".
func webLink(u string) string {
	if len(u) > maxLinkURL || safeURL(u) == "" || !bot.IsWebURL(u) {
		return ""
	}
	return u
}

// Rich text helpers. Text in rich_text elements is shown literally by
// Slack: no mrkdwn (*bold*, _italic_, ~strike~, `code`), no <…> markup, no
// entities. Article and answer text is placed there as it is, so what a
// reporter copies is exactly the article's text.
var (
	styleBold   = &slackapi.RichTextSectionTextStyle{Bold: true}
	styleItalic = &slackapi.RichTextSectionTextStyle{Italic: true}
)

func rtText(s string, st *slackapi.RichTextSectionTextStyle) slackapi.RichTextSectionElement {
	return slackapi.NewRichTextSectionTextElement(s, st)
}

// rtLink is a link element, or the text alone when u is not a web link.
func rtLink(u, text string) slackapi.RichTextSectionElement {
	if u = webLink(u); u == "" {
		return rtText(text, nil)
	}
	return slackapi.NewRichTextSectionLinkElement(u, text, nil)
}

func richText(els ...slackapi.RichTextSectionElement) *slackapi.RichTextBlock {
	return slackapi.NewRichTextBlock("", slackapi.NewRichTextSection(els...))
}

// rtLen is the number of characters of text a rich text block shows.
func rtLen(els []slackapi.RichTextSectionElement) int {
	n := 0
	for _, e := range els {
		switch x := e.(type) {
		case *slackapi.RichTextSectionTextElement:
			n += len(x.Text)
		case *slackapi.RichTextSectionLinkElement:
			n += len(x.Text) + len(x.URL)
		}
	}
	return n
}

// citationBlocks renders one citation as rich text:
//
//	[1] “quote” — Speaker
//	Headline · Outlet · date (linked when there is a link) · also reported by …
//
// A quote too long for one block continues in further blocks; every block
// stays well under maxSectionText characters.
func citationBlocks(c bot.Citation, publicURL string) ([]slackapi.Block, []int) {
	var blocks []slackapi.Block
	var sizes []int
	emit := func(els []slackapi.RichTextSectionElement) {
		blocks = append(blocks, richText(els...))
		sizes = append(sizes, rtLen(els))
	}
	quote := strings.Join(strings.Fields(clean(c.Quote)), " ")
	pieces := splitText(quote, maxSectionText-400)
	if len(pieces) == 0 {
		pieces = []string{""}
	}
	for i, p := range pieces {
		var els []slackapi.RichTextSectionElement
		if i == 0 {
			els = append(els, rtText(fmt.Sprintf("[%d] ", c.N), styleBold))
			p = "“" + p
		}
		if i == len(pieces)-1 {
			p += "”"
		} else {
			p += "…"
		}
		els = append(els, rtText(p, nil))
		if i < len(pieces)-1 {
			emit(els)
			continue
		}
		if sp := strings.TrimSpace(clean(c.Speaker)); sp != "" {
			els = append(els, rtText(" — "+truncate(sp, 200), nil))
		}
		els = append(els, rtText("\n", nil), rtLink(citationURL(c, publicURL), sourceLine(c.Title, c.Source, c.Published)))
		if len(c.AlsoReportedBy) > 0 {
			els = append(els, rtText(" · also reported by ", styleItalic))
			budget := maxSectionText - 400 - rtLen(els)
			for j, r := range c.AlsoReportedBy {
				ru := r.URL
				if webLink(ru) == "" && publicURL != "" && r.ArticleID != "" {
					ru = publicURL + "/articles/" + url.PathEscape(r.ArticleID)
				}
				ref := rtLink(ru, label(clean(r.Source), clean(r.Published)))
				n := rtLen([]slackapi.RichTextSectionElement{ref})
				if j == maxAlsoReported || n+4 > budget {
					els = append(els, rtText(fmt.Sprintf("%sand %d more", sepIf(j), len(c.AlsoReportedBy)-j), nil))
					break
				}
				if j > 0 {
					els = append(els, rtText(", ", nil))
				}
				els = append(els, ref)
				budget -= n + 2
			}
		}
		emit(els)
	}
	return blocks, sizes
}

func sepIf(i int) string {
	if i > 0 {
		return ", "
	}
	return ""
}

// answerLine is the first line of the lead (the short answer the
// answerer puts there) and the rest of it.
func answerLine(a *bot.Answer) (first, rest string) {
	l := strings.TrimSpace(clean(leadText(a)))
	first, rest, _ = strings.Cut(l, "\n")
	return strings.TrimSpace(first), strings.TrimSpace(rest)
}

// fallbackText is the plain-text version of a (notifications, clients
// without blocks): the answer line and the numbered quotes, each followed
// by its source in parentheses, escaped and bounded.
func fallbackText(a *bot.Answer) string {
	var b strings.Builder
	first, rest := answerLine(a)
	b.WriteString(first)
	if rest != "" && (a.Abstained || len(a.Citations) == 0) {
		b.WriteString("\n" + rest)
	}
	if !a.Abstained {
		for _, c := range a.Citations {
			fmt.Fprintf(&b, "\n[%d] “%s”", c.N, strings.Join(strings.Fields(clean(c.Quote)), " "))
			if sp := strings.TrimSpace(clean(c.Speaker)); sp != "" {
				fmt.Fprintf(&b, " — %s", sp)
			}
			fmt.Fprintf(&b, " (%s)", strings.ReplaceAll(sourceLine(c.Title, c.Source, c.Published), " · ", ", "))
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
	// The answer line (bold when the answerer wrote a short answer in
	// Lead), then the rest of the lead, as literal rich text.
	first, rest := answerLine(a)
	var lineStyle *slackapi.RichTextSectionTextStyle
	if strings.TrimSpace(a.Lead) != "" && !a.Abstained {
		lineStyle = styleBold
	}
	for _, p := range splitText(first, maxSectionText-100) {
		add(richText(rtText(p, lineStyle)), len(p))
	}
	if rest != "" {
		for _, p := range splitText(rest, maxSectionText-100) {
			add(richText(rtText(p, nil)), len(p))
		}
	}
	if !a.Abstained {
		for _, c := range a.Citations {
			bs, ss := citationBlocks(c, o.PublicURL)
			for i := range bs {
				add(bs[i], ss[i])
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
		var cits []bot.Citation
		if !a.Abstained {
			cits = a.Citations
		}
		tail = append(tail, actionsBlock(o.AnswerID, o.Share, cits))
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

// maxContextButtons bounds the Context buttons of one answer: an actions
// block holds at most 25 elements, three are Share and the votes.
const maxContextButtons = 22

// actionsBlock is the row of buttons under an answer: Share (ephemeral
// /ask answers), one Context button per citation, 👍 and 👎.
func actionsBlock(answerID string, share bool, cits []bot.Citation) *slackapi.ActionBlock {
	up := slackapi.NewButtonBlockElement(actionFeedbackUp, answerID, slackapi.NewTextBlockObject(slackapi.PlainTextType, "👍", true, false))
	down := slackapi.NewButtonBlockElement(actionFeedbackDown, answerID, slackapi.NewTextBlockObject(slackapi.PlainTextType, "👎", true, false))
	var els []slackapi.BlockElement
	if share {
		sh := slackapi.NewButtonBlockElement(actionShare, answerID, slackapi.NewTextBlockObject(slackapi.PlainTextType, "Share in channel", false, false))
		sh.Style = slackapi.StylePrimary
		els = append(els, sh)
	}
	for i, c := range cits {
		if i == maxContextButtons {
			break
		}
		txt := fmt.Sprintf("Context [%d]", c.N)
		if len(cits) == 1 {
			txt = "Context"
		}
		els = append(els, slackapi.NewButtonBlockElement(fmt.Sprintf("%s%d", actionContextPrefix, i), contextValue(answerID, c), slackapi.NewTextBlockObject(slackapi.PlainTextType, txt, false, false)))
	}
	return slackapi.NewActionBlock(actionsBlockID, append(els, up, down)...)
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
