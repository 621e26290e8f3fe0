package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/newsdesk/newsdesk/archive"
	"github.com/newsdesk/newsdesk/bot/slack"
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

// slackStarter runs the Slack adapter until ctx is cancelled.
type slackStarter func(ctx context.Context, b *brain, lib *library, logger *slog.Logger) error

// prepareSlack reads and checks the Slack configuration before the
// library is loaded, so a missing token fails fast.
func prepareSlack(e *env, o *options) (slackStarter, error) {
	cfg := slack.ConfigFromEnv(e.getenv)
	if o.set["http"] {
		cfg.HTTPAddr = o.http
	}
	if cfg.AppToken == "" && cfg.HTTPAddr == "" {
		return nil, usagef("nothing to serve: set SLACK_APP_TOKEN (Socket Mode) or pass --http ADDR")
	}
	if cfg.BotToken == "" {
		return nil, errors.New("SLACK_BOT_TOKEN is not set (the bot token, xoxb-...)")
	}
	if cfg.AppToken == "" && cfg.SigningSecret == "" {
		return nil, errors.New("HTTP mode needs SLACK_SIGNING_SECRET to verify Slack's requests (or set SLACK_APP_TOKEN for Socket Mode)")
	}
	return func(ctx context.Context, b *brain, lib *library, logger *slog.Logger) error {
		cfg.Dedupe = lib.deduper() // Weaviate's Event collection with --store weaviate
		srv, err := slack.New(cfg, b.answerer, b.rewriter, lib.ix, logger)
		if err != nil {
			return fmt.Errorf("slack: %w", err)
		}
		logger.Info("slack adapter starting", "socket_mode", cfg.AppToken != "", "http", cfg.HTTPAddr)
		return srv.Run(ctx)
	}, nil
}
