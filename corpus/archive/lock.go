package archive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// LockFile is the writer lock in the index directory.
const LockFile = "writer.lock"

// Holder describes the process holding a directory's writer lock.
type Holder struct {
	PID     int       `json:"pid"`
	Command string    `json:"command"`
	Since   time.Time `json:"since"`
}

func (h Holder) String() string {
	if h.PID == 0 {
		return "another process"
	}
	return fmt.Sprintf("pid %d (%s, since %s)", h.PID, h.Command, h.Since.Local().Format(time.DateTime))
}

// LockedError is returned by Lock when another process kept the lock for
// the whole wait.
type LockedError struct {
	Dir    string
	Holder Holder
	Waited time.Duration
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("index %s is being written by %s; gave up after %s (try again when it has finished)",
		e.Dir, e.Holder, e.Waited.Round(time.Millisecond))
}

// Lock is a held writer lock on an index directory: one writer at a time
// (ingest, remove, a rebuild), any number of readers beside it. It is an
// flock(2) on dir/writer.lock, released by Unlock or when the process
// dies (kill -9 included), so a crashed writer never leaves it held.
type Lock struct {
	f *os.File
}

// LockOptions configure Acquire.
type LockOptions struct {
	// Command names the holder for other processes' messages.
	Command string
	// Wait bounds how long to wait for another writer (0: do not wait).
	Wait time.Duration
	// OnWait, if set, is called once when the lock is busy, before waiting.
	OnWait func(h Holder)
}

// Acquire takes the writer lock of dir (creating dir), waiting up to
// opt.Wait for another writer to finish. Past that it returns a
// *LockedError naming the holder. ctx cancels the wait.
func Acquire(ctx context.Context, dir string, opt LockOptions) (*Lock, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("index dir: %w", err)
	}
	path := filepath.Join(dir, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("writer lock: %w", err)
	}
	start := time.Now()
	delay := 10 * time.Millisecond
	notified := false
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, unix.EWOULDBLOCK) && !errors.Is(err, unix.EINTR) {
			f.Close()
			return nil, fmt.Errorf("writer lock %s: %w", path, err)
		}
		h := readHolder(path)
		if !notified && opt.OnWait != nil && opt.Wait > 0 {
			opt.OnWait(h)
			notified = true
		}
		if time.Since(start) >= opt.Wait {
			f.Close()
			return nil, &LockedError{Dir: dir, Holder: h, Waited: time.Since(start)}
		}
		t := time.NewTimer(min(delay, opt.Wait-time.Since(start)+time.Millisecond))
		select {
		case <-ctx.Done():
			t.Stop()
			f.Close()
			return nil, fmt.Errorf("waiting for the writer lock of %s: %w", dir, ctx.Err())
		case <-t.C:
		}
		delay = min(2*delay, 250*time.Millisecond)
	}
	h := Holder{PID: os.Getpid(), Command: opt.Command, Since: time.Now().UTC()}
	b, _ := json.Marshal(h)
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt(append(b, '\n'), 0)
	}
	return &Lock{f: f}, nil
}

// readHolder reads who holds the lock (best effort).
func readHolder(path string) Holder {
	var h Holder
	b, err := os.ReadFile(path)
	if err == nil {
		_ = json.Unmarshal([]byte(strings.TrimSpace(string(b))), &h)
	}
	return h
}

// Unlock releases the lock.
func (l *Lock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	_ = l.f.Truncate(0)
	err := unix.Flock(int(l.f.Fd()), unix.LOCK_UN)
	cerr := l.f.Close()
	l.f = nil
	if err != nil {
		return fmt.Errorf("writer unlock: %w", err)
	}
	return cerr
}
