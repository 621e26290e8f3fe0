package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	openai "github.com/sashabaranov/go-openai"

	"github.com/newsdesk/newsdesk/bot"
	"github.com/newsdesk/newsdesk/corpus"
	"github.com/newsdesk/newsdesk/internal/openaicfg"
	"github.com/newsdesk/newsdesk/prompts"
	"github.com/newsdesk/newsdesk/retrieval"
)

// Abstention is the answer text when the model abstains without saying why.
const Abstention = "I can't find that in the archive."

// Unsupported replaces a citation marker whose quote could not be
// verified against the articles.
const Unsupported = "[unsupported]"

// RemovedQuotation replaces a quotation in the answer text that no
// retrieved article contains.
const RemovedQuotation = "[unverified quotation removed]"

// Response formats, tried in this order until the server accepts one.
const (
	formatJSONSchema int32 = iota
	formatJSONObject
	formatNone
	numFormats
)

// Answerer answers with a chat model over retrieved passages, verifying
// every quote; it implements bot.Answerer and is safe for concurrent use.
type Answerer struct {
	cfg      Config
	client   *openai.Client
	search   retrieval.Searcher
	fallback bot.Answerer
	links    bot.Linker
	log      *slog.Logger
	// format is the first response format to try: it only moves down, to
	// the first format a server has accepted after rejecting the previous.
	format atomic.Int32
}

var _ bot.Answerer = (*Answerer)(nil)

// New returns an Answerer. It makes no network call (see Check). fallback
// answers when the model cannot (normally the extractive answerer); with a
// nil fallback those failures are returned as errors.
func New(cfg Config, s retrieval.Searcher, fallback bot.Answerer, links bot.Linker, log *slog.Logger) (*Answerer, error) {
	if s == nil {
		return nil, errors.New("llm: nil Searcher")
	}
	if err := cfg.normalise(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Answerer{cfg: cfg, client: newClient(cfg), search: s, fallback: fallback, links: links, log: log}, nil
}

// passage is one retrieved chunk shown to the model as number n.
type passage struct {
	n       int
	chunk   retrieval.Chunk
	article *corpus.Article
	text    string // article.Text()
}

// Answer implements bot.Answerer.
//
// Streaming: when req.OnPartial is set the streaming API is used and, as
// the JSON reply arrives, OnPartial receives the "answer" field decoded so
// far, with citation markers removed and quotations shown as "…" (they are
// not verified yet). The returned Answer is verified as in the
// non-streaming case and may differ from the last partial text.
func (a *Answerer) Answer(ctx context.Context, req bot.Request) (*bot.Answer, error) {
	started := time.Now()
	q := strings.TrimSpace(req.Question)
	if q == "" {
		return a.useFallback(ctx, req, "")
	}
	bctx, cancel := context.WithTimeout(ctx, a.cfg.Budget)
	defer cancel()

	hits, err := a.search.Search(bctx, q, a.cfg.Passages)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("search %q: %w", q, err)
	}
	ps := a.passages(hits)
	if len(ps) == 0 {
		// Nothing to show the model: the extractive answerer abstains in
		// the usual words.
		return a.useFallback(ctx, req, "")
	}

	content, err := a.complete(bctx, q, ps, req.OnPartial)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		limit := a.cfg.Timeout // the per-call limit, unless the budget ran out
		if bctx.Err() != nil {
			limit = a.cfg.Budget
		}
		note := a.failureNote(err, limit)
		a.log.Warn("LLM answer failed; falling back", "model", a.cfg.Model, "error", maskKeys(err.Error()), "elapsed", time.Since(started))
		return a.useFallback(ctx, req, note)
	}
	rep, err := parseReply(content)
	if err != nil {
		a.log.Warn("LLM reply not parseable; falling back", "model", a.cfg.Model, "bytes", len(content))
		return a.useFallback(ctx, req, "LLM reply could not be read; showing extractive answer")
	}
	ans, st := a.build(q, rep, ps)
	a.log.Info("LLM answer", "model", a.cfg.Model,
		"prompt", prompts.Version(prompts.AnswerSystem)+"+"+prompts.Version(prompts.AnswerUser),
		"passages", len(ps), "citations", len(ans.Citations), "dropped_quotes", st.dropped,
		"unsupported", st.unsupported, "removed_quotations", st.removed, "removed_sentences", st.sentences,
		"abstained", ans.Abstained, "stream", req.OnPartial != nil, "elapsed", time.Since(started))
	if st.claimsFailed {
		return a.useFallback(ctx, req, "LLM answer was not backed by the articles it cites; showing extractive answer")
	}
	if !ans.Abstained && len(ans.Citations) == 0 {
		return a.useFallback(ctx, req, "LLM answer could not be verified against the articles; showing extractive answer")
	}
	return ans, nil
}

