package corpus

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// Supported file extensions (lower case) and what parses them.
var parsers = map[string]func(name string, text string) ([]Article, []error, error){
	".txt":   parseTxt,
	".md":    parseMarkdown,
	".json":  parseJSON,
	".jsonl": parseJSONL,
	".html":  parseHTMLFile,
	".htm":   parseHTMLFile,
}

// ErrUnsupported is returned (wrapped) for a file whose extension no parser
// handles.
var ErrUnsupported = errors.New("skipped unsupported file")

// Parse parses one file's contents, choosing the format by the extension of
// name (.txt, .md, .json, .jsonl, .html, .htm). Articles get the file name
// stem as ID unless the file gives one, name as Path, and are cleaned (see
// Clean). It returns the articles it could load; err reports every problem
// found, wrapped with name, and may be non-nil alongside articles when only
// part of the file was bad (a malformed JSONL line, an entry without body).
// HTML extraction is bounded by DefaultExtractTimeout.
func Parse(name string, data []byte) ([]Article, error) {
	arts, warns, err := parse(context.Background(), LoadOptions{}, name, data)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", name, err)
	}
	for i, w := range warns {
		warns[i] = fmt.Errorf("load %s: %w", name, w)
	}
	return arts, errors.Join(warns...)
}

// parse is Parse with warnings (problems that did not stop the file from
// loading) kept apart from the fatal error. Neither is wrapped with name.
// HTML extraction stops when ctx is done or opt.ExtractTimeout has passed.
func parse(ctx context.Context, opt LoadOptions, name string, data []byte) ([]Article, []error, error) {
	ext := strings.ToLower(path.Ext(name))
	p, ok := parsers[ext]
	if !ok {
		return nil, nil, ErrUnsupported
	}
	isHTML := ext == ".html" || ext == ".htm"
	if streamed(ext) {
		return readStream(ctx, opt, name, ext, bytes.NewReader(data))
	}
	if err := notText(bytes.TrimPrefix(data, utf8BOM), isHTML); err != nil {
		return nil, nil, err
	}
	text, warn := toUTF8(data, isHTML)
	var (
		arts  []Article
		warns []error
		err   error
	)
	if isHTML {
		arts, warns, err = parseHTMLBounded(ctx, opt.ExtractTimeout, name, text)
	} else {
		arts, warns, err = p(name, text)
	}
	if err != nil {
		return nil, nil, err
	}
	warns = append(warns, fixURLs(arts)...)
	if warn != nil {
		warns = append([]error{warn}, warns...)
	}
	return arts, warns, nil
}

// clip shortens s to at most n runes for a message.
func clip(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i] + "…"
		}
		n--
	}
	return s
}

// stem is the file name without directory and extension.
func stem(name string) string {
	base := path.Base(strings.ReplaceAll(name, "\\", "/"))
	return strings.TrimSuffix(base, path.Ext(base))
}

// finish cleans lines into a's paragraphs, drops a leading headline that
// repeats the title, and rejects an article left without text.
func finish(a Article, lines []string) (Article, error) {
	paras := Clean(lines)
	if len(paras) > 0 && a.Title != "" && isHeadlineOf(paras[0], a.Title) {
		paras = paras[1:]
	}
	if len(paras) == 0 {
		return Article{}, errors.New("no article text after cleaning; skipped")
	}
	a.Paragraphs = paras
	return a, nil
}

// splitLines splits text into lines on \n, \r\n or \r.
func splitLines(text string) []string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	return strings.Split(text, "\n")
}

