package corpus

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// nested returns a page with body text nested depth <div>s deep.
func nested(depth int, body string) string {
	return "<html><head><title>Deep page</title></head><body>" +
		strings.Repeat("<div>", depth) + "<p>" + body + "</p>" + strings.Repeat("</div>", depth) +
		"</body></html>"
}

const deepBody = "The council approved the new bridge budget on Tuesday after a long debate."

func TestParseHTMLTooDeepIsRejected(t *testing.T) {
	// 8,000 nested elements once took x/net/html plus readability 44 s
	// (GO-2025-3595); the parser now refuses such a page outright.
	arts, err := Parse("deep.html", []byte(nested(8000, deepBody)))
	if err == nil || len(arts) != 0 {
		t.Fatalf("Parse(8000 nested divs) = %d articles, err %v; want an error and no article", len(arts), err)
	}
}

func TestParseHTMLDeepIsFlattened(t *testing.T) {
	arts, err := Parse("deep.html", []byte(nested(300, deepBody)))
	if len(arts) != 1 || arts[0].Text() != deepBody {
		t.Fatalf("Parse(300 nested divs) = %+v, %v; want the one paragraph", arts, err)
	}
	if err == nil || !strings.Contains(err.Error(), "flattened") {
		t.Errorf("err = %v; want a warning that deep markup was flattened", err)
	}
}

func treeDepth(n *html.Node) int {
	d := 0
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			d = max(d, 1+treeDepth(c))
		}
	}
	return d
}

func TestClipDepth(t *testing.T) {
	doc, err := html.Parse(strings.NewReader(nested(400, "One <b>two</b> three") + "<div><p>Shallow</p></div>"))
	if err != nil {
		t.Fatal(err)
	}
	if !clipDepth(doc, 50) {
		t.Fatal("clipDepth reported no change")
	}
	if d := treeDepth(doc); d > 51 {
		t.Errorf("depth after clipDepth(50) = %d, want <= 51", d)
	}
	got := strings.Join(htmlParagraphs(doc), "|")
	if !strings.Contains(got, "One two three") || !strings.Contains(got, "Shallow") {
		t.Errorf("paragraphs after clipping = %q; want the text kept", got)
	}
	shallow, _ := html.Parse(strings.NewReader("<p>x</p>"))
	if clipDepth(shallow, 50) {
		t.Error("clipDepth changed a shallow tree")
	}
}

// slowExtract replaces htmlExtract with one that blocks until release is
// closed, signalling started once it runs.
func slowExtract(t *testing.T) (started <-chan struct{}, release chan struct{}) {
	t.Helper()
	st := make(chan struct{}, 16)
	rel := make(chan struct{})
	old := htmlExtract
	htmlExtract = func(name, text string) ([]Article, []error, error) {
		st <- struct{}{}
		<-rel
		return nil, nil, errors.New("released")
	}
	t.Cleanup(func() {
		select {
		case <-rel:
		default:
			close(rel)
		}
		htmlExtract = old
	})
	return st, rel
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadSkipsHTMLPastDeadline(t *testing.T) {
	slowExtract(t)
	dir := writeFiles(t, map[string]string{"slow.html": "<p>x</p>", "ok.txt": "Plain text story.\n"})
	arts, warns, err := LoadPathContext(context.Background(), dir, LoadOptions{ExtractTimeout: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if len(arts) != 1 || arts[0].ID != "ok" {
		t.Errorf("articles = %+v; want only ok", arts)
	}
	if w := warningsText(warns); !strings.Contains(w, "slow.html") || !strings.Contains(w, "took longer than 20ms") {
		t.Errorf("warnings = %q; want slow.html skipped for time", w)
	}
}

func TestLoadStopsOnCancel(t *testing.T) {
	started, _ := slowExtract(t)
	dir := writeFiles(t, map[string]string{"a.html": "<p>x</p>", "b.html": "<p>y</p>"})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-started
		cancel()
	}()
	_, _, err := LoadPathContext(ctx, dir, LoadOptions{ExtractTimeout: time.Hour})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v; want context.Canceled while extraction blocks", err)
	}
	if len(started) != 0 {
		t.Error("a second file was parsed after the cancel")
	}
}

// FuzzParseHostileHTML builds pages with deep nesting, many attributes and
// many siblings. No single parse may take longer than 2 s (20 s under the
// race detector): the extraction
// bounds (parser depth limit, MaxHTMLDepth flattening, DefaultExtractTimeout)
// must keep hostile pages cheap.
func FuzzParseHostileHTML(f *testing.F) {
	f.Add(uint16(8000), uint16(0), uint16(1), "div", "text")
	f.Add(uint16(500), uint16(0), uint16(20), "div", "Some paragraph, with words.")
	f.Add(uint16(3), uint16(60000), uint16(3), "p", "attrs")
	f.Add(uint16(200), uint16(10), uint16(5), "table", "<td>cell")
	f.Add(uint16(100), uint16(0), uint16(200), "span", "x")
	bound := 2 * time.Second
	if raceEnabled {
		bound *= 10
	}
	f.Fuzz(func(t *testing.T, depth, attrs, repeat uint16, tag, text string) {
		if len(tag) > 20 || len(text) > 200 {
			return
		}
		depth %= 10000
		repeat = 1 + repeat%200
		var b strings.Builder
		b.WriteString("<html><head><title>T</title></head><body>")
		var ob strings.Builder
		ob.WriteString("<" + tag)
		for i := range int(attrs) {
			fmt.Fprintf(&ob, " a%d=x", i)
			if ob.Len() > 64<<10 {
				break
			}
		}
		ob.WriteString(">")
		open := ob.String()
		unit := strings.Repeat(open, int(depth)) + text + strings.Repeat("</"+tag+">", int(depth))
		for range repeat {
			if b.Len()+len(unit) > 256<<10 {
				break
			}
			b.WriteString(unit)
		}
		b.WriteString("</body></html>")
		page := []byte(b.String())
		done := make(chan []Article, 1)
		go func() {
			arts, _ := Parse("f.html", page)
			done <- arts
		}()
		select {
		case arts := <-done:
			for _, a := range arts {
				if a.ID == "" || len(a.Paragraphs) == 0 {
					t.Fatalf("bad article %+v", a)
				}
			}
		case <-time.After(bound):
			t.Fatalf("one parse of a %d-byte page (depth %d, %d attributes, %d repeats) took longer than %s", len(page), depth, attrs, repeat, bound)
		}
	})
}
