package slack

import (
	"errors"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
)

const (
	// maxBodyReads bounds the request bodies read at once on the Slack
	// endpoints (before their signature can be checked); more get 503.
	maxBodyReads = 64
	// maxBufferedBytes bounds the bytes all those bodies may hold.
	maxBufferedBytes = 8 << 20
	// readChunk is the step in which a body buffer grows (and is
	// reserved from maxBufferedBytes).
	readChunk = 4 << 10
	// maxPooledBuffer is the largest buffer kept for reuse: one large
	// body does not pin its memory afterwards.
	maxPooledBuffer = 64 << 10
)

// errBusy means too many bodies are being read, or they hold too many
// bytes: the request is refused with 503 before (more of) it is read.
var errBusy = errors.New("too many requests in progress")

// bodyGate reads request bodies under a bound on concurrent reads and on
// the bytes they buffer, into pooled buffers. Unsigned requests cannot
// pin more than those bounds, however many connections they hold.
type bodyGate struct {
	slots  chan struct{}
	budget int64
	used   atomic.Int64 // bytes reserved by bodies being read or handled
	pool   sync.Pool    // *[]byte
}

func newBodyGate(slots int, budget int64) *bodyGate {
	return &bodyGate{slots: make(chan struct{}, slots), budget: budget}
}

// reading is the number of bodies being read or handled.
func (g *bodyGate) reading() int { return len(g.slots) }

// reserve takes n bytes from the budget, or reports false.
func (g *bodyGate) reserve(n int64) bool {
	if g.used.Add(n) > g.budget {
		g.used.Add(-n)
		return false
	}
	return true
}

// read reads the body of r, at most limit bytes. It never waits for a
// slot: when all are taken, or the byte budget is spent, it returns
// errBusy. A body over limit gives an *http.MaxBytesError. The caller
// must call release once it no longer uses body.
func (g *bodyGate) read(w http.ResponseWriter, r *http.Request, limit int64) (body []byte, release func(), err error) {
	select {
	case g.slots <- struct{}{}:
	default:
		return nil, nil, errBusy
	}
	var reserved int64
	bp, _ := g.pool.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	b := (*bp)[:0]
	done := func() {
		if cap(b) <= maxPooledBuffer {
			*bp = b[:0]
			g.pool.Put(bp)
		}
		g.used.Add(-reserved)
		<-g.slots
	}
	src := http.MaxBytesReader(w, r.Body, limit)
	for {
		if cap(b)-len(b) < readChunk/2 {
			grown := make([]byte, len(b), max(2*cap(b), len(b)+readChunk))
			copy(grown, b)
			b = grown
		}
		if c := int64(cap(b)); c > reserved {
			if !g.reserve(c - reserved) {
				done()
				return nil, nil, errBusy
			}
			reserved = c
		}
		n, rerr := src.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if rerr != nil {
			if errors.Is(rerr, io.EOF) {
				return b, done, nil
			}
			done()
			return nil, nil, rerr
		}
	}
}
