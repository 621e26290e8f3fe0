package slack

import (
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"
)

// mrkdwnEscaper escapes the three characters Slack gives meaning to in
// message text. Every piece of article, LLM or user text goes through it,
// so a quote containing "<!channel>" is shown, not executed.
var mrkdwnEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// esc escapes s for Slack mrkdwn or plain_text.
func esc(s string) string { return mrkdwnEscaper.Replace(s) }

// escLen is len(esc(s)) without building the string.
func escLen(s string) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '&':
			n += 4
		case '<', '>':
			n += 3
		}
	}
	return n
}

// safeURL returns u ready to be placed inside Slack's <url|label> markup,
// or "" when u must not become a link: only absolute http(s) URLs with a
// host qualify. Characters that would end the markup early ('|', '<', '>')
// or break it (white space) are percent-encoded, '&' is entity-escaped as
// Slack expects.
func safeURL(u string) string {
	if u == "" || len(u) > 3000 {
		return ""
	}
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || p.User != nil {
		return ""
	}
	var b strings.Builder
	for _, r := range u {
		switch {
		case r == '|':
			b.WriteString("%7C")
		case r == '<':
			b.WriteString("%3C")
		case r == '>':
			b.WriteString("%3E")
		case r == '&':
			b.WriteString("&amp;")
		case r == ' ':
			b.WriteString("%20")
		case r < 0x20 || r == 0x7f || r == utf8.RuneError:
			// Control characters never belong in a URL; drop them.
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// link renders <url|label> when u is a safe link, else the escaped label
// followed by the escaped reference in code style (e.g. a newsdesk: id the
// REPL can open) when u is not empty.
func link(u, label string) string {
	if su := safeURL(u); su != "" {
		return "<" + su + "|" + esc(label) + ">"
	}
	if u == "" {
		return esc(label)
	}
	ref := strings.Map(func(r rune) rune {
		switch {
		case r == '`':
			return '\''
		case r < 0x20 || r == 0x7f:
			return -1
		}
		return r
	}, u)
	return esc(label) + " `" + esc(ref) + "`"
}

var (
	// slackMarkup matches Slack's <…> references in incoming message text.
	slackMarkup = regexp.MustCompile(`<([^<>]*)>`)
	spaces      = regexp.MustCompile(`[ \t]+`)
	unescaper   = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")
)

// cleanQuestion turns the text of a Slack message into a plain question:
// mentions of the bot are removed, other references become their label
// (<https://x|label> -> label, <#C1|news> -> #news, <@U1> -> @U1,
// <!here> -> @here) and entities are unescaped.
func cleanQuestion(text, botUserID string) string {
	out := slackMarkup.ReplaceAllStringFunc(text, func(m string) string {
		inner := m[1 : len(m)-1]
		ref, label, hasLabel := strings.Cut(inner, "|")
		switch {
		case strings.HasPrefix(ref, "@"):
			if botUserID != "" && ref[1:] == botUserID {
				return ""
			}
			if hasLabel && label != "" {
				return "@" + label
			}
			return ref
		case strings.HasPrefix(ref, "#"):
			if hasLabel && label != "" {
				return "#" + label
			}
			return ref
		case strings.HasPrefix(ref, "!"):
			if hasLabel && label != "" {
				return label
			}
			name, _, _ := strings.Cut(ref[1:], "^")
			return "@" + name
		default:
			if hasLabel && label != "" {
				return label
			}
			return ref
		}
	})
	out = unescaper.Replace(out)
	out = spaces.ReplaceAllString(out, " ")
	return strings.TrimSpace(out)
}

// splitText cuts s into pieces whose escaped length is at most limit,
// preferring to break after a newline, then after a space, and never inside
// a UTF-8 sequence. Pieces are returned unescaped.
func splitText(s string, limit int) []string {
	if limit < 8 {
		limit = 8
	}
	var parts []string
	for s != "" {
		if escLen(s) <= limit {
			parts = append(parts, s)
			break
		}
		// Longest prefix whose escaped length fits.
		n, end := 0, 0
		for end < len(s) {
			_, size := utf8.DecodeRuneInString(s[end:])
			w := escLen(s[end : end+size])
			if n+w > limit {
				break
			}
			n += w
			end += size
		}
		if end == 0 { // cannot happen with limit >= 8, but never loop forever
			_, size := utf8.DecodeRuneInString(s)
			end = size
		}
		cut := end
		if i := strings.LastIndexByte(s[:end], '\n'); i > end/2 {
			cut = i + 1
		} else if i := strings.LastIndexByte(s[:end], ' '); i > end/2 {
			cut = i + 1
		}
		parts = append(parts, s[:cut])
		s = s[cut:]
	}
	return parts
}

// truncate shortens s to at most n bytes on a rune boundary, adding "…"
// when it cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	if n < 4 {
		n = 4
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
