package bot

import (
	"fmt"
	"net/url"
	"strings"
)

// Linker builds the link shown for a quote.
type Linker struct {
	// PublicURL is where `newsdesk serve` renders articles
	// (NEWSDESK_PUBLIC_URL); used for articles without a URL of their own.
	PublicURL string
}

// Link returns the link for a quote from article id at paragraph para:
// the article URL with a #:~:text= fragment that jumps to the quote; else
// PublicURL/articles/{id}#p{para}; else the stable reference
// "newsdesk:{id}#p{para}" that the REPL can open.
//
// Only an absolute http(s) article URL is used: any other (javascript:,
// data:, a relative path) is ignored, whatever the loader let through.
func (l Linker) Link(articleURL, id string, para int, quote string) string {
	if IsWebURL(articleURL) {
		base := articleURL
		if i := strings.Index(base, "#"); i >= 0 {
			base = base[:i]
		}
		return base + "#:~:text=" + TextFragment(quote)
	}
	if l.PublicURL != "" {
		return fmt.Sprintf("%s/articles/%s#p%d", strings.TrimRight(l.PublicURL, "/"), url.PathEscape(id), para)
	}
	return fmt.Sprintf("newsdesk:%s#p%d", id, para)
}

// IsWebURL reports whether s is an absolute http or https URL with a host
// and without spaces or control characters.
func IsWebURL(s string) bool {
	if s == "" || strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f || (r >= 0x80 && r < 0xa0) }) {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (strings.EqualFold(u.Scheme, "http") || strings.EqualFold(u.Scheme, "https")) && u.Host != ""
}

// TextFragment encodes quote for a #:~:text= URL fragment. Long quotes use
// the textStart,textEnd form (first and last few words).
func TextFragment(quote string) string {
	enc := func(s string) string {
		s = url.PathEscape(s)
		// '-', ',' and '&' are syntax inside text fragments.
		s = strings.NewReplacer("-", "%2D", ",", "%2C", "&", "%26").Replace(s)
		return s
	}
	words := strings.Fields(quote)
	if len(words) <= 8 {
		return enc(strings.Join(words, " "))
	}
	return enc(strings.Join(words[:4], " ")) + "," + enc(strings.Join(words[len(words)-4:], " "))
}
