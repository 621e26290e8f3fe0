package corpus

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func warningsText(ws []error) string {
	var b strings.Builder
	for _, w := range ws {
		b.WriteString(w.Error())
		b.WriteByte('\n')
	}
	return b.String()
}

func TestLoadFS(t *testing.T) {
	fsys := fstest.MapFS{
		"news/b.txt":            {Data: []byte("Second story text.\n")},
		"news/a.md":             {Data: []byte("---\nid: zz\ntitle: A\n---\nFirst story text.\n")},
		"news/sub/c.jsonl":      {Data: []byte(`{"id":"c1","body":"C one."}` + "\n" + `{"body":"C two."}` + "\nnot json\n")},
		"news/dup.json":         {Data: []byte(`{"id":"zz","body":"Duplicate."}`)},
		"news/README.md":        {Data: []byte("# About this corpus\n\nNot an article.\n")},
		"news/.hidden.txt":      {Data: []byte("Hidden.\n")},
		"news/.git/config.txt":  {Data: []byte("Hidden dir.\n")},
		"news/image.png":        {Data: []byte("\x89PNG")},
		"news/empty.txt":        {Data: []byte("Read more\n\n© 2020 Someone\n")},
		"news/bad.md":           {Data: []byte("---\ntitle: [\n---\nText.\n")},
		"news/big.txt":          {Data: make([]byte, 10), Mode: 0o644},
		"elsewhere/ignored.txt": {Data: []byte("Outside the root.\n")},
	}
	arts, warns, err := LoadFS(fsys, "news")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range arts {
		ids = append(ids, a.ID)
		for _, p := range a.Paragraphs {
			if p == "" {
				t.Errorf("%s has an empty paragraph", a.ID)
			}
		}
	}
	if got, want := strings.Join(ids, ","), "b,c-2,c1,zz"; got != want {
		t.Fatalf("ids = %s, want %s", got, want)
	}
	if arts[3].Path != "news/a.md" || arts[3].Title != "A" {
		t.Errorf("zz loaded from %s (%q); want news/a.md, the first in walk order", arts[3].Path, arts[3].Title)
	}
	wt := warningsText(warns)
	for _, want := range []string{
		"load news/image.png: skipped unsupported file",
		"load news/sub/c.jsonl: line 3: invalid JSON",
		"load news/empty.txt: no article text after cleaning",
		"load news/bad.md: front matter:",
		`load news/dup.json: duplicate id "zz" (already loaded from news/a.md)`,
	} {
		if !strings.Contains(wt, want) {
			t.Errorf("warnings lack %q:\n%s", want, wt)
		}
	}
	for _, hidden := range []string{"README", "hidden", ".git", "ignored"} {
		if strings.Contains(wt, hidden) {
			t.Errorf("warnings mention %q:\n%s", hidden, wt)
		}
	}
	if len(warns) != 6 { // the five above plus nul.txt (no text)
		t.Errorf("got %d warnings:\n%s", len(warns), wt)
	}
}

func TestLoadFSRoot(t *testing.T) {
	if _, _, err := LoadFS(fstest.MapFS{}, "missing"); err == nil || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing root: %v", err)
	}
	arts, warns, err := LoadFS(fstest.MapFS{"d/.keep": {}}, "d")
	if err != nil || len(arts) != 0 || len(warns) != 0 {
		t.Errorf("empty dir: %d articles, %v, %v", len(arts), warns, err)
	}
	arts, _, err = LoadFS(fstest.MapFS{"one.txt": {Data: []byte("Text.")}}, "one.txt")
	if err != nil || len(arts) != 1 {
		t.Errorf("file root: %d articles, %v", len(arts), err)
	}
}

func TestLoadDirAndPath(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) {
		t.Helper()
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("2023/one.txt", "One text.\n")
	write("two.md", "---\nid: two\n---\nTwo text.\n")
	write("big.txt", "")
	if err := os.Truncate(filepath.Join(dir, "big.txt"), MaxFileSize+1); err != nil {
		t.Fatal(err)
	}

	arts, warns, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(arts) != 2 || arts[0].ID != "one" || arts[1].ID != "two" {
		t.Fatalf("articles %+v", arts)
	}
	if want := filepath.Join(dir, "2023", "one.txt"); arts[0].Path != want {
		t.Errorf("Path = %q, want %q", arts[0].Path, want)
	}
	if wt := warningsText(warns); len(warns) != 1 || !strings.Contains(wt, "big.txt: file is larger than") {
		t.Errorf("warnings:\n%s", wt)
	}

	arts, _, err = LoadPath(filepath.Join(dir, "two.md"))
	if err != nil || len(arts) != 1 || arts[0].ID != "two" {
		t.Errorf("LoadPath(file) = %+v, %v", arts, err)
	}
	arts, _, err = LoadPath(dir)
	if err != nil || len(arts) != 2 {
		t.Errorf("LoadPath(dir) = %d articles, %v", len(arts), err)
	}
	if _, _, err := LoadPath(filepath.Join(dir, "nope")); err == nil || !strings.Contains(err.Error(), "load "+filepath.Join(dir, "nope")) {
		t.Errorf("LoadPath(missing) err = %v", err)
	}
	if _, _, err := LoadPath(filepath.Join(dir, "big.txt")); err == nil {
		t.Error("LoadPath(big file) succeeded")
	}
	if _, _, err := LoadDir(filepath.Join(dir, "two.md")); err == nil {
		t.Error("LoadDir(file) succeeded")
	}
}

