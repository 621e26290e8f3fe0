package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// result is the outcome of one in-process run.
type result struct {
	code           int
	stdout, stderr string
}

// runCmd runs the command in-process with a private cache directory and
// the given extra environment; stdin is the given text (a pipe, never a
// terminal).
func runCmd(t *testing.T, envv map[string]string, stdin string, args ...string) result {
	t.Helper()
	cache := t.TempDir()
	getenv := func(k string) string {
		if v, ok := envv[k]; ok {
			return v
		}
		if k == "XDG_CACHE_HOME" {
			return cache
		}
		return ""
	}
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errb, getenv)
	return result{code, out.String(), errb.String()}
}

// Two small articles on unrelated subjects.
var testArticles = map[string]string{
	"bridge.txt": `Harbor Bridge To Reopen In March

Mayor Lena Ortiz said on Tuesday that the Harbor Bridge would reopen to traffic in March after repairs costing 14 million dollars.

"We owe the commuters of this city a safe crossing," Ortiz told reporters at City Hall.

Engineers found corrosion in two of the bridge's steel cables during an inspection last autumn.
`,
	"storm.txt": `Storm Closes Schools Across The Valley

A winter storm dropped 40 centimetres of snow on the valley overnight, closing every school in the district.

Superintendent Marcus Bell said classes would resume on Thursday if the roads were cleared.

Snowploughs worked through the night on the main highway, the transport department said.
`,
}

func writeCorpus(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestTopLevelUsage(t *testing.T) {
	r := runCmd(t, nil, "")
	if r.code != exitUsage {
		t.Errorf("newsdesk alone: exit %d, want %d", r.code, exitUsage)
	}
	for _, want := range []string{"Commands:", "ask", "repl", "ingest", "index", "serve", "Examples:"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("usage lacks %q:\n%s", want, r.stderr)
		}
	}
	for _, arg := range []string{"-h", "--help", "help"} {
		r := runCmd(t, nil, "", arg)
		if r.code != exitOK || !strings.Contains(r.stdout, "Commands:") {
			t.Errorf("newsdesk %s: exit %d, stdout %q", arg, r.code, r.stdout)
		}
	}
}

func TestUnknownCommand(t *testing.T) {
	r := runCmd(t, nil, "", "frobnicate")
	if r.code != exitUsage {
		t.Errorf("exit %d, want %d", r.code, exitUsage)
	}
	if !strings.Contains(r.stderr, `unknown command "frobnicate"`) || !strings.Contains(r.stderr, "Commands:") {
		t.Errorf("stderr = %q", r.stderr)
	}
}

func TestSubcommandHelp(t *testing.T) {
	cases := [][]string{
		{"ask"}, {"repl"}, {"ingest"}, {"serve"}, {"eval"},
		{"index", "stats"}, {"index", "rebuild"},
	}
	for _, c := range cases {
		for _, h := range []string{"--help", "-h"} {
			args := append(append([]string(nil), c...), h)
			r := runCmd(t, nil, "", args...)
			if r.code != exitOK {
				t.Errorf("%v: exit %d, stderr %q", args, r.code, r.stderr)
				continue
			}
			if want := "Usage: newsdesk " + strings.Join(c, " "); !strings.Contains(r.stdout, want) {
				t.Errorf("%v: help lacks %q:\n%s", args, want, r.stdout)
			}
			if !strings.Contains(r.stdout, "Flags:") || !strings.Contains(r.stdout, "--index") {
				t.Errorf("%v: help lacks the flag list:\n%s", args, r.stdout)
			}
			if !strings.Contains(r.stdout, "Example") {
				t.Errorf("%v: help lacks examples:\n%s", args, r.stdout)
			}
		}
	}
	// "newsdesk help ask" and "newsdesk index --help".
	if r := runCmd(t, nil, "", "help", "ask"); r.code != exitOK || !strings.Contains(r.stdout, "Usage: newsdesk ask") {
		t.Errorf("help ask: exit %d, %q", r.code, r.stdout)
	}
	if r := runCmd(t, nil, "", "index", "--help"); r.code != exitOK || !strings.Contains(r.stdout, "newsdesk index stats") {
		t.Errorf("index --help: exit %d, %q", r.code, r.stdout)
	}
	if r := runCmd(t, nil, "", "index"); r.code != exitUsage {
		t.Errorf("index alone: exit %d, want %d", r.code, exitUsage)
	}
	if r := runCmd(t, nil, "", "index", "frob"); r.code != exitUsage {
		t.Errorf("index frob: exit %d, want %d", r.code, exitUsage)
	}
}

