package corpus

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// DefaultMaxArticleSize is the largest article the loaders read unless
// LoadOptions.MaxArticleSize says otherwise: a whole .txt, .md or .html
// file, one line of a .jsonl file or one entry of a .json array.
const DefaultMaxArticleSize = MaxFileSize

// DefaultMaxExportSize is the largest .json or .jsonl file the loaders
// read unless LoadOptions.MaxExportSize says otherwise. Such exports are
// read article by article, so their size is bounded only to keep a
// runaway file from being read forever.
const DefaultMaxExportSize = 8 << 30

// streamBufSize is the read buffer of a streamed export.
const streamBufSize = 64 << 10

func (o LoadOptions) maxArticle() int64 {
	if o.MaxArticleSize > 0 {
		return o.MaxArticleSize
	}
	return DefaultMaxArticleSize
}

func (o LoadOptions) maxExport() int64 {
	if o.MaxExportSize > 0 {
		return o.MaxExportSize
	}
	return DefaultMaxExportSize
}

// streamed reports the extensions read article by article from the file
// instead of whole.
func streamed(ext string) bool { return ext == ".json" || ext == ".jsonl" }

// parseJSON reads a .json file held in memory (see readStream).
func parseJSON(name, text string) ([]Article, []error, error) {
	return readStream(context.Background(), LoadOptions{}, name, ".json", strings.NewReader(text))
}

// parseJSONL reads a .jsonl file held in memory (see readStream).
func parseJSONL(name, text string) ([]Article, []error, error) {
	return readStream(context.Background(), LoadOptions{}, name, ".jsonl", strings.NewReader(text))
}

// readStream reads a .json or .jsonl export from r article by article:
// memory use is bounded by opt.MaxArticleSize, not by the size of the
// file. A file that is not text is an error; a bad entry or line is a
// warning and the rest still load. Warnings are not wrapped with name.
func readStream(ctx context.Context, opt LoadOptions, name, ext string, r io.Reader) ([]Article, []error, error) {
	br := bufio.NewReaderSize(r, streamBufSize)
	head, err := br.Peek(sniffLen)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, nil, fmt.Errorf("read: %w", err)
	}
	if bytes.HasPrefix(head, utf8BOM) {
		_, _ = br.Discard(len(utf8BOM))
		head = head[len(utf8BOM):]
	}
	if err := notText(head, false); err != nil {
		return nil, nil, err
	}
	s := &stream{ctx: ctx, name: name, max: opt.maxArticle()}
	if ext == ".jsonl" {
		err = s.readJSONL(br)
	} else {
		err = s.readJSON(br)
	}
	if err != nil {
		return nil, nil, err
	}
	if s.badText > 0 {
		s.warns = append(s.warns, fmt.Errorf("%d %s not valid UTF-8 (first: %s); decoded as Windows-1252 or repaired with U+FFFD",
			s.badText, plural(s.badText, "entry", "entries"), s.firstBad))
	}
	return s.arts, append(s.warns, fixURLs(s.arts)...), nil
}

var utf8BOM = []byte("\xef\xbb\xbf")

// stream is the state of one export being read.
type stream struct {
	ctx   context.Context
	name  string
	max   int64
	arts  []Article
	warns []error

	badText  int    // entries that were not valid UTF-8
	firstBad string // where the first of them was
}

