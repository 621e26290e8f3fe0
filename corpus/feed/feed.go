// Package feed turns RSS, Atom and JSON Feed documents into corpus
// articles. A Fetcher fetches feed URLs with conditional GETs (ETag and
// Last-Modified kept per URL in a State the caller may persist) or reads
// feed files, and reports which items are new and which changed since the
// previous fetch. Parsing is done by github.com/mmcdole/gofeed.
package feed

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
	"github.com/newsdesk/newsdesk/corpus"
)

// item is one feed entry turned into an article.
type item struct {
	art     corpus.Article
	updated time.Time // last update, else publication; zero when unknown
}

// document is a parsed feed.
type document struct {
	title string
	items []item
}

// Parse reads a feed (RSS, Atom or JSON Feed) from r and returns one
// article per item, in feed order; source is the feed's URL or file path,
// used as Article.Path, as the base of relative links and to scope item
// ids that are not URLs. Items without text are skipped with a warning.
// err is non-nil when r is not a feed.
func Parse(r io.Reader, source string) ([]corpus.Article, []error, error) {
	doc, warns, err := parse(r, source)
	if err != nil {
		return nil, nil, err
	}
	arts := make([]corpus.Article, len(doc.items))
	for i, it := range doc.items {
		arts[i] = it.art
	}
	return arts, warns, nil
}

// parse parses a feed document; gofeed's panics on hostile input are
// turned into errors.
func parse(r io.Reader, source string) (doc document, warns []error, err error) {
	var f *gofeed.Feed
	func() {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("parse feed: parser failed: %v", p)
			}
		}()
		f, err = gofeed.NewParser().Parse(r)
	}()
	if err != nil {
		if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
			return doc, nil, errors.New("not an RSS, Atom or JSON feed")
		}
		return doc, nil, fmt.Errorf("parse feed: %w", err)
	}
	doc.title = oneLine(f.Title)
	// Relative item links resolve against the site's link, else the
	// feed's own URL.
	base, _ := url.Parse(source)
	if l := corpus.WebURL(f.Link); l != "" {
		if u, err := url.Parse(l); err == nil {
			base = u
		}
	}
	scope := corpus.WebURL(f.Link)
	if scope == "" {
		scope = source
	}
	seen := map[string]bool{}
	for i, fi := range f.Items {
		if fi == nil {
			continue
		}
		it, warn, ok := toItem(fi, doc.title, source, scope, base)
		where := fmt.Sprintf("item %d", i+1)
		if warn != nil {
			warns = append(warns, fmt.Errorf("%s: %w", where, warn))
		}
		if !ok {
			continue
		}
		if seen[it.art.ID] {
			warns = append(warns, fmt.Errorf("%s: duplicate id %s (same guid or link as an earlier item); skipped", where, it.art.ID))
			continue
		}
		seen[it.art.ID] = true
		doc.items = append(doc.items, it)
	}
	return doc, warns, nil
}

// toItem converts one feed item. ok is false when it has no text; warn
// reports a dropped link or the reason it was skipped.
func toItem(fi *gofeed.Item, feedTitle, source, scope string, base *url.URL) (it item, warn error, ok bool) {
	a := corpus.Article{
		ID:     ItemID(scope, fi.GUID, fi.Link, fi.Title, fi.Published),
		Title:  oneLine(fi.Title),
		Source: feedTitle,
		Byline: authors(fi),
		Path:   source,
	}
	if fi.Link != "" {
		a.URL = resolve(base, fi.Link)
		if a.URL == "" {
			warn = fmt.Errorf("link %q is not an http(s) URL; dropped", clip(fi.Link, 60))
		}
	}
	if fi.PublishedParsed != nil {
		a.Published = fi.PublishedParsed.UTC()
	}
	if fi.UpdatedParsed != nil {
		it.updated = fi.UpdatedParsed.UTC()
	}
	if a.Published.IsZero() {
		a.Published = it.updated
	}
	if it.updated.IsZero() {
		it.updated = a.Published
	}
	body := fi.Content
	if strings.TrimSpace(body) == "" {
		body = fi.Description
	}
	a, err := corpus.FromHTML(a, body)
	if err != nil {
		return it, fmt.Errorf("no content or description text; skipped"), false
	}
	it.art = a
	return it, warn, true
}

// resolve returns link as an absolute http(s) URL, resolved against base
// when relative, or "".
func resolve(base *url.URL, link string) string {
	link = strings.TrimSpace(link)
	if u := corpus.WebURL(link); u != "" {
		return u
	}
	if base == nil || (base.Scheme != "http" && base.Scheme != "https") {
		return ""
	}
	ref, err := url.Parse(link)
	if err != nil || ref.Scheme != "" {
		return ""
	}
	return corpus.WebURL(base.ResolveReference(ref).String())
}

// authors joins the item's author names.
func authors(fi *gofeed.Item) string {
	var names []string
	for _, p := range fi.Authors {
		if p != nil && strings.TrimSpace(p.Name) != "" {
			names = append(names, oneLine(p.Name))
		}
	}
	if len(names) == 0 && fi.Author != nil {
		if n := oneLine(fi.Author.Name); n != "" {
			names = append(names, n)
		}
	}
	return strings.Join(names, ", ")
}

// oneLine trims s and collapses its white space, as titles and names are
// shown on one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ToValidUTF8(s, "\uFFFD")), " ")
}

// clip shortens s to at most n bytes (on a rune boundary) for a message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// maxSlug bounds the readable part of an item id.
const maxSlug = 48

// ItemID returns the stable, filesystem-safe article id of a feed item:
// a readable slug of its GUID (else its link, else its title and date)
// and 12 hex digits of its SHA-256, e.g.
// "example-com-2024-05-dam-fails-3f2a9c0b1d4e". A GUID that is not an
// absolute URI ("12345") is scoped by the feed (scope: its site link or
// URL), so two feeds' item 12345 differ; a URL GUID is not, so the same
// article reached through two feeds keeps one id. Ids use only a-z, 0-9
// and "-".
func ItemID(scope, guid, link, title, published string) string {
	key := strings.TrimSpace(guid)
	if key == "" {
		key = strings.TrimSpace(link)
	}
	if key == "" {
		key = strings.TrimSpace(title) + "\x00" + strings.TrimSpace(published)
	}
	if u, err := url.Parse(key); err != nil || u.Scheme == "" || u.Host == "" && u.Opaque == "" {
		key = scope + "\x00" + key
	}
	sum := sha256.Sum256([]byte(key))
	s := slug(key)
	if s == "" {
		s = "item"
	}
	return s + "-" + hex.EncodeToString(sum[:6])
}

// slug lower-cases s without its URL scheme and "www.", and replaces each
// run of other characters than a-z and 0-9 with "-", keeping at most
// maxSlug bytes.
func slug(s string) string {
	s = strings.ToLower(s)
	for _, p := range []string{"https://", "http://", "tag:", "urn:"} {
		s = strings.ReplaceAll(s, p, "")
	}
	s = strings.ReplaceAll(s, "www.", "")
	var b bytes.Buffer
	dash := false
	for i := 0; i < len(s) && b.Len() < maxSlug; i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteByte(c)
			continue
		}
		dash = true
	}
	return strings.TrimRight(b.String(), "-")
}
