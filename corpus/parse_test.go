package corpus

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func parseOne(t *testing.T, name, data string) Article {
	t.Helper()
	arts, err := Parse(name, []byte(data))
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	if len(arts) != 1 {
		t.Fatalf("Parse(%s) gave %d articles, want 1", name, len(arts))
	}
	return arts[0]
}

func TestParseTxt(t *testing.T) {
	tests := []struct {
		name       string
		data       string
		title, src string
		byline     string
		paras      []string
	}{
		{
			name:  "body only",
			data:  "Troops retreated on Saturday.\nThe ministry confirmed it.\n",
			paras: []string{"Troops retreated on Saturday.", "The ministry confirmed it."},
		},
		{
			name:  "headline then blank line",
			data:  "Floods hit the coast\n\nWater rose overnight.\n\nResidents fled.",
			title: "Floods hit the coast",
			paras: []string{"Water rose overnight.", "Residents fled."},
		},
		{
			name:  "title case headline without blank",
			data:  "Floods Hit The Northern Coast Again\nWater rose overnight.",
			title: "Floods Hit The Northern Coast Again",
			paras: []string{"Water rose overnight."},
		},
		{
			name:  "headline with outlet dash",
			data:  "Floods hit the coast – Daily Planet\n\nWater rose overnight.",
			title: "Floods hit the coast", src: "Daily Planet",
			paras: []string{"Water rose overnight."},
		},
		{
			name:  "headline with outlet pipe",
			data:  "Floods hit the coast | The Herald\n\nWater rose overnight.",
			title: "Floods hit the coast", src: "The Herald",
			paras: []string{"Water rose overnight."},
		},
		{
			name:  "dash clause is not an outlet",
			data:  "Floods hit the coast - what we know so far\n\nWater rose overnight.",
			title: "Floods hit the coast - what we know so far",
			paras: []string{"Water rose overnight."},
		},
		{
			name:  "first line sentence is body",
			data:  "Floods hit the coast.\n\nWater rose overnight.",
			paras: []string{"Floods hit the coast.", "Water rose overnight."},
		},
		{
			name:  "short lowercase line without blank is body",
			data:  "floods hit the coast on monday night\nWater rose overnight.",
			paras: []string{"floods hit the coast on monday night", "Water rose overnight."},
		},
		{
			name:  "boilerplate before headline",
			data:  "We use cookies to improve your experience on our website.\nFloods hit the coast\n\nWater rose.\nRead more",
			title: "Floods hit the coast",
			paras: []string{"Water rose."},
		},
		{
			name:  "byline below headline",
			data:  "Floods hit the coast\n\nBy Jane Roe and John Doe\n\nWater rose overnight.",
			title: "Floods hit the coast", byline: "Jane Roe and John Doe",
			paras: []string{"Water rose overnight."},
		},
		{
			name:  "sentence starting with By is body",
			data:  "By Saturday, troops had left.\nWater rose overnight.",
			paras: []string{"By Saturday, troops had left.", "Water rose overnight."},
		},
		{
			name:  "crlf and bom",
			data:  "\ufeffFloods hit the coast\r\n\r\nWater rose overnight.\r\nResidents fled.\r\n",
			title: "Floods hit the coast",
			paras: []string{"Water rose overnight.", "Residents fled."},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := parseOne(t, "dir/story.txt", tt.data)
			if a.ID != "story" || a.Path != "dir/story.txt" {
				t.Errorf("ID, Path = %q, %q", a.ID, a.Path)
			}
			if a.Title != tt.title || a.Source != tt.src || a.Byline != tt.byline {
				t.Errorf("Title, Source, Byline = %q, %q, %q; want %q, %q, %q", a.Title, a.Source, a.Byline, tt.title, tt.src, tt.byline)
			}
			if !reflect.DeepEqual(a.Paragraphs, tt.paras) {
				t.Errorf("Paragraphs = %q, want %q", a.Paragraphs, tt.paras)
			}
		})
	}
}

