package corpus

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	readability "github.com/go-shiori/go-readability"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"
)

// DefaultExtractTimeout bounds the time spent extracting the text of one
// HTML page (parsing plus go-readability); a page that takes longer is
// skipped with a warning.
const DefaultExtractTimeout = 15 * time.Second

// MaxHTMLDepth is the element nesting depth handed to go-readability.
// Elements nested deeper are flattened: their text is kept, one <p> per
// paragraph, but not their structure, since readability's cost grows with
// the depth of the tree. The HTML parser itself rejects pages nested more
// than 512 elements deep.
const MaxHTMLDepth = 128

// htmlExtract extracts the articles of one HTML page; a variable so tests
// can stand in a slow extractor.
var htmlExtract = parseHTMLFile

// parseHTMLBounded runs htmlExtract with a deadline of timeout (0 means
// DefaultExtractTimeout) and returns early when ctx is done. A page that
// runs out of time is an error ("took longer than ..."); its extraction
// goroutine is abandoned and finishes on its own, since readability has no
// way to be stopped.
func parseHTMLBounded(ctx context.Context, timeout time.Duration, name, text string) ([]Article, []error, error) {
	if timeout <= 0 {
		timeout = DefaultExtractTimeout
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	type result struct {
		arts  []Article
		warns []error
		err   error
	}
	extract := htmlExtract
	done := make(chan result, 1)
	go func() {
		var r result
		defer func() {
			if p := recover(); p != nil {
				r = result{err: fmt.Errorf("extract article text: HTML parser failed: %v", p)}
			}
			done <- r
		}()
		r.arts, r.warns, r.err = extract(name, text)
	}()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case r := <-done:
		return r.arts, r.warns, r.err
	case <-timer.C:
		return nil, nil, fmt.Errorf("extract article text: took longer than %s; skipped", timeout)
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	}
}

// parseHTMLFile extracts the main article text of a web page with
// go-readability. Title, byline, publication time and site name come from
// its result; the URL from <link rel="canonical"> or og:url. The tree is
// flattened below MaxHTMLDepth first.
func parseHTMLFile(name, text string) (arts []Article, warns []error, err error) {
	doc, err := html.Parse(strings.NewReader(text))
	if err != nil {
		return nil, nil, fmt.Errorf("parse HTML: %w; skipped", err)
	}
	if clipDepth(doc, MaxHTMLDepth) {
		warns = append(warns, fmt.Errorf("HTML nested more than %d elements deep; the deeper markup was flattened", MaxHTMLDepth))
	}
	canonical := canonicalURL(doc)
	var pageURL *url.URL
	if canonical != "" {
		pageURL, _ = url.Parse(canonical)
	}
	res, err := readDocument(doc, pageURL)
	if err != nil {
		return nil, nil, err
	}
	var lines []string
	if res.Node != nil {
		for n := res.Node; n != nil; n = n.NextSibling {
			lines = append(lines, htmlParagraphs(n)...)
		}
	}
	if len(lines) == 0 {
		lines = splitLines(res.TextContent)
	}
	a := Article{
		ID:     stem(name),
		Title:  strings.TrimSpace(collapseHTMLSpace(res.Title)),
		URL:    canonical,
		Source: strings.TrimSpace(res.SiteName),
		Byline: strings.TrimSpace(collapseHTMLSpace(res.Byline)),
		Path:   name,
	}
	if res.PublishedTime != nil {
		a.Published = *res.PublishedTime
	}
	// Page titles often carry the site: "Headline | Outlet".
	if t, s := splitHeadline(a.Title); s != "" && (a.Source == "" || strings.EqualFold(s, a.Source)) {
		a.Title, a.Source = t, s
	}
	a, err = finish(a, lines)
	if err != nil {
		return nil, nil, err
	}
	return []Article{a}, warns, nil
}

// clipDepth flattens every element at depth max (the document node is
// depth 0) that has element children: its children are replaced by one
// <p> per paragraph of their text. It reports whether it changed doc.
func clipDepth(doc *html.Node, max int) bool {
	clipped := false
	// An explicit stack: the tree may be hundreds of levels deep.
	type item struct {
		n     *html.Node
		depth int
	}
	stack := []item{{doc, 0}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if it.depth >= max && hasElementChild(it.n) {
			flatten(it.n)
			clipped = true
			continue
		}
		for c := it.n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode {
				stack = append(stack, item{c, it.depth + 1})
			}
		}
	}
	return clipped
}

func hasElementChild(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode {
			return true
		}
	}
	return false
}

// flatten replaces n's children with one <p> per paragraph of their text.
func flatten(n *html.Node) {
	var paras []string
	if !skippedElements[n.DataAtom] {
		paras = htmlParagraphs(&html.Node{Type: html.DocumentNode, FirstChild: n.FirstChild})
	}
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		n.RemoveChild(c)
		c = next
	}
	for _, p := range paras {
		el := &html.Node{Type: html.ElementNode, Data: "p", DataAtom: atom.P}
		el.AppendChild(&html.Node{Type: html.TextNode, Data: p})
		n.AppendChild(el)
	}
}

// readDocument runs readability, turning a panic in the third-party parser
// on hostile input into an error.
func readDocument(doc *html.Node, pageURL *url.URL) (res readability.Article, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("extract article text: readability failed: %v", r)
		}
	}()
	res, err = readability.FromDocument(doc, pageURL)
	if err != nil {
		return res, fmt.Errorf("extract article text: %w", err)
	}
	return res, nil
}

