package slack

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// FeedbackRecord is one 👍/👎 click, one JSON object per line of the
// feedback log.
type FeedbackRecord struct {
	Time      time.Time `json:"time"`
	Vote      string    `json:"vote"` // "up" or "down"
	User      string    `json:"user"`
	Channel   string    `json:"channel"`
	MessageTS string    `json:"message_ts,omitempty"`
	AnswerID  string    `json:"answer_id,omitempty"`
	Question  string    `json:"question"`
	Answer    string    `json:"answer"`
	Mode      string    `json:"mode,omitempty"`
	Abstained bool      `json:"abstained"`
}

// FeedbackStore records feedback durably (the CLI passes the article
// store's feedback bucket). It must be safe for concurrent use.
type FeedbackStore interface {
	AddFeedback(r FeedbackRecord) error
}

// storeFeedback writes r to the durable store and to the JSONL log,
// whichever are configured; it reports whether either recorded it.
func (s *Server) storeFeedback(r FeedbackRecord) (recorded bool, err error) {
	var errs []error
	if s.cfg.Feedback != nil {
		if e := s.cfg.Feedback.AddFeedback(r); e != nil {
			errs = append(errs, e)
		} else {
			recorded = true
		}
	}
	if s.feedback.path != "" {
		if e := s.feedback.append(r); e != nil {
			errs = append(errs, e)
		} else {
			recorded = true
		}
	}
	return recorded, errors.Join(errs...)
}

// feedbackLog appends records to a JSONL file. The file is opened per
// record with O_APPEND, so external rotation (mv + new file) just works
// and concurrent newsdesk processes do not interleave partial lines; the
// mutex serialises writers within the process.
type feedbackLog struct {
	mu   sync.Mutex
	path string
}

func (f *feedbackLog) append(r FeedbackRecord) error {
	if f == nil || f.path == "" {
		return nil
	}
	line, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("feedback: encode: %w", err)
	}
	line = append(line, '\n')
	f.mu.Lock()
	defer f.mu.Unlock()
	if dir := filepath.Dir(f.path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return fmt.Errorf("feedback: create %s: %w", dir, err)
		}
	}
	fh, err := os.OpenFile(f.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return fmt.Errorf("feedback: open %s: %w", f.path, err)
	}
	if _, err := fh.Write(line); err != nil {
		fh.Close()
		return fmt.Errorf("feedback: write %s: %w", f.path, err)
	}
	if err := fh.Close(); err != nil {
		return fmt.Errorf("feedback: close %s: %w", f.path, err)
	}
	return nil
}
