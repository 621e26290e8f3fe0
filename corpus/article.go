// Package corpus is the domain core of Newsdesk: the Article model, the
// loaders that turn files into articles, the boilerplate cleaner and the
// sentence splitter. It imports no network or chat code.
//
// An Article keeps its text as cleaned paragraphs. Cleaning only ever drops
// whole paragraphs (and trims surrounding white space), so every paragraph is
// a verbatim line of the source file and every quote taken from it can be
// checked against the original.
package corpus

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// DateLayout is how publication dates are written in front matter, JSON
// output and citations.
const DateLayout = "2006-01-02"

// Article is one news article after loading and cleaning.
type Article struct {
	ID        string    // stable: front-matter id, else the file name stem
	Title     string    // headline; may be empty
	URL       string    // canonical link; empty when unknown (never invented)
	Source    string    // outlet, e.g. "Time"; may be empty
	Byline    string    // author(s); may be empty
	Published time.Time // zero when unknown
	Path      string    // file it was loaded from ("" for generated articles)

	// Paragraphs are the cleaned paragraphs, each verbatim from the source.
	Paragraphs []string
}

// Text returns the article body: the paragraphs joined by a blank line.
// Character offsets elsewhere in Newsdesk are byte offsets into this string.
func (a *Article) Text() string { return strings.Join(a.Paragraphs, "\n\n") }

// Date returns the publication date as YYYY-MM-DD, or "" when unknown.
func (a *Article) Date() string {
	if a.Published.IsZero() {
		return ""
	}
	return a.Published.Format(DateLayout)
}

// ParagraphOffset returns the byte offset of paragraph i in Text().
func (a *Article) ParagraphOffset(i int) int {
	off := 0
	for j := 0; j < i && j < len(a.Paragraphs); j++ {
		off += len(a.Paragraphs[j]) + 2
	}
	return off
}

// Hash identifies the article's content and metadata; the index uses it to
// skip re-embedding articles that have not changed.
func (a *Article) Hash() string {
	h := sha256.New()
	for _, s := range []string{a.ID, a.Title, a.URL, a.Source, a.Byline, a.Date()} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	for _, p := range a.Paragraphs {
		h.Write([]byte(p))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// SourceName is the outlet for display: Source, else the URL's host, else
// "unknown outlet".
func (a *Article) SourceName() string {
	if a.Source != "" {
		return a.Source
	}
	if h := hostOf(a.URL); h != "" {
		return h
	}
	return "unknown outlet"
}

func hostOf(u string) string {
	i := strings.Index(u, "://")
	if i < 0 {
		return ""
	}
	rest := u[i+3:]
	if j := strings.IndexAny(rest, "/?#"); j >= 0 {
		rest = rest[:j]
	}
	return strings.TrimPrefix(rest, "www.")
}
