package main

import (
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

func TestParseInterspersedFlags(t *testing.T) {
	cases := []struct {
		args     []string
		wantPos  []string
		wantJSON bool
		wantIdx  string
	}{
		{[]string{"who", "won?"}, []string{"who", "won?"}, false, ""},
		{[]string{"--json", "who", "won?"}, []string{"who", "won?"}, true, ""},
		{[]string{"who", "--json", "won?"}, []string{"who", "won?"}, true, ""},
		{[]string{"who", "won?", "--index", "/x"}, []string{"who", "won?"}, false, "/x"},
		{[]string{"who", "won?", "--index=/x"}, []string{"who", "won?"}, false, "/x"},
		// Words that merely look like flags stay in the question.
		{[]string{"is", "it", "-5", "degrees?"}, []string{"is", "it", "-5", "degrees?"}, false, ""},
		{[]string{"--", "--json", "is", "a", "word"}, []string{"--json", "is", "a", "word"}, false, ""},
		{[]string{"a", "--", "--json"}, []string{"a", "--json"}, false, ""},
	}
	for _, c := range cases {
		fs := newFlagSet("ask", "", "")
		fs.libraryFlags()
		fs.jsonFlag("")
		pos, err := fs.parse(c.args, io.Discard)
		if err != nil {
			t.Errorf("%q: %v", c.args, err)
			continue
		}
		if !reflect.DeepEqual(pos, c.wantPos) || fs.opts.json != c.wantJSON || fs.opts.index != c.wantIdx {
			t.Errorf("%q: pos %q json %v index %q; want %q %v %q", c.args, pos, fs.opts.json, fs.opts.index, c.wantPos, c.wantJSON, c.wantIdx)
		}
	}
}

func TestIndexDirResolution(t *testing.T) {
	cache := t.TempDir()
	mk := func(vars map[string]string) *env {
		return &env{getenv: func(k string) string {
			if k == "XDG_CACHE_HOME" {
				return cache
			}
			return vars[k]
		}}
	}
	o := &options{set: map[string]bool{}}
	def := filepath.Join(cache, "newsdesk", "index", "default")
	if got, _ := o.indexDir(mk(nil), ""); got != def {
		t.Errorf("default = %q, want %q", got, def)
	}
	corpusA, _ := o.indexDir(mk(nil), "/srv/a")
	corpusB, _ := o.indexDir(mk(nil), "/srv/b")
	if !strings.HasPrefix(filepath.Base(corpusA), "corpus-") || corpusA == corpusB || filepath.Dir(corpusA) != filepath.Dir(def) {
		t.Errorf("corpus dirs %q, %q", corpusA, corpusB)
	}
	if again, _ := o.indexDir(mk(nil), "/srv/a/"); again != corpusA {
		t.Errorf("the same corpus got two index dirs: %q, %q", corpusA, again)
	}
	if got, _ := o.indexDir(mk(map[string]string{envIndex: "/env"}), "/srv/a"); got != "/env" {
		t.Errorf("NEWSDESK_INDEX ignored: %q", got)
	}
	o = &options{index: "/flag", set: map[string]bool{"index": true}}
	if got, _ := o.indexDir(mk(map[string]string{envIndex: "/env"}), ""); got != "/flag" {
		t.Errorf("--index does not override the environment: %q", got)
	}
}

// The answerer the environment selects when no flag is given.
func TestAnswererFromEnv(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want string
		err  bool
	}{
		{map[string]string{}, answererExtractive, false},
		{map[string]string{"OPENAI_API_KEY": "k"}, answererExtractive, false},
		{map[string]string{envChatModel: "llama3.2"}, answererLLM, false},
		{map[string]string{envChatModel: "llama3.2", envAnswerer: "extractive"}, answererExtractive, false},
		{map[string]string{envAnswerer: " LLM "}, answererLLM, false},
		{map[string]string{envAnswerer: "gpt"}, "", true},
	}
	for _, c := range cases {
		e := &env{getenv: func(k string) string { return c.env[k] }}
		got, _, err := (&options{set: map[string]bool{}}).answererName(e)
		if (err != nil) != c.err || got != c.want {
			t.Errorf("%v: got %q, %v; want %q (error %v)", c.env, got, err, c.want, c.err)
		}
	}
}

func TestFlagsOverrideEnv(t *testing.T) {
	e := &env{getenv: func(k string) string {
		return map[string]string{envAnswerer: "llm", envEmbedder: "openai", envCorpus: "/env"}[k]
	}}
	o := &options{set: map[string]bool{}}
	if n, explicit, _ := o.answererName(e); n != "llm" || !explicit {
		t.Errorf("env answerer = %q %v", n, explicit)
	}
	o = &options{answerer: "Extractive", embedder: "hash", corpus: "/flag", set: map[string]bool{"answerer": true, "embedder": true, "corpus": true}}
	if n, _, _ := o.answererName(e); n != "extractive" {
		t.Errorf("flag answerer = %q", n)
	}
	if n, _ := o.embedderName(e); n != "hash" {
		t.Errorf("flag embedder = %q", n)
	}
	if c := o.corpusDir(e); c != "/flag" {
		t.Errorf("corpus = %q", c)
	}
}

