package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	slackapi "github.com/slack-go/slack"
)

const (
	// apiTimeout bounds one Web API call (the http.Client has the same
	// Timeout as a backstop for calls slack-go makes without our context).
	apiTimeout = 15 * time.Second
	// apiRetries is how many times a rate-limited (429) call is retried.
	apiRetries = 3
	// maxRetryWait caps one Retry-After wait.
	maxRetryWait = 30 * time.Second
)

// webAPI wraps the slack-go client: every call gets a timeout, 429s are
// retried after Retry-After a bounded number of times, and failures are
// counted and wrapped with the method name (never the token).
type webAPI struct {
	c   *slackapi.Client
	hc  *http.Client
	log *slog.Logger
	m   *metricSet
}

func newWebAPI(cfg Config, log *slog.Logger, m *metricSet) *webAPI {
	hc := &http.Client{Timeout: apiTimeout}
	opts := []slackapi.Option{
		slackapi.OptionHTTPClient(hc),
		slackapi.OptionAPIURL(cfg.APIURL),
		slackapi.OptionLog(slogAdapter{log}),
	}
	if cfg.AppToken != "" {
		opts = append(opts, slackapi.OptionAppLevelToken(cfg.AppToken))
	}
	return &webAPI{c: slackapi.New(cfg.BotToken, opts...), hc: hc, log: log, m: m}
}

// slogAdapter lets slack-go's internal debug logging go to slog at debug
// level. slack-go redacts tokens in what it logs.
type slogAdapter struct{ l *slog.Logger }

func (a slogAdapter) Output(_ int, s string) error {
	a.l.Debug("slack-go: " + s)
	return nil
}

// call runs f with a per-call timeout, retrying on rate limits.
func (w *webAPI) call(ctx context.Context, method string, f func(ctx context.Context) error) error {
	for attempt := 0; ; attempt++ {
		cctx, cancel := context.WithTimeout(ctx, apiTimeout)
		err := f(cctx)
		cancel()
		if err == nil {
			return nil
		}
		var rl *slackapi.RateLimitedError
		if errors.As(err, &rl) && attempt < apiRetries {
			wait := min(max(rl.RetryAfter, 0), maxRetryWait)
			w.m.apiRetries.Inc()
			w.log.Warn("slack: rate limited, retrying", "method", method, "retry_after", wait, "attempt", attempt+1)
			t := time.NewTimer(wait)
			select {
			case <-t.C:
				continue
			case <-ctx.Done():
				t.Stop()
				return fmt.Errorf("%s: %w", method, ctx.Err())
			}
		}
		w.m.apiError(method)
		return fmt.Errorf("%s: %w", method, err)
	}
}

func msgOptions(m outMessage) []slackapi.MsgOption {
	return []slackapi.MsgOption{
		slackapi.MsgOptionText(m.Text, false), // already escaped
		slackapi.MsgOptionBlocks(m.Blocks...),
		slackapi.MsgOptionParse(false),
	}
}

// post posts m to channel (in thread threadTS when set) and returns its ts.
func (w *webAPI) post(ctx context.Context, channel, threadTS string, m outMessage) (string, error) {
	opts := append(msgOptions(m), slackapi.MsgOptionDisableLinkUnfurl(), slackapi.MsgOptionDisableMediaUnfurl())
	if threadTS != "" {
		opts = append(opts, slackapi.MsgOptionTS(threadTS))
	}
	var ts string
	err := w.call(ctx, "chat.postMessage", func(ctx context.Context) error {
		var err error
		_, ts, err = w.c.PostMessageContext(ctx, channel, opts...)
		return err
	})
	return ts, err
}

// update replaces the message channel/ts with m.
func (w *webAPI) update(ctx context.Context, channel, ts string, m outMessage) error {
	return w.call(ctx, "chat.update", func(ctx context.Context) error {
		_, _, _, err := w.c.UpdateMessageContext(ctx, channel, ts, msgOptions(m)...)
		return err
	})
}

// remove deletes the bot's message channel/ts.
func (w *webAPI) remove(ctx context.Context, channel, ts string) error {
	return w.call(ctx, "chat.delete", func(ctx context.Context) error {
		_, _, err := w.c.DeleteMessageContext(ctx, channel, ts)
		return err
	})
}

// ephemeral shows m to user only.
func (w *webAPI) ephemeral(ctx context.Context, channel, user, threadTS string, m outMessage) error {
	opts := msgOptions(m)
	if threadTS != "" {
		opts = append(opts, slackapi.MsgOptionTS(threadTS))
	}
	return w.call(ctx, "chat.postEphemeral", func(ctx context.Context) error {
		_, err := w.c.PostEphemeralContext(ctx, channel, user, opts...)
		return err
	})
}

// Response types for response_url messages.
const (
	responseEphemeral = "ephemeral"
	responseInChannel = "in_channel"
)

// respond posts m to a response_url (slash commands, button clicks).
// replace replaces the message the response_url belongs to; del deletes it.
func (w *webAPI) respond(ctx context.Context, responseURL, responseType string, m *outMessage, replace, del bool) error {
	u, err := url.Parse(responseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("response_url: not an http(s) URL")
	}
	f := false
	msg := &slackapi.WebhookMessage{
		ResponseType:    responseType,
		ReplaceOriginal: replace,
		DeleteOriginal:  del,
		Parse:           "none",
		UnfurlLinks:     &f,
		UnfurlMedia:     &f,
	}
	if m != nil {
		msg.Text = m.Text
		msg.Blocks = &slackapi.Blocks{BlockSet: m.Blocks}
	}
	return w.call(ctx, "response_url", func(ctx context.Context) error {
		return slackapi.PostWebhookCustomHTTPContext(ctx, responseURL, w.hc, msg)
	})
}

// replies returns the messages of the thread rooted at ts, oldest first.
func (w *webAPI) replies(ctx context.Context, channel, ts string) ([]slackapi.Message, error) {
	var msgs []slackapi.Message
	err := w.call(ctx, "conversations.replies", func(ctx context.Context) error {
		var err error
		msgs, _, _, err = w.c.GetConversationRepliesContext(ctx, &slackapi.GetConversationRepliesParameters{
			ChannelID: channel, Timestamp: ts, Limit: 100,
		})
		return err
	})
	return msgs, err
}

// authTest identifies the bot.
func (w *webAPI) authTest(ctx context.Context) (*slackapi.AuthTestResponse, error) {
	var r *slackapi.AuthTestResponse
	err := w.call(ctx, "auth.test", func(ctx context.Context) error {
		var err error
		r, err = w.c.AuthTestContext(ctx)
		return err
	})
	return r, err
}

// openView opens a modal for the user whose click gave triggerID.
func (w *webAPI) openView(ctx context.Context, triggerID string, v slackapi.ModalViewRequest) error {
	return w.call(ctx, "views.open", func(ctx context.Context) error {
		_, err := w.c.OpenViewContext(ctx, triggerID, v)
		return err
	})
}
