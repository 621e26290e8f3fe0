//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestIngestSymlinks(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "corpus")
	outside := filepath.Join(base, "outside")
	for _, d := range []string{dir, outside} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "bridge.txt"), []byte(testArticles["bridge.txt"]), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(outside, "storm.txt"), []byte(testArticles["storm.txt"]), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, target := range map[string]string{
		"env.txt":    "/proc/self/environ",
		"storm.txt":  "../outside/storm.txt",
		"bridge2.md": "bridge.txt",
	} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	r := runCmd(t, nil, "", "ingest", "--index", t.TempDir(), dir)
	if r.code != exitOK || !strings.Contains(r.stdout, "1 added") {
		t.Fatalf("ingest: exit %d, stdout %q, stderr %q; want only bridge.txt added", r.code, r.stdout, r.stderr)
	}
	for _, name := range []string{"env.txt", "storm.txt", "bridge2.md"} {
		if !strings.Contains(r.stderr, name) || !strings.Contains(r.stderr, "symbolic link") {
			t.Errorf("stderr lacks the skipped link %s: %q", name, r.stderr)
		}
	}
	r = runCmd(t, nil, "", "ingest", "--follow-symlinks", "--index", t.TempDir(), dir)
	if r.code != exitOK || !strings.Contains(r.stdout, "2 added") {
		t.Errorf("ingest --follow-symlinks: exit %d, stdout %q, stderr %q; want bridge and the link inside (bridge2) added, nothing from outside", r.code, r.stdout, r.stderr)
	}
}

func TestIngestAndCorpusRefuseDevices(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	r := runCmd(t, nil, "", "ingest", "--index", t.TempDir(), "/dev/zero")
	if r.code != exitError || !strings.Contains(r.stderr, "never loaded") {
		t.Errorf("ingest /dev/zero: exit %d, stderr %q; want it refused", r.code, r.stderr)
	}
	r = runCmd(t, nil, "", "ask", "--corpus", "/dev/zero", "--index", t.TempDir(), "Who?")
	if r.code != exitError || !strings.Contains(r.stderr, "never loaded") {
		t.Errorf("ask --corpus /dev/zero: exit %d, stderr %q; want it refused", r.code, r.stderr)
	}
}
