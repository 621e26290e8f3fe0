package slack

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	slackapi "github.com/slack-go/slack"

	"github.com/newsdesk/newsdesk/bot"
	"github.com/newsdesk/newsdesk/corpus"
)

// The Context button opens a modal (views.open) with the source of a
// citation: headline, outlet, date, the quoted paragraph with the quote in
// bold between its neighbours, and the article's link when there is one.
// It needs no public URL, so it works in Socket Mode and HTTP mode alike.

const (
	// maxButtonValue is Slack's limit on a button's value.
	maxButtonValue = 2000
	// maxNeighbour bounds the paragraphs shown before and after the quoted
	// one; maxQuotedPara bounds the quoted paragraph.
	maxNeighbour  = 900
	maxQuotedPara = 2600
	// maxModalTitle is Slack's limit on a modal's title.
	maxModalTitle = 24
	// maxHeader is Slack's limit on a header block's text.
	maxHeader = 150
)

// contextValue is the value of a citation's Context button:
// "answerID|n|para|articleID". The article and paragraph let the modal be
// shown after the stored answer has expired (or the server restarted).
func contextValue(answerID string, c bot.Citation) string {
	v := fmt.Sprintf("%s|%d|%d|", answerID, c.N, c.Para)
	if len(v)+len(c.ArticleID) <= maxButtonValue {
		v += c.ArticleID
	}
	return v
}

// contextRef is a parsed Context button value.
type contextRef struct {
	AnswerID  string
	N, Para   int
	ArticleID string
}

func parseContextValue(v string) (contextRef, bool) {
	parts := strings.SplitN(v, "|", 4)
	if len(parts) != 4 {
		return contextRef{}, false
	}
	n, err1 := strconv.Atoi(parts[1])
	p, err2 := strconv.Atoi(parts[2])
	if err1 != nil || err2 != nil || n < 0 || p < 0 {
		return contextRef{}, false
	}
	return contextRef{AnswerID: parts[0], N: n, Para: p, ArticleID: parts[3]}, true
}

// showContext opens the source-context modal for a Context click.
func (s *Server) showContext(ctx context.Context, cb slackapi.InteractionCallback, act slackapi.BlockAction) {
	ref, ok := parseContextValue(act.Value)
	if !ok {
		s.log.Warn("slack: bad Context button value")
		return
	}
	var cit *bot.Citation
	if st, ok := s.answers.Get(ref.AnswerID); ok && st.Answer != nil {
		for i := range st.Answer.Citations {
			if st.Answer.Citations[i].N == ref.N {
				cit = &st.Answer.Citations[i]
				break
			}
		}
	}
	if cit == nil {
		// The answer has expired: the article and paragraph are in the
		// button; the quote is not, so the paragraph is shown unmarked.
		cit = &bot.Citation{N: ref.N, ArticleID: ref.ArticleID, Para: ref.Para, Start: -1}
	}
	var art *corpus.Article
	if s.search != nil && cit.ArticleID != "" {
		art = s.search.Article(cit.ArticleID)
	}
	view := contextView(*cit, art, s.cfg.PublicURL)
	if err := s.api.openView(ctx, cb.TriggerID, view); err != nil {
		s.log.Warn("slack: cannot open the source context", "err", err)
		s.showEphemeral(ctx, interactionChannel(cb), cb.User.ID, cb.ResponseURL,
			[]outMessage{renderNotice("Sorry — I couldn't open the source context. Please try again.")}, false)
		return
	}
	s.m.contextViews.Inc()
}

func plain(s string) *slackapi.TextBlockObject {
	return slackapi.NewTextBlockObject(slackapi.PlainTextType, s, false, false)
}

