package main

import (
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/rivo/uniseg"

	"github.com/newsdesk/newsdesk/bot"
	"github.com/newsdesk/newsdesk/corpus"
)

// openTarget is what :open shows: an article, and optionally the
// paragraph (and the quote in it) to mark.
type openTarget struct {
	id    string
	para  int    // 0-based paragraph index to mark, -1 for none
	quote string // quoted text to highlight in that paragraph
	start int    // byte offset of the quote in Article.Text(), -1 if unknown
}

// open handles ":open ARG": a citation number of the last answer, an
// article id, or a link ("newsdesk:ID#pN", ".../articles/ID#pN").
func (r *repl) open(arg string) error {
	if arg == "" {
		return fmt.Errorf("usage: :open N (a citation of the last answer) or :open ARTICLE_ID")
	}
	t, err := r.resolveOpen(arg)
	if err != nil {
		return err
	}
	a := r.articleByID(t.id)
	if a == nil {
		return fmt.Errorf("no article %q in the index (see :sources)", t.id)
	}
	writeArticle(r.out, a, t, articleStyle{color: r.color, links: r.style.Hyperlinks, width: r.wrapWidth()})
	if r.tty && t.para >= 0 && t.para < len(a.Paragraphs) && len(a.Paragraphs) > 8 {
		// A long article scrolls the marked paragraph away: say where it is.
		r.info(fmt.Sprintf("▶ marks p%d, the quoted paragraph", t.para))
	}
	return nil
}

func (r *repl) wrapWidth() int {
	if !r.tty {
		return 0 // no wrapping in a pipe: one line per paragraph
	}
	w := termWidth(r.out) // the window may have been resized
	if w > 100 {
		w = 100
	}
	return w
}

func (r *repl) resolveOpen(arg string) (openTarget, error) {
	if n, err := strconv.Atoi(strings.TrimPrefix(arg, "#")); err == nil {
		if c := r.citation(n); c != nil {
			return openTarget{id: c.ArticleID, para: c.Para, quote: c.Quote, start: c.Start}, nil
		}
		if r.articleByID(arg) == nil {
			if r.last == nil || len(r.last.Citations) == 0 {
				return openTarget{}, fmt.Errorf("no citation %d: the last answer has no citations (:open ARTICLE_ID opens an article)", n)
			}
			return openTarget{}, fmt.Errorf("no citation %d: the last answer has citations 1 to %d", n, len(r.last.Citations))
		}
	}
	return parseArticleRef(arg), nil
}

// citation returns citation n of the last answer, or nil.
func (r *repl) citation(n int) *bot.Citation {
	if r.last == nil {
		return nil
	}
	for i := range r.last.Citations {
		if r.last.Citations[i].N == n {
			return &r.last.Citations[i]
		}
	}
	return nil
}

// parseArticleRef parses an article reference: "ID", "newsdesk:ID#pN",
// or a serve link ".../articles/ID#pN". The paragraph in a link is the
// one bot.Linker wrote (Citation.Para, 0-based).
func parseArticleRef(ref string) openTarget {
	t := openTarget{para: -1, start: -1}
	s := ref
	switch {
	case strings.HasPrefix(s, "newsdesk:"):
		s = strings.TrimPrefix(s, "newsdesk:")
	case strings.Contains(s, "/articles/"):
		s = s[strings.LastIndex(s, "/articles/")+len("/articles/"):]
		if u, err := url.PathUnescape(strings.SplitN(s, "#", 2)[0]); err == nil {
			if _, frag, ok := strings.Cut(s, "#"); ok {
				s = u + "#" + frag
			} else {
				s = u
			}
		}
	default:
		t.id = ref
		return t
	}
	id, frag, _ := strings.Cut(s, "#")
	t.id = id
	if p, ok := strings.CutPrefix(frag, "p"); ok {
		if n, err := strconv.Atoi(p); err == nil && n >= 0 {
			t.para = n
		}
	}
	return t
}

type articleStyle struct {
	color bool
	links bool // OSC 8 hyperlinks
	width int  // wrap paragraphs at this width; 0 = no wrapping
}