func TestParseArticleRef(t *testing.T) {
	cases := []struct {
		in   string
		id   string
		para int
	}{
		{"abc", "abc", -1},
		{"newsdesk:abc#p3", "abc", 3},
		{"newsdesk:abc", "abc", -1},
		{"newsdesk:abc#pX", "abc", -1},
		{"https://desk.example.org/articles/a%20b#p12", "a b", 12},
		{"https://desk.example.org/articles/abc", "abc", -1},
	}
	for _, c := range cases {
		got := parseArticleRef(c.in)
		if got.id != c.id || got.para != c.para {
			t.Errorf("%q: id %q para %d; want %q %d", c.in, got.id, got.para, c.id, c.para)
		}
	}
}

func TestWrapAndHighlight(t *testing.T) {
	p := "The quick brown fox jumps over the lazy dog and keeps running far away into the woods."
	lines := wrap(p, 30)
	if len(lines) < 3 {
		t.Fatalf("not wrapped: %q", lines)
	}
	for _, l := range lines {
		if uniseg.StringWidth(l) > 30 {
			t.Errorf("line too wide: %q", l)
		}
	}
	if strings.Join(lines, " ") != p {
		t.Errorf("wrap lost text: %q", lines)
	}
	q := "jumps over the lazy dog and keeps running"
	s := strings.Index(p, q)
	hl := highlight(lines, p, s, s+len(q))
	plain := strings.NewReplacer(ansiMark, "", ansiReset, "").Replace(strings.Join(hl, " "))
	if plain != p {
		t.Errorf("highlight changed the text: %q", plain)
	}
	if strings.Count(strings.Join(hl, "\n"), ansiMark) != 2 {
		t.Errorf("quote spanning two lines should be marked twice: %q", hl)
	}
}

func TestScreenRows(t *testing.T) {
	for _, c := range []struct {
		text  string
		width int
		want  int
	}{
		{"abc", 80, 1},
		{"", 80, 1},
		{"a\nb", 80, 2},
		{strings.Repeat("x", 80), 80, 1},
		{strings.Repeat("x", 81), 80, 2},
		{"a\n\nb", 10, 3},
	} {
		if got := screenRows(c.text, c.width); got != c.want {
			t.Errorf("screenRows(%q, %d) = %d, want %d", c.text, c.width, got, c.want)
		}
	}
}

func TestShorten(t *testing.T) {
	if got := shorten("short", 10); got != "short" {
		t.Errorf("got %q", got)
	}
	got := shorten("Thousands of Russian troops retreated in the face of an offensive", 30)
	if !strings.HasSuffix(got, "…") || utf8.RuneCountInString(got) > 31 || strings.Contains(got, "  ") {
		t.Errorf("got %q", got)
	}
}

func FuzzWrap(f *testing.F) {
	f.Add("The quick brown fox jumps over the lazy dog.", 25)
	f.Add("“Quoted” text — with dashes, and   runs of spaces.", 20)
	f.Add("nospaceatallinthisverylongwordthatcannotbebroken at all", 21)
	f.Fuzz(func(t *testing.T, text string, width int) {
		if !utf8.ValidString(text) || width > 1000 {
			return
		}
		lines := wrap(text, width)
		if strings.Join(lines, " ") != text {
			t.Fatalf("wrap(%q, %d) lost text: %q", text, width, lines)
		}
		// Highlighting any span keeps the text.
		if len(text) > 0 {
			s, e := len(text)/3, 2*len(text)/3
			hl := highlight(lines, text, s, e)
			plain := strings.NewReplacer(ansiMark, "", ansiReset, "").Replace(strings.Join(hl, " "))
			if !strings.Contains(text, ansiMark) && !strings.Contains(text, ansiReset) && plain != text {
				t.Fatalf("highlight changed %q to %q", text, plain)
			}
		}
	})
}

func FuzzParseArticleRef(f *testing.F) {
	for _, s := range []string{"abc", "newsdesk:abc#p3", "https://x/articles/a%zz#p1", "newsdesk:#p-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := parseArticleRef(s)
		if got.para < -1 {
			t.Fatalf("%q: para %d", s, got.para)
		}
	})
}

func TestLiveStreaming(t *testing.T) {
	var b strings.Builder
	l := &live{w: &b, tty: true, width: 10}
	l.begin("wait")
	l.partial("Hello")
	l.partial("Hello wor")
	l.partial("Hello world, it is") // 18 columns: two rows at width 10
	out := b.String()
	if !strings.Contains(out, "wait\r\x1b[2K") {
		t.Errorf("status line not cleared: %q", out)
	}
	if !strings.Contains(out, "Hello wor") || !strings.Contains(out, "ld, it is") || strings.Count(out, "Hello") != 1 {
		t.Errorf("deltas not streamed: %q", out)
	}
	b.Reset()
	l.partial("Goodbye") // revised, not extended: erase two rows and redraw
	if got := b.String(); got != "\x1b[1A\r\x1b[JGoodbye" {
		t.Errorf("redraw = %q", got)
	}
	b.Reset()
	l.abort()
	if got := b.String(); got != "\r\x1b[J" {
		t.Errorf("abort = %q", got)
	}
	// Not a terminal: nothing but the final answer.
	b.Reset()
	p := &live{w: &b}
	p.begin("wait")
	p.partial("Hello")
	if b.Len() != 0 {
		t.Errorf("pipe got live output: %q", b.String())
	}
}

func BenchmarkWrapHugeParagraph(b *testing.B) {
	p := strings.Repeat("word ", 200_000)
	for b.Loop() {
		wrap(p, 80)
	}
}
