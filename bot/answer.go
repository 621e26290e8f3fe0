// Package bot turns questions into answers: the surface-neutral Answer
// value, the Answerer interface, quote
// verification, and plain-text and JSON renderers. Chat surfaces (the REPL,
// Slack) render an Answer; they never build quotes themselves.
package bot

import (
	"context"
	"errors"
	"time"
)

// Mode names the path that produced an answer.
const (
	ModeExtractive = "extractive"
	ModeLLM        = "llm"
)

// Turn is one earlier exchange in a conversation (a Slack thread, the REPL).
type Turn struct {
	Question string
	Answer   string
}

// Request is a question and its context.
type Request struct {
	Question string
	// History holds earlier turns, oldest first, for follow-up questions.
	History []Turn
	// OnPartial, when set, receives the answer text so far while it is being
	// written (streaming LLMs); it may be called many times. Surfaces use it
	// for progressive display only: the returned Answer is authoritative.
	OnPartial func(text string)
	// AsOf is the time of asking; zero means now. An evaluation replays a
	// question as of the day it was asked ("last week", "yesterday");
	// answerers may ignore it.
	AsOf time.Time
}

// Answer is what every surface renders.
type Answer struct {
	Question string `json:"question"`
	// Understood is the question as the bot understood and searched it
	// when that differs from what was typed (a follow-up rewritten into a
	// standalone question); "" otherwise. Surfaces show it first
	// ("Understood as: …"). Set it with UnderstoodAs.
	Understood string     `json:"understood_as,omitempty"`
	Text       string     `json:"answer"`
	Abstained  bool       `json:"abstained"`
	Mode       string     `json:"mode"`
	Citations  []Citation `json:"citations"`
	// Notes are short remarks for the user (a fallback taken, a query
	// rewritten); not part of the JSON contract.
	Notes []string `json:"-"`
	// Lead is the short answer line without the rendered quotes.
	Lead string `json:"-"`
}

// Citation is one numbered, verbatim quote.
type Citation struct {
	N         int    `json:"n"`
	ArticleID string `json:"article_id"`
	Title     string `json:"title"`
	Source    string `json:"source"`
	Published string `json:"published"`
	URL       string `json:"url"`
	Quote     string `json:"quote"`

	Speaker string `json:"-"` // who is quoted, when the text names them
	Para    int    `json:"-"` // paragraph index of the quote
	Start   int    `json:"-"` // byte offset of the quote in the article text
	// ArticleURL is the article's own URL ("" when unknown); URL above is
	// the link shown (with a text fragment, or a corpus reference).
	ArticleURL string `json:"-"`
	// AlsoReportedBy lists other articles carrying the same sentence.
	AlsoReportedBy []Ref `json:"-"`
}

// Ref points at another article that corroborates a citation.
type Ref struct {
	ArticleID string
	Source    string
	Published string
	URL       string
}

// Answerer answers one question.
type Answerer interface {
	Answer(ctx context.Context, req Request) (*Answer, error)
}

// ErrEmptyQuestion is returned by an Answerer for a blank question.
var ErrEmptyQuestion = errors.New("empty question")
