//go:build unix

package corpus

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// withinTime fails the test when f has not returned after d: the loads
// below used to block forever (or run out of memory).
func withinTime(t *testing.T, d time.Duration, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("load still running after %s", d)
	}
}

func TestLoadDirSkipsFIFO(t *testing.T) {
	dir := writeFiles(t, map[string]string{"ok.txt": "Plain text story.\n"})
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.txt"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	// A symlink to the FIFO, with a supported extension, must not block
	// either (it is opened non-blocking and its mode checked).
	if err := os.Symlink("pipe.txt", filepath.Join(dir, "link.md")); err != nil {
		t.Fatal(err)
	}
	withinTime(t, 10*time.Second, func() {
		arts, warns, err := LoadPathContext(context.Background(), dir, LoadOptions{})
		if err != nil {
			t.Error(err)
			return
		}
		if len(arts) != 1 || arts[0].ID != "ok" {
			t.Errorf("articles = %+v; want only ok", arts)
		}
		w := warningsText(warns)
		for _, name := range []string{"pipe.txt", "link.md"} {
			if !strings.Contains(w, name+": not a regular file") {
				t.Errorf("warnings = %q; want %s skipped as not a regular file", w, name)
			}
		}
	})
}

func TestLoadPathRefusesFIFOAndDevice(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pipe.html")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	for _, p := range []string{fifo, "/dev/zero"} {
		if _, err := os.Stat(p); err != nil {
			continue
		}
		withinTime(t, 10*time.Second, func() {
			arts, _, err := LoadPath(p)
			if err == nil || !strings.Contains(err.Error(), "not a regular file") || len(arts) != 0 {
				t.Errorf("LoadPath(%s) = %d articles, %v; want 'not a regular file'", p, len(arts), err)
			}
		})
	}
}
