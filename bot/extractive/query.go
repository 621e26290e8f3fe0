package extractive

import (
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/newsdesk/newsdesk/retrieval"
	"github.com/newsdesk/newsdesk/retrieval/lexicon"
)

// qtype is the kind of answer a question asks for.
type qtype int

const (
	qOther qtype = iota
	qWho
	qWhen
	qWhere
	qWhy
	qNumber // how many / how much / population / size / cost
	qQuote  // what did X say
	qDefine // who is X / what is X
	qWhich  // which X: a named instance of X
)

// qterm is one weighted search term of a question.
type qterm struct {
	term   string
	word   string
	weight float64
	name   bool // a proper name in the question
	alt    []string
	// extra are the paraphrases of the two-word lemma this term ends
	// ("power line"), beside those of the term itself, or begins (then
	// without its hypernyms: see modifierParaphrases).
	extra []paraphrase
	// spell are the archive's spellings of a word it never uses as
	// typed ("reinforcments", "balakleya"), matched almost in full.
	spell []string
	// unseen marks a common word the archive never uses, by that
	// spelling or a paraphrase: chat wording ("in relation to") that no
	// sentence can match. It weighs little.
	unseen bool
	// phrase is the expansion of an acronym the corpus never writes
	// ("ISW"): its terms, all of which a sentence must have to match.
	phrase []string
}

// magnitudeSuffix spells out the magnitude letters written after a
// figure ("286m", "40k"); the analyzer already reads "bn" as billion.
var magnitudeSuffix = map[string]string{"m": "million", "mn": "million", "k": "thousand"}

// isFigure reports whether w is a figure: digits with at most one
// decimal point or comma.
func isFigure(w string) bool {
	return w != "" && strings.Trim(w, "0123456789.,") == "" && strings.ContainsAny(w, "0123456789")
}

// query is an analysed question.
type query struct {
	text    string
	clean   string          // text with the chat register blanked out
	subject map[string]bool // subjectTerms, computed once
	terms   []qterm
	kind    qtype
	unknown []string // proper names the corpus has never seen
	names   []string // proper names, as written
	expand  []string // expansions of acronyms, to search for too
	recent  bool     // asks for the latest report ("most recent", "so far")
	money   bool     // asks for an amount of money ("how much ... cost")
	atype   atype    // the form the answer must take ("how old": an age)
	rate    string   // the unit of a rate asked for ("day" in "how many a day")
	// overview asks for the gist of the coverage, not one fact.
	overview bool
	role     string // term of the role asked about: "mayor" in "who is the mayor of X"
	// predicate is the term of what someone did in a who-question
	// ("confirm" in "who confirmed the withdrawal"), with paraphrases.
	predicate []string
	define    []string // terms of the archive's name for an acronym the question asks about
	// counted are the terms of what a "how many" question counts
	// ("homes" in "how many homes burned"), with paraphrases; nil for
	// people in general.
	counted []string
	// countedFirst are those of the phrase's first word ("cars" in "how
	// many cars derailed").
	countedFirst []string
	// event are the terms of the event a when-question dates ("lifted"
	// in "when are the cuts being lifted"): its last content word, with
	// its paraphrases and spellings.
	event []string
	// wantsName: the question asks who or which one ("who chairs the
	// board", "which supplier"); asksName: for a name outright ("the
	// names of the dead").
	wantsName, asksName bool
	head                []string // "which X": X's term and paraphrases
	// speaker are the terms of the speaker's phrase in "what did X say",
	// head (its last word) first.
	speaker   []string
	speakerOf []string // the terms qualifying it ("Idaho" in "the governor of Idaho")
}

// recentCues ask for the newest figure when reports differ.
// moneyCues in a "how much" question ask for an amount of money.
var moneyCues = map[string]bool{"cash": true, "cost": true, "costs": true, "price": true, "pay": true, "paid": true,
	"spend": true, "spent": true, "worth": true, "fee": true, "fine": true, "fined": true,
	"compensation": true, "salary": true, "wage": true, "wages": true, "budget": true, "money": true,
	"bill": true, "ransom": true, "raise": true, "raised": true, "owe": true, "owed": true, "repay": true,
	"euros": true, "dollars": true, "pounds": true, "revenue": true, "profit": true, "damages": true}

var recencyWords = map[string]bool{"recent": true, "latest": true, "newest": true, "current": true, "currently": true, "updated": true}

var recentCues = []string{"most recent", "latest", "so far", "to date", "currently", "current ", " now", "newest", "updated"}

// intent words frame a question without being its subject.
var intentWords = map[string]qtype{
	"say": qQuote, "said": qQuote, "says": qQuote, "tell": qQuote, "told": qQuote,
	"react": qQuote, "respond": qQuote, "comment": qQuote,
	"reacted": qQuote, "responded": qQuote, "commented": qQuote, "quote": qQuote, "quotes": qQuote,
}

// translitFold spells a transliterated name as the archive's folded
// spelling of its diacritics would: č, š, ž written ch, sh, zh become c,
// s, z ("Kovačević" is folded to kovacevic, typed "kovachevich").
func translitFold(w string) string {
	return strings.NewReplacer("ch", "c", "sh", "s", "zh", "z").Replace(w)
}

// indefinitePronouns stand for no one thing a sentence could match
// ("anything usable", "did anyone see it").
var indefinitePronouns = map[string]bool{"anything": true, "something": true, "everything": true,
	"anyone": true, "someone": true, "everyone": true, "anybody": true, "somebody": true, "everybody": true}

