package main

import (
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress shows embedding progress as a bar on a terminal stderr. The bar
// appears only once a run has lasted progressDelay, so quick syncs (the
// usual warm start) print nothing. Without a terminal it is silent.
type progress struct {
	mu    sync.Mutex
	tty   bool
	e     *env
	desc  string
	unit  string // what is counted: "chunks" (the default), "questions"
	start time.Time
	bar   *progressbar.ProgressBar
}

const progressDelay = 700 * time.Millisecond

func newProgress(e *env, desc string) *progress {
	return &progress{tty: isTerminal(e.stderr), e: e, desc: desc, unit: "chunks", start: time.Now()}
}

// update is the progress callback of retrieval.Index.Sync and Add (and
// of eval.Run); it may be called from several goroutines.
func (p *progress) update(done, total int) {
	if !p.tty || total <= 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar == nil {
		if time.Since(p.start) < progressDelay || done >= total {
			return
		}
		p.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(p.e.stderr),
			progressbar.OptionSetDescription(p.desc),
			progressbar.OptionShowCount(),
			progressbar.OptionSetItsString(p.unit),
			progressbar.OptionShowIts(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionFullWidth(),
		)
	}
	p.bar.ChangeMax(total)
	_ = p.bar.Set(done)
}

// done clears the bar, if one was shown.
func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		_ = p.bar.Finish()
		_ = p.bar.Clear()
		p.bar = nil
	}
}
