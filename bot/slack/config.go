package slack

import (
	"strconv"
	"strings"
	"time"
)

// Defaults used by ConfigFromEnv and by New for zero fields.
const (
	DefaultRatePerUser   = 10
	DefaultRateWindow    = time.Minute
	DefaultAnswerTimeout = 2 * time.Minute
	DefaultDrainTimeout  = 30 * time.Second
	// DefaultAPIURL is Slack's Web API base URL.
	DefaultAPIURL = "https://slack.com/api/"
)

// Config configures the Slack adapter. ConfigFromEnv fills it from the
// environment; the CLI then overrides HTTPAddr from its --http flag.
type Config struct {
	// BotToken (xoxb-…) calls the Web API. Required.
	BotToken string
	// AppToken (xapp-…, scope connections:write) enables Socket Mode: no
	// public URL is needed.
	AppToken string
	// SigningSecret verifies HTTP requests from Slack. Required in HTTP
	// mode; without it the /slack/* routes answer 401.
	SigningSecret string
	// APIURL is the Web API base URL ("https://slack.com/api/"); tests and
	// proxies change it.
	APIURL string
	// HTTPAddr is the listen address of the HTTP server ("" = none). It
	// serves /slack/events, /slack/commands, /slack/interactions, /healthz,
	// /metrics and the article pages /articles/{id}.
	HTTPAddr string
	// PublicURL is where this server's article pages are reachable from
	// Slack users' browsers (e.g. "https://newsdesk.example.org").
	PublicURL string
	// ThreadFollowupsNeedMention makes follow-ups in a thread the bot has
	// answered require a fresh @mention. Default: no mention needed.
	ThreadFollowupsNeedMention bool
	// RatePerUser questions are allowed per user per RateWindow
	// (0 = unlimited).
	RatePerUser int
	RateWindow  time.Duration
	// AllowChannels, when not empty, lists the channel IDs the bot answers
	// in. Direct messages are always allowed.
	AllowChannels []string
	// FeedbackLog is a JSONL file 👍/👎 clicks are also appended to
	// (besides Feedback); "" for none.
	FeedbackLog string
	// AnswerTimeout bounds one answer (retrieval plus LLM).
	AnswerTimeout time.Duration
	// DrainTimeout bounds how long Run waits for in-flight answers after
	// its context is cancelled.
	DrainTimeout time.Duration
	// AnswererMode is the configured answerer (bot.ModeLLM, …); an LLM
	// answer served by the extractive fallback is counted in
	// newsdesk_slack_answer_fallbacks_total. Not read from the environment.
	AnswererMode string
	// Backend describes the index for the start-up line ("index DIR, hash
	// embedder"). Not read from the environment.
	Backend string
	// Feedback, when set, records every 👍/👎 click durably (the CLI
	// passes the archive's store); FeedbackLog is written as well when
	// set. Not read from the environment.
	Feedback FeedbackStore
	// Dedupe, when set, also records event, command and action ids
	// durably (for an hour), so that an event Slack redelivers after a
	// restart is not answered twice. Not read from the environment.
	Dedupe Deduper
}

// Environment variables read by ConfigFromEnv.
//
//	SLACK_BOT_TOKEN                  bot token xoxb-… (required)
//	SLACK_APP_TOKEN                  app-level token xapp-…: enables Socket Mode
//	SLACK_SIGNING_SECRET             signing secret (required for HTTP mode)
//	SLACK_API_URL                    Web API base URL (default https://slack.com/api/)
//	NEWSDESK_HTTP_ADDR               HTTP listen address (default none; --http overrides)
//	NEWSDESK_PUBLIC_URL              public base URL of the article pages
//	NEWSDESK_SLACK_FOLLOWUP_MENTION  "true": thread follow-ups need an @mention (default false)
//	NEWSDESK_SLACK_RATE_PER_USER     questions per user per window (default 10; 0 = unlimited)
//	NEWSDESK_SLACK_RATE_WINDOW       rate-limit window, Go duration (default 1m)
//	NEWSDESK_SLACK_ALLOW_CHANNELS    comma-separated channel IDs (default: all channels)
//	NEWSDESK_SLACK_FEEDBACK_LOG      also append 👍/👎 clicks to this JSONL file (the CLI always records them in the article store)
//	NEWSDESK_SLACK_ANSWER_TIMEOUT    per-answer timeout, Go duration (default 2m)
//	NEWSDESK_SLACK_DRAIN_TIMEOUT     shutdown drain bound, Go duration (default 30s)
//
// Unparsable numbers and durations fall back to the default.
func ConfigFromEnv(getenv func(string) string) Config {
	get := func(k string) string { return strings.TrimSpace(getenv(k)) }
	c := Config{
		BotToken:                   get("SLACK_BOT_TOKEN"),
		AppToken:                   get("SLACK_APP_TOKEN"),
		SigningSecret:              get("SLACK_SIGNING_SECRET"),
		APIURL:                     get("SLACK_API_URL"),
		HTTPAddr:                   get("NEWSDESK_HTTP_ADDR"),
		PublicURL:                  get("NEWSDESK_PUBLIC_URL"),
		ThreadFollowupsNeedMention: parseBool(get("NEWSDESK_SLACK_FOLLOWUP_MENTION")),
		RatePerUser:                DefaultRatePerUser,
		RateWindow:                 DefaultRateWindow,
		FeedbackLog:                get("NEWSDESK_SLACK_FEEDBACK_LOG"),
		AnswerTimeout:              DefaultAnswerTimeout,
		DrainTimeout:               DefaultDrainTimeout,
	}
	if c.APIURL == "" {
		c.APIURL = DefaultAPIURL
	}
	if n, err := strconv.Atoi(get("NEWSDESK_SLACK_RATE_PER_USER")); err == nil && n >= 0 {
		c.RatePerUser = n
	}
	setDuration(&c.RateWindow, get("NEWSDESK_SLACK_RATE_WINDOW"))
	setDuration(&c.AnswerTimeout, get("NEWSDESK_SLACK_ANSWER_TIMEOUT"))
	setDuration(&c.DrainTimeout, get("NEWSDESK_SLACK_DRAIN_TIMEOUT"))
	for _, ch := range strings.Split(get("NEWSDESK_SLACK_ALLOW_CHANNELS"), ",") {
		if ch = strings.TrimSpace(ch); ch != "" {
			c.AllowChannels = append(c.AllowChannels, ch)
		}
	}
	return c
}

func parseBool(s string) bool {
	b, err := strconv.ParseBool(s)
	return err == nil && b
}

func setDuration(d *time.Duration, s string) {
	if s == "" {
		return
	}
	if v, err := time.ParseDuration(s); err == nil && v > 0 {
		*d = v
	}
}

// withDefaults fills zero fields. RatePerUser 0 stays 0 (unlimited): the
// default of 10 comes from ConfigFromEnv.
func (c Config) withDefaults() Config {
	if c.APIURL == "" {
		c.APIURL = DefaultAPIURL
	}
	if !strings.HasSuffix(c.APIURL, "/") {
		c.APIURL += "/"
	}
	if c.RateWindow <= 0 {
		c.RateWindow = DefaultRateWindow
	}
	if c.AnswerTimeout <= 0 {
		c.AnswerTimeout = DefaultAnswerTimeout
	}
	if c.DrainTimeout <= 0 {
		c.DrainTimeout = DefaultDrainTimeout
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	return c
}
