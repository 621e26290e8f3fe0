package extractive

import (
	"strings"
	"sync"

	"github.com/newsdesk/newsdesk/retrieval"
	"github.com/newsdesk/newsdesk/retrieval/lexicon"
)

// Paraphrases of a question's term come from WordNet 3.0
// (retrieval/lexicon): irregular inflections, synonyms of its first
// senses, derivationally related forms and verb entailments, weighted by
// how close the relation is, so that the words typed still count most.
// Hypernyms are left out: WordNet's are too broad for matching ("work"
// is a hypernym of "factory"). So are the words of a one-word term's
// definition (Gloss): a common word's definitions are general ("pay":
// "cancel or discharge a debt"), and as little as 0.3 of a match for them
// answered near-miss questions; a compound's are kept (compoundParaphrases). The hand-written newsroom groups
// (synonyms, in query.go) add the paraphrases of news copy that WordNet
// does not relate ("toll" and "killed", "pullout" and "withdrawal").

// Match weights: what a sentence gets for the paraphrase instead of the word.
const (
	inflectionWeight = 0.95
	synonymWeight    = 0.75
	derivedWeight    = 0.75
	entailmentWeight = 0.5
	newsroomWeight   = 0.7
)

// Per-kind caps: relations come most frequent sense first, and the long
// tail of a common word's senses is noise ("line" is also a "melody").
var kindCap = map[lexicon.Kind]int{lexicon.Inflection: 4, lexicon.Synonym: 4, lexicon.Derived: 4, lexicon.Entailment: 2}

var kindWeight = map[lexicon.Kind]float64{lexicon.Inflection: inflectionWeight, lexicon.Synonym: synonymWeight,
	lexicon.Derived: derivedWeight, lexicon.Entailment: entailmentWeight}

// paraphrase is a related term and the share of a match it earns.
type paraphrase struct {
	term   string
	weight float64
	kind   lexicon.Kind // 0 for the newsroom groups and demonyms
}

var paraCache sync.Map // term -> []paraphrase

// paraphrasesOf returns term's paraphrases, closest first; it caches them.
func paraphrasesOf(term string) []paraphrase {
	if v, ok := paraCache.Load(term); ok {
		return v.([]paraphrase)
	}
	var out []paraphrase
	seen := map[string]bool{term: true}
	n := map[lexicon.Kind]int{}
	add := func(rels []lexicon.Rel, scale float64) {
		for _, r := range rels {
			w, ok := kindWeight[r.Kind]
			if !ok || seen[r.Term] || n[r.Kind] >= kindCap[r.Kind] {
				continue
			}
			n[r.Kind]++
			seen[r.Term] = true
			out = append(out, paraphrase{r.Term, w * scale, r.Kind})
		}
	}
	rels := lexicon.Related(term)
	add(rels, 1)
	for _, t := range synIndex[term] {
		if !seen[t] {
			seen[t] = true
			out = append(out, paraphrase{t, newsroomWeight, 0})
		}
	}
	// An irregular form ("retaken") takes its base's relations ("retake":
	// "recapture", "take") as well.
	for _, r := range rels {
		if r.Kind != lexicon.Inflection {
			continue
		}
		n = map[lexicon.Kind]int{lexicon.Inflection: kindCap[lexicon.Inflection]}
		add(lexicon.Related(r.Term), inflectionWeight)
		for _, t := range synIndex[r.Term] {
			if !seen[t] {
				seen[t] = true
				out = append(out, paraphrase{t, newsroomWeight * inflectionWeight, 0})
			}
		}
	}
	paraCache.Store(term, out)
	return out
}

// paraphraseTerms is paraphrasesOf without the weights.
func paraphraseTerms(term string) []string {
	ps := paraphrasesOf(term)
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.term
	}
	return out
}

// compoundWeight is what a relation of a two-word WordNet lemma ("power
// line") earns: its hypernyms are included ("cable"), since a compound is
// narrow enough for its broader term to be a paraphrase. So are the
// lemmas whose definitions mention it, or that its definition mentions
// (Gloss: "pylon", "a large vertical steel tower supporting high-tension
// power lines"), for compoundGlossWeight: a definition relates more
// loosely than a hypernym.
const (
	compoundWeight      = 0.6
	compoundGlossWeight = 0.4
)

// compoundParaphrases returns the relations of the WordNet lemma made of
// two adjacent question terms ("power line"), or nil.
func compoundParaphrases(first, head string) []paraphrase {
	var out []paraphrase
	for _, r := range lexicon.Related(first + " " + head) {
		if r.Term != head && r.Term != first {
			w := compoundWeight
			if r.Kind == lexicon.Gloss {
				w = compoundGlossWeight
			}
			out = append(out, paraphrase{r.Term, w, r.Kind})
		}
	}
	return out
}

// maxIdiomWords is the longest WordNet lemma, in words, matched in a
// question as an idiom.
const maxIdiomWords = 5

// possessives stand for "one's" in a WordNet lemma ("grease one's palms").
var possessives = map[string]bool{"his": true, "her": true, "their": true, "my": true, "your": true, "its": true, "our": true}

