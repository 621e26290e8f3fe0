// Package build turns a WordNet 3.0 database into the table that package
// lexicon embeds. It is used by the generator (go generate) and by
// lexicon's tests, which check that the embedded table is what the
// current analyzer would build.
//
// For every lemma of WordNet's index, per part of speech, its first
// Senses senses that have a tag count (WordNet lists senses most frequent
// first) give: the synset's other lemmas (Synonym), the lemmas its
// derivation pointers reach (Derived), for verbs the synsets it entails
// or causes (Entailment), and for a noun's first sense the direct
// hypernym if that has at most MaxHyponyms hyponyms (Hypernym). The
// irregular forms of the *.exc files relate to their bases (Inflection),
// take their bases' relations, and come along with a related base. Every
// lemma is mapped with retrieval.Analyze to the project's terms; proper
// nouns (capitalised lemmas), stop words and self relations are left out,
// and every relation is stored both ways. Each key keeps its closest
// kind for each related term. Loosest, the definitions of a noun's or
// verb's first GlossSenses senses relate every lemma of the synset to the
// noun and verb lemmas they mention (Gloss; see glossRelations).
package build

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"

	"github.com/fluhus/gostuff/nlp/wordnet"
	"github.com/klauspost/compress/zstd"

	"github.com/newsdesk/newsdesk/retrieval"
)

// Kinds of relation, as stored in the table. They must match lexicon.Kind.
const (
	Inflection = 1 + iota
	Synonym
	Derived
	Entailment
	Hypernym
	Gloss
)

// Magic is the first line of a decompressed table.
const Magic = "newsdesk-lexicon 1"

// Senses is how many of a word's senses per part of speech give synonyms,
// derived forms and hypernyms. WordNet lists senses most frequent first.
const Senses = 3

// Options choose what a table holds.
type Options struct {
	// Analyzer is recorded in the header: retrieval.AnalyzerVersion().
	Analyzer string
	// Source names the database in the header.
	Source string
	// Sample words are written to the header with their terms, so that a
	// reader can check cheaply that Term still stems as when the table was
	// built.
	Sample []string
}

// Build parses the WordNet database in dir and returns the compressed
// table.
func Build(dir string, opt Options) ([]byte, error) {
	wn, err := wordnet.Parse(dir)
	if err != nil {
		return nil, fmt.Errorf("parse WordNet in %s: %w", dir, err)
	}
	opt.Sample = Sample(wn)
	raw := Encode(Relations(wn), opt)
	return Compress(raw)
}

// SampleSize is about how many words Sample picks.
const SampleSize = 300

// Sample picks plain one-word lemmas spread over WordNet's sorted index,
// and irregular forms likewise.
func Sample(wn *wordnet.WordNet) []string {
	var words []string
	for _, m := range []map[string][]string{wn.LemmaRanked, wn.Exception} {
		var plain []string
		for _, k := range slices.Sorted(maps.Keys(m)) {
			_, w, _ := strings.Cut(k, ".")
			if w != "" && strings.Trim(w, "abcdefghijklmnopqrstuvwxyz") == "" {
				plain = append(plain, w)
			}
		}
		step := max(1, len(plain)/(SampleSize/2))
		for i := 0; i < len(plain); i += step {
			words = append(words, plain[i])
		}
	}
	slices.Sort(words)
	return slices.Compact(words)
}

// Compress compresses a table with zstd, in one frame that records its
// size. The encoder runs on one goroutine so that the same table always
// gives the same bytes.
func Compress(raw []byte) ([]byte, error) {
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedBestCompression), zstd.WithEncoderConcurrency(1))
	if err != nil {
		return nil, fmt.Errorf("zstd: %w", err)
	}
	defer enc.Close()
	return enc.EncodeAll(raw, nil), nil
}

// Rel is one related term of a key.
type Rel struct {
	Term string
	Kind uint8
	rank int // sense number that gave it, for order within a kind
}