// howWords follow "how" in questions that ask for a measure.
var howWords = map[string]bool{"far": true, "long": true, "large": true, "big": true, "old": true,
	"often": true, "soon": true, "fast": true, "high": true, "deep": true, "wide": true, "tall": true,
	"full": true, "empty": true, "low": true, "heavy": true}

var numberCues = []string{"how many", "how much", "how far", "how long", "how large", "how big",
	"population", "number of", "how old", "what percentage", "size of", "cost", "area",
	"how high", "how low", "how deep", "how full", "how empty", "how tall", "how heavy", "how wide"}

// synonyms are newsroom paraphrases: a question's word may be reported with
// another. Each group is a set of lower-case words; a question term found
// in a group also matches the others at a lower weight.
var synonyms = [][]string{
	{"withdraw", "withdrawal", "withdrew", "retreat", "retreated", "pullout", "pullback", "pull", "pulled", "regroup", "abandon", "abandoned", "flee", "fled", "leave", "left"},
	{"capture", "captured", "seize", "seized", "seizure", "take", "took", "taken", "recapture", "recaptured", "retake", "retook", "liberate", "liberated", "liberation", "fall", "fell", "reclaim", "reclaimed", "regain", "regained"},
	{"confirm", "confirmed", "confirmation", "acknowledge", "acknowledged", "admit", "admitted"},
	{"kill", "killed", "dead", "death", "deaths", "die", "died", "toll", "fatalities", "bodies"},
	{"injure", "injured", "injury", "injuries", "wound", "wounded", "hurt"},
	{"weapon", "weapons", "arms", "missile", "missiles", "rocket", "rockets", "artillery", "howitzer", "howitzers"},
	{"population", "people", "residents", "inhabitants"},
	{"visit", "visited", "trip", "travel", "travelled", "traveled", "arrive", "arrived"},
	{"attack", "attacked", "offensive", "counteroffensive", "assault", "strike", "advance", "advanced", "push"},
	{"mean", "means", "meaning", "name"},
	{"town", "city", "village", "settlement"},
	{"cost", "costs", "price", "spend", "spent", "euros", "dollars"},
	{"recaptured", "regained", "reclaimed", "territory", "land", "area"},
	{"matter", "matters", "important", "crucial", "vital", "key", "strategic", "significant"},
	{"help", "helped", "support", "supported", "aid", "assist"},
	{"evacuate", "evacuated", "evacuation", "evacuating", "evacuee", "evacuees", "leave", "displaced"},
	{"fix", "fixed", "repair", "repairs", "repaired", "mend"},
	{"demand", "demands", "demanding", "demanded", "ask", "asking", "asked", "want", "wants", "insist", "insists"},
	{"plan", "plans", "programme", "program", "scheme", "proposal"},
	{"military", "defence", "defense", "army", "armed"},
	{"gang", "group", "groups", "crew"},
	{"hack", "hacked", "hackers", "cyberattack", "cyber", "attack", "breach", "ransomware"},
	{"divert", "diverted", "diversion", "redirect", "redirected"},
	{"investigation", "investigate", "investigating", "investigators", "inquiry", "probe", "inquest"},
	{"lead", "leads", "leading", "led", "leader", "head", "heads", "headed", "chair", "chairs", "run", "runs", "running"},
	{"fire", "fires", "wildfire", "wildfires", "blaze", "blazes", "flames", "inferno"},
	{"start", "started", "starts", "begin", "began", "broke", "erupted", "ignited"},
	{"resign", "resigned", "resignation", "quit", "quits", "step", "stepping", "stepped"},
	{"synergy", "synergies", "savings", "saving"},
	{"jail", "jailed", "prison", "imprisoned", "imprisonment", "sentence", "sentenced", "custodial", "term"},
	{"bribe", "bribes", "bribery", "kickback", "kickbacks"},
	{"worker", "workers", "staff", "employee", "employees", "crew", "crews", "workforce"},
	{"strike", "strikes", "walkout", "walkouts", "stoppage", "stoppages"},
	{"sack", "sacked", "fire", "fired", "dismiss", "dismissed", "oust", "ousted"},
	{"talk", "talks", "negotiate", "negotiating", "negotiation", "negotiations", "meeting", "meet"},
	{"collapse", "collapsed", "failure", "failed", "fail", "breach", "breached", "burst"},
	{"attend", "attended", "attendance", "crowd", "gathered"},
	{"president", "leader"},
	{"invade", "invaded", "invasion", "invaders", "invader"},
	{"large", "big", "size", "population"},
	{"minister", "ministry"},
	{"defense", "defence"},
	// "own" is a stop word of the index ("their own"), so WordNet's
	// table, built on the same analysis, cannot relate it.
	{"own", "owns", "owned", "owner", "owners", "ownership", "belong", "belonged", "belongs", "property"},
	{"fund", "funded", "funding", "funds", "pay", "paid", "pays", "paying", "finance", "financed", "grant", "bankroll"},
}

var synIndex = func() map[string][]string {
	m := make(map[string][]string)
	for _, g := range synonyms {
		terms := make([]string, 0, len(g))
		for _, w := range g {
			terms = append(terms, retrieval.Term(w))
		}
		for _, w := range g {
			t := retrieval.Term(w)
			for _, o := range terms {
				if o != t && !slices.Contains(m[t], o) {
					m[t] = append(m[t], o)
				}
			}
		}
	}
	return m
}()

// genericCounts count people or things in general: any counted noun may
// answer them ("how many people died": "14 miners were killed").
var genericCounts = map[string]bool{"people": true, "persons": true, "individuals": true, "of": true, "times": true, "more": true}