func TestBadFlag(t *testing.T) {
	for _, args := range [][]string{
		{"ask", "--nope", "question"},
		{"repl", "--nope"},
		{"ingest", "--nope", "x"},
		{"index", "stats", "--nope"},
		{"serve", "--nope"},
	} {
		r := runCmd(t, nil, "", args...)
		if r.code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, r.code, exitUsage)
		}
		if !strings.Contains(r.stderr, "flag provided but not defined: -nope") || !strings.Contains(r.stderr, "--help") {
			t.Errorf("%v: stderr = %q", args, r.stderr)
		}
	}
}

func TestBadChoices(t *testing.T) {
	dir := writeCorpus(t, testArticles)
	r := runCmd(t, nil, "", "ask", "--corpus", dir, "--index", t.TempDir(), "--answerer", "oracle", "q")
	if r.code != exitUsage || !strings.Contains(r.stderr, `unknown answerer "oracle"`) {
		t.Errorf("bad answerer: exit %d, stderr %q", r.code, r.stderr)
	}
	r = runCmd(t, map[string]string{envEmbedder: "word2vec"}, "", "ask", "--corpus", dir, "--index", t.TempDir(), "q")
	if r.code != exitUsage || !strings.Contains(r.stderr, `unknown embedder "word2vec"`) {
		t.Errorf("bad embedder: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestEmptyQuestion(t *testing.T) {
	for _, c := range []struct {
		args  []string
		stdin string
	}{
		{[]string{"ask"}, ""},
		{[]string{"ask"}, "  \n\t\n"},
		{[]string{"ask", "  ", ""}, ""},
		{[]string{"ask", "--json"}, ""},
	} {
		r := runCmd(t, nil, c.stdin, c.args...)
		if r.code != exitUsage {
			t.Errorf("%q (stdin %q): exit %d, want %d", c.args, c.stdin, r.code, exitUsage)
		}
		if !strings.Contains(r.stderr, "empty question") {
			t.Errorf("%q: stderr = %q", c.args, r.stderr)
		}
		if r.stdout != "" {
			t.Errorf("%q: stdout = %q, want nothing", c.args, r.stdout)
		}
	}
}

func TestMissingCorpusDir(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope")
	r := runCmd(t, nil, "", "ask", "--corpus", missing, "what happened?")
	if r.code != exitError {
		t.Errorf("exit %d, want %d", r.code, exitError)
	}
	if want := "corpus " + missing + ": no such directory"; !strings.Contains(r.stderr, want) {
		t.Errorf("stderr = %q, want %q", r.stderr, want)
	}
	// The same through the environment.
	r = runCmd(t, map[string]string{envCorpus: missing}, "", "repl")
	if r.code != exitError || !strings.Contains(r.stderr, "no such directory") {
		t.Errorf("NEWSDESK_CORPUS: exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestCorpusWithoutArticles(t *testing.T) {
	dir := writeCorpus(t, map[string]string{"broken.json": "{not json", "notes.bin": "\x00\x01"})
	r := runCmd(t, nil, "", "ask", "--corpus", dir, "--index", t.TempDir(), "anything?")
	if r.code != exitError {
		t.Errorf("exit %d, want %d", r.code, exitError)
	}
	if !strings.Contains(r.stderr, "no loadable articles") {
		t.Errorf("stderr = %q", r.stderr)
	}
	if !strings.Contains(r.stderr, "broken.json") {
		t.Errorf("the skipped file is not reported: %q", r.stderr)
	}
}

func TestServeNeedsTransport(t *testing.T) {
	r := runCmd(t, map[string]string{"SLACK_BOT_TOKEN": "xoxb-secret-token"}, "", "serve")
	if r.code != exitUsage {
		t.Errorf("exit %d, want %d", r.code, exitUsage)
	}
	if !strings.Contains(r.stderr, "SLACK_APP_TOKEN") || !strings.Contains(r.stderr, "--http") {
		t.Errorf("stderr = %q", r.stderr)
	}
	if strings.Contains(r.stderr+r.stdout, "xoxb-secret-token") {
		t.Error("the token was printed")
	}
}

func TestLLMWithoutConfig(t *testing.T) {
	dir := writeCorpus(t, testArticles)
	r := runCmd(t, map[string]string{envAnswerer: "llm"}, "", "ask", "--corpus", dir, "--index", t.TempDir(), "When will the bridge reopen?")
	if r.code != exitError {
		t.Errorf("exit %d, want %d; stderr %q", r.code, exitError, r.stderr)
	}
	if lines := strings.Count(strings.TrimSpace(r.stderr), "\n") + 1; lines != 1 {
		t.Errorf("want a one-line error, got %d lines: %q", lines, r.stderr)
	}
	if r.stdout != "" {
		t.Errorf("stdout = %q", r.stdout)
	}
}

// jsonAnswer is the JSON contract of ask --json.
type jsonAnswer struct {
	Question  string `json:"question"`
	Answer    string `json:"answer"`
	Abstained bool   `json:"abstained"`
	Mode      string `json:"mode"`
	Citations []struct {
		N         int    `json:"n"`
		ArticleID string `json:"article_id"`
		Title     string `json:"title"`
		Source    string `json:"source"`
		Published string `json:"published"`
		URL       string `json:"url"`
		Quote     string `json:"quote"`
	} `json:"citations"`
}

func TestAskJSON(t *testing.T) {
	dir := writeCorpus(t, testArticles)
	r := runCmd(t, nil, "", "ask", "--json", "--corpus", dir, "--index", t.TempDir(), "When", "will", "the", "Harbor", "Bridge", "reopen?")
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	var raw map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &raw); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, r.stdout)
	}
	for _, k := range []string{"question", "answer", "abstained", "mode", "citations"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, r.stdout)
		}
	}
	var a jsonAnswer
	if err := json.Unmarshal([]byte(r.stdout), &a); err != nil {
		t.Fatal(err)
	}
	if a.Question != "When will the Harbor Bridge reopen?" {
		t.Errorf("question = %q", a.Question)
	}
	if a.Mode != "extractive" {
		t.Errorf("mode = %q", a.Mode)
	}
	if a.Abstained || len(a.Citations) == 0 {
		t.Fatalf("no answer: %s", r.stdout)
	}
	for i, c := range a.Citations {
		if c.N != i+1 {
			t.Errorf("citation %d numbered %d", i+1, c.N)
		}
		src, ok := testArticles[c.ArticleID+".txt"]
		if !ok {
			t.Errorf("citation %d: unknown article %q", c.N, c.ArticleID)
			continue
		}
		if c.Quote == "" || !strings.Contains(src, c.Quote) {
			t.Errorf("citation %d: quote is not verbatim from %s: %q", c.N, c.ArticleID, c.Quote)
		}
		if c.URL == "" {
			t.Errorf("citation %d has no link", c.N)
		}
	}
	if !strings.Contains(a.Citations[0].Quote, "March") {
		t.Errorf("first quote does not answer the question: %q", a.Citations[0].Quote)
	}
	// No seeding note and no colour in a pipe.
	if strings.Contains(r.stdout, "\x1b[") {
		t.Error("ANSI escapes in piped JSON")
	}
}

