package corpus

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeExport writes a JSONL export of n articles of about size bytes
// each to w; line broken (1-based, 0 for none) is not valid JSON.
func writeExport(t testing.TB, w *bufio.Writer, n, size, broken int) {
	t.Helper()
	para := strings.Repeat("The council approved the budget after a long debate. ", size/53+1)[:size]
	for i := 1; i <= n; i++ {
		if i == broken {
			fmt.Fprintf(w, "{\"id\": \"a%d\", \"body\": \"unterminated\n", i)
			continue
		}
		line, err := json.Marshal(map[string]any{
			"id": fmt.Sprintf("a%d", i), "title": fmt.Sprintf("Story %d", i),
			"url": fmt.Sprintf("https://example.com/%d", i), "published": "2024-05-01",
			"body": []string{fmt.Sprintf("Paragraph one of story %d.", i), para},
		})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(line)
		w.WriteByte('\n')
	}
}

func exportFile(t *testing.T, n, size, broken int) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "export.jsonl")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	writeExport(t, w, n, size, broken)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

func checkExport(t *testing.T, arts []Article, warns []error, n, broken int) {
	t.Helper()
	if len(arts) != n-1 {
		t.Fatalf("loaded %d articles, want %d; warnings: %s", len(arts), n-1, warningsText(warns))
	}
	if len(warns) != 1 || !strings.Contains(warns[0].Error(), fmt.Sprintf("line %d:", broken)) {
		t.Fatalf("want one warning naming line %d, got: %s", broken, warningsText(warns))
	}
	for _, a := range arts {
		if a.ID == fmt.Sprintf("a%d", broken) {
			t.Fatalf("broken line %d loaded", broken)
		}
	}
}

// A JSONL export larger than the article limit loads; one broken line is
// skipped with its line number.
func TestLoadJSONLExportOverArticleLimit(t *testing.T) {
	const n, broken = 300, 123
	p := exportFile(t, n, 400, broken)
	st, _ := os.Stat(p)
	opt := LoadOptions{MaxArticleSize: 1 << 10}
	if st.Size() < 100*opt.MaxArticleSize {
		t.Fatalf("export of %d bytes is too small for the test", st.Size())
	}
	arts, warns, err := LoadPathContext(context.Background(), p, opt)
	if err != nil {
		t.Fatal(err)
	}
	checkExport(t, arts, warns, n, broken)
}

// The 50 MB export of issue 10: more than MaxFileSize, read line by line.
func TestLoadJSONL50MB(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("writes and loads a 50 MB export (skipped with -short or -race; TestLoadJSONLExportOverArticleLimit is the small version)")
	}
	const n, broken = 25_000, 17_001
	p := exportFile(t, n, 2000, broken)
	if st, _ := os.Stat(p); st.Size() < 50_000_000 {
		t.Fatalf("export is %d bytes, want 50 MB", st.Size())
	}
	arts, warns, err := LoadPathContext(context.Background(), p, LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checkExport(t, arts, warns, n, broken)
}

