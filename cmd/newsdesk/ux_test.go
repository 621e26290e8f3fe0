package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"log/slog"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/rivo/uniseg"

	"github.com/newsdesk/newsdesk/bot/slack"
)

func TestHoistGlobalFlags(t *testing.T) {
	cases := []struct {
		in, want string
		err      bool
	}{
		{"-v ask who won", "ask -v who won", false},
		{"--index /x -v ask q", "ask --index /x -v q", false},
		{"--index=/x repl", "repl --index=/x", false},
		{"ask -v q", "ask -v q", false},
		{"--version", "--version", false},
		{"--help", "--help", false},
		{"-v", "", true},
		{"--index", "", true},
	}
	for _, c := range cases {
		got, err := hoistGlobalFlags(strings.Fields(c.in))
		if (err != nil) != c.err || (err == nil && strings.Join(got, " ") != c.want) {
			t.Errorf("%q: got %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestGlobalVerboseBeforeCommand(t *testing.T) {
	dir := writeCorpus(t, testArticles)
	r := runCmd(t, nil, "", "-v", "ask", "--corpus", dir, "when will the bridge reopen")
	if r.code != exitOK || !strings.Contains(r.stdout, "March") {
		t.Fatalf("newsdesk -v ask: %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "newsdesk: debug: ") {
		t.Errorf("-v before the command did not turn on debug logging:\n%s", r.stderr)
	}
	if r := runCmd(t, nil, "", "-x", "ask", "q"); r.code != exitUsage {
		t.Errorf("unknown global flag: exit %d", r.code)
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"version"}} {
		r := runCmd(t, nil, "", args...)
		if r.code != exitOK || !strings.HasPrefix(r.stdout, "newsdesk ") || !strings.Contains(r.stdout, "go1.") {
			t.Errorf("%v: %d %q", args, r.code, r.stdout)
		}
	}
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.2.3"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef0123"}, {Key: "vcs.time", Value: "2026-12-01T10:00:00Z"}, {Key: "vcs.modified", Value: "true"},
	}}
	if got := versionLine(bi); !strings.HasPrefix(got, "newsdesk v1.2.3 (revision 0123456789ab, 2026-12-01T10:00:00Z, modified) go1.26.8 ") {
		t.Errorf("versionLine = %q", got)
	}
}

func TestIngestHelpListsFormats(t *testing.T) {
	r := runCmd(t, nil, "", "ingest", "--help")
	for _, want := range []string{".txt", ".md", ".html", ".jsonl", "20 MiB", "README.md"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("ingest --help lacks %q", want)
		}
	}
}

func TestHumanLogLines(t *testing.T) {
	var b bytes.Buffer
	l := slog.New(newHumanHandler(&b, slog.LevelInfo)).With("dir", "/x")
	l.Warn("skipped", "path", "a.pdf", "err", "unsupported \x1b[31mformat")
	l.Debug("hidden")
	if got, want := b.String(), "newsdesk: warning: skipped (dir=/x, path=a.pdf, err=unsupported format)\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestFeedbackCommand(t *testing.T) {
	idx := t.TempDir()
	sf := storeFeedback{dir: idx}
	t0 := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	for _, r := range []slack.FeedbackRecord{
		{Time: t0, Vote: "up", User: "U1", Channel: "C1", Question: "who won?", Answer: "A won."},
		{Time: t0.Add(48 * time.Hour), Vote: "down", User: "U2", Channel: "C1", Question: "=cmd|' /C calc'!A0", Answer: "wrong"},
	} {
		if err := sf.AddFeedback(r); err != nil {
			t.Fatal(err)
		}
	}
	r := runCmd(t, nil, "", "feedback", "--index", idx)
	if r.code != exitOK || !strings.Contains(r.stdout, "who won?") || !strings.Contains(r.stdout, "2 votes: 1 👍, 1 👎") {
		t.Errorf("text: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runCmd(t, nil, "", "--index", idx, "feedback", "--format", "jsonl", "--down")
	var got slack.FeedbackRecord
	if lines := strings.Split(strings.TrimSpace(r.stdout), "\n"); len(lines) != 1 || json.Unmarshal([]byte(lines[0]), &got) != nil || got.User != "U2" {
		t.Errorf("jsonl --down: %q", r.stdout)
	}
	r = runCmd(t, nil, "", "feedback", "--index", idx, "--format", "csv", "--since", "2026-12-01")
	rows, err := csv.NewReader(strings.NewReader(r.stdout)).ReadAll()
	if err != nil || len(rows) != 2 || rows[0][0] != "time" || rows[1][6] != "'=cmd|' /C calc'!A0" {
		t.Errorf("csv: %v %q", err, rows)
	}
	if r := runCmd(t, nil, "", "feedback", "--index", t.TempDir()); r.code != exitOK || !strings.Contains(r.stdout, "no feedback") {
		t.Errorf("empty: %d %q", r.code, r.stdout)
	}
	if r := runCmd(t, nil, "", "feedback", "--index", idx, "--format", "xml"); r.code != exitUsage {
		t.Errorf("bad format: %d", r.code)
	}
}

func TestServeMissingBotTokenExplains(t *testing.T) {
	r := runCmd(t, map[string]string{"SLACK_APP_TOKEN": "xapp-1"}, "", "serve")
	if r.code == exitOK || !strings.Contains(r.stderr, "OAuth & Permissions") || !strings.Contains(r.stderr, "manifest.yaml") {
		t.Errorf("%d %q", r.code, r.stderr)
	}
}

func TestSourcesColumnsAligned(t *testing.T) {
	files := map[string]string{
		"a.md": "---\ntitle: Zoë’s 日本 report\nsource: 東京新聞\npublished: 2024-01-02\n---\nBody one.\n",
		"b.md": "---\ntitle: Plain title\nsource: AP\n---\nBody two.\n",
	}
	dir := writeCorpus(t, files)
	r := runCmd(t, nil, ":sources\n", "repl", "--corpus", dir)
	if r.code != exitOK {
		t.Fatalf("%d %s", r.code, r.stderr)
	}
	var lines []string
	for _, l := range strings.Split(r.stdout, "\n") {
		if strings.HasPrefix(l, "ID") || strings.HasPrefix(l, "a ") || strings.HasPrefix(l, "b ") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 3 {
		t.Fatalf("lines %q", r.stdout)
	}
	col := func(l, word string) int { return uniseg.StringWidth(l[:strings.Index(l, word)]) }
	if h, a, b := col(lines[0], "TITLE"), col(lines[1], "Zoë"), col(lines[2], "Plain"); h != a || a != b {
		t.Errorf("title column at %d, %d, %d:\n%s", h, a, b, strings.Join(lines, "\n"))
	}
	if h, a, b := col(lines[0], "DATE"), col(lines[1], "2024"), col(lines[2], "-  "); h != a || a != b {
		t.Errorf("date column at %d, %d, %d:\n%s", h, a, b, strings.Join(lines, "\n"))
	}
}
