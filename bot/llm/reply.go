package llm

import (
	"encoding/json"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// reply is the model's structured answer:
//
//	{"answer": "... [1] ...", "abstain": false, "citations": [{"n": 1, "quote": "..."}]}
//
// where n is the number of a passage the model was shown.
type reply struct {
	Answer    string
	Abstain   bool
	Citations []replyCitation
}

type replyCitation struct {
	N     int
	Quote string
}

// answerSchema is the JSON schema sent as response_format (strict mode
// requires every property listed and no others).
const answerSchema = `{
  "type": "object",
  "properties": {
    "answer": {"type": "string"},
    "abstain": {"type": "boolean"},
    "citations": {
      "type": "array",
      "items": {
        "type": "object",
        "properties": {
          "n": {"type": "integer"},
          "quote": {"type": "string"}
        },
        "required": ["n", "quote"],
        "additionalProperties": false
      }
    }
  },
  "required": ["answer", "abstain", "citations"],
  "additionalProperties": false
}`

var errNoJSON = errors.New("no JSON object with an \"answer\" field in the reply")

// thinking matches the reasoning blocks some local models put in content.
var thinking = regexp.MustCompile(`(?s)<think>.*?</think>`)

// maxCandidates bounds how many '{' parseReply tries, so hostile or huge
// replies cannot make it quadratic.
const maxCandidates = 64

// parseReply extracts the reply from the model's text: the whole text as
// JSON, else the first balanced {...} that decodes to an object with an
// "answer" or "abstain" field (this covers ```json fences and chatter
// around the object). Field types are read leniently: "n" may be a string,
// "abstain" may be "true".
func parseReply(content string) (reply, error) {
	s := strings.TrimSpace(thinking.ReplaceAllString(content, ""))
	if r, ok := decodeReply([]byte(s)); ok {
		return r, nil
	}
	tried := 0
	for i := 0; i < len(s) && tried < maxCandidates; i++ {
		if s[i] != '{' {
			continue
		}
		tried++
		end := matchBrace(s, i)
		if end < 0 {
			continue
		}
		if r, ok := decodeReply([]byte(s[i : end+1])); ok {
			return r, nil
		}
	}
	return reply{}, errNoJSON
}

// matchBrace returns the index of the '}' closing the '{' at s[i], or -1,
// skipping braces inside JSON strings.
func matchBrace(s string, i int) int {
	depth, inStr, esc := 0, false, false
	for j := i; j < len(s); j++ {
		c := s[j]
		switch {
		case inStr:
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '{':
			depth++
		case c == '}':
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

func decodeReply(b []byte) (reply, bool) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return reply{}, false
	}
	ra, hasAnswer := raw["answer"]
	rb, hasAbstain := raw["abstain"]
	if !hasAnswer && !hasAbstain {
		return reply{}, false
	}
	var r reply
	if hasAnswer {
		r.Answer = looseString(ra)
	}
	if hasAbstain {
		r.Abstain = looseBool(rb)
	}
	var cits []map[string]json.RawMessage
	if rc, ok := raw["citations"]; ok && json.Unmarshal(rc, &cits) == nil {
		for _, c := range cits {
			n, ok := looseInt(c["n"])
			if !ok {
				continue
			}
			r.Citations = append(r.Citations, replyCitation{N: n, Quote: looseString(c["quote"])})
		}
	}
	return r, true
}

func looseString(m json.RawMessage) string {
	var s string
	if json.Unmarshal(m, &s) == nil {
		return s
	}
	return ""
}

func looseBool(m json.RawMessage) bool {
	var b bool
	if json.Unmarshal(m, &b) == nil {
		return b
	}
	return strings.EqualFold(strings.TrimSpace(looseString(m)), "true")
}

func looseInt(m json.RawMessage) (int, bool) {
	if len(m) == 0 {
		return 0, false
	}
	var f float64
	if json.Unmarshal(m, &f) == nil && f == float64(int(f)) {
		return int(f), true
	}
	s := strings.Trim(strings.TrimSpace(looseString(m)), "[]")
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// answerKey finds the start of the "answer" string value in a partial
// JSON object.
var answerKey = regexp.MustCompile(`"answer"\s*:\s*"`)

// partialAnswer returns the decoded prefix of the "answer" string in buf,
// a JSON object still being streamed, or "" when it has not started. An
// escape sequence cut off by the end of buf is left for the next call.
func partialAnswer(buf string) string {
	loc := answerKey.FindStringIndex(buf)
	if loc == nil {
		return ""
	}
	rest := buf[loc[1]:]
	end := len(rest)
	for j := 0; j < len(rest); j++ {
		if rest[j] == '\\' {
			j++
			continue
		}
		if rest[j] == '"' {
			end = j
			break
		}
	}
	raw := trimPartialEscape(trimPartialRune(rest[:end]))
	var s string
	if err := json.Unmarshal([]byte(`"`+raw+`"`), &s); err != nil {
		return ""
	}
	return s
}

// trimPartialRune drops a UTF-8 sequence cut off at the end of s.
func trimPartialRune(s string) string {
	for k := 1; k <= utf8.UTFMax && k <= len(s); k++ {
		if i := len(s) - k; utf8.RuneStart(s[i]) {
			if !utf8.FullRuneInString(s[i:]) {
				return s[:i]
			}
			return s
		}
	}
	return s
}

// trimPartialEscape drops an escape sequence cut off at the end of raw (a
// lone backslash, a short \u, a high surrogate waiting for its pair).
func trimPartialEscape(raw string) string {
	for k := 1; k <= 11 && k <= len(raw); k++ {
		i := len(raw) - k
		if raw[i] != '\\' {
			continue
		}
		// Count the backslashes before i: an even run means raw[i] starts
		// an escape.
		bs := 0
		for j := i - 1; j >= 0 && raw[j] == '\\'; j-- {
			bs++
		}
		if bs%2 == 1 {
			continue
		}
		tail := raw[i:]
		switch {
		case len(tail) == 1, tail[1] == 'u' && len(tail) < 6:
			return trimPartialEscape(raw[:i])
		case tail[1] == 'u' && len(tail) == 6 && isHighSurrogate(tail[2:6]):
			return raw[:i]
		}
		return raw
	}
	return raw
}

func isHighSurrogate(hex string) bool {
	v, err := strconv.ParseUint(hex, 16, 16)
	return err == nil && v >= 0xD800 && v <= 0xDBFF
}

// partialView is what OnPartial shows of an unverified answer being
// written: citation markers are removed (their numbers change after
// verification) and anything inside quotation marks, closed or not yet,
// is shown as "…": quotations appear only once verified.
func partialView(s string) string {
	s = markerRe.ReplaceAllString(s, "")
	spans, unclosed := findQuotations(s)
	var b strings.Builder
	last := 0
	for _, q := range spans {
		if unclosed >= 0 && q.start > unclosed {
			break
		}
		b.WriteString(s[last:q.inStart] + "…" + s[q.inEnd:q.end])
		last = q.end
	}
	if unclosed >= last {
		// A quotation still being written: hide it and what follows.
		b.WriteString(s[last:unclosed])
		_, w := utf8.DecodeRuneInString(s[unclosed:])
		b.WriteString(s[unclosed:unclosed+w] + "…")
	} else {
		b.WriteString(s[last:])
	}
	return strings.TrimSpace(b.String())
}

// markerRe matches citation markers, with the space before them.
var markerRe = regexp.MustCompile(`\s?\[\d{1,4}(?:\s*,\s*\d{1,4})*\]`)

// keyLike matches API-key-shaped tokens (sk-..., possibly masked with *).
var keyLike = regexp.MustCompile(`\b(sk|key)-[A-Za-z0-9_*\-]{6,}`)

func maskKeys(s string) string { return keyLike.ReplaceAllString(s, "[key]") }

// firstLine returns the first non-blank line of s, trimmed.
func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return ""
}
