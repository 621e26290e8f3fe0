package llm

import (
	"context"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	openai "github.com/sashabaranov/go-openai"

	"github.com/newsdesk/newsdesk/bot"
	"github.com/newsdesk/newsdesk/prompts"
)

// Rewriter limits: only recent turns matter, and a long earlier answer
// would only slow the call down.
const (
	rewriteTurns     = 4
	rewriteAnswerMax = 400 // bytes of each earlier answer shown
	rewriteTimeout   = 8 * time.Second
	rewriteTokens    = 120
)

// Rewriter turns follow-ups into standalone questions with the chat model
// (the followup prompt). A question that stands on its own
// (bot.NeedsContext is false) is returned as asked without calling the
// model: it saves a round trip, and the model cannot pull an earlier topic
// into a new question. Any failure (no endpoint, an error, an empty or
// runaway reply) falls back to bot.HeuristicRewriter, so it never fails.
type Rewriter struct {
	client   *openai.Client // nil when the config is unusable
	cfg      Config
	log      *slog.Logger
	fallback bot.HeuristicRewriter
}

// NewRewriter returns a Rewriter for cfg. A config that cannot work (no
// key for OpenAI, say) yields a Rewriter that only uses the heuristic.
func NewRewriter(cfg Config, log *slog.Logger) bot.Rewriter {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Rewriter{log: log}
	if err := cfg.normalise(); err != nil {
		log.Warn("follow-up rewriting uses the offline heuristic", "reason", err.Error())
		return r
	}
	r.cfg = cfg
	r.client = newClient(cfg)
	return r
}

// Standalone implements bot.Rewriter.
func (r *Rewriter) Standalone(ctx context.Context, question string, history []bot.Turn) (string, error) {
	q := strings.TrimSpace(question)
	if q == "" || len(history) == 0 || !bot.NeedsContext(q) {
		return q, nil
	}
	if r.client == nil {
		return r.fallback.Standalone(ctx, q, history)
	}
	out, err := r.ask(ctx, q, history)
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		r.log.Info("follow-up rewrite failed; using the heuristic", "error", maskKeys(err.Error()))
		return r.fallback.Standalone(ctx, q, history)
	}
	return out, nil
}

func (r *Rewriter) ask(ctx context.Context, q string, history []bot.Turn) (string, error) {
	data := prompts.FollowupData{Question: q}
	if len(history) > rewriteTurns {
		history = history[len(history)-rewriteTurns:]
	}
	for _, t := range history {
		data.History = append(data.History, prompts.Turn{Question: t.Question, Answer: clip(t.Answer, rewriteAnswerMax)})
	}
	sys, err := prompts.Render(prompts.FollowupSystem, nil)
	if err != nil {
		return "", err
	}
	user, err := prompts.Render(prompts.FollowupUser, data)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, min(r.cfg.Timeout, rewriteTimeout))
	defer cancel()
	resp, err := r.client.CreateChatCompletion(ctx, withTemperature(openai.ChatCompletionRequest{
		Model: r.cfg.Model,
		Messages: []openai.ChatCompletionMessage{
			{Role: openai.ChatMessageRoleSystem, Content: sys},
			{Role: openai.ChatMessageRoleUser, Content: user},
		},
		MaxCompletionTokens: rewriteTokens,
	}))
	if err != nil {
		return "", err
	}
	if len(resp.Choices) == 0 {
		return "", errEmptyRewrite
	}
	out := cleanRewrite(thinking.ReplaceAllString(resp.Choices[0].Message.Content, ""))
	// A runaway reply (an answer instead of a query) is worse than the
	// heuristic.
	if out == "" || utf8.RuneCountInString(out) > 3*utf8.RuneCountInString(q)+300 {
		return "", errEmptyRewrite
	}
	return out, nil
}

type rewriteError string

func (e rewriteError) Error() string { return string(e) }

const errEmptyRewrite = rewriteError("empty or overlong rewrite")

// cleanRewrite keeps the first line and strips labels and quotation marks
// models like to add.
func cleanRewrite(s string) string {
	s = firstLine(s)
	for _, p := range []string{"Standalone question:", "Standalone:", "Query:", "Question:"} {
		if len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
			s = strings.TrimSpace(s[len(p):])
		}
	}
	if u := unwrapQuote(s); u != "" {
		s = u
	}
	return strings.TrimSpace(s)
}

// clip shortens s to at most n bytes on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}