func TestParseMarkdown(t *testing.T) {
	data := `---
id: floods-2023
title: Floods hit the coast
url: https://example.org/floods
source: Daily Planet
byline: Jane Roe
published: 2023-03-04
extra: ignored
---
# Floods hit the coast

Water rose overnight.
Residents fled; **many** left cars behind.

## Aftermath
Read more
`
	a := parseOne(t, "x/floods.md", data)
	want := Article{
		ID: "floods-2023", Title: "Floods hit the coast", URL: "https://example.org/floods",
		Source: "Daily Planet", Byline: "Jane Roe", Path: "x/floods.md",
		Published:  time.Date(2023, 3, 4, 0, 0, 0, 0, time.UTC),
		Paragraphs: []string{"Water rose overnight.", "Residents fled; **many** left cars behind.", "## Aftermath"},
	}
	if !reflect.DeepEqual(a, want) {
		t.Errorf("got  %+v\nwant %+v", a, want)
	}
}

func TestParseMarkdownVariants(t *testing.T) {
	t.Run("date alias and RFC3339", func(t *testing.T) {
		a := parseOne(t, "a.md", "---\ndate: 2023-03-04T10:00:00Z\nauthor: [A, B]\n---\nText.\n")
		if a.Date() != "2023-03-04" || a.Byline != "A, B" || a.ID != "a" {
			t.Errorf("Date, Byline, ID = %q, %q, %q", a.Date(), a.Byline, a.ID)
		}
	})
	t.Run("no front matter heading is title", func(t *testing.T) {
		a := parseOne(t, "a.md", "# Floods hit the coast\n\nWater rose.\n")
		if a.Title != "Floods hit the coast" || !reflect.DeepEqual(a.Paragraphs, []string{"Water rose."}) {
			t.Errorf("Title %q, Paragraphs %q", a.Title, a.Paragraphs)
		}
	})
	t.Run("plain headline with outlet repeated in body", func(t *testing.T) {
		a := parseOne(t, "a.md", "---\ntitle: Floods hit the coast\nsource: Daily Planet\n---\nFloods hit the coast – Daily Planet\n\nWater rose.\n")
		if !reflect.DeepEqual(a.Paragraphs, []string{"Water rose."}) {
			t.Errorf("Paragraphs %q", a.Paragraphs)
		}
	})
	t.Run("title line later in body is kept", func(t *testing.T) {
		a := parseOne(t, "a.md", "---\ntitle: Floods\n---\nWater rose.\nFloods\n")
		if !reflect.DeepEqual(a.Paragraphs, []string{"Water rose.", "Floods"}) {
			t.Errorf("Paragraphs %q", a.Paragraphs)
		}
	})
	t.Run("bad date is a warning", func(t *testing.T) {
		arts, err := Parse("a.md", []byte("---\npublished: last week\n---\nText.\n"))
		if len(arts) != 1 || err == nil || !strings.Contains(err.Error(), "last week") {
			t.Errorf("arts %d, err %v", len(arts), err)
		}
	})
	for _, bad := range []string{
		"---\ntitle: [unclosed\n---\nText.\n",
		"---\n- a list\n---\nText.\n",
		"---\ntitle: x\nText without end\n",
		"---\ntitle: {a: b}\n---\nText.\n",
	} {
		if arts, err := Parse("bad.md", []byte(bad)); err == nil || len(arts) != 0 || !strings.Contains(err.Error(), "load bad.md: ") {
			t.Errorf("Parse(%q) = %d articles, %v; want an error", bad, len(arts), err)
		}
	}
}

