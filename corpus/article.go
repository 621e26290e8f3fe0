// Package corpus is the domain core of Newsdesk: the Article model, the
// loaders that turn files into articles, the boilerplate cleaner and the
// sentence splitter. It imports no network or chat code.
//
// An Article keeps its text as cleaned paragraphs. Cleaning only ever drops
// whole paragraphs (and trims surrounding white space), so every paragraph is
// a verbatim line of the source file and every quote taken from it can be
// checked against the original.
//
// # Corpus formats
//
// LoadFS, LoadDir and LoadPath read a directory tree (or one file) and choose
// the format by extension. Article IDs come from an "id" field, else the file
// name stem; articles are returned sorted by ID.
//
//   - .txt: one paragraph per line (blank lines are ignored). The first line
//     is the headline when it looks like one: at most 150 characters, no
//     sentence-final period, followed by a blank line or in Title Case. A
//     headline "Headline – Outlet" (also "|" or "-") with a short outlet name
//     sets Title and Source. A "By Jane Roe" line below it sets Byline.
//   - .md: optional YAML front matter between "---" lines with the fields
//     id, title, url, source, byline (or author), published (or date;
//     YYYY-MM-DD or RFC 3339). Unknown fields are ignored; invalid YAML
//     fails the file. The body is read like .txt, verbatim (markdown syntax
//     is kept); heading or plain lines that repeat the title are dropped.
//     Without front matter a leading "# Heading" is the title.
//   - .html, .htm: the main text is extracted with go-readability, one
//     paragraph per block element; title, byline, publication time and
//     site name come from the page metadata, the URL from
//     <link rel="canonical"> or og:url. Legacy charsets are decoded.
//     Markup nested deeper than MaxHTMLDepth is flattened (its text kept),
//     a page nested more than 512 elements deep is rejected, and a page
//     whose extraction takes longer than DefaultExtractTimeout is skipped.
//   - .json (one object or an array of objects) and .jsonl (one object per
//     line): fields id, title, url, source, byline (or author), published
//     (or date) and the text in body, text or content (the first non-empty;
//     a string, a list of paragraphs, or HTML). Entries without id get
//     "stem-N", N counting from 1 (line number for .jsonl). These exports
//     are read entry by entry (a .jsonl file line by line, a .json array
//     with a json.Decoder), so a file may be far larger than one article:
//     the size limit (LoadOptions.MaxArticleSize) applies to each line or
//     entry, and one that is too large or malformed is skipped with a
//     warning naming its line or entry number while the rest load. In a
//     .json array, an entry that is not even valid JSON ends the file
//     (entries before it still load).
//
// A file that is not text is skipped with a warning whatever its
// extension: one that starts like a known binary format (ELF, Mach-O,
// ZIP, gzip, zstd, xz, PDF, PNG, JPEG, GIF, ...), holds NUL bytes, is
// UTF-16 (except HTML), or whose start is mostly control characters or
// invalid UTF-8.
//
// Hidden files and directories (".git") and README.md are ignored; other
// extensions, unreadable files, articles over MaxArticleSize, malformed entries,
// duplicate IDs (the later file loses) and articles left without text
// after Clean are skipped with a warning, never silently. Text that is not
// valid UTF-8 is decoded as Windows-1252 or repaired, with a warning.
// Only regular files are read: FIFOs, devices and sockets are skipped with
// a warning (opened without blocking, their mode and size checked before
// any byte is read). Symbolic links inside a directory are skipped unless
// LoadOptions.FollowSymlinks, and even then are followed only to regular
// files inside the same directory; nothing below /proc, /sys or /dev is
// ever read.
//
// The embedded default corpus (Default) holds five reports of 10 September
// 2022 as .md files: the original text unchanged below front matter that
// records only what each article itself states.
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
	URL       string    // canonical absolute http(s) link; empty when unknown (never invented, other schemes dropped at load)
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