// add decodes one entry. Invalid UTF-8 is decoded (see toUTF8) and counted
// for one warning per file rather than one per entry.
func (s *stream) add(data []byte, n int, where string) {
	text, warn := toUTF8(data, false)
	if warn != nil {
		if s.badText == 0 {
			s.firstBad = where
		}
		s.badText++
	}
	a, w, err := decodeArticle([]byte(text), s.name, n, where)
	s.warns = append(s.warns, w...)
	if err == nil {
		s.arts = append(s.arts, a)
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// readJSONL reads one article object per line. A line that is not a valid
// article, or longer than s.max, is skipped with a warning naming its line
// number.
func (s *stream) readJSONL(br *bufio.Reader) error {
	var line []byte
	for n := 1; ; n++ {
		if n%256 == 0 {
			if err := s.ctx.Err(); err != nil {
				return err
			}
		}
		var tooLong, eof bool
		line = line[:0]
		for {
			chunk, err := br.ReadSlice('\n')
			if !tooLong {
				if int64(len(line)+len(chunk)) > s.max+1 { // +1: the newline
					tooLong = true
					line = line[:0]
				} else {
					line = append(line, chunk...)
				}
			}
			if errors.Is(err, bufio.ErrBufferFull) {
				continue
			}
			if errors.Is(err, io.EOF) {
				eof = true
			} else if err != nil {
				s.warns = append(s.warns, fmt.Errorf("line %d: read: %w; the rest of the file is skipped", n, err))
				return nil
			}
			break
		}
		if tooLong {
			s.warns = append(s.warns, fmt.Errorf("line %d: longer than %d bytes; skipped", n, s.max))
		} else if t := bytes.TrimSpace(line); len(t) > 0 {
			s.add(t, n, fmt.Sprintf("line %d", n))
		}
		if eof {
			return nil
		}
	}
}

// errEntryTooLarge stops a JSON decoder at an entry larger than the
// article limit.
var errEntryTooLarge = errors.New("entry too large")

// budgetReader lets a JSON decoder read at most up to limit bytes of its
// input (counted from the start), so one huge entry cannot be buffered.
type budgetReader struct {
	r     io.Reader
	read  int64
	limit int64
}

func (b *budgetReader) Read(p []byte) (int, error) {
	if b.read >= b.limit {
		return 0, errEntryTooLarge
	}
	if rest := b.limit - b.read; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := b.r.Read(p)
	b.read += int64(n)
	return n, err
}

// readJSON reads one article object, or an array of them entry by entry
// with a json.Decoder. In an array, an entry that is not a valid article
// is skipped with a warning, as is an entry larger than s.max (its bytes
// are skipped without being kept); an entry that is not even valid JSON
// ends the file with a warning, keeping the entries before it.
func (s *stream) readJSON(br *bufio.Reader) error {
	first, err := firstByte(br)
	if err != nil {
		return err
	}
	switch first {
	case '{':
		return s.readJSONObject(br)
	case '[':
	default:
		return fmt.Errorf("invalid JSON: want an object or an array, found %q", first)
	}
	// slack covers the separator and white space before an entry and
	// lets an entry just over the limit be decoded and then refused.
	const slack = 4 << 10
	var r io.Reader = br
	n := 0
	for {
		budget := &budgetReader{r: r, limit: s.max + slack}
		dec := json.NewDecoder(budget)
		if _, err := dec.Token(); err != nil { // '['
			return fmt.Errorf("invalid JSON: %w", err)
		}
		tooLarge := false
		for {
			// Set before More, which may read ahead too.
			budget.limit = dec.InputOffset() + s.max + slack
			if !dec.More() {
				break
			}
			n++
			if n%256 == 0 {
				if err := s.ctx.Err(); err != nil {
					return err
				}
			}
			where := fmt.Sprintf("entry %d", n)
			var raw json.RawMessage
			err := dec.Decode(&raw)
			if errors.Is(err, errEntryTooLarge) {
				tooLarge = true
				break
			}
			if err != nil {
				s.warns = append(s.warns, fmt.Errorf("%s: invalid JSON: %w; the rest of the file is skipped", where, err))
				return nil
			}
			if int64(len(raw)) > s.max {
				s.warns = append(s.warns, fmt.Errorf("%s: larger than %d bytes; skipped", where, s.max))
				continue
			}
			s.add(raw, n, where)
		}
		if !tooLarge {
			if _, err := dec.Token(); err != nil { // ']'
				s.warns = append(s.warns, fmt.Errorf("entry %d: invalid JSON: %w; the rest of the file is skipped", n+1, err))
				return nil
			}
			budget.limit = dec.InputOffset() + slack
			if _, err := dec.Token(); !errors.Is(err, io.EOF) {
				s.warns = append(s.warns, errors.New("data after the JSON array; ignored"))
			}
			return nil
		}
		// Entry n is too large: skip the rest of its bytes (those the
		// decoder buffered, then the input) and go on with a decoder that
		// reads the rest of the array as a new one.
		s.warns = append(s.warns, fmt.Errorf("entry %d: larger than %d bytes; skipped", n, s.max))
		rest := bufio.NewReaderSize(io.MultiReader(dec.Buffered(), r), streamBufSize)
		more, err := skipJSONValue(rest)
		if err != nil {
			s.warns = append(s.warns, fmt.Errorf("entry %d: invalid JSON: %w; the rest of the file is skipped", n, err))
			return nil
		}
		if !more {
			return nil
		}
		r = io.MultiReader(strings.NewReader("["), rest)
	}
}

// readJSONObject reads a file that holds one article object; any problem
// with it is the file's error.
func (s *stream) readJSONObject(br *bufio.Reader) error {
	budget := &budgetReader{r: br, limit: s.max + 1}
	dec := json.NewDecoder(budget)
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		if errors.Is(err, errEntryTooLarge) {
			return fmt.Errorf("article larger than %d bytes; skipped", s.max)
		}
		return fmt.Errorf("invalid JSON object: %w", err)
	}
	budget.limit = budget.read + 1
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("invalid JSON: data after the object")
	}
	text, warn := toUTF8(raw, false)
	obj, err := decodeObject([]byte(text))
	if err != nil {
		return err
	}
	a, warns, err := jsonArticle(obj, s.name, stem(s.name))
	if err != nil {
		return err
	}
	if warn != nil {
		warns = append([]error{warn}, warns...)
	}
	s.arts, s.warns = append(s.arts, a), append(s.warns, warns...)
	return nil
}

