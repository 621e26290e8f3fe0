package llm

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// checkTimeout bounds Check when the caller's context has no deadline.
const checkTimeout = 10 * time.Second

// Check makes a cheap call to the chat endpoint for start-up and returns
// nil, or a one-line error saying what to fix: the key is missing or
// rejected, the endpoint cannot be reached, or the model is unknown.
//
// It lists the models (GET /models); when the model is not listed (some
// servers list aliases differently, some lack /models) it asks for a
// one-token completion, and only a 404 from that means an unknown model.
func (a *Answerer) Check(ctx context.Context) error {
	return check(ctx, a.client, a.cfg)
}

func check(ctx context.Context, client *openai.Client, cfg Config) error {
	ctx, cancel := context.WithTimeout(ctx, min(cfg.Timeout, checkTimeout))
	defer cancel()
	var listed []string
	models, err := client.ListModels(ctx)
	switch s := statusOf(err); {
	case err == nil:
		for _, m := range models.Models {
			if m.ID == cfg.Model {
				return nil
			}
			listed = append(listed, m.ID)
		}
	case s == 404 || s == 405 || s == 501:
		// No model list here; the completion below decides.
	default:
		return checkError(err, cfg, nil)
	}
	_, err = client.CreateChatCompletion(ctx, withTemperature(openai.ChatCompletionRequest{
		Model:               cfg.Model,
		Messages:            []openai.ChatCompletionMessage{{Role: openai.ChatMessageRoleUser, Content: "Reply with OK."}},
		MaxCompletionTokens: 1,
	}))
	if err == nil {
		return nil
	}
	if s := statusOf(err); s == 400 || s == 422 {
		// The model exists but disliked the request (a one-token limit is
		// too small for some reasoning models): good enough.
		return nil
	}
	return checkError(err, cfg, listed)
}

// checkError words a failed check.
func checkError(err error, cfg Config, listed []string) error {
	base := cfg.BaseURL
	switch s := statusOf(err); {
	case s == 401 || s == 403:
		if cfg.APIKey == "" {
			return fmt.Errorf("chat endpoint %s needs an API key (HTTP %d); set OPENAI_API_KEY", base, s)
		}
		return fmt.Errorf("chat endpoint %s rejected the API key (HTTP %d); check OPENAI_API_KEY", base, s)
	case s == 404:
		msg := fmt.Sprintf("chat model %q not found at %s", cfg.Model, base)
		if len(listed) > 0 {
			if len(listed) > 8 {
				listed = append(listed[:8:8], "…")
			}
			msg += " (available: " + strings.Join(listed, ", ") + ")"
		}
		return fmt.Errorf("%s; check NEWSDESK_CHAT_MODEL", msg)
	case s != 0:
		m := serverMessage(err)
		if m != "" {
			m = ": " + m
		}
		return fmt.Errorf("chat endpoint %s: HTTP %d%s", base, s, m)
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("chat endpoint %s did not answer in time; check OPENAI_BASE_URL and that the server is up", base)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("cannot reach chat endpoint %s (%s); check OPENAI_BASE_URL", base, firstLine(ue.Err.Error()))
	}
	return fmt.Errorf("chat endpoint %s: %s", base, shortReason(err))
}