// lemmaRel is a relation of one WordNet lemma, before it is merged into
// term space.
type lemmaRel struct {
	pos, lemma string // target lemma, as in WordNet ("pay_for")
	kind       uint8
	rank       int
	oneWay     bool // the key's definition mentions a common lemma
}

// Relations returns every key term with its related terms, best first.
func Relations(wn *wordnet.WordNet) map[string][]Rel {
	out := map[string]map[string]Rel{}
	add := func(key, val string, kind uint8, rank int) {
		if key == "" || val == "" || key == val {
			return
		}
		m := out[key]
		if m == nil {
			m = map[string]Rel{}
			out[key] = m
		}
		r, ok := m[val]
		if !ok || kind < r.Kind || (kind == r.Kind && rank < r.rank) {
			m[val] = Rel{Term: val, Kind: kind, rank: rank}
		}
	}

	type memo struct {
		term string
		ok   bool
	}
	terms := map[string]memo{}
	termOf := func(lemma string) (string, bool) {
		m, seen := terms[lemma]
		if !seen {
			m.term, m.ok = termOf(lemma)
			terms[lemma] = m
		}
		return m.term, m.ok
	}

	// Irregular forms: "v.took" -> ["v.take"], and the reverse.
	forms := map[string][]string{} // "v.take" -> ["took", "taken"]
	excKeys := slices.Sorted(maps.Keys(wn.Exception))
	for _, k := range excKeys {
		_, form, _ := strings.Cut(k, ".")
		for _, b := range wn.Exception[k] {
			forms[b] = append(forms[b], form)
		}
	}

	lemmaRels := map[string][]lemmaRel{} // "v.take" -> relations
	keys := slices.Sorted(maps.Keys(wn.LemmaRanked))
	for _, k := range keys {
		pos, lemma, _ := strings.Cut(k, ".")
		ids := wn.LemmaRanked[k]
		var rels []lemmaRel
		for rank, id := range ids[:min(len(ids), Senses)] {
			ss := wn.Synset[id]
			if ss == nil {
				continue
			}
			self := -1
			for i, w := range ss.Word {
				if strings.ToLower(stripMarker(w)) == lemma {
					self = i
					break
				}
			}
			if self < 0 || hasUpper(stripMarker(ss.Word[self])) {
				// A proper-noun sense ("May") of a common word.
				continue
			}
			for i, w := range ss.Word {
				if i != self {
					rels = append(rels, lemmaRel{pos, stripMarker(w), Synonym, rank, false})
				}
			}
			for _, p := range ss.Pointer {
				t := wn.Synset[synsetID(p.Synset)]
				if t == nil {
					continue
				}
				tpos := synsetID(p.Synset)[:1]
				switch p.Symbol {
				case wordnet.DerivationallyRelatedForm:
					if p.Source == self && p.Target >= 0 && p.Target < len(t.Word) {
						rels = append(rels, lemmaRel{tpos, stripMarker(t.Word[p.Target]), Derived, rank, false})
					}
				case wordnet.Entailment, wordnet.Cause:
					if p.Source == -1 || p.Source == self {
						for _, w := range targetWords(t, p.Target) {
							rels = append(rels, lemmaRel{tpos, w, Entailment, rank, false})
						}
					}
				case wordnet.Hypernym:
					if pos == "n" && rank == 0 && hyponyms(t) <= MaxHyponyms {
						for _, w := range targetWords(t, p.Target) {
							rels = append(rels, lemmaRel{tpos, w, Hypernym, rank, false})
						}
					}
				}
			}
		}
		lemmaRels[k] = rels
	}
	glossRels := glossRelations(wn, keys, termOf)

	// Merge into term space. Each related lemma brings its irregular forms
	// with it ("seize" -> "take", "took", "taken"), and each irregular form
	// takes its base's relations ("took" -> "seize").
	put := func(key string, rels []lemmaRel) {
		for _, r := range rels {
			val, ok := termOf(r.lemma)
			if !ok {
				continue
			}
			// Relations go both ways: the reverse ranks after the key's
			// own senses.
			add(key, val, r.kind, r.rank)
			if !r.oneWay {
				add(val, key, r.kind, r.rank+Senses)
			}
			for _, f := range forms[r.pos+"."+r.lemma] {
				if ft, ok := termOf(f); ok {
					add(key, ft, r.kind, r.rank)
					if !r.oneWay {
						add(ft, key, r.kind, r.rank+Senses)
					}
				}
			}
		}
	}
	for _, k := range keys {
		_, lemma, _ := strings.Cut(k, ".")
		if key, ok := termOf(lemma); ok {
			put(key, lemmaRels[k])
		}
	}
	glossKeys := slices.Sorted(maps.Keys(glossRels))
	for _, k := range glossKeys {
		_, lemma, _ := strings.Cut(k, ".")
		if key, ok := termOf(lemma); ok {
			put(key, glossRels[k])
		}
	}
	for _, k := range excKeys {
		pos, form, _ := strings.Cut(k, ".")
		ft, ok := termOf(form)
		if !ok {
			continue
		}
		for _, b := range wn.Exception[k] {
			_, base, _ := strings.Cut(b, ".")
			bt, ok := termOf(base)
			if !ok {
				continue
			}
			add(ft, bt, Inflection, 0)
			add(bt, ft, Inflection, 0)
			put(ft, lemmaRels[pos+"."+base])
			put(ft, glossRels[pos+"."+base])
		}
	}

	res := make(map[string][]Rel, len(out))
	for k, m := range out {
		rels := slices.Collect(maps.Values(m))
		slices.SortFunc(rels, func(a, b Rel) int {
			return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.rank, b.rank), strings.Compare(a.Term, b.Term))
		})
		res[k] = rels
	}
	return res
}

