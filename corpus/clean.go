package corpus

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Clean returns the paragraphs of paras that are article text, in order,
// each trimmed of surrounding white space and otherwise unchanged. It drops
// empty paragraphs, separator lines ("___", "* * *") and site boilerplate:
// cookie notices, "Read more"/"Related articles"/"Back to top" navigation,
// promo lines ("ALERT: …", "Read also: …"), comment forms, newsletter and
// share prompts, and copyright or distribution lines.
//
// The rules are generic, not keyed to any site, and deliberately narrow:
// they match whole short lines or anchored prefixes, so a news sentence that
// merely mentions cookies, copyright or "read more books" is kept.
func Clean(paras []string) []string {
	var out []string
	for _, p := range paras {
		p = trimPara(p)
		if p == "" || isBoilerplate(p) {
			continue
		}
		out = append(out, p)
	}
	return out
}

// trimPara removes surrounding white space, including no-break spaces and
// the invisible byte-order mark and zero-width space that scrapers leave.
func trimPara(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || r == '\ufeff' || r == '\u200b'
	})
}

// isBoilerplate reports whether one trimmed paragraph is site boilerplate
// rather than article text (see Clean).
func isBoilerplate(p string) bool {
	if !hasAlnum(p) {
		return true // separators, bullets, lone punctuation
	}
	n := utf8.RuneCountInString(p)
	norm := normalizeLine(p)
	if navExact[norm] {
		return true
	}
	if n <= 60 {
		for _, ph := range navPrefixes {
			if rest, ok := strings.CutPrefix(norm, ph); ok && shortTail(rest) {
				return true
			}
		}
	}
	for _, r := range boilerRules {
		if n <= r.maxRunes && r.re.MatchString(p) {
			return true
		}
	}
	return false
}