// lightVerbs say that something happened without saying what.
var lightVerbs = map[string]bool{"happen": true, "happened": true, "happens": true, "occur": true, "occurred": true, "occurs": true,
	"take": true, "took": true, "place": true, "get": true, "got": true, "go": true, "went": true, "come": true, "came": true,
	"let": true, "make": true, "made": true, "do": true, "did": true, "again": true}

// determiners stand before a noun.
var determiners = map[string]bool{"the": true, "a": true, "an": true, "its": true, "their": true, "his": true, "her": true, "this": true, "that": true}

// dateWords name the unit of a when-question's answer, not its event.
var dateWords = map[string]bool{"day": true, "date": true, "time": true, "year": true, "month": true, "week": true, "hour": true, "hours": true}

// reAsksName matches a question asking for a name outright.
var reAsksName = regexp.MustCompile(`\bnames? of\b|\bwhat(?:'s| is| was| are| were) (?:the|their|his|her|its) names?\b`)

// analyze turns a question into weighted terms. stats may be nil.
func analyze(q string, stats retrieval.TermStats) query {
	out := query{text: q}
	q = stripChat(q)
	out.clean = q
	lq := expandAbbrev(expandContractions(strings.ToLower(collapse(q))))
	first := strings.Fields(lq)
	switch {
	case len(first) == 0:
	case hasAnyPrefix(lq, "who is ", "who was ", "who are ") && reRoleOf.FindString(lq) == "" && !asksWhoIs(lq):
		out.kind = qWho // "who is leading the inquiry": someone who does something
	case hasAnyPrefix(lq, "who is ", "who was ", "who are ", "what is the ", "what is a ", "what is ", "what was ") && !strings.Contains(lq, " doing") ||
		reWhoIsHe.MatchString(lq) || strings.Contains(lq, " stand for") || strings.Contains(lq, "stands for"):
		out.kind = qDefine
		if hasAnyPrefix(lq, "what is the population", "what is the number") {
			out.kind = qNumber
		}
	case strings.HasPrefix(lq, "who") || strings.HasPrefix(lq, "which official"):
		out.kind = qWho
	case strings.HasPrefix(lq, "when") || strings.Contains(lq, "what day") || strings.Contains(lq, "what time") || strings.Contains(lq, "what date") ||
		strings.Contains(lq, "what hours") || strings.Contains(lq, "which hours"):
		out.kind = qWhen
	case strings.HasPrefix(lq, "where"):
		out.kind = qWhere
	case strings.HasPrefix(lq, "which "):
		out.kind = qWhich
	case strings.HasPrefix(lq, "why") || strings.Contains(lq, "reason"):
		out.kind = qWhy
	}
	for _, c := range numberCues {
		if strings.Contains(lq, c) {
			out.kind = qNumber
		}
	}
	if out.kind == qOther && !reWhWord.MatchString(lq) && reQuantityNoun.MatchString(lq) {
		// A keyword query for a quantity ("bakhmut casualties", "death
		// toll dam collapse", "turnout aldmark"): it asks for the figure.
		out.kind = qNumber
	}
	if out.kind == qNumber && strings.Contains(lq, "how much") {
		for _, w := range strings.FieldsFunc(lq, func(r rune) bool { return !unicode.IsLetter(r) }) {
			if moneyCues[w] {
				out.money = true
			}
		}
	}
	out.atype = answerType(lq)
	out.rate = rateUnit(lq)
	out.overview = isOverview(lq)
	for _, c := range recentCues {
		if strings.Contains(lq, c) {
			out.recent = true
		}
	}
	// "Who is the mayor of X": the role is what the answer must name.
	role := ""
	if m := reRoleOf.FindStringSubmatch(lq); m != nil {
		role = m[1]
		out.role = retrieval.Term(role)
	}
	out.asksName = reAsksName.MatchString(lq)
	out.wantsName = out.kind == qWho || out.kind == qWhich || out.role != "" || out.asksName
	toks := retrieval.Analyze(q)
	for i, tk := range toks {
		if full, ok := chatAbbrev[tk.Word]; ok && !strings.Contains(full, " ") && !(tk.Cap && ambiguousAbbrev[tk.Word]) {
			toks[i].Word, toks[i].Term = full, retrieval.Term(full)
		}
	}
	skip := fillerTokens(toks)
	spelled := spelledAcronyms(q, toks, stats)
	for _, acr := range spelled {
		if !slices.Contains(out.expand, acr) {
			out.expand = append(out.expand, acr)
		}
	}
	idioms := idiomParaphrases(q, toks)
	seen := map[string]bool{}
	seenDF := map[string]bool{} // terms the archive has
	speakerHead := -1           // token of the speaker's head noun in "what did X say"
	sayAt := -1                 // token of its verb
	for i, tk := range toks {
		k, ok := intentWords[tk.Word]
		if !ok && tk.Word == "make" && i+1 < len(toks) && toks[i+1].Word == "of" && strings.HasPrefix(lq, "what ") {
			// "What did Loncar make of the offer": what he said of it.
			k, ok = qQuote, true
		}
		if ok {
			if out.kind == qOther || out.kind == qWho {
				out.kind = k
			}
			if k == qQuote && speakerHead < 0 {
				speakerHead = speakerHeadOf(toks, i)
				sayAt = i
			}
			continue
		}
		if retrieval.IsStopWord(tk.Word) || indefinitePronouns[tk.Word] || seen[tk.Term] {
			continue
		}
		if out.recent && recencyWords[tk.Word] {
			continue // "most recent": asks for the newest report, not the word
		}
		if skip[i] {
			continue // "as a result of", "in return for": framing, not subject
		}
		if out.atype != aAny && isAtypeWord(tk.Word, out.atype) {
			continue // "how old", "what day": the form of the answer, not its words
		}
		if i > 0 && toks[i-1].Word == "how" && howWords[tk.Word] {
			// "how far", "how long": the answer is a measure, and the
			// adjective is not something its sentence will say.
			continue
		}
		seen[tk.Term] = true
		t := qterm{term: tk.Term, word: tk.Word, weight: 1, alt: paraphraseTerms(tk.Term)}
		for _, p := range idioms[i] {
			t.extra = append(t.extra, p)
			t.alt = append(t.alt, p.term)
		}
		if i > 0 && !retrieval.IsStopWord(toks[i-1].Word) && !t.name {
			compound := compoundParaphrases(toks[i-1].Term, tk.Term)
			t.extra = append(t.extra, compound...)
			for _, p := range compound {
				t.alt = append(t.alt, p.term)
			}
			if len(compound) > 0 {
				for j := range out.terms {
					if m := &out.terms[j]; m.term == toks[i-1].Term && !m.name {
						for _, p := range modifierParaphrases(compound) {
							m.extra = append(m.extra, p)
							m.alt = append(m.alt, p.term)
						}
					}
				}
			}
		}
		if mag, ok := magnitudeSuffix[tk.Word]; ok && i > 0 && toks[i-1].Start+len(toks[i-1].Word) == tk.Start && isFigure(toks[i-1].Word) {
			// "286m", "5k": a figure's magnitude, which the news spells
			// out ("286 million"); "m" stays metres too ("100m sprint").
			t.alt = append(t.alt, retrieval.Term(mag))
		}
		t.name = tk.Cap && i > 0
		if t.name {
			// A name has no paraphrases ("Biden" is no "bid"), only its
			// other forms ("Ukraine", "Ukrainian").
			t.alt, t.extra = nil, demonyms(tk.Term)
		}
		if acr, ok := spelled[i]; ok {
			// "Federal Bureau of Investigation" where the archive
			// writes "FBI": the acronym stands for every word of it.
			t.phrase = []string{acr}
		}
		if stats != nil {
			n := float64(stats.NumChunks())
			df := float64(stats.DocFreq(tk.Term))
			if df > 0 {
				seenDF[tk.Term] = true
			}
			if df == 0 {
				// Only a word that is not English ("reinforcments",
				// "balakleya") is a misspelling; "deadline" is a word the
				// archive does not use, not a typo for "headline".
				if sp, ok := stats.(retrieval.Speller); ok && (!t.name || len(tk.Word) >= 6) && !lexicon.Known(tk.Term) {
					cs := sp.Correct(tk.Word)
					if f := translitFold(tk.Word); len(cs) == 0 && f != tk.Word {
						// "kovachevich", "sharich": the English
						// transliteration of Kovačević, Šarić, which
						// the archive writes without the h.
						cs = sp.Correct(f)
						if stats.DocFreq(retrieval.Term(f)) > 0 {
							cs = append(cs, retrieval.Term(f))
						}
					}
					for _, c := range cs {
						if !t.name || sameEnds(c, tk.Term) {
							t.spell = append(t.spell, c)
						}
					}
				}
			}
			if df == 0 && !t.name {
				// A word the archive never uses cannot match, and one
				// that WordNet relates only by definitions has no other
				// paraphrase: its definition stands in ("casualties":
				// "someone injured or killed"), for the figure near it
				// too ("two persons died").
				for _, p := range unseenGlossParaphrases(tk.Term) {
					if !slices.Contains(t.alt, p.term) {
						t.extra = append(t.extra, p)
						t.alt = append(t.alt, p.term)
					}
				}
			}
			if df == 0 {
				// A word the archive never uses but whose paraphrase or
				// spelling it does ("evacuees" for "evacuated") weighs as
				// that: it is not rarer than what will match it.
				for _, a := range slices.Concat(t.alt, t.spell) {
					if d := float64(stats.DocFreq(a)); d > df {
						df = d
					}
				}
				if df > 0 {
					seenDF[tk.Term] = true
				}
			}
			if n > 0 {
				t.weight = idf(n, df)
			}
			if tk.Word == role {
				t.weight *= 2
			}
			if t.name {
				out.names = append(out.names, wordAt(q, tk.Start))
				if _, ok := spelled[i]; !ok && df == 0 && !stats.Known(tk.Word) && !partsKnown(toks, i, stats) {
					written := wordAt(q, tk.Start)
					if ph := expandAcronym(stats, written); ph != "" {
						t.phrase = retrieval.Terms(ph)
						out.expand = append(out.expand, ph)
					} else {
						out.unknown = append(out.unknown, written)
					}
				}
			}
		}
		out.terms = append(out.terms, t)
	}
	out.unknown = softenAcronyms(out.unknown, out.names)
	if out.kind == qDefine && stats != nil {
		// "What does ANSM stand for": the answer is where the archive
		// spells it out.
		for _, tk := range toks {
			if written := wordAt(q, tk.Start); len(written) >= 2 && strings.ToUpper(written) == written && strings.ToLower(written) != written {
				if ph := expandAcronym(stats, written); ph != "" {
					out.define = retrieval.Terms(ph)
				}
			}
		}
	}
	if out.kind == qWhich {
		for _, tk := range toks[1:] {
			if !retrieval.IsStopWord(tk.Word) && !tk.Cap {
				out.head = append([]string{tk.Term}, paraphraseTerms(tk.Term)...)
				break
			}
		}
	}
	if out.kind == qWho && len(toks) > 1 && toks[0].Word == "who" {
		for _, tk := range toks[1:] {
			if !retrieval.IsStopWord(tk.Word) {
				out.predicate = append([]string{tk.Term}, paraphraseTerms(tk.Term)...)
				break
			}
		}
	}
	for i := 0; i+2 < len(toks) && out.kind == qNumber; i++ {
		if toks[i].Word != "how" || toks[i+1].Word != "many" {
			continue
		}
		if toks[i+2].Word == "of" {
			break // "how many of the clinics": a share may answer ("three-quarters")
		}
		// The counted noun phrase: its words up to the first stop word
		// ("measles patients" in "how many measles patients have"),
		// names aside ("how many norlith engineers").
		var np []string
		for _, tk := range toks[i+2:] {
			t := out.term(tk.Term)
			if t != nil && t.name {
				continue
			}
			if t == nil || genericCounts[tk.Word] || t.unseen {
				if t != nil {
					np = nil // people in general, or a word no passage has
				}
				break
			}
			if np != nil && len(tk.Word) > 4 && (strings.HasSuffix(tk.Word, "ed") || strings.HasSuffix(tk.Word, "ing")) {
				break // the verb after the noun: "how many homes burned"
			}
			words := t.matchWords()
			if np == nil {
				out.countedFirst = words
			}
			np = append(np, words...)
		}
		if np == nil {
			out.countedFirst = nil
		}
		out.counted = np
		break
	}
	if out.kind == qWhen {
		// The event is the question's last content word; when that is
		// the object of the verb before it ("detect the intrusion"),
		// the verb names the event as well.
		object := false
		for i := len(toks) - 1; i >= 0; i-- {
			tk := toks[i]
			if tk.Cap || dateWords[tk.Word] {
				continue
			}
			if len(out.event) > 0 {
				if determiners[tk.Word] && !object {
					object = true
					continue
				}
				if !object || retrieval.IsStopWord(tk.Word) {
					break
				}
			}
			t := out.term(tk.Term)
			if t == nil || t.name || t.unseen || len(out.event) == 0 && lightVerbs[tk.Word] {
				// ("when did the derailment happen": the derailment is
				// the event.)
				if len(out.event) > 0 {
					break
				}
				continue
			}
			out.event = append(out.event, t.matchWords()...)
			if object {
				break
			}
		}
	}
	if len(out.unknown) == 0 && stats != nil {
		if w := countedNoun(toks, stats); w != "" {
			out.unknown = append(out.unknown, w)
		}
	}
	if len(out.unknown) == 0 && stats != nil {
		if w := costedNoun(toks, stats); w != "" {
			out.unknown = append(out.unknown, w)
		}
	}
	if len(out.unknown) == 0 && stats != nil {
		out.unknown = unknownNames(q, toks, stats, spelled)
	}
	// A word the archive never uses would get the highest weight of all
	// and sink every sentence's coverage, though reporters paraphrase
	// ("gang" for "group", "hack" for "cyberattack"): it weighs no more
	// than the heaviest word the archive does use.
	heaviest := 0.0
	for _, t := range out.terms {
		if seenDF[t.term] || anyKnownTerm(stats, t.alt) {
			heaviest = max(heaviest, t.weight)
		}
	}
	for i, t := range out.terms {
		if heaviest > 0 && !t.name && len(t.phrase) == 0 && !seenDF[t.term] && !anyKnownTerm(stats, t.alt) {
			out.terms[i].weight = unseenWeight * min(t.weight, heaviest)
			out.terms[i].unseen = true
		}
	}
	// The speaker's phrase ("Katarzyna Novak", "the governor" of
	// "Idaho"): see speakerName and speakerTitle.
	if out.kind == qQuote && speakerHead >= 0 {
		for j := speakerHead; j >= 0 && !auxWords[toks[j].Word]; j-- {
			if !retrieval.IsStopWord(toks[j].Word) {
				out.speaker = append(out.speaker, toks[j].Term)
			}
		}
		for j := speakerHead + 1; j < sayAt; j++ {
			if !retrieval.IsStopWord(toks[j].Word) {
				out.speakerOf = append(out.speakerOf, toks[j].Term) // "of Idaho"
			}
		}
	}
	// "What did the mayor say": when the archive never mentions the
	// speaker, by that word or a paraphrase, nothing in it answers.
	if out.kind == qQuote && speakerHead >= 0 && stats != nil {
		tk := toks[speakerHead]
		unknownWord := func(tk retrieval.Token) bool {
			if t := out.term(tk.Term); t != nil && len(t.spell) > 0 {
				return false // misspelt ("lonchar" for Loncar), not unknown
			}
			return stats.DocFreq(tk.Term) == 0 && !stats.Known(tk.Word) && !anyKnown(stats, paraphraseTerms(tk.Term))
		}
		// Not when a common word in the speaker's phrase is known: "the
		// taverna owner" may be "a woman who runs a taverna". A name
		// ("the Greek prime minister") does not count.
		known := false
		for j := speakerHead - 1; j >= 0 && !auxWords[toks[j].Word]; j-- {
			if !toks[j].Cap && !retrieval.IsStopWord(toks[j].Word) && !unknownWord(toks[j]) {
				known = true
			}
		}
		if !tk.Cap && !known && unknownWord(tk) {
			out.unknown = append(out.unknown, "the "+tk.Word)
		}
	}
	return out
}