// canonicalURL returns the page's absolute http(s) URL from
// <link rel="canonical"> or <meta property="og:url">, or "".
func canonicalURL(doc *html.Node) string {
	var canon, og string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Link:
				if canon == "" && hasToken(attr(n, "rel"), "canonical") {
					canon = absoluteHTTP(attr(n, "href"))
				}
			case atom.Meta:
				if og == "" && (strings.EqualFold(attr(n, "property"), "og:url") || strings.EqualFold(attr(n, "name"), "og:url")) {
					og = absoluteHTTP(attr(n, "content"))
				}
			case atom.Body:
				return // metadata lives in <head>
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if canon != "" {
		return canon
	}
	return og
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

func hasToken(list, tok string) bool {
	for _, f := range strings.Fields(list) {
		if strings.EqualFold(f, tok) {
			return true
		}
	}
	return false
}

// absoluteHTTP returns s, trimmed, when it is an absolute http or https
// URL with a host and no control characters or spaces, else "".
func absoluteHTTP(s string) string {
	s = strings.TrimSpace(s)
	if strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f || (r >= 0x80 && r < 0xa0) }) {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || (!strings.EqualFold(u.Scheme, "http") && !strings.EqualFold(u.Scheme, "https")) || u.Host == "" {
		return ""
	}
	return s
}

// blockElements start and end a paragraph; <br> ends one too.
var blockElements = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Section: true, atom.Article: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true,
	atom.H6: true, atom.Li: true, atom.Ul: true, atom.Ol: true, atom.Dl: true,
	atom.Dt: true, atom.Dd: true, atom.Blockquote: true, atom.Pre: true,
	atom.Table: true, atom.Tr: true, atom.Td: true, atom.Th: true,
	atom.Figure: true, atom.Figcaption: true, atom.Header: true,
	atom.Footer: true, atom.Aside: true, atom.Main: true, atom.Nav: true,
	atom.Address: true, atom.Details: true, atom.Summary: true, atom.Hr: true,
	atom.Caption: true, atom.Form: true, atom.Fieldset: true,
}

// skippedElements hold no readable text.
var skippedElements = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true,
	atom.Template: true, atom.Svg: true, atom.Math: true, atom.Iframe: true,
	atom.Object: true, atom.Button: true, atom.Select: true, atom.Textarea: true,
}

// htmlParagraphs returns the text of each block below n, one paragraph per
// block, with HTML white space collapsed as a browser would render it.
func htmlParagraphs(n *html.Node) []string {
	var out []string
	var buf strings.Builder
	flush := func() {
		if s := strings.TrimSpace(collapseHTMLSpace(buf.String())); s != "" {
			out = append(out, s)
		}
		buf.Reset()
	}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			buf.WriteString(n.Data)
			return
		case html.ElementNode:
			if skippedElements[n.DataAtom] {
				return
			}
			if n.DataAtom == atom.Br {
				flush()
				return
			}
		case html.DocumentNode:
		default:
			return
		}
		block := n.Type == html.ElementNode && blockElements[n.DataAtom]
		if block {
			flush()
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
		if block {
			flush()
		}
	}
	walk(n)
	flush()
	return out
}

// htmlFragmentParagraphs splits an HTML fragment (a JSON body with markup)
// into paragraphs.
func htmlFragmentParagraphs(s string) []string {
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		return splitLines(s)
	}
	return htmlParagraphs(doc)
}

// collapseHTMLSpace replaces each run of HTML white space (space, tab,
// newline, form feed, carriage return) with one space. No-break spaces are
// text and stay.
func collapseHTMLSpace(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch r {
		case ' ', '\t', '\n', '\f', '\r':
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	if space && b.Len() > 0 {
		b.WriteByte(' ')
	}
	return b.String()
}

// decodeHTMLCharset decodes a page that is not UTF-8 using its declared
// charset (BOM, <meta charset>), defaulting to Windows-1252 as browsers do.
func decodeHTMLCharset(data []byte) (string, string, bool) {
	enc, name, _ := charset.DetermineEncoding(data, "text/html")
	if enc == nil || name == "utf-8" {
		return "", "", false
	}
	out, err := enc.NewDecoder().Bytes(data)
	if err != nil {
		return "", "", false
	}
	if !utf8.Valid(out) {
		out = bytes.ToValidUTF8(out, []byte("\uFFFD"))
	}
	return string(out), name, true
}

// FromHTML returns a with its paragraphs taken from an HTML fragment, such
// as the content of a feed item: one paragraph per block element or <br>,
// entities decoded, scripts and styles dropped, then cleaned as the
// loaders clean files (see Clean); a leading paragraph that repeats
// a.Title is dropped. It fails when no text is left. Other fields of a
// are kept as they are.
func FromHTML(a Article, fragment string) (Article, error) {
	return finish(a, htmlFragmentParagraphs(strings.ToValidUTF8(fragment, "\uFFFD")))
}

// WebURL returns s, trimmed, when it is an absolute http or https URL
// with a host and no spaces or control characters, else "": the only
// links an Article keeps.
func WebURL(s string) string { return absoluteHTTP(s) }