// firstByte returns the first byte after white space without consuming it.
func firstByte(br *bufio.Reader) (byte, error) {
	for {
		c, err := br.ReadByte()
		if errors.Is(err, io.EOF) {
			return 0, errors.New("empty JSON file")
		}
		if err != nil {
			return 0, fmt.Errorf("read: %w", err)
		}
		if !isJSONSpace(c) {
			_ = br.UnreadByte()
			return c, nil
		}
	}
}

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// skipJSONValue consumes one JSON value of an array (string, object or
// array with nesting and escapes, or a scalar), without keeping it, and
// the separator after it. more is true after a ",", false after the "]"
// that ends the array.
func skipJSONValue(br *bufio.Reader) (more bool, err error) {
	depth := 0
	inString, escaped := false, false
	for {
		c, err := br.ReadByte()
		if err != nil {
			return false, fmt.Errorf("unexpected end of input: %w", err)
		}
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		case c == '"':
			inString = true
			continue
		case c == '{' || c == '[':
			depth++
			continue
		case (c == '}' || c == ']') && depth > 0:
			depth--
			continue
		}
		if depth > 0 {
			continue
		}
		switch c {
		case ',':
			return true, nil
		case ']':
			return false, nil
		}
	}
}

// fixURLs drops article URLs that are not absolute http(s) URLs, with a
// warning for each.
func fixURLs(arts []Article) []error {
	var warns []error
	for i := range arts {
		if u := arts[i].URL; u != "" {
			arts[i].URL = absoluteHTTP(u)
			if arts[i].URL == "" {
				// javascript:, data:, file: or relative: never a link.
				warns = append(warns, fmt.Errorf("article %s: url %q is not an absolute http(s) URL; dropped", arts[i].ID, clip(u, 60)))
			}
		}
	}
	return warns
}