// speakerName returns the name terms of the speaker in "what did X say"
// when the speaker is a person or body named ("what did Novak say"), not
// described ("what did the mayor say"); nil otherwise.
func (qa *query) speakerName() []string {
	if qa.kind != qQuote || len(qa.speaker) == 0 {
		return nil
	}
	isName := func(term string) bool {
		for _, t := range qa.terms {
			if t.term == term {
				return t.name
			}
		}
		return false
	}
	if !isName(qa.speaker[0]) {
		return nil
	}
	// Only the head of the speaker's phrase names the speaker (the
	// surname of "Katarzina Novak", "Brody" of "transportation sec
	// Brody"): the words before it qualify it, and the department they
	// name is not the person.
	var out []string
	for _, t := range qa.speaker[:1] {
		if isName(t) {
			out = append(out, t)
		}
		for _, qt := range qa.terms {
			if qt.term == t {
				// "the NFFS", "Katarzina Novak": the archive's name
				// for it, its spelling, or a misspelling's letters
				// (see attributes).
				out = append(out, qt.phrase...)
				out = append(out, qt.spell...)
				if qt.name && len(qt.word) >= 5 {
					out = append(out, sigPrefix+sigOf(qt.word))
				}
			}
		}
	}
	return out
}

// speakerTitle returns, for "what did the mayor of Chalhuanca say", the
// terms of the speaker's description with their paraphrases ("mayor"),
// and the names that qualify it ("Chalhuanca"); nil when the speaker is
// named, not described.
func (qa *query) speakerTitle() (head, names []string) {
	if qa.kind != qQuote || len(qa.speaker) == 0 || qa.speakerName() != nil {
		return nil, nil
	}
	for _, t := range qa.terms {
		switch {
		case t.name && (slices.Contains(qa.speaker, t.term) || slices.Contains(qa.speakerOf, t.term)):
			names = append(names, t.term)
		case !t.name && slices.Contains(qa.speaker, t.term):
			// Any common word of the description: "the taverna owner"
			// may be "a woman who runs a taverna".
			head = append(head, t.term)
			head = append(head, paraphraseTerms(t.term)...)
		}
	}
	if len(head) == 0 {
		return nil, nil
	}
	return head, names
}