// useFallback answers with the fallback answerer and adds note.
func (a *Answerer) useFallback(ctx context.Context, req bot.Request, note string) (*bot.Answer, error) {
	if a.fallback == nil {
		if note == "" {
			note = "no passages retrieved"
		}
		return nil, fmt.Errorf("llm: %s (no fallback answerer)", note)
	}
	ans, err := a.fallback.Answer(ctx, req)
	if err != nil {
		return nil, err
	}
	if ans.Mode == "" {
		ans.Mode = bot.ModeExtractive
	}
	if note != "" {
		ans.Notes = append(ans.Notes, note)
	}
	return ans, nil
}

func (a *Answerer) passages(hits []retrieval.Hit) []passage {
	var ps []passage
	for _, h := range hits {
		art := h.Article
		if art == nil {
			art = a.search.Article(h.Chunk.ArticleID)
		}
		if art == nil || strings.TrimSpace(h.Chunk.Text) == "" {
			continue
		}
		ps = append(ps, passage{n: len(ps) + 1, chunk: h.Chunk, article: art, text: art.Text()})
	}
	return ps
}

// messages renders the system and user messages. The system message
// depends on nothing retrieved; passages are only in the user message.
func messages(q string, ps []passage) ([]openai.ChatCompletionMessage, error) {
	sys, err := prompts.Render(prompts.AnswerSystem, nil)
	if err != nil {
		return nil, err
	}
	data := prompts.AnswerData{Question: q}
	for _, p := range ps {
		data.Passages = append(data.Passages, prompts.Passage{
			N: p.n, Outlet: p.article.SourceName(), Date: p.article.Date(), Title: p.article.Title, Text: p.chunk.Text,
		})
	}
	user, err := prompts.Render(prompts.AnswerUser, data)
	if err != nil {
		return nil, err
	}
	return []openai.ChatCompletionMessage{
		{Role: openai.ChatMessageRoleSystem, Content: sys},
		{Role: openai.ChatMessageRoleUser, Content: user},
	}, nil
}

func chatRequest(model string, msgs []openai.ChatCompletionMessage, format int32) openai.ChatCompletionRequest {
	req := withTemperature(openai.ChatCompletionRequest{
		Model:               model,
		Messages:            msgs,
		MaxCompletionTokens: maxAnswerTokens,
	})
	switch format {
	case formatJSONSchema:
		req.ResponseFormat = &openai.ChatCompletionResponseFormat{
			Type: openai.ChatCompletionResponseFormatTypeJSONSchema,
			JSONSchema: &openai.ChatCompletionResponseFormatJSONSchema{
				Name:   "newsdesk_answer",
				Schema: json.RawMessage(answerSchema),
				Strict: true,
			},
		}
	case formatJSONObject:
		req.ResponseFormat = &openai.ChatCompletionResponseFormat{Type: openai.ChatCompletionResponseFormatTypeJSONObject}
	}
	return req
}

// complete asks the model, stepping down the response formats while the
// server rejects them, and returns the reply text.
func (a *Answerer) complete(ctx context.Context, q string, ps []passage, onPartial func(string)) (string, error) {
	msgs, err := messages(q, ps)
	if err != nil {
		return "", err
	}
	start := a.format.Load()
	for f := start; f < numFormats; f++ {
		req := chatRequest(a.cfg.Model, msgs, f)
		var content string
		if onPartial != nil {
			content, err = a.stream(ctx, req, onPartial)
		} else {
			content, err = a.call(ctx, req)
		}
		if err == nil {
			if f != start {
				a.format.CompareAndSwap(start, f)
			}
			return content, nil
		}
		if s := statusOf(err); (s != 400 && s != 422) || f == numFormats-1 || ctx.Err() != nil {
			return "", err
		}
		a.log.Info("chat endpoint rejected the response format; trying a simpler one",
			"format", f, "status", statusOf(err), "message", serverMessage(err))
	}
	return "", errors.New("no response format accepted") // unreachable
}