// originalSHA256 are the sums of the seed files in shared/corpus; the body
// of each default .md file must be byte-identical to its original.
var originalSHA256 = map[string]string{
	"000_d1e025f4b285e726": "373178025e3370351f171d56a7af25f3e5a19c608e3885ce14ffd589e8e9c95b",
	"001_7d94648e01922cdc": "78fb05b82237e2f4d879556c66483092012a0156fb328e5e01e3e7f2462c96fb",
	"002_e1da6963cbc2113c": "18b1a8d6243d6bf4b79ae180e0aa96485d91d0d2e8ffd7e1a3b9e103cbe209cd",
	"003_e1de64e4ded32e85": "bd6349251a34f5bc67ec558c036bfbcdae53261dd4aa9c7860b8297834c731b2",
	"004_965abd177aefd9b1": "03de6b64336fcf796cd5aeceb228bff64be0d7758e035f6b5e32dc5195a84e04",
}

// defaultBody returns the bytes after the front matter's closing line.
func defaultBody(t *testing.T, id string) []byte {
	t.Helper()
	data, err := fs.ReadFile(DefaultFS(), "default/"+id+".md")
	if err != nil {
		t.Fatal(err)
	}
	rest, ok := strings.CutPrefix(string(data), "---\n")
	if !ok {
		t.Fatalf("%s: no front matter", id)
	}
	_, body, ok := strings.Cut(rest, "\n---\n")
	if !ok {
		t.Fatalf("%s: front matter not closed", id)
	}
	return []byte(body)
}

func TestDefaultBodiesUnchanged(t *testing.T) {
	for id, want := range originalSHA256 {
		sum := sha256.Sum256(defaultBody(t, id))
		if got := hex.EncodeToString(sum[:]); got != want {
			t.Errorf("%s: body sha256 %s, want %s (the original text must stay byte-identical)", id, got, want)
		}
	}
}

func TestDefault(t *testing.T) {
	arts, warns, err := Default()
	if err != nil || len(warns) != 0 {
		t.Fatalf("Default: %v, warnings %v", err, warns)
	}
	if len(arts) != len(originalSHA256) {
		t.Fatalf("got %d articles, want %d", len(arts), len(originalSHA256))
	}
	wantMeta := map[string][2]string{ // title, source
		"000_d1e025f4b285e726": {"", "Bloomberg"},
		"001_7d94648e01922cdc": {"", "AFP"},
		"002_e1da6963cbc2113c": {"Russia Announces Troop Pullback From Ukraine’s Kharkiv Area", "Time"},
		"003_e1de64e4ded32e85": {"", ""},
		"004_965abd177aefd9b1": {"Russian forces retreat from crucial areas in Ukraine’s northeast", "Nexus News"},
	}
	for i, a := range arts {
		if i > 0 && arts[i-1].ID >= a.ID {
			t.Errorf("not sorted by ID: %s before %s", arts[i-1].ID, a.ID)
		}
		meta, ok := wantMeta[a.ID]
		if !ok {
			t.Errorf("unexpected id %q", a.ID)
			continue
		}
		if a.Title != meta[0] || a.Source != meta[1] || a.URL != "" || a.Date() != "2022-09-10" {
			t.Errorf("%s: Title %q Source %q URL %q Date %q", a.ID, a.Title, a.Source, a.URL, a.Date())
		}
		// Every paragraph is a verbatim line of the original, and no
		// boilerplate or headline survives.
		lines := map[string]bool{}
		for _, l := range strings.Split(string(defaultBody(t, a.ID)), "\n") {
			lines[strings.TrimSpace(l)] = true
		}
		for _, p := range a.Paragraphs {
			if !lines[p] {
				t.Errorf("%s: paragraph is not a line of the original: %q", a.ID, p)
			}
			if isBoilerplate(p) || (a.Title != "" && strings.HasPrefix(p, a.Title)) {
				t.Errorf("%s: boilerplate or headline kept: %q", a.ID, p)
			}
			for _, bad := range []string{"cookies", "Read More", "Read Also", "ALERT:", "©", "Leave a Reply", "Back to top", "You may like", "Get in touch", "Related Articles", "___"} {
				if strings.Contains(p, bad) {
					t.Errorf("%s: boilerplate %q kept in %q", a.ID, bad, p)
				}
			}
		}
	}
}

