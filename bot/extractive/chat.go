package extractive

import (
	"regexp"
	"strings"
)

// Chat register: the words and clauses with which people frame a question
// in a chat ("quick q", "pls", "need this for the 6pm update", "yes/no")
// say nothing about what the archive must contain. They are blanked out
// (offsets kept) before the question is read, so that they neither count
// against its coverage nor steer retrieval. The lists are closed classes,
// like stop words: greetings and requests, chat abbreviations, stance
// adverbs, and meta clauses about the asker's own work.
var (
	reChatLead = regexp.MustCompile(`(?i)^\s*(?:(?:hey|hi|hello|yo|ok|okay|so|um|uh|sorry|right)\b[\s,!.:—–-]*)*` +
		`(?:(?:quick|random|dumb|silly|small|another|one more|follow-?up)\s+(?:q|qq|question|one)\b|q\b|question\b|qq\b|` +
		`(?:can|could|would) (?:you|u|someone|anyone) (?:please |pls )?(?:tell me|check|find out|find|confirm|remind me|look up|say)\b|` +
		`(?:does )?(?:any ?one|any ?body|someone) know\b|do (?:you|u|we) know\b|any idea\b|i (?:need|want|have) to know\b|` +
		`(?:i'?m |i am )?(?:wondering|trying to find out|trying to work out|curious)\b|i wonder\b)?[\s,:!—–-]*`)
	reChatWord = regexp.MustCompile(`(?i)\b(?:in (?:a |just a )?(?:couple|few|2|3|two|three)(?: of)? (?:lines|sentences|bullets|bullet points|words)|or (?:smth|sth|something|whatever)(?: like that)?|smth|sth|pls|plz|please|thx|thanks|thank you|ty|asap|fyi|btw|tbh|imo|imho|idk|lol|yes ?/ ?no|y/n|yes or no|` +
		`actually|exactly|really|basically|literally|honestly|precisely|definitely|roughly|approximately|finally|eventually|ultimately|` +
		`guy|guys|dude|bloke|folks)\b`)
	// A meta clause starts a clause (after punctuation) and runs to the
	// end of it.
	reChatClause = regexp.MustCompile(`(?i)(?:^|[,?;.!—–(]|\s-\s)\s*(?:` +
		`(?:i |we )?need (?:this|it|that|these|those|his|her|their|the|a|an|to confirm|to check|to know)\b[^,?;.!—–)]*|` +
		`(?:it'?s|its|this is|that'?s) for (?:the|my|our|a|an)\b[^,?;.!—–)]*|` +
		`for (?:the|my|our|a|an|tonight'?s|today'?s) (?:\d{1,2} ?(?:am|pm)|\d{1,2}(?::\d\d)?|morning|evening|nightly|late|live|web|print|breaking)?\s*` +
		`(?:update|bulletin|piece|story|show|copy|script|brief|briefing|newsletter|blog|liveblog|edition|segment|package|wrap)\b[^,?;.!—–)]*|` +
		`(?:i'?m |i am |we'?re |we are )?(?:seeing|hearing|heard|getting|reading|saw|seen)\b[^,?;.!—–)]*\b(?:one|another|other|some|different|two|both|each)\s+` +
		`(?:story|stories|report|reports|piece|pieces|outlet|outlets|place|places|source|sources|article|articles)\b[^,?;.!—–)]*|` +
		`(?:the )?(?:numbers|figures|reports|stories|accounts|tallies)\s+(?:are\s+|seem\s+|look\s+)?(?:all over the place|differ|conflict|vary|don'?t match|do not match|don'?t add up)\b[^,?;.!—–)]*|` +
		`(?:i'?m |i am |we'?re |we are )?(?:seeing|hearing|heard|getting|reading|found|saw|seen)\s+(?:two|2|three|a few|some|several|a couple of)?\s*(?:diff|diffrent|different|conflicting|varying|mixed|multiple|contradictory)\s+` +
		`(?:numbers|figures|totals|counts|tallies|versions|answers|accounts|estimates)\b[^,?;.!—–)]*|` +
		`(?:the )?(?:outlets|reports|stories|papers|sources|articles|everyone|people)\s+(?:seem to |all |each |both )?(?:have|give|say|report|quote|use)\s+` +
		`(?:two |2 |a few |some |several )?(?:diff|diffrent|different|conflicting|varying|mixed|multiple|their own)\b[^,?;.!—–)]*|` +
		`(?:a |just a )?(?:couple|few|2|3|two|three)(?: of)?\s+(?:lines|sentences|bullets|bullet points|paragraphs|words)\b[^,?;.!—–)]*|` +
		`(?:keep it|make it) (?:short|brief|quick|simple)\b[^,?;.!—–)]*|` +
		`(?:and )?(?:which|what) (?:outlets?|papers?|sources?|reports?) (?:say|said|says|reported|have|give) (?:what|which)\b[^,?;.!—–)]*|` +
		`(?:and )?who (?:says|said) what\b[^,?;.!—–)]*|` +
		`[^,?;.!—–)]*\b(?:the same|matching|consistent)\s+(?:number|numbers|figure|figures|total|totals|count|counts|toll)\b[^,?;.!—–)]*|` +
		`(?:so |and |but )?which (?:one|ones|number|figure|version)?\s*(?:is|'s|’s|s)\s+(?:it|right|correct|true|accurate|wrong)\b[^,?;.!—–)]*|` +
		`[^,?;.!—–)]*\b(?:says?|said|gives?|has|have|reports?|puts?)\s+one\s+(?:number|figure|total|count|thing|version)\b[^?;.!—–)]*|` +
		`(?:thanks|thank you|cheers|ta)\b[^,?;.!—–)]*)`)
)