func (a *Answerer) call(ctx context.Context, req openai.ChatCompletionRequest) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, a.cfg.Timeout)
	defer cancel()
	resp, err := a.client.CreateChatCompletion(ctx, req)
	if err != nil {
		return "", err
	}
	if len(resp.Choices) == 0 {
		return "", errors.New("empty reply (no choices)")
	}
	m := resp.Choices[0].Message
	if strings.TrimSpace(m.Content) == "" {
		if m.Refusal != "" {
			return "", errors.New("model refused")
		}
		return "", fmt.Errorf("empty reply (finish reason %q)", resp.Choices[0].FinishReason)
	}
	return m.Content, nil
}

func (a *Answerer) stream(ctx context.Context, req openai.ChatCompletionRequest, onPartial func(string)) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, a.cfg.Timeout)
	defer cancel()
	st, err := a.client.CreateChatCompletionStream(ctx, req)
	if err != nil {
		return "", err
	}
	defer st.Close()
	var buf strings.Builder
	shown := ""
	for {
		chunk, err := st.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if ctx.Err() != nil {
				return "", fmt.Errorf("stream: %w", ctx.Err())
			}
			return "", fmt.Errorf("stream: %w", err)
		}
		if len(chunk.Choices) == 0 {
			continue
		}
		buf.WriteString(chunk.Choices[0].Delta.Content)
		if view := partialView(partialAnswer(buf.String())); view != shown && view != "" {
			shown = view
			onPartial(view)
		}
	}
	if strings.TrimSpace(buf.String()) == "" {
		return "", errors.New("empty streamed reply")
	}
	return buf.String(), nil
}

// failureNote explains a failed call to the user in one line; limit is
// the time limit that applies if it was a timeout.
func (a *Answerer) failureNote(err error, limit time.Duration) string {
	const tail = "; showing extractive answer"
	switch s := statusOf(err); {
	case s != 0:
		return fmt.Sprintf("LLM unavailable (HTTP %d)%s", s, tail)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Sprintf("LLM did not answer within %s%s", limit.Round(time.Millisecond), tail)
	}
	var ne net.Error
	var ue *url.Error
	if errors.As(err, &ue) || errors.As(err, &ne) {
		if ne != nil && ne.Timeout() {
			return fmt.Sprintf("LLM did not answer within %s%s", limit.Round(time.Millisecond), tail)
		}
		return fmt.Sprintf("LLM unavailable (cannot reach %s)%s", openaicfg.Host(a.cfg.BaseURL), tail)
	}
	return fmt.Sprintf("LLM unavailable (%s)%s", shortReason(err), tail)
}

func shortReason(err error) string {
	s := maskKeys(firstLine(err.Error()))
	if len(s) > 80 {
		s = s[:80]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		s += "…"
	}
	return s
}

// buildStats counts what verification removed.
type buildStats struct {
	dropped     int // citation quotes not found in their article
	unsupported int // claims whose citation could not be verified
	removed     int // quotations in the answer text not found
	sentences   int // sentences dropped: claims not in the passages they cite
	// claimsFailed is set when no sentence citing a verified quote
	// survived the claim check: the extractive answer is shown instead.
	claimsFailed bool
}

