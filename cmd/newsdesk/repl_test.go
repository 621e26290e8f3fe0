package main

import (
	"strings"
	"testing"
)

func TestPipedREPLUnderstoodAsAndNew(t *testing.T) {
	dir := writeCorpus(t, testArticles)
	in := strings.Join([]string{
		"When will the Harbor Bridge reopen?",
		"what did she say?",                 // leans on the last turn: rewritten
		"How much snow fell on the valley?", // names its own topic: as typed
		":new",
		"what did she say?", // nothing to lean on after :new
	}, "\n")
	r := runCmd(t, nil, in, "repl", "--corpus", dir, "--index", t.TempDir())
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	const line = "Understood as: what did Harbor Bridge say?"
	if n := strings.Count(r.stdout, "Understood as:"); n != 1 || !strings.Contains(r.stdout, line) {
		t.Errorf("want exactly one %q line, got %d:\n%s", line, n, r.stdout)
	}
	if !strings.Contains(r.stdout, "conversation cleared") {
		t.Errorf(":new not acknowledged:\n%s", r.stdout)
	}
	if n := strings.Count(r.stderr, "searching for:"); n != 1 {
		t.Errorf("stderr has %d rewrites, want 1: %q", n, r.stderr)
	}
}