func TestParseJSON(t *testing.T) {
	t.Run("object", func(t *testing.T) {
		a := parseOne(t, "feed/one.json", `{"Title":"Floods","url":"https://example.org/f","source":"Planet",
			"published":"2023-03-04","author":"Jane","text":"Water rose.\n\nResidents fled.\nAdvertisement"}`)
		want := Article{ID: "one", Title: "Floods", URL: "https://example.org/f", Source: "Planet", Byline: "Jane",
			Path: "feed/one.json", Published: time.Date(2023, 3, 4, 0, 0, 0, 0, time.UTC),
			Paragraphs: []string{"Water rose.", "Residents fled."}}
		if !reflect.DeepEqual(a, want) {
			t.Errorf("got  %+v\nwant %+v", a, want)
		}
	})
	t.Run("array with ids, html body and a bad entry", func(t *testing.T) {
		arts, err := Parse("many.json", []byte(`[
			{"id": 7, "body": "First."},
			{"title": "No body"},
			{"content": "<p>Para <b>one</b>.</p><p>Para&nbsp;two.<br>Line three.</p>"},
			"not an object"
		]`))
		if len(arts) != 2 {
			t.Fatalf("got %d articles, want 2", len(arts))
		}
		if arts[0].ID != "7" || arts[1].ID != "many-3" {
			t.Errorf("IDs %q, %q", arts[0].ID, arts[1].ID)
		}
		if want := []string{"Para one.", "Para\u00a0two.", "Line three."}; !reflect.DeepEqual(arts[1].Paragraphs, want) {
			t.Errorf("Paragraphs %q, want %q", arts[1].Paragraphs, want)
		}
		if err == nil || !strings.Contains(err.Error(), "entry 2: no body") || !strings.Contains(err.Error(), "entry 4:") {
			t.Errorf("warnings = %v", err)
		}
	})
	t.Run("malformed", func(t *testing.T) {
		if _, err := Parse("bad.json", []byte(`{"title": `)); err == nil {
			t.Error("want error")
		}
	})
}

func TestParseJSONL(t *testing.T) {
	data := `{"id":"a","title":"A","body":"Alpha text."}
{"title":"B", "body": "Beta text."
{"title":"C","content":"Gamma text."}

{"title":"D"}
`
	arts, err := Parse("wire.jsonl", []byte(data))
	if len(arts) != 2 || arts[0].ID != "a" || arts[1].ID != "wire-3" {
		t.Fatalf("articles %+v", arts)
	}
	if err == nil {
		t.Fatal("want warnings for lines 2 and 5")
	}
	msg := err.Error()
	for _, want := range []string{"load wire.jsonl: line 2: invalid JSON", "load wire.jsonl: line 5: no body"} {
		if !strings.Contains(msg, want) {
			t.Errorf("warnings %q lack %q", msg, want)
		}
	}
}

const testPage = `<!DOCTYPE html>
<html><head>
<meta charset="utf-8">
<title>Floods hit the northern coast | Daily Planet</title>
<link rel="canonical" href="https://planet.example/2023/floods">
<meta property="og:site_name" content="Daily Planet">
<meta name="author" content="Jane Roe">
<meta property="article:published_time" content="2023-03-04T08:00:00Z">
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article>
<h1>Floods hit the northern coast</h1>
<p>Water rose overnight in the northern towns, officials said on Saturday, and thousands of residents left their homes before dawn.</p>
<p>“We lost everything,” said a farmer who asked not to be named. Rescue teams reached the worst-hit villages by boat in the afternoon.</p>
<p>The weather service warned that more rain was expected on Sunday and Monday across the region, with rivers already above flood level.</p>
<p>Read more</p>
</article>
<footer>© 2023 Daily Planet. All rights reserved.</footer>
</body></html>`

func TestParseHTML(t *testing.T) {
	a := parseOne(t, "pages/floods.html", testPage)
	if a.Title != "Floods hit the northern coast" || a.Source != "Daily Planet" || a.URL != "https://planet.example/2023/floods" {
		t.Errorf("Title %q Source %q URL %q", a.Title, a.Source, a.URL)
	}
	if a.Byline != "Jane Roe" || a.Date() != "2023-03-04" || a.ID != "floods" {
		t.Errorf("Byline %q Date %q ID %q", a.Byline, a.Date(), a.ID)
	}
	want := []string{
		"Water rose overnight in the northern towns, officials said on Saturday, and thousands of residents left their homes before dawn.",
		"“We lost everything,” said a farmer who asked not to be named. Rescue teams reached the worst-hit villages by boat in the afternoon.",
		"The weather service warned that more rain was expected on Sunday and Monday across the region, with rivers already above flood level.",
	}
	if !reflect.DeepEqual(a.Paragraphs, want) {
		t.Errorf("Paragraphs\n got %q\nwant %q", a.Paragraphs, want)
	}
}