// build turns a reply into a verified bot.Answer. Citation numbers in the
// reply are passage numbers; the answer's are 1..k in order of first
// mention. A quote not found in the article of the passage it cites is
// dropped and the claims citing it are marked [unsupported]; a quotation
// in the answer text that no retrieved article contains is removed. Every
// quote that remains is the article's exact text.
func (a *Answerer) build(q string, rep reply, ps []passage) (*bot.Answer, buildStats) {
	var st buildStats
	verified := map[int]bot.Citation{} // by passage number
	for _, rc := range rep.Citations {
		if rc.N < 1 || rc.N > len(ps) {
			st.dropped++
			continue
		}
		if _, dup := verified[rc.N]; dup {
			continue // one quote per passage; the first verified one wins
		}
		p := ps[rc.N-1]
		start, end, ok := locate(p, rc.Quote)
		if !ok {
			st.dropped++
			continue
		}
		verified[rc.N] = a.citation(p, start, end)
	}

	text := strings.TrimSpace(rep.Answer)
	text, st.removed = checkQuotations(text, ps)
	cited := markerNumbers(text)
	for _, rc := range rep.Citations {
		cited = append(cited, rc.N)
	}
	text, cs := checkClaims(text, ps, cited, q, rep.Abstain)
	st.sentences = cs.removed

	// Number citations in order of first mention; identical spans cited
	// through different passages share a number.
	renum := map[int]int{}
	var cits []bot.Citation
	add := func(n int) {
		if _, done := renum[n]; done {
			return
		}
		c, ok := verified[n]
		if !ok {
			return
		}
		for _, prev := range cits {
			if prev.ArticleID == c.ArticleID && prev.Start == c.Start && len(prev.Quote) == len(c.Quote) {
				renum[n] = prev.N
				return
			}
		}
		c.N = len(cits) + 1
		cits = append(cits, c)
		renum[n] = c.N
	}
	for _, m := range markerNumbers(text) {
		add(m)
	}
	for _, rc := range rep.Citations { // verified but never mentioned
		if !cs.dropped[rc.N] {
			add(rc.N)
		}
	}
	text = collapseRepeats(bot.RenumberMarkers(text, renum, Unsupported))
	st.unsupported = strings.Count(text, Unsupported)
	st.claimsFailed = st.sentences > 0 && !rep.Abstain && len(verified) > 0 && len(markerNumbers(text)) == 0

	ans := &bot.Answer{
		Question:  q,
		Text:      text,
		Abstained: rep.Abstain,
		Mode:      bot.ModeLLM,
		Citations: cits,
	}
	if ans.Abstained && (text == "" || len(cits) == 0 && st.unsupported+st.removed > 0) {
		ans.Text = Abstention
	}
	if ans.Text == "" && len(cits) > 0 {
		ans.Text = "From the archive:"
	}
	ans.Lead = ans.Text
	if st.dropped > 0 {
		ans.Notes = append(ans.Notes, fmt.Sprintf("%d quote(s) from the model could not be found in the articles and were left out", st.dropped))
	}
	if st.unsupported > 0 && len(cits) > 0 {
		ans.Notes = append(ans.Notes, fmt.Sprintf("%d statement(s) could not be checked against the articles and are marked %s", st.unsupported, Unsupported))
	}
	if st.removed > 0 && len(cits) > 0 {
		ans.Notes = append(ans.Notes, fmt.Sprintf("%d quotation(s) in the model's answer were not in the articles and were removed", st.removed))
	}
	if st.sentences > 0 {
		ans.Notes = append(ans.Notes, sentencesNote(st.sentences))
	}
	return ans, st
}

// singleMarker matches one renumbered marker with the space before it.
var singleMarker = regexp.MustCompile(`\s*(\[\d+\]|\[unsupported\])`)

// collapseRepeats removes a marker that repeats the one just before it
// ("[1] [1]", "[unsupported][unsupported]"), as happens when two passages
// lead to one citation.
func collapseRepeats(text string) string {
	locs := singleMarker.FindAllStringSubmatchIndex(text, -1)
	if len(locs) < 2 {
		return text
	}
	var b strings.Builder
	last, prevEnd, prev := 0, -1, ""
	for _, l := range locs {
		m := text[l[2]:l[3]]
		if l[0] == prevEnd && m == prev {
			b.WriteString(text[last:l[0]])
			last = l[1]
		}
		prevEnd, prev = l[1], m
	}
	b.WriteString(text[last:])
	return b.String()
}

