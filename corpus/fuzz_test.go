package corpus

import (
	"io/fs"
	"testing"
	"unicode/utf8"
)

// checkParse asserts the Parse invariants for any input: no panic, every
// article has an ID and at least one paragraph, and every paragraph is
// non-empty, trimmed and valid UTF-8. For line-based formats each
// paragraph must also be a verbatim line of the (decoded) input.
func checkParse(t *testing.T, name string, data []byte, verbatim bool) {
	t.Helper()
	arts, _ := Parse(name, data)
	lines := map[string]bool{}
	if verbatim {
		text, _ := toUTF8(data, false)
		for _, l := range splitLines(text) {
			lines[trimPara(l)] = true
		}
	}
	for _, a := range arts {
		if a.ID == "" {
			t.Fatalf("article without ID from %q", data)
		}
		if len(a.Paragraphs) == 0 {
			t.Fatalf("article %s without paragraphs", a.ID)
		}
		for _, p := range a.Paragraphs {
			if p == "" || p != trimPara(p) || !utf8.ValidString(p) {
				t.Fatalf("bad paragraph %q in %s", p, a.ID)
			}
			if verbatim && !lines[p] {
				t.Fatalf("paragraph %q is not a verbatim line of input %q", p, data)
			}
		}
	}
}

// addDefaultSeeds seeds f with the start of each default article (front
// matter, headline and a few paragraphs). Whole articles would make the
// fuzzer spend its time minimizing large inputs.
func addDefaultSeeds(f *testing.F) {
	matches, _ := fs.Glob(DefaultFS(), "default/*.md")
	for _, m := range matches {
		data, _ := fs.ReadFile(DefaultFS(), m)
		if len(data) > 1200 {
			data = data[:1200]
		}
		f.Add(data)
	}
}

func FuzzParseTxt(f *testing.F) {
	addDefaultSeeds(f)
	f.Add([]byte("Headline – Outlet\n\nBody.\nRead more\n"))
	f.Add([]byte("\xef\xbb\xbf\r\n\xff\xfe text\r"))
	f.Fuzz(func(t *testing.T, data []byte) { checkParse(t, "f.txt", data, true) })
}

func FuzzParseMarkdown(f *testing.F) {
	addDefaultSeeds(f)
	f.Add([]byte("---\nid: x\ntitle: T\ndate: 2020-01-02\n---\n# T\nBody.\n"))
	f.Add([]byte("---\nauthor: &a [x, *a]\n---\nBody.\n"))
	f.Add([]byte("---\n---\n"))
	f.Fuzz(func(t *testing.T, data []byte) { checkParse(t, "f.md", data, true) })
}

func FuzzParseJSON(f *testing.F) {
	f.Add([]byte(`{"id":"a","title":"T","body":"One.\nTwo."}`))
	f.Add([]byte(`[{"text":["a","b"]},{"content":"<p>x</p><br>y"},null,1]`))
	f.Add([]byte(`{"published":"2022-09-10T00:00:00Z","body":"x"}`))
	f.Fuzz(func(t *testing.T, data []byte) { checkParse(t, "f.json", data, false) })
}

func FuzzParseJSONL(f *testing.F) {
	f.Add([]byte("{\"body\":\"One.\"}\n{bad\n\n{\"id\":1,\"text\":\"Two.\"}\n"))
	f.Add([]byte("[]\nnull\n\"x\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) { checkParse(t, "f.jsonl", data, false) })
}

func FuzzParseHTML(f *testing.F) {
	f.Add([]byte(testPage))
	f.Add([]byte("<p>One<br>two</p><script>x</script><div>three"))
	f.Add([]byte("<html><head><meta charset=\"koi8-r\"><title>\xf0\xd2</title></head><body><p>\xf0\xd2\xc9</p></body></html>"))
	f.Fuzz(func(t *testing.T, data []byte) { checkParse(t, "f.html", data, false) })
}