func TestParseHTMLLatin1(t *testing.T) {
	page := strings.Replace(testPage, `<meta charset="utf-8">`, `<meta charset="iso-8859-1">`, 1)
	page = strings.Replace(page, "officials said", "caf\xe9 owners said", 1)
	arts, err := Parse("p.htm", []byte(page))
	if len(arts) != 1 || !strings.Contains(arts[0].Paragraphs[0], "café owners said") {
		t.Fatalf("arts %+v", arts)
	}
	if err == nil || !strings.Contains(err.Error(), "not valid UTF-8") {
		t.Errorf("want a decoding warning, got %v", err)
	}
}

func TestParseNotUTF8(t *testing.T) {
	// Windows-1252 text: decoded, with a warning.
	arts, err := Parse("old.txt", []byte("Caf\xe9 owners said \x93no\x94.\nSecond line."))
	if len(arts) != 1 || arts[0].Paragraphs[0] != "Café owners said “no”." {
		t.Fatalf("arts %+v", arts)
	}
	if err == nil || !strings.Contains(err.Error(), "Windows-1252") {
		t.Errorf("warning = %v", err)
	}
	// Mostly UTF-8 with a broken byte: replaced.
	arts, err = Parse("broken.txt", []byte("Russia’s army \xff left.\nMore text."))
	if len(arts) != 1 || arts[0].Paragraphs[0] != "Russia’s army \uFFFD left." {
		t.Fatalf("arts %+v", arts)
	}
	if err == nil || !strings.Contains(err.Error(), "replaced") {
		t.Errorf("warning = %v", err)
	}
}

func TestParseErrors(t *testing.T) {
	if _, err := Parse("notes.docx", []byte("x")); !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "load notes.docx: ") {
		t.Errorf("unsupported: %v", err)
	}
	if _, err := Parse("empty.txt", []byte("\n\nRead more\n___\n")); err == nil || !strings.Contains(err.Error(), "no article text") {
		t.Errorf("empty after cleaning: %v", err)
	}
}

func TestParseDate(t *testing.T) {
	for in, want := range map[string]string{
		"2022-09-10":                    "2022-09-10",
		"2022-09-10T23:30:00+03:00":     "2022-09-10",
		"Sat, 10 Sep 2022 10:00:00 GMT": "2022-09-10",
		"September 10, 2022":            "2022-09-10",
		"":                              "",
	} {
		got, err := parseDate(in)
		if err != nil {
			t.Errorf("parseDate(%q): %v", in, err)
			continue
		}
		a := Article{Published: got}
		if a.Date() != want {
			t.Errorf("parseDate(%q) = %q, want %q", in, a.Date(), want)
		}
	}
	if _, err := parseDate("10/09/22"); err == nil {
		t.Error("ambiguous date accepted")
	}
}

func TestFromHTML(t *testing.T) {
	a, err := FromHTML(Article{ID: "x", Title: "Dam Fails"}, "<h1>Dam Fails</h1><p>Water &amp; mud<br>reached the town.</p><script>evil()</script><p>Read more</p>")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(a.Paragraphs, "|"); got != "Water & mud|reached the town." {
		t.Fatalf("paragraphs %q", got)
	}
	if _, err := FromHTML(Article{ID: "y"}, "<p> </p><script>x</script>"); err == nil {
		t.Fatal("empty fragment accepted")
	}
	if WebURL(" https://example.com/a ") != "https://example.com/a" || WebURL("javascript:alert(1)") != "" || WebURL("/relative") != "" {
		t.Fatal("WebURL")
	}
}