// writeArticle prints an article with numbered paragraphs, marking
// paragraph t.para and highlighting the quote in it.
//
// Article text is untrusted: every field is stripped of terminal control
// sequences before the command adds its own styles and links.
func writeArticle(w io.Writer, a *corpus.Article, t openTarget, st articleStyle) {
	title := a.Title
	if title == "" {
		title = displayTitle(a, 72)
	}
	fmt.Fprintln(w, style(st.color, ansiBold, safe(title)))
	meta := []string{a.SourceName()}
	if d := a.Date(); d != "" {
		meta = append(meta, d)
	}
	if a.Byline != "" {
		meta = append(meta, a.Byline)
	}
	meta = append(meta, "id "+a.ID)
	fmt.Fprintln(w, style(st.color, ansiDim, safe(strings.Join(meta, " · "))))
	if u := safe(a.URL); bot.IsWebURL(u) {
		fmt.Fprintln(w, hyperlink(st.links, u, u))
	}
	// Paragraphs and the quote are stripped alike, so the quote is still
	// found in its paragraph (by search when stripping moved it).
	paras := make([]string, len(a.Paragraphs))
	for i, p := range a.Paragraphs {
		paras[i] = safe(p)
	}
	t.quote = safe(t.quote)
	fmt.Fprintln(w)

	// Locate the quote in the marked paragraph: by offset when it checks
	// out, else by search.
	qStart, qEnd := -1, -1
	if t.para >= 0 && t.para < len(paras) && t.quote != "" {
		p := paras[t.para]
		off := t.start - a.ParagraphOffset(t.para)
		if t.start >= 0 && off >= 0 && off+len(t.quote) <= len(p) && p[off:off+len(t.quote)] == t.quote {
			qStart, qEnd = off, off+len(t.quote)
		} else if i := strings.Index(p, t.quote); i >= 0 {
			qStart, qEnd = i, i+len(t.quote)
		}
	}

	// Paragraphs are labelled as links name them ("newsdesk:ID#p3" is p3).
	numWidth := 1 + len(strconv.Itoa(len(paras)-1))
	for i, p := range paras {
		marked := i == t.para
		label := fmt.Sprintf("%*s", numWidth, "p"+strconv.Itoa(i))
		margin := "  "
		if marked {
			margin = "> "
			if st.color {
				margin = "▶ "
			}
		}
		prefix := margin + label + "  "
		indent := strings.Repeat(" ", uniseg.StringWidth(prefix))
		lines := wrap(p, st.width-len(indent))
		// Highlight after wrapping, per line, so escapes never break a
		// line measurement.
		if marked && st.color {
			lines = highlight(lines, p, qStart, qEnd)
		}
		for j, line := range lines {
			lead := indent
			if j == 0 {
				lead = prefix
				if marked {
					lead = style(st.color, ansiMark, margin) + label + "  "
				} else {
					lead = margin + style(st.color, ansiDim, label) + "  "
				}
			}
			fmt.Fprintln(w, lead+line)
		}
	}
}

// wrap breaks text into lines of at most width columns at spaces; width
// < 20 means no wrapping. A word longer than a line is broken at the next
// space. Lines are exact substrings of text, in order, each break removing
// exactly one space, so strings.Join(lines, " ") == text. Linear time:
// articles are untrusted input and a "paragraph" may be megabytes long.
func wrap(text string, width int) []string {
	if width < 20 {
		return []string{text}
	}
	var lines []string
	start, col := 0, 0             // current line: byte offset, columns so far
	lastSpace, colAtSpace := -1, 0 // last break point in the current line
	for i, r := range text {
		if r == ' ' && i > start {
			lastSpace, colAtSpace = i, col
		}
		w := 1
		if r >= utf8.RuneSelf {
			w = uniseg.StringWidth(string(r))
		}
		if col+w > width && lastSpace > start {
			lines = append(lines, text[start:lastSpace])
			start = lastSpace + 1
			col -= colAtSpace + 1
			lastSpace = -1
		}
		col += w
	}
	return append(lines, text[start:])
}

// highlight styles bytes [qs, qe) of paragraph p across its wrapped lines.
func highlight(lines []string, p string, qs, qe int) []string {
	if qs < 0 || qe <= qs {
		return lines
	}
	out := make([]string, len(lines))
	pos := 0
	for i, line := range lines {
		// Each line is a substring of p; find where it starts.
		if j := strings.Index(p[pos:], line); j >= 0 {
			pos += j
		}
		ls, le := pos, pos+len(line)
		s, e := max(qs, ls), min(qe, le)
		if s < e {
			line = line[:s-ls] + ansiMark + line[s-ls:e-ls] + ansiReset + line[e-ls:]
		}
		out[i] = line
		pos = le
	}
	return out
}

// hyperlink wraps text in an OSC 8 terminal hyperlink to u.
func hyperlink(on bool, u, text string) string {
	if !on || u == "" {
		return text
	}
	return "\x1b]8;;" + u + "\x1b\\" + text + "\x1b]8;;\x1b\\"
}