// chatAbbrev spells out the abbreviations of chat that stand for words a
// report writes in full.
var chatAbbrev = map[string]string{"ppl": "people", "govt": "government", "govts": "government", "govt's": "government", "gov": "government", "dept": "department",
	"yr": "year", "yrs": "years", "mins": "minutes", "hrs": "hours", "ppl's": "people", "pic": "picture",
	"pics": "pictures", "info": "information", "approx": "approximately", "intl": "international",
	"natl": "national", "admin": "administration", "uni": "university", "cops": "police", "b4": "before",
	"w/": "with", "abt": "about", "bc": "because", "cuz": "because", "gonna": "going", "wanna": "want",
	"til": "until", "till": "until", "tmrw": "tomorrow", "tmr": "tomorrow", "tonite": "tonight", "msg": "message",
	"pm's": "prime minister", "mp": "member of parliament", "rn": "now", "atm": "now",
	// Question words and auxiliaries typed without their apostrophe.
	"whats": "what", "whos": "who", "wheres": "where", "whens": "when", "hows": "how", "whys": "why",
	"thats": "that", "theres": "there", "isnt": "is", "arent": "are", "wasnt": "was", "werent": "were",
	"didnt": "did", "doesnt": "does", "dont": "do", "hasnt": "has", "havent": "have", "wont": "will", "cant": "can",
	"nite": "night", "nites": "nights", "wk": "week", "wks": "weeks", "hr": "hour", "mo": "month", "mos": "months",
	"cxl": "cancel", "cxld": "cancelled", "canx": "cancelled", "tix": "tickets", "pax": "passengers",
	"ops": "operations", "op": "operation", "r": "are", "u": "you", "ur": "your"}

// ambiguousAbbrev are abbreviations that are also names or words when
// capitalised ("Mo Farah", "HR", "Pax", "Cant"): they are read as chat
// only when typed in lower case.
var ambiguousAbbrev = map[string]bool{"mo": true, "mos": true, "hr": true, "wk": true, "wks": true, "pax": true,
	"cant": true, "wont": true, "mp": true, "admin": true, "uni": true, "gov": true, "info": true, "pic": true,
	"pics": true, "tix": true, "cops": true, "ops": true, "op": true, "r": true, "u": true}

// expandAbbrev spells out chat abbreviations in a lower-cased question
// (used to read its kind and form, not for offsets). The ambiguous ones,
// whose case is lost here, and those of several words ("mp": "member of
// parliament", which would change the role a question asks about) stay
// as typed.
func expandAbbrev(lq string) string {
	return reWord.ReplaceAllStringFunc(lq, func(w string) string {
		if full, ok := chatAbbrev[w]; ok && !ambiguousAbbrev[w] && !strings.Contains(full, " ") {
			return full
		}
		return w
	})
}

var reWord = regexp.MustCompile(`[\p{L}\p{N}'’/]+`)

// contractions are chat spellings of question openers: "whats the name"
// reads as "what is the name".
var reContraction = regexp.MustCompile(`\b(what|who|where|when|how|that|there)(?:s|'s|’s)\b`)

// expandContractions rewrites them in a lower-cased question (used to
// read its kind, not for offsets).
func expandContractions(lq string) string { return reContraction.ReplaceAllString(lq, "$1 is") }

// stripChat blanks the chat register out of q, keeping every other byte
// where it was (token offsets stay valid).
func stripChat(q string) string {
	b := []byte(q)
	// Every byte of a span becomes a space, those of a multi-byte
	// character too, so the length and every other offset stay.
	blankSpan := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			b[i] = ' '
		}
	}
	if m := reChatLead.FindStringIndex(q); m != nil {
		blankSpan(m[0], m[1])
	}
	for _, m := range reChatClause.FindAllStringIndex(string(b), -1) {
		blankSpan(m[0], m[1])
	}
	for _, m := range reChatWord.FindAllStringIndex(string(b), -1) {
		blankSpan(m[0], m[1])
	}
	out := string(b)
	if strings.TrimSpace(out) == "" {
		return q // nothing but chat: read it as typed
	}
	return out
}

// collapse trims s and folds runs of white space into one space.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }
