package main

import (
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/rivo/uniseg"

	"github.com/newsdesk/newsdesk/bot"
)

// ANSI styles for the command's own terminal output (answers are styled
// by bot.RenderText).
const (
	ansiReset = "\x1b[0m"
	ansiBold  = "\x1b[1m"
	ansiDim   = "\x1b[2m"
	ansiMark  = "\x1b[1;33m" // the quoted passage in :open
)

// style wraps s in an ANSI style when color is on.
func style(color bool, code, s string) string {
	if !color || s == "" {
		return s
	}
	return code + s + ansiReset
}

// live shows an answer being produced on a terminal: a dim status line
// while the answerer works, the streamed text as it arrives, then the
// final rendered answer in place of both. On a pipe it does nothing but
// render the final answer.
type live struct {
	mu    sync.Mutex
	w     io.Writer
	tty   bool
	color bool
	width int

	status   bool   // a status line is on screen
	streamed string // text shown by partial so far
}

func newLive(e *env, w io.Writer) *live {
	tty := isTerminal(w)
	return &live{w: w, tty: tty, color: colorOK(e, w), width: termWidth(w)}
}

// begin shows a status line (terminal only).
func (l *live) begin(msg string) {
	if !l.tty {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	io.WriteString(l.w, style(l.color, ansiDim, msg))
	l.status = true
}

// partial receives the answer text so far (bot.Request.OnPartial).
func (l *live) partial(text string) {
	if !l.tty {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.clearStatus()
	text = safe(text) // model output
	if strings.HasPrefix(text, l.streamed) {
		delta := text[len(l.streamed):]
		if delta == "" {
			return
		}
		io.WriteString(l.w, style(l.color, ansiDim, delta))
	} else {
		// The text was revised, not extended: redraw it.
		l.clearStreamed()
		io.WriteString(l.w, style(l.color, ansiDim, text))
	}
	l.streamed = text
}

// final erases the status line and the streamed text and renders a.
func (l *live) final(a *bot.Answer, st bot.TextStyle) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.clearStatus()
	l.clearStreamed()
	return bot.RenderText(l.w, safeAnswer(a), st)
}

// abort erases whatever is on screen (the answer failed).
func (l *live) abort() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.clearStatus()
	l.clearStreamed()
}

func (l *live) clearStatus() {
	if l.status {
		io.WriteString(l.w, "\r\x1b[2K")
		l.status = false
	}
}

// clearStreamed erases the streamed text by moving the cursor up over the
// terminal rows it took. Text taller than the screen cannot be erased;
// it is then left in place, followed by a blank line.
func (l *live) clearStreamed() {
	if l.streamed == "" {
		return
	}
	rows := screenRows(l.streamed, l.width)
	if rows > 40 {
		io.WriteString(l.w, "\n\n")
	} else {
		if rows > 1 {
			io.WriteString(l.w, "\x1b["+strconv.Itoa(rows-1)+"A")
		}
		io.WriteString(l.w, "\r\x1b[J")
	}
	l.streamed = ""
}

// screenRows is how many terminal rows text occupies at width columns.
func screenRows(text string, width int) int {
	if width <= 0 {
		width = 80
	}
	rows := 0
	for _, line := range strings.Split(text, "\n") {
		w := uniseg.StringWidth(line)
		r := (w + width - 1) / width
		if r == 0 {
			r = 1
		}
		rows += r
	}
	return rows
}