// hasTerm reports whether t is one of the question's terms or their
// spellings.
// onTopic reports whether c, or the sentence before it, has a word of
// what a quote question asks about ("the budget" in "what did Novak say
// about the budget"), or one of its paraphrases. A question with no
// topic besides its speaker is on topic everywhere.
func (qa *query) onTopic(c *candidate) bool {
	topic := false
	for _, t := range qa.terms {
		if t.name || t.unseen || slices.Contains(qa.speaker, t.term) || slices.Contains(qa.speakerOf, t.term) {
			continue
		}
		topic = true
		if c.mentions(t.matchWords()) {
			return true
		}
	}
	return !topic
}

// matchWords are the terms a passage may say for t: t itself, its
// alternatives and spellings, its paraphrases and those of the compound
// or idiom it belongs to.
func (t *qterm) matchWords() []string {
	words := slices.Concat([]string{t.term}, t.alt, t.spell, paraphraseTerms(t.term))
	for _, p := range t.extra {
		words = append(words, p.term)
	}
	return words
}

// term returns the question's term t, or nil.
func (qa *query) term(t string) *qterm {
	for i := range qa.terms {
		if qa.terms[i].term == t {
			return &qa.terms[i]
		}
	}
	return nil
}

func (qa *query) hasTerm(t string) bool {
	for _, qt := range qa.terms {
		if qt.term == t || slices.Contains(qt.spell, t) {
			return true
		}
	}
	return false
}

