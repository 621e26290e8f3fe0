package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/bot"
	"github.com/newsdesk/newsdesk/bot/extractive"
	"github.com/newsdesk/newsdesk/corpus"
	"github.com/newsdesk/newsdesk/corpus/archive"
	"github.com/newsdesk/newsdesk/retrieval"
)

func ingestInto(t *testing.T, index string, paths ...string) result {
	t.Helper()
	r := runCmd(t, nil, "", append([]string{"ingest", "--index", index}, paths...)...)
	if r.code != exitOK {
		t.Fatalf("ingest: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	return r
}

func indexArticles(t *testing.T, index string) int {
	t.Helper()
	r := runCmd(t, nil, "", "index", "stats", "--json", "--index", index)
	if r.code != exitOK {
		t.Fatalf("stats: exit %d, stderr %q", r.code, r.stderr)
	}
	var st struct{ Articles int }
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		t.Fatal(err)
	}
	return st.Articles
}

func askIndex(t *testing.T, index, q string) result {
	t.Helper()
	return runCmd(t, map[string]string{envIndex: index}, "", "ask", q)
}

// TestReloadPicksUpIngest runs the reload loop of serve/repl beside an
// ingest and a remove: the new article is answered, the removed one no
// longer quoted, within a deadline, without a restart.
func TestReloadPicksUpIngest(t *testing.T) {
	index := t.TempDir()
	ingestInto(t, index, writeCorpus(t, map[string]string{"storm.txt": testArticles["storm.txt"]}))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, quotes := liveLibrary(ctx, t, index)
	const q = "When will the Harbor Bridge reopen?"
	if quotes(q, "reopen to traffic") {
		t.Fatal("answered before the article was ingested")
	}
	ingestInto(t, index, writeCorpus(t, map[string]string{"bridge.txt": testArticles["bridge.txt"]}))
	waitFor(t, 10*time.Second, "the ingested article to be answered", func() bool { return quotes(q, "reopen to traffic") })

	if r := runCmd(t, nil, "", "remove", "--index", index, "bridge"); r.code != exitOK {
		t.Fatalf("remove: exit %d, %q", r.code, r.stderr)
	}
	waitFor(t, 10*time.Second, "the removed article to be dropped", func() bool { return !quotes(q, "reopen to traffic") })
}

// liveLibrary opens the library in index as serve does, runs its reload
// loop until ctx is done, and returns it with a check that an answer to q
// quotes want.
func liveLibrary(ctx context.Context, t *testing.T, index string) (*testLive, func(q, want string) bool) {
	t.Helper()
	o := &options{index: index, set: map[string]bool{"index": true}}
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" }}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	lib, err := loadLibrary(context.Background(), e, o, logger)
	if err != nil {
		t.Fatal(err)
	}
	ans := extractive.New(lib.ix, bot.Linker{})
	go lib.watchWith(ctx, 20*time.Millisecond, nil)
	quotes := func(q, want string) bool {
		a, err := ans.Answer(context.Background(), bot.Request{Question: q})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range a.Citations {
			if strings.Contains(c.Quote, want) {
				return true
			}
		}
		return false
	}
	return &testLive{lib: lib, e: e, logger: logger}, quotes
}

// testLive is a library opened by liveLibrary, with its env and logger.
type testLive struct {
	lib    *library
	e      *env
	logger *slog.Logger
}

func waitFor(t *testing.T, d time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestSIGHUPTriggerReloads(t *testing.T) {
	index := t.TempDir()
	ingestInto(t, index, writeCorpus(t, map[string]string{"storm.txt": testArticles["storm.txt"]}))
	o := &options{index: index, set: map[string]bool{"index": true}}
	e := &env{stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" }}
	lib, err := loadLibrary(context.Background(), e, o, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	trig := make(chan os.Signal, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go lib.watchWith(ctx, time.Hour, trig) // no polling: only the trigger
	ingestInto(t, index, writeCorpus(t, map[string]string{"bridge.txt": testArticles["bridge.txt"]}))
	trig <- os.Interrupt
	waitFor(t, 10*time.Second, "the reload", func() bool { return lib.ix.Article("bridge") != nil })
}

func TestRemoveAndRetract(t *testing.T) {
	dir := writeCorpus(t, testArticles)
	index := t.TempDir()
	ingestInto(t, index, dir)
	if r := runCmd(t, nil, "", "remove", "--index", index, "--retract", "bridge"); r.code != exitUsage {
		t.Errorf("--retract without --reason: exit %d", r.code)
	}
	r := runCmd(t, nil, "", "remove", "--index", index, "--retract", "--reason", "wrong figures", "bridge")
	if r.code != exitOK || !strings.Contains(r.stdout, "retracted 1 article") {
		t.Fatalf("retract: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	if a := askIndex(t, index, "When will the Harbor Bridge reopen?"); strings.Contains(a.stdout, "Ortiz") || strings.Contains(a.stdout, "reopen to traffic") {
		t.Errorf("retracted article quoted:\n%s", a.stdout)
	}
	// Re-ingesting the directory does not bring it back.
	r = ingestInto(t, index, dir)
	if !strings.Contains(r.stdout, "1 retracted") || indexArticles(t, index) != 1 {
		t.Errorf("re-ingest of a retracted article: %q", r.stdout)
	}
	// The record is kept, with its reason.
	st, err := archive.Open(index, archive.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := st.Get("bridge")
	st.Close()
	if err != nil || rec.Live() || rec.Reason != "wrong figures" {
		t.Errorf("retracted record: %+v %v", rec, err)
	}
	// remove deletes it; an unknown id is an error.
	if r := runCmd(t, nil, "", "remove", "--index", index, "bridge", "nosuch"); r.code != exitError || !strings.Contains(r.stderr, "nosuch") {
		t.Errorf("remove with an unknown id: exit %d, %q", r.code, r.stderr)
	}
	if r := runCmd(t, nil, "", "remove", "--index", index, "storm"); r.code != exitOK {
		t.Errorf("remove: exit %d %q", r.code, r.stderr)
	}
	if n := indexArticles(t, index); n != 0 {
		t.Errorf("index holds %d articles after removing all", n)
	}
	// An emptied index is not re-seeded with the samples.
	if a := askIndex(t, index, "Who retook Izyum?"); strings.Contains(a.stderr, "seeding") || strings.Contains(a.stdout, "Izyum") && strings.Contains(a.stdout, "“") {
		t.Errorf("emptied index answered from samples: %q %q", a.stdout, a.stderr)
	}
}

func TestIngestPrune(t *testing.T) {
	dir := writeCorpus(t, testArticles)
	index := t.TempDir()
	ingestInto(t, index, dir)
	if err := os.Remove(filepath.Join(dir, "storm.txt")); err != nil {
		t.Fatal(err)
	}
	// Without --prune the article stays (the archive keeps everything).
	ingestInto(t, index, dir)
	if n := indexArticles(t, index); n != 2 {
		t.Fatalf("without --prune: %d articles", n)
	}
	r := runCmd(t, nil, "", "ingest", "--prune", "--index", index, dir)
	if r.code != exitOK || !strings.Contains(r.stdout, "1 pruned") {
		t.Fatalf("prune: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
	if n := indexArticles(t, index); n != 1 {
		t.Errorf("after --prune: %d articles", n)
	}
}

func TestConcurrentIngestsKeepEverything(t *testing.T) {
	index := t.TempDir()
	var dirs []string
	for i := range 4 {
		files := map[string]string{}
		for _, name := range []string{"bridge", "storm"} {
			files[name+string(rune('a'+i))+".txt"] = testArticles[name+".txt"]
		}
		dirs = append(dirs, writeCorpus(t, files))
	}
	var wg sync.WaitGroup
	codes := make([]result, len(dirs))
	for i, d := range dirs {
		wg.Go(func() { codes[i] = runCmd(t, nil, "", "ingest", "--index", index, d) })
	}
	wg.Wait()
	for i, r := range codes {
		if r.code != exitOK {
			t.Errorf("ingest %d: exit %d %q", i, r.code, r.stderr)
		}
	}
	if n := indexArticles(t, index); n != 8 {
		t.Errorf("index holds %d articles, want all 8", n)
	}
}

func TestCrashLeftoversAndCorruptIndex(t *testing.T) {
	dir := writeCorpus(t, testArticles)
	index := t.TempDir()
	ingestInto(t, index, dir)
	// A kill -9 during a save: a temporary file left behind, and (worse)
	// a truncated index.
	tmp := filepath.Join(index, "index.gob.tmp-12345")
	if err := os.WriteFile(tmp, []byte("half"), 0o644); err != nil {
		t.Fatal(err)
	}
	path := retrieval.IndexPath(index)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b[:len(b)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	r := askIndex(t, index, "When would classes resume?")
	if r.code != exitOK || !strings.Contains(r.stdout, "Thursday") {
		t.Fatalf("ask on a corrupt index: exit %d, %q %q", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "rebuilding it from the article store") || strings.Contains(r.stderr, "seeding") {
		t.Errorf("stderr = %q", r.stderr)
	}
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Errorf("stale temporary file kept: %v", err)
	}
	if n := indexArticles(t, index); n != 2 {
		t.Errorf("rebuilt index holds %d articles, want the 2 ingested (no samples)", n)
	}
	// A deleted index is rebuilt too.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if r := runCmd(t, nil, "", "index", "rebuild", "--index", index); r.code != exitOK {
		t.Fatalf("rebuild: exit %d %q", r.code, r.stderr)
	}
	if n := indexArticles(t, index); n != 2 {
		t.Errorf("index rebuilt from the store holds %d articles", n)
	}
}

func TestIndexPathChecks(t *testing.T) {
	file := filepath.Join(t.TempDir(), "index.gob")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"ask", "--index", file, "what?"},
		{"ingest", "--index", file, writeCorpus(t, testArticles)},
		{"remove", "--index", file, "x"},
		{"index", "stats", "--index", file},
	} {
		r := runCmd(t, nil, "", args...)
		if r.code != exitUsage || !strings.Contains(r.stderr, "is a file") {
			t.Errorf("%v: exit %d, %q", args, r.code, r.stderr)
		}
	}
	// A named directory with nothing in it: an error, not the samples.
	empty := filepath.Join(t.TempDir(), "typo")
	r := runCmd(t, map[string]string{envIndex: empty}, "", "ask", "Who retook Izyum?")
	if r.code != exitError || strings.Contains(r.stderr, "seeding") || !strings.Contains(r.stderr, "holds no articles") {
		t.Errorf("mistyped index: exit %d, %q", r.code, r.stderr)
	}
	if _, err := os.Stat(empty); !os.IsNotExist(err) {
		t.Errorf("mistyped index directory was created")
	}
}

func TestSecondWriterWaitsThenFails(t *testing.T) {
	index := t.TempDir()
	lk, err := archive.Acquire(context.Background(), index, archive.LockOptions{Command: "newsdesk ingest"})
	if err != nil {
		t.Fatal(err)
	}
	defer lk.Unlock()
	r := runCmd(t, nil, "", "ingest", "--wait", "100ms", "--index", index, writeCorpus(t, testArticles))
	if r.code != exitError || !strings.Contains(r.stderr, "being written by pid") || !strings.Contains(r.stderr, "newsdesk ingest") {
		t.Errorf("second writer: exit %d, %q", r.code, r.stderr)
	}
}

func TestStoreDeduperSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	if seen, err := (storeDeduper{dir: dir}).Seen("event:Ev1", time.Hour); seen || err != nil {
		t.Fatalf("first delivery: %v %v", seen, err)
	}
	// A new process: nothing in memory, the same store.
	if seen, err := (storeDeduper{dir: dir}).Seen("event:Ev1", time.Hour); !seen || err != nil {
		t.Errorf("redelivery after a restart: seen=%v err=%v", seen, err)
	}
}

func TestIndexBackup(t *testing.T) {
	index := t.TempDir()
	ingestInto(t, index, writeCorpus(t, testArticles))
	restored := t.TempDir()
	if r := runCmd(t, nil, "", "index", "backup", "--index", index, filepath.Join(restored, archive.FileName)); r.code != exitOK {
		t.Fatalf("backup: exit %d %q", r.code, r.stderr)
	}
	if r := runCmd(t, nil, "", "index", "rebuild", "--index", restored); r.code != exitOK {
		t.Fatalf("rebuild from a backup: exit %d %q", r.code, r.stderr)
	}
	if n := indexArticles(t, restored); n != 2 {
		t.Errorf("restored index holds %d articles", n)
	}
}

// Ingest stores articles in batches and reads the ones to embed back from
// the store a page at a time: with batches and pages smaller than the
// corpus every article is stored and indexed, a changed one is re-embedded
// and an unchanged re-ingest embeds nothing.
func TestIngestReadsStoreInPages(t *testing.T) {
	oldPage, oldPut := storePage, putBatch
	storePage, putBatch = 2, 3
	t.Cleanup(func() { storePage, putBatch = oldPage, oldPut })
	files := map[string]string{}
	for i := range 7 {
		files[fmt.Sprintf("story%d.txt", i)] = fmt.Sprintf("Story %d\n\nThe council met on day %d to discuss the tram line number %d.\n", i, i, i*7)
	}
	dir := writeCorpus(t, files)
	index := t.TempDir()
	r := ingestInto(t, index, dir)
	if !strings.Contains(r.stdout, "7 added") || indexArticles(t, index) != 7 {
		t.Fatalf("first ingest: %q; %d articles indexed", r.stdout, indexArticles(t, index))
	}
	if err := os.WriteFile(filepath.Join(dir, "story3.txt"), []byte("Story 3\n\nThe council postponed the vote on the tram line.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = ingestInto(t, index, dir)
	if !strings.Contains(r.stdout, "1 updated, 6 unchanged") || indexArticles(t, index) != 7 {
		t.Fatalf("second ingest: %q", r.stdout)
	}
	r = ingestInto(t, index, dir)
	if !strings.Contains(r.stdout, "0 chunks embedded") {
		t.Fatalf("unchanged ingest embedded something: %q", r.stdout)
	}
	r = runCmd(t, nil, "", "ask", "--index", index, "What did the council postpone?")
	if r.code != exitOK || !strings.Contains(r.stdout, "postponed") {
		t.Fatalf("ask after paged ingests: exit %d %q %q", r.code, r.stdout, r.stderr)
	}
}

// A store write that fails part way keeps the batches before it, indexes
// them (a running bot answers from them) and says how to store the rest;
// the same ingest again stores and indexes everything.
func TestIngestPartialStoreFailure(t *testing.T) {
	oldPut, oldStorePut := putBatch, storePut
	putBatch = 3
	calls := 0
	storePut = func(s *archive.Store, as []corpus.Article, origin func(*corpus.Article) string) (archive.PutStats, error) {
		if calls++; calls == 2 {
			return archive.PutStats{}, errors.New("disk full")
		}
		return oldStorePut(s, as, origin)
	}
	t.Cleanup(func() { putBatch, storePut = oldPut, oldStorePut })
	files := map[string]string{}
	for i := range 7 {
		files[fmt.Sprintf("story%d.txt", i)] = fmt.Sprintf("Story %d\n\nThe council met on day %d to discuss the tram line number %d.\n", i, i, i*7)
	}
	dir := writeCorpus(t, files)
	index := t.TempDir()
	r := runCmd(t, nil, "", "ingest", "--index", index, dir)
	if r.code == exitOK || !strings.Contains(r.stderr, "disk full") || !strings.Contains(r.stderr, "3 articles were stored and indexed") ||
		!strings.Contains(r.stderr, "run the same ingest again") {
		t.Fatalf("partial store failure: exit %d, stderr %q", r.code, r.stderr)
	}
	if n := indexArticles(t, index); n != 3 {
		t.Fatalf("after a failed second batch the index holds %d articles, want the first batch's 3", n)
	}
	storePut = oldStorePut
	r = ingestInto(t, index, dir)
	if !strings.Contains(r.stdout, "4 added, 0 updated, 3 unchanged") || indexArticles(t, index) != 7 {
		t.Fatalf("ingest again: %q; %d articles indexed", r.stdout, indexArticles(t, index))
	}
}
