package bot

import (
	"context"
	"errors"

	"github.com/newsdesk/newsdesk/retrieval"
)

// Extractive answers with sentences quoted verbatim from retrieved passages.
// It needs no network and is the offline default.
type Extractive struct {
	search retrieval.Searcher
	links  Linker
}

// NewExtractive returns an extractive answerer over s.
func NewExtractive(s retrieval.Searcher, links Linker) *Extractive {
	return &Extractive{search: s, links: links}
}

// Answer implements Answerer.
func (e *Extractive) Answer(ctx context.Context, req Request) (*Answer, error) {
	return nil, errors.New("not implemented")
}