func hasAlnum(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// normalizeLine lower-cases p, collapses white space and strips leading
// and trailing decoration ("► Read more »" -> "read more").
func normalizeLine(p string) string {
	s := strings.ToLower(strings.Join(strings.Fields(p), " "))
	return strings.TrimFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// shortTail accepts what may follow a navigation phrase on the same line
// when a scraper glued two elements together ("Get in touchAt",
// "Leave a Reply Cancel reply"): at most two short words, no sentence.
func shortTail(rest string) bool {
	rest = strings.TrimSpace(rest)
	return len(rest) <= 12 && len(strings.Fields(rest)) <= 2 && !strings.ContainsAny(rest, ".?!,")
}

// navExact are whole lines (normalized) that are navigation or widgets.
var navExact = setOf(
	"read more", "read also", "also read", "see also", "related",
	"related articles", "related stories", "related posts", "related news",
	"related content", "related topics", "recommended", "recommended for you",
	"recommended stories", "you may like", "you may also like",
	"you might also like", "more stories", "more news", "latest news",
	"top stories", "most read", "most popular", "trending", "trending now",
	"leave a reply", "leave a comment", "post a comment", "comments",
	"cancel reply", "comments are closed", "back to top", "back to top button",
	"scroll to top", "skip to content", "skip to main content", "get in touch",
	"contact us", "share", "share this", "share this article",
	"share this story", "share on facebook", "share on twitter", "tweet",
	"print", "email", "whatsapp", "facebook", "twitter", "linkedin",
	"subscribe", "subscribe now", "sign up", "sign up now",
	"sign up for our newsletter", "subscribe to our newsletter",
	"follow us", "advertisement", "advertisements", "sponsored",
	"sponsored content", "story continues below advertisement",
	"continue reading", "continue reading below", "click here", "loading",
	"listen to this article", "tags", "filed under", "previous article",
	"next article", "previous post", "next post", "view comments",
	"show comments", "image source", "getty images", "we value your privacy",
)

// navPrefixes are multi-word navigation phrases that may carry a short,
// glued-on tail (see shortTail).
var navPrefixes = []string{
	"read more", "read also", "related articles", "related stories",
	"you may like", "you may also like", "you might also like",
	"leave a reply", "leave a comment", "back to top", "get in touch",
	"share this", "sign up", "subscribe now", "follow us", "click here",
	"continue reading", "skip to content",
}

type boilerRule struct {
	maxRunes int
	re       *regexp.Regexp
}

// boilerRules are anchored patterns with a length limit each, so that only
// short, line-level boilerplate matches.
var boilerRules = []boilerRule{
	// Promo and navigation lines with a label: "ALERT: …", "Read Also: …".
	{200, regexp.MustCompile(`^(?i)[^\pL\pN]*(alert|watch|listen|read more|read also|also read|more|see also|related|recommended|video|photos?|gallery|trending|sponsored|advertisement|tags|topics|filed under)\s*:`)},
	// "Read More From Time", "More from Reuters", "More on Ukraine".
	{60, regexp.MustCompile(`^(?i)[^\pL\pN]*(read )?more (from|on|about) [^.?!]{1,40}$`)},
	// Comment forms.
	{200, regexp.MustCompile(`^(?i)(your email address will not be published|required fields are marked|you must be logged in to post a comment|leave a (reply|comment)\b)`)},
	// Cookie and consent notices: the site speaks about itself.
	{600, regexp.MustCompile(`^(?i)(this|our) (web ?site|site|page|portal) (uses|is using|may use|use) cookies\b`)},
	{600, regexp.MustCompile(`^(?i)we( and our partners)? (use|are using|may use) cookies\b.*\b(website|site|experience|browser|consent|personali[sz]e|analytics|ads|advertising|traffic|privacy)`)},
	{600, regexp.MustCompile(`^(?i)by (continuing|using|browsing|clicking)\b.{0,80}\b(this|our) (web ?site|site)\b.{0,160}\bcookies\b`)},
	{40, regexp.MustCompile(`^(?i)((accept|allow|reject|decline|manage)( all)? cookies|cookie (policy|settings|preferences|consent|notice))`)},
	// Copyright and distribution lines.
	{300, regexp.MustCompile(`^(?i)(©|\(c\)\s*\d{4}|copyright\s*(©|\(c\))?\s*\d{4}|copyright\s*(©|\(c\)))`)},
	{40, regexp.MustCompile(`^(?i)all rights reserved`)},
	{200, regexp.MustCompile(`(?i)all rights reserved\.?$`)},
	{150, regexp.MustCompile(`^(?i)distributed by\b`)},
	// Newsletter, subscription and social prompts.
	{120, regexp.MustCompile(`^(?i)(sign up|subscribe)\b.*\b(newsletter|newsletters|updates|inbox|e-?mail|briefing|alerts)\b`)},
	{100, regexp.MustCompile(`^(?i)(follow us|share (this|on|via)|click here to|join our (telegram|whatsapp|newsletter))\b`)},
	{100, regexp.MustCompile(`^(?i)follow (our|the|all the|us for)\b.*\b(live|coverage|updates|blog|latest)\b`)},
	{80, regexp.MustCompile(`^(?i)(download|get) (our|the) (free )?(\pL+ )?app\b`)},
	// Wire and desk credits: "Reporting by X; Editing by Y", "Contact the
	// reporter at ...".
	{200, regexp.MustCompile(`^\(?(?:[Aa]dditional )?(?:[Rr]eporting|[Ww]riting|[Ee]diting|[Cc]ompiled|REPORTING|EDITING) [Bb][Yy] \p{Lu}`)},
	{150, regexp.MustCompile(`^(?i)(contact|email|e-mail|reach) the (reporter|author|writer|newsroom) (at|on|via|by)\b`)},
	// Picture credits: "Photo: Reuters", "Image credit: Getty Images".
	{80, regexp.MustCompile(`^(?i)(photo|image|picture|pictures|photos)( credit)?s?\s*:`)},
}
