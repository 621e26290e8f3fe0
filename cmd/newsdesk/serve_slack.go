package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/newsdesk/newsdesk/bot/slack"
	"github.com/newsdesk/newsdesk/corpus/archive"
)

// storeDeduper keeps Slack's event ids in the article store of dir, so
// de-duplication survives a restart. It opens the store per call: a
// writer (ingest) must be able to open it between events.
type storeDeduper struct{ dir string }

// Seen implements slack.Deduper.
func (d storeDeduper) Seen(key string, ttl time.Duration) (bool, error) {
	st, err := archive.Open(d.dir, archive.Options{Timeout: 3 * time.Second})
	if err != nil {
		return false, err
	}
	seen, err := st.Seen(key, ttl)
	if cerr := st.Close(); err == nil && cerr != nil {
		err = cerr
	}
	return seen, err
}

// storeFeedback records Slack feedback in the feedback bucket of the
// article store of dir (opened per click, like storeDeduper).
type storeFeedback struct{ dir string }

// AddFeedback implements slack.FeedbackStore.
func (f storeFeedback) AddFeedback(r slack.FeedbackRecord) error {
	rec, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("feedback: encode: %w", err)
	}
	st, err := archive.Open(f.dir, archive.Options{Timeout: 5 * time.Second})
	if err != nil {
		return err
	}
	err = st.AddFeedback(r.Time, rec)
	if cerr := st.Close(); err == nil && cerr != nil {
		err = cerr
	}
	return err
}

// slackStarter runs the Slack adapter until ctx is cancelled.
type slackStarter func(ctx context.Context, b *brain, lib *library, logger *slog.Logger) error

// prepareSlack reads and checks the Slack configuration before the
// library is loaded, so a missing token fails fast.
func prepareSlack(e *env, o *options) (slackStarter, error) {
	cfg := slack.ConfigFromEnv(e.getenv)
	if o.set["http"] {
		cfg.HTTPAddr = o.http
	}
	if cfg.BotToken == "" {
		return nil, errors.New("SLACK_BOT_TOKEN is not set. It is the app's Bot User OAuth Token (xoxb-…): create the app from bot/slack/manifest.yaml (api.slack.com/apps → Create New App → From an app manifest), install it to the workspace, and copy the token from OAuth & Permissions. For Socket Mode also set SLACK_APP_TOKEN (xapp-…, Basic Information → App-Level Tokens, scope connections:write)")
	}
	if cfg.AppToken == "" && cfg.HTTPAddr == "" {
		return nil, usagef("nothing to serve: set SLACK_APP_TOKEN (Socket Mode, no public URL needed) or pass --http ADDR")
	}
	if cfg.AppToken == "" && cfg.SigningSecret == "" {
		return nil, errors.New("HTTP mode needs SLACK_SIGNING_SECRET to verify Slack's requests (or set SLACK_APP_TOKEN for Socket Mode)")
	}
	return func(ctx context.Context, b *brain, lib *library, logger *slog.Logger) error {
		cfg.Dedupe = lib.deduper() // Weaviate's Event collection with --store weaviate
		cfg.Feedback = storeFeedback{dir: lib.dir}
		cfg.AnswererMode = b.mode
		cfg.Backend = fmt.Sprintf("index %s (%s answerer)", lib.dir, b.mode)
		srv, err := slack.New(cfg, b.answerer, b.rewriter, lib.ix, logger)
		if err != nil {
			return fmt.Errorf("slack: %w", err)
		}
		return srv.Run(ctx)
	}, nil
}