func TestJSONLLongLineSkipped(t *testing.T) {
	long := `{"id":"long","body":"` + strings.Repeat("x", 300) + `"}`
	data := "{\"id\":\"a\",\"body\":\"One.\"}\n" + long + "\n{\"id\":\"b\",\"body\":\"Two.\"}"
	arts, warns, err := readStream(context.Background(), LoadOptions{MaxArticleSize: 100}, "f.jsonl", ".jsonl", strings.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if got := articleIDs(arts); got != "a,b" {
		t.Fatalf("ids %q, want a,b", got)
	}
	if w := warningsText(warns); !strings.Contains(w, "line 2: longer than 100 bytes") {
		t.Fatalf("warnings: %s", w)
	}
}

func TestJSONArrayEntryByEntry(t *testing.T) {
	// Entry 2 is over the limit and full of brackets, quotes and escapes
	// that the skip must not take for the end of the entry.
	big := `{"id":"big","body":"` + strings.Repeat(`[{\"]}`, 60) + `", "x": [[{"y": "]"}]]}`
	data := `[{"id":"a","body":"One."}, ` + big + ` , "not an object", {"id":"b","body":"Two."},` +
		`{"id":"c","title":"no body"}, {"id":"d","body":"Three."}]`
	arts, warns, err := readStream(context.Background(), LoadOptions{MaxArticleSize: 100}, "f.json", ".json", strings.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if got := articleIDs(arts); got != "a,b,d" {
		t.Fatalf("ids %q, want a,b,d; warnings: %s", got, warningsText(warns))
	}
	w := warningsText(warns)
	for _, want := range []string{"entry 2: larger than 100 bytes", "entry 3: invalid JSON object", "entry 5: no body"} {
		if !strings.Contains(w, want) {
			t.Errorf("warnings lack %q: %s", want, w)
		}
	}
	// The big entry is the last one.
	data = `[{"id":"a","body":"One."}, ` + big + `]`
	arts, _, err = readStream(context.Background(), LoadOptions{MaxArticleSize: 100}, "f.json", ".json", strings.NewReader(data))
	if err != nil || articleIDs(arts) != "a" {
		t.Fatalf("ids %q, err %v", articleIDs(arts), err)
	}
}

func TestJSONArraySyntaxErrorKeepsEarlierEntries(t *testing.T) {
	data := `[{"id":"a","body":"One."}, {"id":"b","body":"Two."} {"id":"c"}]`
	arts, warns, err := readStream(context.Background(), LoadOptions{}, "f.json", ".json", strings.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if got := articleIDs(arts); got != "a,b" {
		t.Fatalf("ids %q", got)
	}
	if w := warningsText(warns); !strings.Contains(w, "entry 3: invalid JSON") || !strings.Contains(w, "rest of the file is skipped") {
		t.Fatalf("warnings: %s", w)
	}
}

func TestJSONObjectOverLimit(t *testing.T) {
	data := `{"id":"a","body":"` + strings.Repeat("x", 200) + `"}`
	_, _, err := readStream(context.Background(), LoadOptions{MaxArticleSize: 100}, "f.json", ".json", strings.NewReader(data))
	if err == nil || !strings.Contains(err.Error(), "larger than 100 bytes") {
		t.Fatalf("err = %v", err)
	}
	arts, _, err := readStream(context.Background(), LoadOptions{}, "f.json", ".json", strings.NewReader(data))
	if err != nil || len(arts) != 1 {
		t.Fatalf("%d articles, err %v", len(arts), err)
	}
}

func TestJSONLWindows1252OneWarning(t *testing.T) {
	data := "{\"id\":\"a\",\"body\":\"Caf\xe9 au lait.\"}\n{\"id\":\"b\",\"body\":\"Cr\xe8me.\"}\n"
	arts, warns, err := readStream(context.Background(), LoadOptions{}, "f.jsonl", ".jsonl", strings.NewReader(data))
	if err != nil || len(arts) != 2 {
		t.Fatalf("%d articles, err %v", len(arts), err)
	}
	if arts[0].Paragraphs[0] != "Café au lait." {
		t.Errorf("paragraph %q", arts[0].Paragraphs[0])
	}
	if len(warns) != 1 || !strings.Contains(warns[0].Error(), "2 entries not valid UTF-8 (first: line 1)") {
		t.Fatalf("warnings: %s", warningsText(warns))
	}
}

func TestNotText(t *testing.T) {
	ls, err := os.ReadFile("/bin/ls")
	if err != nil {
		t.Skip("no /bin/ls")
	}
	for name, data := range map[string]string{
		"elf":    string(ls),
		"png":    "\x89PNG\r\n\x1a\nIHDR",
		"gzip":   "\x1f\x8b\x08\x00",
		"zip":    "PK\x03\x04 word/document.xml",
		"pdf":    "%PDF-1.7\n1 0 obj",
		"jpeg":   "\xff\xd8\xff\xe0",
		"nul":    "text\x00text",
		"utf16":  "\xff\xfeH\x00i\x00",
		"random": "\x01\x02\x03\x04\x05\x06\x07\x08 abc \x0e\x0f\x10",
		"high":   strings.Repeat("\xc3\x28\x81\xfe", 50),
	} {
		if notText([]byte(data), false) == nil {
			t.Errorf("%s: taken for text", name)
		}
	}
	for name, data := range map[string]string{
		"ascii":  "Headline\n\nBody text.\r\n\tIndented.\f",
		"utf8":   "Café „Zürich“ — naïve 東京",
		"cp1252": "Caf\xe9 cr\xe8me br\xfbl\xe9e \x93quoted\x94 is a dessert served in many French restaurants.",
		"bom":    "\xef\xbb\xbfText",
		"empty":  "",
	} {
		if err := notText([]byte(data), false); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if notText([]byte("\xff\xfe<\x00h\x00"), true) != nil {
		t.Error("UTF-16 HTML refused")
	}
}

// A copy of /bin/ls named .txt (and other binaries) are skipped with a
// warning; the text files beside them load.
func TestLoadDirSkipsBinary(t *testing.T) {
	ls, err := os.ReadFile("/bin/ls")
	if err != nil {
		t.Skip("no /bin/ls")
	}
	dir := writeFiles(t, map[string]string{
		"ls.txt":      string(ls),
		"image.md":    "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
		"export.json": "\x1f\x8b\x08\x00\x00\x00",
		"dump.jsonl":  "\x7fELF\x02\x01\x01",
		"story.txt":   "Council Approves Budget\n\nThe council approved the budget on Monday.\n",
	})
	arts, warns, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := articleIDs(arts); got != "story" {
		t.Fatalf("ids %q; warnings: %s", got, warningsText(warns))
	}
	w := warningsText(warns)
	for _, f := range []string{"ls.txt: not text", "image.md: not text", "export.json: not text", "dump.jsonl: not text"} {
		if !strings.Contains(w, f) {
			t.Errorf("warnings lack %q: %s", f, w)
		}
	}
	if _, _, err := LoadPath(filepath.Join(dir, "ls.txt")); err == nil || !strings.Contains(err.Error(), "ELF") {
		t.Errorf("LoadPath(ls.txt) = %v, want a not-text error", err)
	}
}

// FuzzReadJSONStream reads hostile .json and .jsonl input with a small
// article limit, so the too-large paths (line discard, entry skip and
// resume) are exercised. For valid JSON, every article loaded under the
// limit must also load without it.
func FuzzReadJSONStream(f *testing.F) {
	f.Add([]byte(`[{"id":"a","body":"One."},{"id":"big","body":"`+strings.Repeat(`\"]`, 40)+`"},{"id":"b","body":"Two."}]`), false)
	f.Add([]byte("{\"body\":\"One.\"}\n{bad\n\n{\"id\":1,\"text\":\""+strings.Repeat("y", 80)+"\"}\n"), true)
	f.Add([]byte(`[1,"x",[],{},null,{"text":["a","b"]}]`), false)
	f.Add([]byte(`{"id":"one","body":"<p>x</p><br>y"}`), false)
	f.Fuzz(func(t *testing.T, data []byte, lines bool) {
		name, ext := "f.json", ".json"
		if lines {
			name, ext = "f.jsonl", ".jsonl"
		}
		small, _, errSmall := readStream(context.Background(), LoadOptions{MaxArticleSize: 64}, name, ext, bytes.NewReader(data))
		for _, a := range small {
			if a.ID == "" || len(a.Paragraphs) == 0 {
				t.Fatalf("bad article %+v", a)
			}
		}
		if lines || !json.Valid(data) || errSmall != nil {
			return
		}
		all, _, err := readStream(context.Background(), LoadOptions{}, name, ext, bytes.NewReader(data))
		if err != nil {
			t.Fatalf("valid JSON: %v", err)
		}
		have := map[string]bool{}
		for _, a := range all {
			have[a.ID+"\x00"+a.Text()] = true
		}
		for _, a := range small {
			if !have[a.ID+"\x00"+a.Text()] {
				t.Fatalf("article %q loaded only under the small limit", a.ID)
			}
		}
	})
}

func BenchmarkReadJSONL(b *testing.B) {
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	writeExport(b, w, 2000, 2000, 0)
	w.Flush()
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := readStream(context.Background(), LoadOptions{}, "b.jsonl", ".jsonl", bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}
