package corpus

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// jsonBodyKeys are the fields that may hold the article text, in order of
// preference; the first non-empty one is used.
var jsonBodyKeys = []string{"body", "text", "content"}

// decodeArticle decodes the n-th article of a file that holds several
// (its default id is the file stem and n). Its warnings, and the error
// that drops it, are all returned as warnings prefixed with where; err
// only tells the caller to skip it.
func decodeArticle(data []byte, name string, n int, where string) (Article, []error, error) {
	var warns []error
	obj, err := decodeObject(data)
	var a Article
	if err == nil {
		var w []error
		a, w, err = jsonArticle(obj, name, stem(name)+"-"+strconv.Itoa(n))
		for _, e := range w {
			warns = append(warns, fmt.Errorf("%s: %w", where, e))
		}
	}
	if err != nil {
		warns = append(warns, fmt.Errorf("%s: %w", where, err))
	}
	return a, warns, err
}

// decodeObject decodes one JSON object with lower-cased keys.
func decodeObject(data []byte) (map[string]json.RawMessage, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("invalid JSON object: %w", err)
	}
	if raw == nil {
		return nil, errors.New("invalid JSON object: null")
	}
	obj := make(map[string]json.RawMessage, len(raw))
	for k, v := range raw {
		lk := strings.ToLower(k)
		if _, dup := obj[lk]; !dup || k == lk {
			obj[lk] = v
		}
	}
	return obj, nil
}

// jsonArticle builds an article from one object; defaultID is used when the
// object has no "id".
func jsonArticle(obj map[string]json.RawMessage, name, defaultID string) (Article, []error, error) {
	var warns []error
	a := Article{
		ID:     jsonText(obj["id"], ", "),
		Title:  jsonText(obj["title"], " "),
		URL:    jsonText(obj["url"], ""),
		Source: jsonText(obj["source"], ", "),
		Byline: jsonText(obj["byline"], ", "),
		Path:   name,
	}
	if a.ID == "" {
		a.ID = defaultID
	}
	if a.Byline == "" {
		a.Byline = jsonText(obj["author"], ", ")
	}
	pub := jsonText(obj["published"], "")
	if pub == "" {
		pub = jsonText(obj["date"], "")
	}
	var err error
	if a.Published, err = parseDate(pub); err != nil {
		warns = append(warns, err)
	}
	var body string
	for _, k := range jsonBodyKeys {
		if body = jsonText(obj[k], "\n"); strings.TrimSpace(body) != "" {
			break
		}
	}
	if strings.TrimSpace(body) == "" {
		return Article{}, warns, fmt.Errorf("no body/text/content; skipped")
	}
	var lines []string
	if looksLikeHTML(body) {
		lines = htmlFragmentParagraphs(body)
	} else {
		lines = splitLines(body)
	}
	a, err = finish(a, lines)
	return a, warns, err
}

// jsonText returns a string or number field as text; an array of strings
// is joined with sep. Anything else (objects, null, booleans) is "".
func jsonText(raw json.RawMessage, sep string) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s)
	}
	var num json.Number
	if json.Unmarshal(raw, &num) == nil {
		return num.String()
	}
	var list []json.RawMessage
	if sep != "" && json.Unmarshal(raw, &list) == nil {
		var parts []string
		for _, item := range list {
			var t string
			if json.Unmarshal(item, &t) == nil && strings.TrimSpace(t) != "" {
				parts = append(parts, strings.TrimSpace(t))
			}
		}
		return strings.Join(parts, sep)
	}
	return ""
}

// looksLikeHTML reports a body that carries HTML markup (as feeds and CMS
// exports often do) rather than plain text.
func looksLikeHTML(s string) bool {
	ls := strings.ToLower(s)
	return strings.Contains(ls, "</p>") || strings.Contains(ls, "<br") || strings.Contains(ls, "</div>")
}