// MaxHyponyms bounds how general a hypernym may be: "strike" (a work
// stoppage, with few kinds) relates to "walkout", "person" (hundreds)
// relates to none of them. Hypernyms are about 40% of the table (1.16 MB
// with them, 0.69 MB without); 0 leaves them out.
const MaxHyponyms = 20

func hyponyms(ss *wordnet.Synset) int {
	n := 0
	for _, p := range ss.Pointer {
		if p.Symbol == wordnet.Hyponym || p.Symbol == wordnet.InstanceHyponym {
			n++
		}
	}
	return n
}

// targetWords are the words a pointer reaches: one word of a lexical
// pointer, or all of the synset's.
func targetWords(t *wordnet.Synset, target int) []string {
	if target >= 0 && target < len(t.Word) {
		return []string{stripMarker(t.Word[target])}
	}
	out := make([]string, len(t.Word))
	for i, w := range t.Word {
		out[i] = stripMarker(w)
	}
	return out
}

// synsetID maps a pointer's target to the parser's synset key: adjective
// satellites ("s") live in the adjective file ("a").
func synsetID(id string) string {
	if strings.HasPrefix(id, "s") {
		return "a" + id[1:]
	}
	return id
}

// stripMarker drops an adjective's syntactic marker: "galore(ip)" ->
// "galore".
func stripMarker(w string) string {
	if i := strings.IndexByte(w, '('); i > 0 && strings.HasSuffix(w, ")") {
		return w[:i]
	}
	return w
}

func hasUpper(s string) bool {
	return strings.IndexFunc(s, unicode.IsUpper) >= 0
}

// termOf maps a WordNet lemma to the project's term space: one term, or a
// phrase of terms joined by spaces ("pay_for" -> "pay for"). Proper nouns,
// stop words and phrases of stop words only are left out.
func termOf(lemma string) (string, bool) {
	if hasUpper(lemma) {
		return "", false
	}
	text := strings.NewReplacer("_", " ", "-", " ").Replace(lemma)
	toks := retrieval.Analyze(text)
	if len(toks) == 0 {
		return "", false
	}
	content := false
	terms := make([]string, len(toks))
	for i, t := range toks {
		terms[i] = t.Term
		if !retrieval.IsStopWord(t.Word) {
			content = true
		}
	}
	if !content {
		return "", false
	}
	return strings.Join(terms, " "), true
}