// TestSeedTextHeadlines parses the original seed texts as .txt: only the
// two that open with a headline get a title, and "– Outlet" sets Source.
func TestSeedTextHeadlines(t *testing.T) {
	want := map[string][2]string{
		"000_d1e025f4b285e726": {"", ""},
		"001_7d94648e01922cdc": {"", ""},
		"002_e1da6963cbc2113c": {"Russia Announces Troop Pullback From Ukraine’s Kharkiv Area", ""},
		"003_e1de64e4ded32e85": {"", ""},
		"004_965abd177aefd9b1": {"Russian forces retreat from crucial areas in Ukraine’s northeast", "Nexus News"},
	}
	for id, w := range want {
		arts, err := Parse(id+".txt", defaultBody(t, id))
		if err != nil || len(arts) != 1 {
			t.Fatalf("%s: %d articles, %v", id, len(arts), err)
		}
		a := arts[0]
		if a.Title != w[0] || a.Source != w[1] || a.ID != id {
			t.Errorf("%s: Title %q Source %q ID %q; want %q %q", id, a.Title, a.Source, a.ID, w[0], w[1])
		}
		if a.Title != "" && strings.Contains(a.Paragraphs[0], a.Title) {
			t.Errorf("%s: headline kept as first paragraph", id)
		}
	}
}

// TestDefaultDropsOnlyBoilerplate pins exactly which lines of the default
// corpus are not paragraphs: the boilerplate and the headlines, nothing else.
func TestDefaultDropsOnlyBoilerplate(t *testing.T) {
	wantDropped := map[string][]string{
		"000_d1e025f4b285e726": {
			"ALERT: Here are US nuclear explosions you’ve never seen before",
			"___",
			"© 2022 Bloomberg L.P Distributed by Tribune Content Agency, LLC",
		},
		"001_7d94648e01922cdc": nil,
		"002_e1da6963cbc2113c": {
			"Russia Announces Troop Pullback From Ukraine’s Kharkiv Area",
			"Read More From Time", "Get in touchAt", "Related Articles", "Back to top button",
		},
		"003_e1de64e4ded32e85": {
			"This website uses cookies so that we can provide you with the best user experience possible. Cookie information is stored in your browser and performs functions such as recognising you when you return to our website and helping our team to understand which sections of the website you find most interesting and useful.",
			"You may like",
		},
		"004_965abd177aefd9b1": {
			"Russian forces retreat from crucial areas in Ukraine’s northeast – Nexus News",
			"Read Also: UN expert prompts Buhari to pass bill on older persons",
			"Leave a Reply",
			"Your email address will not be published. Required fields are marked *",
		},
	}
	arts, _, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range arts {
		var dropped []string
		i := 0
		for _, l := range strings.Split(string(defaultBody(t, a.ID)), "\n") {
			l = trimPara(l)
			if l == "" {
				continue
			}
			if i < len(a.Paragraphs) && a.Paragraphs[i] == l {
				i++
				continue
			}
			dropped = append(dropped, l)
		}
		if i != len(a.Paragraphs) {
			t.Errorf("%s: paragraphs are not the original lines in order", a.ID)
		}
		if strings.Join(dropped, "\n") != strings.Join(wantDropped[a.ID], "\n") {
			t.Errorf("%s: dropped\n%q\nwant\n%q", a.ID, dropped, wantDropped[a.ID])
		}
	}
}

func TestLoadDropsNonWebURLs(t *testing.T) {
	fsys := fstest.MapFS{
		"a.json": {Data: []byte(`[{"id":"js","url":"javascript:alert(1)","body":"Body one."},` +
			`{"id":"data","url":" data:text/html,x","body":"Body two."},` +
			`{"id":"web","url":" https://example.com/story ","body":"Body three."}]`)},
		"b.md": {Data: []byte("---\nid: md\nurl: JAVASCRIPT:alert(2)\n---\nBody four.\n")},
		"c.md": {Data: []byte("---\nid: rel\nurl: /news/1\n---\nBody five.\n")},
	}
	arts, warns, err := LoadFS(fsys, ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range arts {
		want := ""
		if a.ID == "web" {
			want = "https://example.com/story"
		}
		if a.URL != want {
			t.Errorf("%s: URL = %q, want %q", a.ID, a.URL, want)
		}
	}
	if w := warningsText(warns); strings.Count(w, "not an absolute http(s) URL") != 4 {
		t.Errorf("warnings = %q; want the four dropped URLs reported", w)
	}
}