func TestAskFlagsAfterQuestionAndStdin(t *testing.T) {
	dir := writeCorpus(t, testArticles)
	index := t.TempDir()
	r := runCmd(t, nil, "", "ask", "When would classes resume?", "--corpus", dir, "--index", index, "--json")
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	var a jsonAnswer
	if err := json.Unmarshal([]byte(r.stdout), &a); err != nil {
		t.Fatalf("flags after the question were not parsed: %v\n%s", err, r.stdout)
	}
	if a.Question != "When would classes resume?" {
		t.Errorf("question = %q", a.Question)
	}
	// The question from stdin; plain text output.
	r = runCmd(t, nil, "When would\nclasses resume?\n", "ask", "--corpus", dir, "--index", index)
	if r.code != exitOK {
		t.Fatalf("stdin question: exit %d, stderr %q", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "Thursday") {
		t.Errorf("plain answer lacks the quote: %q", r.stdout)
	}
	if strings.Contains(r.stdout, "\x1b") {
		t.Errorf("escape codes in piped output: %q", r.stdout)
	}
}

func TestWarmAskDoesNotReembed(t *testing.T) {
	dir := writeCorpus(t, testArticles)
	index := t.TempDir()
	r := runCmd(t, nil, "", "ask", "-v", "--corpus", dir, "--index", index, "Who is the superintendent?")
	if r.code != exitOK {
		t.Fatalf("cold ask: exit %d, stderr %q", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "added=2") || strings.Contains(r.stderr, "chunks_embedded=0") {
		t.Errorf("cold ask should embed both articles: %q", r.stderr)
	}
	before := snapshotDir(t, index)
	r = runCmd(t, nil, "", "ask", "-v", "--corpus", dir, "--index", index, "Who is the superintendent?")
	if r.code != exitOK {
		t.Fatalf("warm ask: exit %d, stderr %q", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "unchanged=2") || !strings.Contains(r.stderr, "chunks_embedded=0") {
		t.Errorf("warm ask re-embedded: %q", r.stderr)
	}
	if after := snapshotDir(t, index); after != before {
		t.Errorf("warm ask rewrote the index:\n%s\n---\n%s", before, after)
	}
	// index stats sees the same index.
	r = runCmd(t, nil, "", "index", "stats", "--json", "--corpus", dir, "--index", index)
	if r.code != exitOK {
		t.Fatalf("stats: exit %d, stderr %q", r.code, r.stderr)
	}
	var st struct {
		Articles int    `json:"articles"`
		Chunks   int    `json:"chunks"`
		Embedder string `json:"embedder"`
		Dir      string `json:"dir"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		t.Fatalf("stats JSON: %v\n%s", err, r.stdout)
	}
	if st.Articles != 2 || st.Chunks == 0 || st.Embedder == "" || st.Dir != index {
		t.Errorf("stats = %+v", st)
	}
}

// snapshotDir describes every file in dir by name, size and mtime.
func snapshotDir(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %s %d\n", p, info.ModTime(), info.Size())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestCorpusSyncRemovesDeletedFiles(t *testing.T) {
	dir := writeCorpus(t, testArticles)
	index := t.TempDir()
	if r := runCmd(t, nil, "", "ask", "--corpus", dir, "--index", index, "snow?"); r.code != exitOK {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if err := os.Remove(filepath.Join(dir, "storm.txt")); err != nil {
		t.Fatal(err)
	}
	r := runCmd(t, nil, ":sources\n", "repl", "--corpus", dir, "--index", index)
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if strings.Contains(r.stdout, "storm") || !strings.Contains(r.stdout, "bridge") {
		t.Errorf("index not synced to the corpus:\n%s", r.stdout)
	}
}

func TestPipedREPL(t *testing.T) {
	dir := writeCorpus(t, testArticles)
	in := "When will the Harbor Bridge reopen?\n\n:sources\nHow much snow fell on the valley?\n"
	r := runCmd(t, nil, in, "repl", "--corpus", dir, "--index", t.TempDir())
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	out := r.stdout
	for _, want := range []string{"March", "40 centimetres", "bridge", "storm", "2 articles"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// Answers and the sources table come in input order.
	if i, j, k := strings.Index(out, "March"), strings.Index(out, "2 articles"), strings.Index(out, "40 centimetres"); !(i < j && j < k) {
		t.Errorf("output out of order (%d, %d, %d):\n%s", i, j, k, out)
	}
	// Scriptable: no prompt, banner or escape codes.
	for _, bad := range []string{"newsdesk›", ":help for commands", "\x1b"} {
		if strings.Contains(out, bad) {
			t.Errorf("piped output contains %q:\n%s", bad, out)
		}
	}
}

func TestPipedREPLOpenAndFollowUp(t *testing.T) {
	dir := writeCorpus(t, testArticles)
	in := strings.Join([]string{
		":open 1", // no answer yet
		"When will the Harbor Bridge reopen?",
		":open 1",
		":open 99",
		":open storm",
		":open newsdesk:storm#p1",
		":bogus",
		":quit",
		"this line is never read",
	}, "\n")
	r := runCmd(t, nil, in, "repl", "--corpus", dir, "--index", t.TempDir())
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	// :open 1 prints the whole bridge article with the quoted paragraph marked.
	if !strings.Contains(r.stdout, "Harbor Bridge To Reopen In March") {
		t.Errorf(":open 1 did not print the article:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, "> p0  Mayor Lena Ortiz said") {
		t.Errorf(":open 1 did not mark the quoted paragraph:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, "> p1  Superintendent Marcus Bell") {
		t.Errorf(":open newsdesk:storm#p1 did not mark p1:\n%s", r.stdout)
	}
	for _, want := range []string{"no citation 1", "no citation 99", "unknown command :bogus"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q: %q", want, r.stderr)
		}
	}
	if strings.Contains(r.stdout+r.stderr, "never read") {
		t.Error(":quit did not stop the REPL")
	}
}

func TestIngest(t *testing.T) {
	files := map[string]string{"broken.json": "{not json"}
	for k, v := range testArticles {
		files[k] = v
	}
	dir := writeCorpus(t, files)
	index := t.TempDir()
	r := runCmd(t, nil, "", "ingest", "--index", index, dir)
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "broken.json") {
		t.Errorf("no warning for the broken file: %q", r.stderr)
	}
	for _, want := range []string{"2 added", "0 updated", "0 unchanged", "1 warning"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("summary lacks %q: %q", want, r.stdout)
		}
	}
	// Again: nothing to embed. A single file and a missing path mixed in.
	r = runCmd(t, nil, "", "ingest", "--index", index, filepath.Join(dir, "bridge.txt"), filepath.Join(dir, "missing.txt"))
	if r.code != exitOK {
		t.Fatalf("re-ingest: exit %d, stderr %q", r.code, r.stderr)
	}
	for _, want := range []string{"1 unchanged", "0 chunks embedded", "holds 2 articles"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("re-ingest summary lacks %q: %q", want, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "missing.txt") {
		t.Errorf("no warning for the missing path: %q", r.stderr)
	}
	// The ingested library is used as it is (no seeding) by ask.
	r = runCmd(t, map[string]string{envIndex: index}, "", "ask", "--json", "How much snow did the storm drop on the valley?")
	if r.code != exitOK {
		t.Fatalf("ask: exit %d, stderr %q", r.code, r.stderr)
	}
	if strings.Contains(r.stderr, "seeding") {
		t.Errorf("a non-empty index was seeded: %q", r.stderr)
	}
	if !strings.Contains(r.stdout, "storm") {
		t.Errorf("ask did not use the ingested articles: %s", r.stdout)
	}
}

func TestIngestErrors(t *testing.T) {
	if r := runCmd(t, nil, "", "ingest"); r.code != exitUsage {
		t.Errorf("ingest without paths: exit %d, want %d", r.code, exitUsage)
	}
	dir := writeCorpus(t, map[string]string{"broken.json": "{not json"})
	r := runCmd(t, nil, "", "ingest", "--index", t.TempDir(), dir)
	if r.code != exitError {
		t.Errorf("nothing loadable: exit %d, want %d", r.code, exitError)
	}
	if !strings.Contains(r.stderr, "no articles loaded") {
		t.Errorf("stderr = %q", r.stderr)
	}
}

func TestEmptyIndexIsSeeded(t *testing.T) {
	// Only the brand-new default index is seeded; a named one is not.
	cache := t.TempDir()
	index := filepath.Join(cache, "newsdesk", "index", "default")
	r := runCmd(t, map[string]string{"XDG_CACHE_HOME": cache}, "", "ask", "--json", "What happened?")
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "seeding") {
		t.Errorf("no seeding note on stderr: %q", r.stderr)
	}
	if !json.Valid([]byte(r.stdout)) {
		t.Errorf("the note leaked into stdout: %q", r.stdout)
	}
	r = runCmd(t, map[string]string{envIndex: index}, "", "index", "stats")
	if r.code != exitOK || !strings.Contains(r.stdout, "articles") || strings.Contains(r.stdout, "articles  0") {
		t.Errorf("stats after seeding: exit %d, %q", r.code, r.stdout)
	}
}

func TestIndexRebuild(t *testing.T) {
	dir := writeCorpus(t, testArticles)
	index := t.TempDir()
	if r := runCmd(t, nil, "", "ingest", "--index", index, dir); r.code != exitOK {
		t.Fatalf("ingest: exit %d, stderr %q", r.code, r.stderr)
	}
	r := runCmd(t, nil, "", "index", "rebuild", "--index", index)
	if r.code != exitOK || !(strings.Contains(r.stdout, "rebuilt") || strings.Contains(r.stdout, "up to date")) {
		t.Errorf("rebuild: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	r = runCmd(t, nil, "", "index", "rebuild", "--index", t.TempDir())
	if r.code != exitOK || !strings.Contains(r.stdout, "empty") {
		t.Errorf("rebuild of an empty index: exit %d, stdout %q", r.code, r.stdout)
	}
}

func TestIngestDuplicateIDsAcrossPaths(t *testing.T) {
	a := writeCorpus(t, map[string]string{"bridge.txt": testArticles["bridge.txt"]})
	changed := strings.Replace(testArticles["bridge.txt"], "in March", "in April", 1)
	b := writeCorpus(t, map[string]string{"bridge.txt": changed})
	index := t.TempDir()
	r := runCmd(t, nil, "", "ingest", "--index", index, a, b)
	if r.code != exitOK {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	if !strings.Contains(r.stderr, "duplicate article id") || !strings.Contains(r.stdout, "1 added") {
		t.Errorf("stdout %q, stderr %q", r.stdout, r.stderr)
	}
	r = runCmd(t, map[string]string{envIndex: index}, ":open bridge\n", "repl")
	if !strings.Contains(r.stdout, "in April") || strings.Contains(r.stdout, "in March") {
		t.Errorf("the later file did not win:\n%s", r.stdout)
	}
}