// paraphrases are t's WordNet and newsroom paraphrases; a name has none.
func (t *qterm) paraphrases() []paraphrase {
	if t.name && len(t.alt) == 0 {
		return nil
	}
	return paraphrasesOf(t.term)
}

// unseenWords are the question's words that the archive never uses.
func (qa *query) unseenWords() []string {
	var out []string
	for _, t := range qa.terms {
		if t.unseen {
			out = append(out, t.word)
		}
	}
	return out
}

// unseenWeight scales a common word the archive never uses: people ask in
// words that reports do not use, and such a word cannot tell sentences
// apart; it still counts a little, so that a question made mostly of
// them is not taken as answered.
const unseenWeight = 0.3

// sameEnds reports whether two terms share their first and last letters:
// a misspelt name keeps them ("shmihal" and "shmigal"), a different name
// seldom does.
func sameEnds(a, b string) bool {
	return a != "" && b != "" && a[0] == b[0] && a[len(a)-1] == b[len(b)-1]
}

// asksWhoIs reports whether "who is X" asks who X is ("who is tran quoc
// hung", typed in lower case) rather than who does something ("who is
// leading the inquiry", "who is behind the attack").
func asksWhoIs(lq string) bool {
	f := strings.Fields(lq)
	if len(f) < 3 || len(f) > 7 {
		return false
	}
	next := strings.Trim(f[2], "?!.,")
	if strings.HasSuffix(next, "ing") || retrieval.IsStopWord(next) || headPrepositions[next] ||
		next == "behind" || next == "responsible" || next == "to" || next == "in" {
		return false
	}
	return true
}

// reWhWord finds a question word; reQuantityNoun a noun that names a
// quantity.
var (
	reWhWord       = regexp.MustCompile(`\b(?:who|whom|whose|what|which|when|where|why|how|did|does|do|is|are|was|were|has|have|can|will)\b`)
	reQuantityNoun = regexp.MustCompile(`\b(?:toll|casualties|turnout|population|tally|headcount|workforce|attendance|ransom|fee|fine|salary|budget|price|cost|costs)\b`)
)

// reWhoIsHe is "X — who is he": the question is who X is.
var reWhoIsHe = regexp.MustCompile(`\bwho(?: is|'s|s) (?:he|she|they|this|that|this guy|this person)\b|\bwho are they\b`)