// idiomParaphrases finds the WordNet lemmas of three words or more that a
// question says ("throw in the towel", "greasing Llewellyn's palm" for
// "grease one's palms") and returns, by token, the relations of each
// lemma for each of its content words: "throw in the towel" gives
// "quit", "give up", and from its definition "admit defeat"; a sentence
// that says "conceded defeat" says the idiom. Longest lemma first; a
// token belongs to one idiom at most.
func idiomParaphrases(q string, toks []retrieval.Token) map[int][]paraphrase {
	var out map[int][]paraphrase
	for i := 0; i+3 <= len(toks); i++ {
		for l := min(maxIdiomWords, len(toks)-i); l >= 3; l-- {
			terms := make([]string, l)
			for k, tk := range toks[i : i+l] {
				terms[k] = tk.Term
				w := wordAt(q, tk.Start)
				rest := ""
				if end := tk.Start + len(w); end <= len(q) {
					rest = q[end:]
				}
				if possessives[tk.Word] || strings.HasSuffix(w, "'s") || strings.HasSuffix(w, "’s") ||
					strings.HasPrefix(rest, "'s") || strings.HasPrefix(rest, "’s") {
					terms[k] = "one" // "Llewellyn's", "his": WordNet's "one's"
				}
			}
			rels := lexicon.Related(strings.Join(terms, " "))
			if len(rels) == 0 {
				continue
			}
			var ps []paraphrase
			for _, r := range rels {
				w := compoundWeight
				if r.Kind == lexicon.Gloss {
					w = compoundGlossWeight
				}
				ps = append(ps, paraphrase{r.Term, w, r.Kind})
			}
			if out == nil {
				out = map[int][]paraphrase{}
			}
			for k := i; k < i+l; k++ {
				if terms[k-i] != "one" && !retrieval.IsStopWord(toks[k].Word) {
					out[k] = ps
				}
			}
			i += l - 1
			break
		}
	}
	// Phrasal verbs: a verb and the particle after it ("chipping in",
	// "called off", "step down") mean what WordNet's lemma of the two
	// means (contribute, cancel, resign), which neither word says alone.
	for i := 0; i+1 < len(toks); i++ {
		tk, pt := toks[i], toks[i+1]
		if out[i] != nil || !particles[pt.Word] || retrieval.IsStopWord(tk.Word) || tk.Cap {
			continue
		}
		rels := lexicon.Related(tk.Term + " " + pt.Term)
		if len(rels) == 0 {
			continue
		}
		ps := make([]paraphrase, 0, len(rels))
		for _, r := range rels {
			w := compoundWeight
			if r.Kind == lexicon.Gloss {
				w = compoundGlossWeight
			}
			ps = append(ps, paraphrase{r.Term, w, r.Kind})
		}
		if out == nil {
			out = map[int][]paraphrase{}
		}
		out[i] = ps
	}
	return out
}

// particles are the adverbs that make phrasal verbs.
var particles = map[string]bool{"up": true, "down": true, "in": true, "out": true, "off": true, "on": true,
	"over": true, "away": true, "back": true, "through": true}

// modifierParaphrases are the paraphrases of a compound ("power line")
// that stand for its first word too: a sentence that says "pylons" for
// "power lines" says both words. A hypernym ("cable") drops what the
// first word adds, so it stands for the head only.
func modifierParaphrases(compound []paraphrase) []paraphrase {
	var out []paraphrase
	for _, p := range compound {
		if p.kind != lexicon.Hypernym {
			out = append(out, p)
		}
	}
	return out
}

// demonymSuffixes turn a place's term into its people's ("ukrain" ->
// "ukrainian", "rusia" -> "rusian", "china" -> "chines").
var demonymSuffixes = []string{"ian", "an", "n", "ean", "ese", "ish", "i"}

// demonymWeight is what "Ukrainian" earns for "Ukraine", and back.
const demonymWeight = 0.8

// demonyms returns the terms of a place name's demonym and, for a
// demonym, of its place: the same name in another form.
func demonyms(term string) []paraphrase {
	var out []paraphrase
	for _, s := range demonymSuffixes {
		out = append(out, paraphrase{term + s, demonymWeight, 0})
		if len(term) > len(s)+3 && strings.HasSuffix(term, s) {
			out = append(out, paraphrase{strings.TrimSuffix(term, s), demonymWeight, 0})
		}
	}
	return out
}

// unseenGlossWeight is what a lemma of a one-word term's definition
// earns when the archive never uses the term and WordNet relates it only
// by definitions (unseenGlossParaphrases). Measured flat from 0.1 to 0.6
// on every set; the lowest that earlier changed nothing is kept.
const unseenGlossWeight = 0.2

// unseenGlossCap bounds how many definition lemmas stand in.
const unseenGlossCap = 6

// unseenGlossParaphrases returns the Gloss relations of term when they
// are all WordNet has for it ("casualti": "acid", "die", "injur", "kil",
// from "someone injured or killed in an accident"), for a term the
// archive never uses: the literal word cannot match, and its definition
// stands in. A word with a closer relation ("relation", "money") gets
// none: what the archive lacks is what it is about.
func unseenGlossParaphrases(term string) []paraphrase {
	rels := lexicon.Related(term)
	if len(rels) == 0 || rels[0].Kind != lexicon.Gloss {
		return nil
	}
	var out []paraphrase
	for _, r := range rels[:min(len(rels), unseenGlossCap)] {
		out = append(out, paraphrase{r.Term, unseenGlossWeight, r.Kind})
	}
	return out
}

// glossTerms is ps without the weights.
func glossTerms(ps []paraphrase) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.term
	}
	return out
}