// Encode writes the table: a text header (magic, analyzer, source, sample
// words with their terms, term count), a blank line, every term
// (sorted, each ended by '\n'), then for each term in that order its
// relations as uvarints: the count of one-term relations, the count of
// phrase relations, then each relation as term index<<3 | kind.
func Encode(rels map[string][]Rel, opt Options) []byte {
	set := map[string]struct{}{}
	for k, rs := range rels {
		set[k] = struct{}{}
		for _, r := range rs {
			set[r.Term] = struct{}{}
		}
	}
	terms := slices.Sorted(maps.Keys(set))
	index := make(map[string]uint64, len(terms))
	for i, t := range terms {
		index[t] = uint64(i)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\nanalyzer %s\nsource %s\n", Magic, opt.Analyzer, opt.Source)
	if len(opt.Sample) > 0 {
		b.WriteString("sample")
		for _, w := range opt.Sample {
			fmt.Fprintf(&b, " %s=%s", w, retrieval.Term(w))
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "terms %d\n\n", len(terms))
	for _, t := range terms {
		b.WriteString(t)
		b.WriteByte('\n')
	}
	var tmp [binary.MaxVarintLen64]byte
	uv := func(v uint64) { b.Write(binary.AppendUvarint(tmp[:0], v)) }
	for _, t := range terms {
		rs := rels[t]
		var one, phrase []Rel
		for _, r := range rs {
			if strings.Contains(r.Term, " ") {
				phrase = append(phrase, r)
			} else {
				one = append(one, r)
			}
		}
		uv(uint64(len(one)))
		uv(uint64(len(phrase)))
		for _, r := range one {
			uv(index[r.Term]<<3 | uint64(r.Kind))
		}
		for _, r := range phrase {
			uv(index[r.Term]<<3 | uint64(r.Kind))
		}
	}
	return b.Bytes()
}

// Source names the database in the header of the embedded table.
const Source = "WordNet 3.0 (Princeton University; Debian wordnet-base)"

// GlossSenses is how many of a noun's or verb's first tag-counted senses
// give gloss relations: a definition says what a word is in other words
// ("power pylon, pylon": "a large vertical steel tower supporting
// high-tension power lines"), the loosest relation of the table.
const GlossSenses = 2

// MaxGlossSynsets bounds how common a gloss word may be: a term that the
// definitions of more synsets than this mention ("kill", "electricity")
// relates back to none of them (see MaxGlossDefinedSynsets for the way
// from them). "power line"
// (in a handful of definitions) relates "pylon" and "power line".
const MaxGlossSynsets = 20

// MaxGlossDefinedSynsets bounds how common a lemma may be and still
// relate one way, from the lemmas whose definitions mention it: a
// "casualty" is "someone injured or killed", though "kill" is in too
// many definitions to relate back to any of them.
const MaxGlossDefinedSynsets = 200

// maxGlossWords is the longest WordNet lemma, in words, that a
// definition is searched for ("high-tension power line" would be three).
const maxGlossWords = 3

// glossRelations returns, by noun and verb lemma ("n.pylon"), a Gloss
// relation to each noun and verb lemma that the definition of a synset
// mentions, longest lemma first ("power lines" is the lemma
// "power_line", not "power" and "line"), for every synset among the first
// GlossSenses senses of one of keys; every common lemma of the synset
// takes them, as it takes the synset's synonyms ("pylon", whose senses
// WordNet does not rank, from "power_pylon"). Lemmas that more than
// MaxGlossSynsets definitions mention relate one way (oneWay), and those
// that more than MaxGlossDefinedSynsets mention not at all. Put stores the
// rest both ways, like every relation.
func glossRelations(wn *wordnet.WordNet, keys []string, termOf func(string) (string, bool)) map[string][]lemmaRel {
	// The noun and verb lemmas by their terms: "power line" -> n.power_line.
	// Keys are sorted, so the first lemma of a term (a noun before a
	// verb) is the one kept.
	type ref struct{ pos, lemma string }
	byTerm := map[string]ref{}
	for _, k := range keys {
		pos, lemma, _ := strings.Cut(k, ".")
		if pos != "n" && pos != "v" {
			continue
		}
		if t, ok := termOf(lemma); ok {
			if _, dup := byTerm[t]; !dup {
				byTerm[t] = ref{pos, lemma}
			}
		}
	}
	// The synsets whose definitions count: the first senses of a key,
	// with the rank that gave each first.
	rankOf := map[string]int{}
	var ids []string
	for _, k := range keys {
		pos, lemma, _ := strings.Cut(k, ".")
		if pos != "n" && pos != "v" {
			continue
		}
		senses := wn.LemmaRanked[k]
		for rank, id := range senses[:min(len(senses), GlossSenses)] {
			ss := wn.Synset[id]
			if ss == nil || !hasLemma(ss, lemma) {
				continue
			}
			if r, ok := rankOf[id]; !ok {
				ids = append(ids, id)
				rankOf[id] = rank
			} else if rank < r {
				rankOf[id] = rank
			}
		}
	}
	// The lemmas each definition mentions, and in how many definitions
	// each lemma is mentioned.
	mentions := map[string][]string{} // synset id -> terms
	df := map[string]int{}
	for _, id := range ids {
		words := glossWords(wn.Synset[id].Gloss)
		terms := make([]string, len(words))
		for i, w := range words {
			terms[i] = retrieval.Term(w)
		}
		var out []string
		for i := 0; i < len(words); {
			n := 1
			for l := min(maxGlossWords, len(words)-i); l >= 1; l-- {
				t := strings.Join(terms[i:i+l], " ")
				if _, ok := byTerm[t]; !ok || words[i] == "" || l == 1 && retrieval.IsStopWord(words[i]) {
					continue
				}
				if !slices.Contains(out, t) {
					out = append(out, t)
				}
				n = l
				break
			}
			i += n
		}
		mentions[id] = out
		for _, t := range out {
			df[t]++
		}
	}
	res := map[string][]lemmaRel{}
	for _, id := range ids {
		ss := wn.Synset[id]
		pos := id[:1]
		for _, t := range mentions[id] {
			if df[t] > MaxGlossDefinedSynsets {
				continue
			}
			oneWay := df[t] > MaxGlossSynsets
			r := byTerm[t]
			for _, w := range ss.Word {
				if w = stripMarker(w); !hasUpper(w) {
					k := pos + "." + strings.ToLower(w)
					res[k] = append(res[k], lemmaRel{r.pos, r.lemma, Gloss, rankOf[id], oneWay})
				}
			}
		}
	}
	return res
}

// hasLemma reports whether lemma is a common-noun or verb lemma of ss (not
// the proper noun "May" of "may").
func hasLemma(ss *wordnet.Synset, lemma string) bool {
	for _, w := range ss.Word {
		w = stripMarker(w)
		if strings.ToLower(w) == lemma {
			return !hasUpper(w)
		}
	}
	return false
}

// glossWords are the lower-case words of a synset's definition, without
// its examples (after the first quotation mark) and its parenthesised
// asides ("(computer science)"). A proper name ("of Ukraine") is left
// out.
func glossWords(gloss string) []string {
	if i := strings.IndexByte(gloss, '"'); i >= 0 {
		gloss = gloss[:i]
	}
	var b strings.Builder
	depth := 0
	for _, r := range gloss {
		switch {
		case r == '(':
			depth++
		case r == ')':
			depth = max(0, depth-1)
		case depth == 0:
			b.WriteRune(r)
		}
	}
	var out []string
	for _, w := range strings.FieldsFunc(b.String(), func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' }) {
		w = strings.Trim(w, "'")
		if w == "" || hasUpper(w) {
			// A name breaks a phrase too: "Ukraine power" is no lemma.
			out = append(out, "")
			continue
		}
		out = append(out, w)
	}
	return out
}
