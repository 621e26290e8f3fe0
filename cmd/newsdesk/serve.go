package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/newsdesk/newsdesk/corpus/watch"
)

func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("serve", `
Usage: newsdesk serve [flags]

Answers questions in Slack: @mentions, direct messages, the /ask slash
command and follow-ups in threads. With SLACK_APP_TOKEN it connects in
Socket Mode (no public URL needed); with --http ADDR it also serves the
Slack HTTP endpoints (/slack/events, /slack/commands,
/slack/interactions), /healthz, /metrics and article pages
(/articles/{id}). Stops cleanly on SIGINT or SIGTERM, finishing answers in
flight. Articles ingested, removed or retracted beside it (newsdesk
ingest/remove on the same --index) are answered from within seconds;
SIGHUP reloads the index at once. Slack event ids are remembered in the
article store for an hour, so a redelivery after a restart is not
answered twice. Every citation has a Context button that shows the
quoted paragraph in Slack (no public URL needed); with NEWSDESK_PUBLIC_URL
and --http, citations of articles without a URL also link to this
server's article pages. 👍/👎 votes are kept in the article store: list or
export them with 'newsdesk feedback'. Logs at info by default: the first
line says which workspace, bot user, modes, articles and index it serves.`, `
Examples:
  SLACK_BOT_TOKEN=xoxb-... SLACK_APP_TOKEN=xapp-... newsdesk serve --corpus ./articles
  SLACK_BOT_TOKEN=xoxb-... SLACK_SIGNING_SECRET=... newsdesk serve --http :8080
`+libraryHelp+`

Slack environment:
  SLACK_BOT_TOKEN        bot token xoxb-... (required)
  SLACK_APP_TOKEN        app-level token xapp-...: Socket Mode
  SLACK_SIGNING_SECRET   verifies HTTP requests (required with --http)
  NEWSDESK_HTTP_ADDR     default for --http
  NEWSDESK_PUBLIC_URL    public base URL of this server's article pages
  NEWSDESK_SLACK_FEEDBACK_LOG  also append votes to this JSONL file
  (rate limits, allowed channels, timeouts: see the README)`)
	fs.libraryFlags()
	fs.StringVar(&fs.opts.http, "http", "", "serve HTTP on `ADDR`, e.g. :8080 (default $NEWSDESK_HTTP_ADDR)")
	var watched []string
	fs.Func("watch", "keep the archive in step with `SOURCE`: a directory (new, changed and deleted files) or an RSS/Atom feed URL or file (polled); repeatable", func(v string) error {
		watched = append(watched, v)
		return nil
	})
	interval := fs.Duration("watch-interval", watch.DefaultInterval, "poll watched feeds every `DURATION` (conditional GETs)")
	if err := fs.parseNone(args, e.stdout); err != nil {
		return err
	}
	o := fs.opts
	o.longRunning = true

	start, err := prepareSlack(e, o) // serve_slack.go
	if err != nil {
		return err
	}

	ctx, stop := signalContext(ctx)
	defer stop()
	logger := newLogger(e, o.verbose, true)
	lib, b, err := openBrain(ctx, e, o, logger)
	if err != nil {
		return err
	}
	// ingest and remove run beside serve: it reloads their index within
	// seconds, and at once on SIGHUP, without dropping answers in flight.
	wctx, wstop := context.WithCancel(ctx)
	defer wstop()
	go lib.watch(wctx, reloadEvery)
	if len(watched) > 0 {
		go func() {
			cfg := watchConfig{Interval: *interval, Load: o.loadOptions(), StateFile: watchStateFile(lib), Logger: logger}
			err := watchSources(wctx, watched, cfg, func(c watch.Change) error {
				return applyWatched(wctx, e, lib, logger, c)
			})
			if err != nil && wctx.Err() == nil {
				logger.Error("watch stopped", "err", err)
			}
		}()
	}
	err = start(ctx, b, lib, logger)
	if err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
