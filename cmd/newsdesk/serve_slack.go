package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/newsdesk/newsdesk/bot/slack"
)

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
		srv, err := slack.New(cfg, b.answerer, b.rewriter, lib.ix, logger)
		if err != nil {
			return fmt.Errorf("slack: %w", err)
		}
		logger.Info("slack adapter starting", "socket_mode", cfg.AppToken != "", "http", cfg.HTTPAddr)
		return srv.Run(ctx)
	}, nil
}