// parseTxt reads plain text: one paragraph a line, blank lines ignored. The
// first line of text is the headline when it looks like one (see
// headlineAt); a "By Jane Roe" line right below it (or first) is the byline.
func parseTxt(name, text string) ([]Article, []error, error) {
	a := Article{ID: stem(name), Path: name}
	lines := splitLines(text)
	if i := headlineAt(lines); i >= 0 {
		a.Title, a.Source = splitHeadline(trimPara(lines[i]))
		lines = append(lines[:i:i], lines[i+1:]...)
	}
	if i := firstText(lines); i >= 0 && firstText(lines[i+1:]) >= 0 {
		if b, ok := bylineOf(trimPara(lines[i])); ok {
			a.Byline = b
			lines = append(lines[:i:i], lines[i+1:]...)
		}
	}
	a, err := finish(a, lines)
	if err != nil {
		return nil, nil, err
	}
	return []Article{a}, nil, nil
}

// headlineAt returns the index of the line that is the article's headline,
// or -1. Only the first line that is not boilerplate is considered; it is a
// headline when it is short, does not end like a sentence, other text
// follows, and it is followed by a blank line or written in Title Case.
func headlineAt(lines []string) int {
	first := -1
	for i, l := range lines {
		l = trimPara(l)
		if l == "" || isBoilerplate(l) {
			continue
		}
		if first < 0 {
			first = i
			continue
		}
		// Some text follows the first line.
		h := trimPara(lines[first])
		nextBlank := first+1 < len(lines) && trimPara(lines[first+1]) == ""
		if looksLikeHeadline(h) && (nextBlank || titleCaseish(h)) {
			return first
		}
		return -1
	}
	return -1
}

// firstText returns the index of the first line that is article text
// (neither blank nor boilerplate), or -1.
func firstText(lines []string) int {
	for i, l := range lines {
		if l = trimPara(l); l != "" && !isBoilerplate(l) {
			return i
		}
	}
	return -1
}

// bylineOf recognises a byline line, "By Jane Roe and John Doe" or
// "BY JANE ROE, Reuters", and returns the names.
func bylineOf(line string) (string, bool) {
	rest, ok := strings.CutPrefix(line, "By ")
	if !ok {
		rest, ok = strings.CutPrefix(line, "BY ")
	}
	if !ok || utf8.RuneCountInString(line) > 80 || strings.ContainsAny(rest, "?!:;“”\"") {
		return "", false
	}
	rest = strings.TrimSpace(rest)
	words := strings.Fields(rest)
	if len(words) == 0 || len(words) > 10 {
		return "", false
	}
	for _, w := range words {
		w = strings.TrimRight(w, ",")
		if w == "and" || outletConnectors[w] {
			continue
		}
		if r, _ := utf8.DecodeRuneInString(w); !unicode.IsUpper(r) {
			return "", false
		}
	}
	if last := words[len(words)-1]; strings.HasSuffix(last, ".") && utf8.RuneCountInString(last) > 3 {
		return "", false // a sentence, not a name ("By Then It Was Over.")
	}
	return rest, true
}

func looksLikeHeadline(h string) bool {
	if utf8.RuneCountInString(h) > 150 || len(strings.Fields(h)) < 2 {
		return false
	}
	core := strings.TrimRightFunc(h, isCloser)
	last, _ := utf8.DecodeLastRuneInString(core)
	switch last {
	case '.', ',', ';', ':', '…':
		return false
	}
	return true
}

// titleCaseish reports whether most longer words start with a capital.
func titleCaseish(h string) bool {
	var long, upper int
	for _, w := range strings.Fields(h) {
		w = strings.TrimLeftFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if utf8.RuneCountInString(w) < 4 {
			continue
		}
		long++
		if r, _ := utf8.DecodeRuneInString(w); unicode.IsUpper(r) || unicode.IsDigit(r) {
			upper++
		}
	}
	return long >= 2 && upper*10 >= long*7
}

// headlineSeps separate a headline from a trailing outlet name.
var headlineSeps = []string{" – ", " — ", " | ", " - ", " :: ", " · "}