// markerNumbers lists the numbers of the citation markers in text, in order.
func markerNumbers(text string) []int {
	var out []int
	for _, m := range markerRe.FindAllString(text, -1) {
		m = strings.TrimSpace(m)
		for _, f := range strings.Split(m[1:len(m)-1], ",") {
			var n int
			if _, err := fmt.Sscanf(strings.TrimSpace(f), "%d", &n); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

// locate finds quote in the article of passage p, preferring an
// occurrence inside the passage itself. A quote the model wrapped in
// quotation marks the article does not have is tried without them.
func locate(p passage, quote string) (start, end int, ok bool) {
	quote = strings.TrimSpace(quote)
	for _, q := range []string{quote, unwrapQuote(quote)} {
		if q == "" {
			continue
		}
		c := p.chunk
		if c.Start >= 0 && c.Start < c.End && c.End <= len(p.text) && p.text[c.Start:c.End] == c.Text {
			if s, e, found := bot.FindQuote(c.Text, q); found && boundary(p.text, c.Start+s) && boundary(p.text, c.Start+e) {
				return c.Start + s, c.Start + e, true
			}
		}
		if s, e, found := bot.FindQuote(p.text, q); found {
			return s, e, true
		}
	}
	return 0, 0, false
}

// unwrapQuote strips one pair of quotation marks around s, or returns "".
func unwrapQuote(s string) string {
	first, w1 := utf8.DecodeRuneInString(s)
	last, w2 := utf8.DecodeLastRuneInString(s)
	if len(s) < w1+w2 {
		return ""
	}
	const marks = `"“”„'‘’‚«»「」『』‹›`
	if strings.ContainsRune(marks, first) && strings.ContainsRune(marks, last) {
		return strings.TrimSpace(s[w1 : len(s)-w2])
	}
	return ""
}

func isWord(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) }

// boundary reports whether byte offset i of text does not split a word: a
// match found inside a chunk must not cut a word of the whole article.
func boundary(text string, i int) bool {
	if i <= 0 || i >= len(text) {
		return true
	}
	b, _ := utf8.DecodeLastRuneInString(text[:i])
	c, _ := utf8.DecodeRuneInString(text[i:])
	return !isWord(b) || !isWord(c)
}

// citation fills a bot.Citation for text[start:end] of p's article, the way
// the extractive answerer does.
func (a *Answerer) citation(p passage, start, end int) bot.Citation {
	art := p.article
	quote := p.text[start:end]
	para := paragraphAt(art, start)
	return bot.Citation{
		ArticleID:  art.ID,
		Title:      art.Title,
		Source:     art.SourceName(),
		Published:  art.Date(),
		URL:        a.links.Link(art.URL, art.ID, para, quote),
		Quote:      quote,
		Para:       para,
		Start:      start,
		ArticleURL: art.URL,
	}
}

// paragraphAt returns the index of the paragraph holding byte off of Text().
func paragraphAt(art *corpus.Article, off int) int {
	for i := range art.Paragraphs {
		if off < art.ParagraphOffset(i)+len(art.Paragraphs[i]) {
			return i
		}
	}
	return max(len(art.Paragraphs)-1, 0)
}

// checkQuotations verifies every quotation in the answer text against the
// retrieved articles. A verified one gets the article's exact characters;
// an unverified one is replaced, marks and all, by RemovedQuotation: words
// the articles do not contain must not reach a reporter as a quote, nor as
// a paraphrase of one. It returns the new text and the number removed.
func checkQuotations(text string, ps []passage) (string, int) {
	spans, _ := findQuotations(text)
	var b strings.Builder
	bad, last := 0, 0
	for _, q := range spans {
		b.WriteString(text[last:q.start])
		last = q.end
		inner := text[q.inStart:q.inEnd]
		switch exact, ok := findInAny(inner, ps); {
		case strings.TrimSpace(inner) == "":
			b.WriteString(text[q.start:q.end])
		case ok:
			b.WriteString(text[q.start:q.inStart] + exact + text[q.inEnd:q.end])
		default:
			bad++
			b.WriteString(RemovedQuotation)
		}
	}
	b.WriteString(text[last:])
	return b.String(), bad
}

// findInAny returns the exact text of quote in any retrieved article, or
// in an article's headline (answers may name a headline in quotes).
func findInAny(quote string, ps []passage) (string, bool) {
	seen := map[string]bool{}
	for _, p := range ps {
		if seen[p.article.ID] {
			continue
		}
		seen[p.article.ID] = true
		if s, e, ok := bot.FindQuote(p.text, quote); ok {
			return p.text[s:e], true
		}
		if s, e, ok := bot.FindQuote(p.article.Title, quote); ok {
			return p.article.Title[s:e], true
		}
	}
	return "", false
}
