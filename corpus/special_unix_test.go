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
		arts, warns, err := LoadPathContext(context.Background(), dir, LoadOptions{FollowSymlinks: true})
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
			if err == nil || !(strings.Contains(err.Error(), "not a regular file") || strings.Contains(err.Error(), "never loaded")) || len(arts) != 0 {
				t.Errorf("LoadPath(%s) = %d articles, %v; want it refused", p, len(arts), err)
			}
		})
	}
}

// symlinkTree makes dir/corpus with a real article and links: into
// /proc, out of the directory (file and directory) and inside it.
func symlinkTree(t *testing.T) (corpusDir string) {
	t.Helper()
	base := writeFiles(t, map[string]string{
		"corpus/real.txt":      "A real story inside the corpus.\n",
		"outside/secret.txt":   "TOP SECRET text outside the corpus.\n",
		"outside/sub/more.txt": "More secret text outside.\n",
	})
	corpusDir = filepath.Join(base, "corpus")
	for name, target := range map[string]string{
		"env.txt":   "/proc/self/environ",
		"out.txt":   "../outside/secret.txt",
		"abs.txt":   filepath.Join(base, "outside", "secret.txt"),
		"linkdir":   "../outside/sub",
		"inside.md": "real.txt",
	} {
		if err := os.Symlink(target, filepath.Join(corpusDir, name)); err != nil {
			t.Fatal(err)
		}
	}
	return corpusDir
}

func articleIDs(arts []Article) string {
	var ids []string
	for _, a := range arts {
		ids = append(ids, a.ID)
		if strings.Contains(a.Text(), "SECRET") || strings.Contains(a.Text(), "secret") {
			ids = append(ids, "LEAKED:"+a.Path)
		}
	}
	return strings.Join(ids, ",")
}

func TestLoadDirSkipsSymlinks(t *testing.T) {
	dir := symlinkTree(t)
	arts, warns, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := articleIDs(arts); got != "real" {
		t.Errorf("articles = %s; want only real (no symlink followed)", got)
	}
	w := warningsText(warns)
	for _, name := range []string{"env.txt", "out.txt", "abs.txt", "inside.md"} {
		if !strings.Contains(w, name+": symbolic link; skipped") {
			t.Errorf("warnings = %q; want %s skipped as a symbolic link", w, name)
		}
	}
}

func TestLoadDirFollowsSymlinksOnlyInside(t *testing.T) {
	dir := symlinkTree(t)
	arts, warns, err := LoadPathContext(context.Background(), dir, LoadOptions{FollowSymlinks: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := articleIDs(arts); got != "inside,real" {
		t.Errorf("articles = %s; want inside (a link within the corpus) and real", got)
	}
	w := warningsText(warns)
	for _, name := range []string{"env.txt", "out.txt", "abs.txt", "linkdir"} {
		if !strings.Contains(w, name+": symbolic link") {
			t.Errorf("warnings = %q; want %s reported as a symbolic link not followed", w, name)
		}
	}
}

func TestLoadPathNeverReadsProc(t *testing.T) {
	link := filepath.Join(t.TempDir(), "env.txt")
	if err := os.Symlink("/proc/self/environ", link); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/proc/self/environ", "/proc/self", link} {
		if _, err := os.Stat(p); err != nil {
			continue // no /proc here
		}
		arts, _, err := LoadPath(p)
		if err == nil || !strings.Contains(err.Error(), "never loaded") || len(arts) != 0 {
			t.Errorf("LoadPath(%s) = %d articles, %v; want it refused", p, len(arts), err)
		}
	}
}

func TestLoadPathFollowsNamedLink(t *testing.T) {
	dir := symlinkTree(t)
	arts, _, err := LoadPath(filepath.Join(dir, "out.txt"))
	if err != nil || len(arts) != 1 {
		t.Errorf("LoadPath(named link) = %d articles, %v; want the target loaded (the caller named it)", len(arts), err)
	}
}
