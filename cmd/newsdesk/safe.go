package main

import (
	"github.com/newsdesk/newsdesk/bot"
	"github.com/newsdesk/newsdesk/internal/redact"
	"github.com/newsdesk/newsdesk/internal/termsafe"
)

// Text printed on the terminal that came from an article, a model or a
// user goes through safe (termsafe.Strip) first; the command's own escape
// sequences (colours, OSC 8 links) are added after it.

// safe strips terminal control sequences from untrusted text.
func safe(s string) string { return termsafe.Strip(s) }

// safeAnswer returns a copy of a with every text field stripped of
// terminal control sequences, for rendering on a terminal or a pipe.
func safeAnswer(a *bot.Answer) *bot.Answer {
	out := *a
	out.Question = safe(a.Question)
	out.Text = safe(a.Text)
	out.Lead = safe(a.Lead)
	out.Mode = safe(a.Mode)
	out.Notes = make([]string, len(a.Notes))
	for i, n := range a.Notes {
		out.Notes[i] = safe(n)
	}
	out.Citations = make([]bot.Citation, len(a.Citations))
	for i, c := range a.Citations {
		c.ArticleID = safe(c.ArticleID)
		c.Title = safe(c.Title)
		c.Source = safe(c.Source)
		c.Published = safe(c.Published)
		c.URL = safe(c.URL)
		c.ArticleURL = safe(c.ArticleURL)
		c.Quote = safe(c.Quote)
		c.Speaker = safe(c.Speaker)
		refs := make([]bot.Ref, len(c.AlsoReportedBy))
		for j, r := range c.AlsoReportedBy {
			refs[j] = bot.Ref{ArticleID: safe(r.ArticleID), Source: safe(r.Source), Published: safe(r.Published), URL: safe(r.URL)}
		}
		c.AlsoReportedBy = refs
		out.Citations[i] = c
	}
	return &out
}

// errText is err's message for the terminal: on one line, without control
// sequences (it may quote a file name, an article or a server's reply).
func errText(err error) string {
	return oneLine(safe(err.Error()))
}

// secretEnv names the environment variables whose values are secrets:
// they are masked in every log line and error the command prints.
var secretEnv = []string{"OPENAI_API_KEY", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"}

// secrets returns the redactor for the configured secret values.
func secrets(e *env) *redact.Redactor {
	return redact.FromEnv(e.getenv, secretEnv...)
}