// reRoleOf finds the role in "who is the mayor of ...".
var reRoleOf = regexp.MustCompile(`^(?:who|what) (?:is|was|are|were) (?:the )?(?:current |new |former )?([a-z]+) (?:of|at|for|in) `)

// softenAcronyms keeps an unknown all-capitals word ("CEO", "MP") as a
// reason to abstain only when the question names nothing the archive
// knows: beside "Henrik Sondergaard" it is a title, alone ("What did the
// WHO say?") it is the subject.
func softenAcronyms(unknown, names []string) []string {
	known := 0
	for _, n := range names {
		if !slices.Contains(unknown, n) {
			known++
		}
	}
	if known == 0 {
		return unknown
	}
	out := unknown[:0]
	for _, u := range unknown {
		if strings.ToUpper(u) != u {
			out = append(out, u)
		}
	}
	return out
}

// partsKnown reports whether the token at i is a hyphenated compound
// ("Harlan-Veltra") whose parts the archive has, each on its own. Analyze
// follows a compound with its parts, the first starting where it does.
func partsKnown(toks []retrieval.Token, i int, stats retrieval.TermStats) bool {
	if i+1 >= len(toks) || toks[i+1].Start != toks[i].Start {
		return false
	}
	end := toks[i].Start + len(toks[i].Word) // the joined word has no hyphens
	parts := 0
	for j := i + 1; j < len(toks) && toks[j].Start < end+parts; j++ {
		if stats.DocFreq(toks[j].Term) == 0 && !stats.Known(toks[j].Word) {
			return false
		}
		parts++
	}
	return parts >= 2
}

// countedNoun returns the noun of "how many <noun>" when the archive never
// uses it or a paraphrase of it ("how many ounces"): it cannot give that
// count. Otherwise "".
func countedNoun(toks []retrieval.Token, stats retrieval.TermStats) string {
	for i := 0; i+2 < len(toks); i++ {
		if toks[i].Word != "how" || toks[i+1].Word != "many" {
			continue
		}
		if toks[i+2].Word == "of" {
			break // "how many of the clinics": a share may answer ("three-quarters")
		}
		tk := toks[i+2]
		if retrieval.IsStopWord(tk.Word) || genericCounts[tk.Word] || stats.DocFreq(tk.Term) > 0 || stats.Known(tk.Word) || anyKnown(stats, paraphraseTerms(tk.Term)) ||
			anyKnown(stats, glossTerms(unseenGlossParaphrases(tk.Term))) {
			return ""
		}
		if sp, ok := stats.(retrieval.Speller); ok && !lexicon.Known(tk.Term) && len(sp.Correct(tk.Word)) > 0 {
			return "" // a misspelling of a word the archive has ("housholds")
		}
		return tk.Word
	}
	return ""
}

// costedNoun is countedNoun for a price: the head of what "how much does X
// cost" prices ("ticket" in "how much will a single ticket on the new line
// cost"), when neither it nor a paraphrase or spelling of it occurs in the
// archive; "" otherwise.
func costedNoun(toks []retrieval.Token, stats retrieval.TermStats) string {
	if len(toks) < 4 || toks[0].Word != "how" || toks[1].Word != "much" {
		return ""
	}
	at := slices.IndexFunc(toks, func(tk retrieval.Token) bool { return tk.Word == "cost" })
	if at < 3 {
		return ""
	}
	h := speakerHeadOf(toks, at)
	if h < 2 {
		return ""
	}
	tk := toks[h]
	if tk.Cap || stats.DocFreq(tk.Term) > 0 || stats.Known(tk.Word) || anyKnown(stats, paraphraseTerms(tk.Term)) ||
		anyKnown(stats, glossTerms(unseenGlossParaphrases(tk.Term))) {
		return ""
	}
	if sp, ok := stats.(retrieval.Speller); ok && !lexicon.Known(tk.Term) && len(sp.Correct(tk.Word)) > 0 {
		return ""
	}
	return tk.Word
}

// speakerHeadOf returns the token of the head noun of the speaker in "what
// did the governor of Idaho say" (verb at index say): the last content
// word after the auxiliary and before any "of". -1 when there is none.
func speakerHeadOf(toks []retrieval.Token, say int) int {
	from := 0
	for j := say - 1; j >= 0; j-- {
		if auxWords[toks[j].Word] {
			from = j + 1
			break
		}
	}
	to := say
	for j := from; j < say; j++ {
		if headPrepositions[toks[j].Word] {
			to = j // "the taverna owner in Rovies", "the governor of Idaho"
			break
		}
	}
	for j := to - 1; j >= from; j-- {
		if !retrieval.IsStopWord(toks[j].Word) {
			return j
		}
	}
	return -1
}

var headPrepositions = map[string]bool{"of": true, "in": true, "at": true, "from": true, "for": true, "on": true, "with": true}

var auxWords = map[string]bool{"did": true, "does": true, "do": true, "has": true, "have": true, "had": true, "will": true, "would": true, "could": true}

// wordAt returns the word of q that starts at byte start, as written: its
// letters and digits, with the apostrophes, hyphens and separators inside
// it ("Harlan-Veltra", "27,000"). Token words are folded and may differ in
// length from the text, so they cannot be used to slice it.
func wordAt(q string, start int) string {
	if start < 0 || start >= len(q) {
		return ""
	}
	end := start
	for end < len(q) {
		r, size := utf8.DecodeRuneInString(q[end:])
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) {
			end += size
			continue
		}
		if strings.ContainsRune("-'’.,", r) && end > start && end+size < len(q) {
			if next, _ := utf8.DecodeRuneInString(q[end+size:]); unicode.IsLetter(next) || unicode.IsDigit(next) {
				if r == '\'' || r == '’' {
					if rest := q[end+size:]; strings.HasPrefix(rest, "s") && (len(rest) == 1 || !unicode.IsLetter(firstRune(rest[1:]))) {
						break // a possessive is not part of the name
					}
				}
				end += size
				continue
			}
		}
		break
	}
	return q[start:end]
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