// contextView is the modal of citation c from article art (nil when the
// article is no longer in the archive). Every text is literal (plain_text
// and rich_text), so article text is never read as markup.
func contextView(c bot.Citation, art *corpus.Article, publicURL string) slackapi.ModalViewRequest {
	v := slackapi.ModalViewRequest{
		Type:       slackapi.VTModal,
		Title:      plain(truncate(fmt.Sprintf("Source [%d]", c.N), maxModalTitle)),
		Close:      plain("Close"),
		CallbackID: "newsdesk_context",
	}
	if art == nil {
		msg := "This article is no longer in the archive (it was removed or retracted after this answer)."
		els := []slackapi.RichTextSectionElement{rtText(msg, nil)}
		if q := strings.TrimSpace(clean(c.Quote)); q != "" {
			els = append(els, rtText("\n\nThe quote was: “"+truncate(q, maxQuotedPara)+"”", nil))
		}
		v.Blocks = slackapi.Blocks{BlockSet: []slackapi.Block{richText(els...)}}
		return v
	}
	title := strings.TrimSpace(clean(art.Title))
	if title == "" {
		title = "Untitled article"
	}
	blocks := []slackapi.Block{slackapi.NewHeaderBlock(plain(truncate(title, maxHeader)))}
	var meta []string
	if src := art.SourceName(); src != unknownOutlet {
		meta = append(meta, src)
	} else {
		meta = append(meta, "outlet not stated")
	}
	if d := art.Date(); d != "" {
		meta = append(meta, d)
	}
	if b := strings.TrimSpace(art.Byline); b != "" {
		meta = append(meta, b)
	}
	para := quotedPara(c, art)
	if para >= 0 {
		meta = append(meta, fmt.Sprintf("paragraph %d of %d", para+1, len(art.Paragraphs)))
	}
	blocks = append(blocks, slackapi.NewContextBlock("", plain(truncate(clean(strings.Join(meta, " · ")), 2000))))

	if para >= 0 {
		var els []slackapi.RichTextElement
		if para > 0 {
			prev := tail(clean(art.Paragraphs[para-1]), maxNeighbour)
			els = append(els, slackapi.NewRichTextSection(rtText(prev, nil)))
		}
		els = append(els, &slackapi.RichTextQuote{Type: slackapi.RTEQuote, Elements: markQuote(clean(art.Paragraphs[para]), clean(c.Quote))})
		if para+1 < len(art.Paragraphs) {
			next := truncate(clean(art.Paragraphs[para+1]), maxNeighbour)
			els = append(els, slackapi.NewRichTextSection(rtText(next, nil)))
		}
		blocks = append(blocks, slackapi.NewRichTextBlock("", els...))
	}

	var links []slackapi.RichTextSectionElement
	if u := webLink(art.URL); u != "" {
		links = append(links, slackapi.NewRichTextSectionLinkElement(u, "Open the article", nil))
	}
	if publicURL != "" {
		u := bot.Linker{PublicURL: publicURL}.Link("", art.ID, max(para, 0), "")
		u = withHighlight(u, publicURL, c.Quote)
		if webLink(u) != "" {
			if len(links) > 0 {
				links = append(links, rtText(" · ", nil))
			}
			links = append(links, slackapi.NewRichTextSectionLinkElement(u, "Read it in Newsdesk", nil))
		}
	}
	if len(links) == 0 {
		links = append(links, rtText("No link: the archive holds this article without a web address (id "+truncate(art.ID, 200)+").", styleItalic))
	}
	blocks = append(blocks, slackapi.NewDividerBlock(), richText(links...))
	v.Blocks = slackapi.Blocks{BlockSet: blocks}
	return v
}

// quotedPara is the index of the paragraph of art holding c's quote: the
// citation's own paragraph when the quote is there (or when there is no
// quote), else the first paragraph containing the quote; -1 when none.
func quotedPara(c bot.Citation, art *corpus.Article) int {
	q := strings.TrimSpace(c.Quote)
	ok := func(i int) bool { return i >= 0 && i < len(art.Paragraphs) }
	if ok(c.Para) && (q == "" || strings.Contains(art.Paragraphs[c.Para], q)) {
		return c.Para
	}
	for i, p := range art.Paragraphs {
		if q != "" && strings.Contains(p, q) {
			return i
		}
	}
	if ok(c.Para) {
		return c.Para
	}
	return -1
}

// markQuote is paragraph p as rich text with the first occurrence of
// quote in bold, shortened around the quote to about maxQuotedPara bytes.
func markQuote(p, quote string) []slackapi.RichTextSectionElement {
	quote = strings.TrimSpace(quote)
	i := -1
	if quote != "" {
		i = strings.Index(p, quote)
	}
	if i < 0 {
		return []slackapi.RichTextSectionElement{rtText(truncate(p, maxQuotedPara), nil)}
	}
	before, q, after := p[:i], p[i:i+len(quote)], p[i+len(quote):]
	q = truncate(q, maxQuotedPara)
	room := max(maxQuotedPara-len(q), 0)
	before = tail(before, room/2)
	after = truncate(after, room/2)
	var els []slackapi.RichTextSectionElement
	if before != "" {
		els = append(els, rtText(before, nil))
	}
	els = append(els, rtText(q, styleBold))
	if after != "" {
		els = append(els, rtText(after, nil))
	}
	return els
}

// tail keeps the last n bytes of s on a rune boundary, with a leading "…"
// when it cut.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	if n < 4 {
		return "…"
	}
	start := len(s) - (n - len("…"))
	for start < len(s) && !utf8.RuneStart(s[start]) {
		start++
	}
	return "…" + s[start:]
}
