package corpus

import (
	"errors"
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// frontMatter holds the recognised front-matter fields; everything else in
// the YAML is ignored.
type frontMatter struct {
	ID, Title, URL, Source, Byline, Published string
}

// frontMatterKeys maps YAML keys (lower case) to frontMatter fields. When
// several keys fill one field ("published" and "date"), the first non-empty
// one in the document wins.
var frontMatterKeys = map[string]func(*frontMatter) *string{
	"id":        func(f *frontMatter) *string { return &f.ID },
	"title":     func(f *frontMatter) *string { return &f.Title },
	"url":       func(f *frontMatter) *string { return &f.URL },
	"source":    func(f *frontMatter) *string { return &f.Source },
	"byline":    func(f *frontMatter) *string { return &f.Byline },
	"author":    func(f *frontMatter) *string { return &f.Byline },
	"published": func(f *frontMatter) *string { return &f.Published },
	"date":      func(f *frontMatter) *string { return &f.Published },
}

// parseMarkdown reads a .md file: optional YAML front matter between "---"
// lines, then a body treated like .txt (each non-empty line a paragraph,
// kept verbatim). Heading lines that repeat the title are dropped; without a
// title, a leading "# Heading" becomes the title.
func parseMarkdown(name, text string) ([]Article, []error, error) {
	fm, body, hasFM, err := splitFrontMatter(text)
	if err != nil {
		return nil, nil, err
	}
	if !hasFM {
		return parseMarkdownBody(Article{ID: stem(name), Path: name}, body, true)
	}
	var warns []error
	a := Article{
		ID:     strings.TrimSpace(fm.ID),
		Title:  strings.TrimSpace(fm.Title),
		URL:    strings.TrimSpace(fm.URL),
		Source: strings.TrimSpace(fm.Source),
		Byline: strings.TrimSpace(fm.Byline),
		Path:   name,
	}
	if a.ID == "" {
		a.ID = stem(name)
	}
	if a.Published, err = parseDate(fm.Published); err != nil {
		warns = append(warns, err)
	}
	arts, w, err := parseMarkdownBody(a, body, false)
	return arts, append(warns, w...), err
}

// parseMarkdownBody turns the body lines into paragraphs. guessHeadline
// applies the .txt headline rules when the file has no front matter.
func parseMarkdownBody(a Article, body string, guessHeadline bool) ([]Article, []error, error) {
	lines := splitLines(body)
	if a.Title == "" {
		for i, l := range lines {
			l = trimPara(l)
			if l == "" || isBoilerplate(l) {
				continue
			}
			if h, ok := markdownHeading(l); ok {
				a.Title, a.Source = splitHeadlineKeep(h, a.Source)
				lines = append(lines[:i:i], lines[i+1:]...)
			} else if guessHeadline {
				if j := headlineAt(lines); j >= 0 {
					a.Title, a.Source = splitHeadlineKeep(trimPara(lines[j]), a.Source)
					lines = append(lines[:j:j], lines[j+1:]...)
				}
			}
			break
		}
	}
	if a.Title != "" {
		kept := lines[:0:0]
		for _, l := range lines {
			if h, ok := markdownHeading(l); ok && isHeadlineOf(h, a.Title) {
				continue
			}
			kept = append(kept, l)
		}
		lines = kept
	}
	a, err := finish(a, lines)
	if err != nil {
		return nil, nil, err
	}
	return []Article{a}, nil, nil
}

// splitHeadlineKeep splits "Headline – Outlet", keeping a source that is
// already known.
func splitHeadlineKeep(line, source string) (string, string) {
	t, s := splitHeadline(line)
	if source != "" {
		if s != "" && !strings.EqualFold(s, source) {
			return line, source
		}
		return t, source
	}
	return t, s
}

// splitFrontMatter separates YAML front matter from the body. Front matter
// starts at the first line with "---" and ends at the next line that is
// "---" or "...".
func splitFrontMatter(text string) (fm frontMatter, body string, ok bool, err error) {
	first, rest, found := strings.Cut(text, "\n")
	if !found || strings.TrimRight(first, " \t\r") != "---" {
		return fm, text, false, nil
	}
	var yamlText strings.Builder
	for {
		line, after, more := strings.Cut(rest, "\n")
		t := strings.TrimRight(line, " \t\r")
		if t == "---" || t == "..." {
			body = after
			break
		}
		if !more {
			return fm, "", true, errors.New("front matter: no closing ---")
		}
		yamlText.WriteString(line)
		yamlText.WriteByte('\n')
		rest = after
	}
	fm, err = decodeFrontMatter(yamlText.String())
	return fm, body, true, err
}

func decodeFrontMatter(src string) (frontMatter, error) {
	var fm frontMatter
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		return fm, fmt.Errorf("front matter: %w", err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return fm, nil // empty front matter
	}
	m := doc.Content[0]
	if m.Kind == yaml.ScalarNode && m.Tag == "!!null" {
		return fm, nil
	}
	if m.Kind != yaml.MappingNode {
		return fm, errors.New("front matter: not a mapping of fields")
	}
	set := map[*string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		key, val := m.Content[i], m.Content[i+1]
		field, ok := frontMatterKeys[strings.ToLower(key.Value)]
		if !ok {
			continue
		}
		dst := field(&fm)
		if set[dst] {
			continue
		}
		s, err := yamlText(val)
		if err != nil {
			return fm, fmt.Errorf("front matter: field %q: %w", key.Value, err)
		}
		*dst = s
		set[dst] = s != ""
	}
	return fm, nil
}

// yamlText returns a scalar's text, or a list of scalars joined by ", "
// ("author: [A, B]").
func yamlText(n *yaml.Node) (string, error) {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "", nil
		}
		return n.Value, nil
	case yaml.SequenceNode:
		var parts []string
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				return "", errors.New("want text or a list of text")
			}
			if c.Tag != "!!null" && strings.TrimSpace(c.Value) != "" {
				parts = append(parts, strings.TrimSpace(c.Value))
			}
		}
		return strings.Join(parts, ", "), nil
	case yaml.AliasNode:
		if n.Alias != nil {
			return yamlText(n.Alias)
		}
	}
	return "", errors.New("want text or a list of text")
}