// splitHeadline splits "Headline – Outlet" into its parts. The outlet must
// be short (at most four words) and look like a name; otherwise the whole
// line is the title.
func splitHeadline(line string) (title, source string) {
	cut := -1
	sepLen := 0
	for _, sep := range headlineSeps {
		if i := strings.LastIndex(line, sep); i > cut {
			cut, sepLen = i, len(sep)
		}
	}
	if cut <= 0 {
		return line, ""
	}
	head := strings.TrimSpace(line[:cut])
	outlet := strings.TrimSpace(line[cut+sepLen:])
	if head == "" || !looksLikeOutlet(outlet) {
		return line, ""
	}
	return head, outlet
}

func looksLikeOutlet(s string) bool {
	words := strings.Fields(s)
	if len(words) == 0 || len(words) > 4 || utf8.RuneCountInString(s) > 40 {
		return false
	}
	if strings.ContainsAny(s, "?!:;,") {
		return false
	}
	for i, w := range words {
		r, _ := utf8.DecodeRuneInString(w)
		if unicode.IsUpper(r) || unicode.IsDigit(r) {
			continue
		}
		if i > 0 && outletConnectors[w] {
			continue
		}
		return false
	}
	return true
}

var outletConnectors = setOf("of", "the", "and", "&", "de", "du", "la", "le", "el", "der", "die", "on", "in", "for")

// isHeadlineOf reports whether paragraph p repeats the title: the same
// text, as a markdown heading, or followed by an outlet ("Title – Outlet").
func isHeadlineOf(p, title string) bool {
	p = strings.TrimSpace(stripHeading(p))
	title = strings.TrimSpace(title)
	if p == "" || title == "" {
		return false
	}
	if p == title {
		return true
	}
	head, _ := splitHeadline(p)
	return head != p && head == title
}

// stripHeading removes a markdown ATX heading marker ("## Title ##").
func stripHeading(s string) string {
	t, ok := markdownHeading(s)
	if !ok {
		return s
	}
	return t
}

// markdownHeading returns the text of an ATX heading line.
func markdownHeading(s string) (string, bool) {
	s = strings.TrimSpace(s)
	i := 0
	for i < len(s) && i < 7 && s[i] == '#' {
		i++
	}
	if i == 0 || i > 6 || i == len(s) || (s[i] != ' ' && s[i] != '\t') {
		return "", false
	}
	t := strings.TrimSpace(s[i:])
	t = strings.TrimSpace(strings.TrimRight(t, "#"))
	return t, t != ""
}

// toUTF8 returns data as valid UTF-8 text without a byte-order mark.
// Invalid input is decoded as Windows-1252 when it looks like a legacy
// 8-bit file (HTML: as its declared charset), else invalid bytes become
// U+FFFD; either way a warning says so.
func toUTF8(data []byte, isHTML bool) (string, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if utf8.Valid(data) {
		return string(data), nil
	}
	if isHTML {
		if s, name, ok := decodeHTMLCharset(data); ok {
			return s, fmt.Errorf("not valid UTF-8; decoded as %s", name)
		}
	}
	valid, invalid := 0, 0
	for i := 0; i < len(data); {
		r, w := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && w == 1:
			invalid++
		case w > 1:
			valid++
		}
		i += w
	}
	if valid == 0 {
		if s, err := charmap.Windows1252.NewDecoder().Bytes(data); err == nil && utf8.Valid(s) {
			return string(s), errors.New("not valid UTF-8; decoded as Windows-1252")
		}
	}
	return strings.ToValidUTF8(string(data), "\uFFFD"),
		fmt.Errorf("not valid UTF-8; %d invalid bytes replaced with U+FFFD", invalid)
}

// dateLayouts are the publication date formats accepted in metadata.
var dateLayouts = []string{
	DateLayout,
	time.RFC3339,
	time.RFC3339Nano,
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05 -0700 MST",
	time.RFC1123Z,
	time.RFC1123,
	time.RFC822Z,
	time.RFC822,
	"January 2, 2006",
	"Jan 2, 2006",
	"2 January 2006",
	"2006/01/02",
}

// parseDate parses a publication date; "" gives the zero time.
func parseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("unrecognised published date %q (want YYYY-MM-DD or RFC 3339); ignored", s)
}