// anyKnownTerm is anyKnown for a possibly nil stats.
func anyKnownTerm(stats retrieval.TermStats, terms []string) bool {
	return stats != nil && anyKnown(stats, terms)
}

// fillers are phrases that frame a question without being its subject.
var fillers = [][]string{
	{"as", "a", "result", "of"}, {"in", "return", "for"}, {"in", "exchange", "for"},
	{"at", "the", "centre", "of"}, {"at", "the", "center", "of"}, {"in", "the", "wake", "of"},
	{"on", "behalf", "of"}, {"in", "order", "to"}, {"in", "terms", "of"}, {"in", "response", "to"},
	{"stand", "for"}, {"stands", "for"}, {"go", "ahead"}, {"went", "ahead"}, {"take", "place"}, {"took", "place"},
}

// fillerTokens marks the tokens that belong to a filler phrase.
func fillerTokens(toks []retrieval.Token) map[int]bool {
	skip := map[int]bool{}
	for i := range toks {
		for _, f := range fillers {
			if i+len(f) > len(toks) {
				continue
			}
			match := true
			for j, w := range f {
				if toks[i+j].Word != w {
					match = false
					break
				}
			}
			if match {
				for j := range f {
					skip[i+j] = true
				}
			}
		}
	}
	return skip
}

// capRuns returns the runs of two or more capitalised question words
// (after the first word, whose capital says nothing), with joiners such
// as "of" allowed inside: "Federal Bureau of Investigation".
func capRuns(q string, toks []retrieval.Token) [][]int {
	var runs [][]int
	var run []int
	flush := func() {
		if len(run) >= 2 {
			runs = append(runs, run)
		}
		run = nil
	}
	end := -1 // end of the last whole word: the parts of "Co-operation" lie inside it
	for i, tk := range toks {
		if tk.Start < end {
			continue
		}
		end = tk.Start + len(wordAt(q, tk.Start))
		switch {
		case tk.Cap && i > 0:
			run = append(run, i)
			if rest := q[end:]; strings.HasPrefix(rest, "'s") || strings.HasPrefix(rest, "’s") {
				flush() // "Aldmark's Social Democratic Party": two names
			}
		case len(run) > 0 && retrieval.IsNameJoiner(tk.Word):
		default:
			flush()
		}
	}
	flush()
	return runs
}

// spelledAcronyms finds runs of capitalised question words whose initials
// the archive uses as a word ("Federal Bureau of Investigation" -> "fbi")
// and maps each capitalised token of such a run to that term.
func spelledAcronyms(q string, toks []retrieval.Token, stats retrieval.TermStats) map[int]string {
	out := map[int]string{}
	if stats == nil {
		return out
	}
	for _, run := range capRuns(q, toks) {
		var b strings.Builder
		for _, k := range run {
			b.WriteString(toks[k].Word[:1])
		}
		acr := retrieval.Term(b.String())
		if stats.DocFreq(acr) == 0 {
			continue
		}
		for _, k := range run {
			out[k] = acr
		}
	}
	return out
}

// unknownNames returns the capitalised runs of the question ("the Joint
// Commission") whose words the archive has, but never together: a name
// it does not know, though each word looks familiar.
func unknownNames(q string, toks []retrieval.Token, stats retrieval.TermStats, spelled map[int]string) []string {
	ph, ok := stats.(retrieval.Phrases)
	if !ok {
		return nil
	}
	var out []string
	for _, run := range capRuns(q, toks) {
		if _, ok := spelled[run[0]]; ok {
			continue
		}
		// Only words the archive has as written take part. A word it
		// never uses (a title, "CEO", or a name it spells otherwise) is
		// judged on its own, elsewhere, and splits the run: the archive
		// may say "Norvik chief executive Henrik Sondergaard".
		var group []int
		check := func() {
			if len(group) >= 2 {
				positions := make([][]string, len(group))
				for j, k := range group {
					positions[j] = append([]string{toks[k].Term}, synIndex[toks[k].Term]...)
				}
				if !ph.HasPhrase(positions) {
					last := toks[group[len(group)-1]]
					out = append(out, q[toks[group[0]].Start:last.Start+len(wordAt(q, last.Start))])
				}
			}
			group = group[:0]
		}
		for _, k := range run {
			if stats.DocFreq(toks[k].Term) > 0 {
				group = append(group, k)
			} else {
				check()
			}
		}
		check()
	}
	return out
}

// anyKnown reports whether the corpus has any of terms.
func anyKnown(stats retrieval.TermStats, terms []string) bool {
	for _, t := range terms {
		if stats.DocFreq(t) > 0 {
			return true
		}
	}
	return false
}

// expandAcronym returns the corpus's name for an all-capitals word of the
// question ("ISW"), when the searcher can tell, else "".
func expandAcronym(stats retrieval.TermStats, written string) string {
	ac, ok := stats.(retrieval.Acronyms)
	if !ok || len(written) < 2 || strings.ToUpper(written) != written || strings.ToLower(written) == written {
		return ""
	}
	return ac.Expand(written)
}

func hasAnyPrefix(s string, ps ...string) bool {
	for _, p := range ps {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
