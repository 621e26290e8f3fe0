// Package lexicon relates the project's search terms to each other with
// WordNet 3.0: synonyms, derivationally related forms, irregular
// inflections, verb entailments, noun hypernyms and, loosest, the lemmas
// that definitions mention (glosses). It serves query
// expansion in retrieval and paraphrase matching in answer selection.
//
// Keys and related terms are in the project's term space (retrieval.Term:
// Snowball stems with the project's folding), so a question's term is
// looked up as it is: Related(retrieval.Term("withdrew")) gives
// "withdraw" (an inflection), then "reced", "retir", "retreat", ...
// (synonyms), and Phrases gives "draw back", "pul back", ...
//
// The table (lexicon.bin.zst) is generated from Debian's wordnet-base
// package by go generate; see internal/build for what it holds and
// internal/gen for the command. WordNet is © 2006 Princeton University
// and used under the WordNet 3.0 licence, in WORDNET-LICENSE beside the
// table.
package lexicon

//go:generate go run ./internal/gen -wordnet /usr/share/wordnet -o lexicon.bin.zst

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/klauspost/compress/zstd"

	"github.com/newsdesk/newsdesk/retrieval"
)

// Kind is how a related term relates to a key. Lower kinds are closer:
// callers weight them in that order.
type Kind uint8

const (
	// Inflection: an irregular form and its base ("took" and "take",
	// "fell" and "fall", "children" and "child"), which Snowball does not
	// stem together.
	Inflection Kind = 1 + iota
	// Synonym: another lemma of a synset among the first three senses of
	// either word ("seize" of "capture"), with that lemma's irregular
	// forms ("took" of "occupy").
	Synonym
	// Derived: a derivationally related form ("employer" of "employ",
	// "owner" of "own") where the stems differ.
	Derived
	// Entailment: what a verb entails or causes ("die" of "kill").
	Entailment
	// Hypernym: a lemma of the direct hypernym of a noun's first sense,
	// or the reverse ("strike" of "walkout" and "walkout" of "strike"),
	// where the hypernym has at most 20 direct hyponyms ("person" has
	// hundreds and relates to none of them).
	Hypernym
	// Gloss: a noun or verb lemma that the definition of a noun's or
	// verb's first sense mentions, or the reverse ("power line" of
	// "pylon", "a large vertical steel tower supporting high-tension
	// power lines", and "pylon" of "power line"), where at most 20
	// definitions mention it; a lemma in at most 200 relates one way,
	// from them ("kill" of "casualty", "someone injured or killed", but
	// not back: "kill" is in 157). The loosest kind.
	Gloss
	maxKind = Gloss
)

var kindNames = [...]string{Inflection: "inflection", Synonym: "synonym", Derived: "derived", Entailment: "entailment", Hypernym: "hypernym", Gloss: "gloss"}

// String returns the kind's name.
func (k Kind) String() string {
	if k >= Inflection && k <= maxKind {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Rel is a term related to a key.
type Rel struct {
	Term string // a project term; for Phrases, terms joined by single spaces
	Kind Kind
}

// Related returns the one-term relations of term (a project term, as
// retrieval.Term gives), best kind first and, within a kind, from the
// key's most frequent senses first. Each term appears once, with its
// closest kind; term itself never does. It returns nil for an unknown
// term. It is safe for concurrent use; the table is decoded on first use.
func Related(term string) []Rel {
	one, _ := load().lookup(term)
	return one.collect()
}

// Phrases returns the multiword relations of term ("pay for" of "fund"),
// ordered like Related. Their words are project terms joined by single
// spaces and may include stop words ("for").
func Phrases(term string) []Rel {
	_, phrase := load().lookup(term)
	return phrase.collect()
}

// Relation reports how b relates to a (both project terms, b may be a
// phrase), if it does. It does not allocate. Every relation but a one-way
// Gloss is stored both ways, but a pair related in two ways may give a
// different kind each way.
func Relation(a, b string) (Kind, bool) {
	one, phrase := load().lookup(a)
	for _, l := range [2]relList{one, phrase} {
		off := l.off
		for range l.n {
			v, m := uvarint(l.t.data, off)
			off += m
			if l.t.terms[v>>3] == b {
				return Kind(v & 7), true
			}
		}
	}
	return 0, false
}

//go:embed lexicon.bin.zst
var embedded []byte

// Magic and the analyzer line open a decompressed table.
const magic = "newsdesk-lexicon 1"

var (
	once  sync.Once
	table *lexTable
)

func load() *lexTable {
	once.Do(func() {
		t, err := decode(embedded, retrieval.AnalyzerVersion())
		if err != nil {
			// The table is embedded, so this is a build mistake that the
			// tests catch; without it the bot still answers.
			slog.Warn("lexicon disabled", "err", err)
			t = &lexTable{}
		}
		table = t
	})
	return table
}

// lexTable is a decoded table. terms[i] is the i-th term, sorted; rels[i]
// is the offset in data of its relations.
type lexTable struct {
	terms []string
	rels  []uint32
	data  string
}

// decode reads a compressed table built for the analyzer version want.
func decode(z []byte, want string) (*lexTable, error) {
	dec, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(maxTable))
	if err != nil {
		return nil, fmt.Errorf("lexicon table: %w", err)
	}
	defer dec.Close()
	raw, err := dec.DecodeAll(z, nil)
	if err != nil {
		return nil, fmt.Errorf("lexicon table: %w", err)
	}
	if len(raw) == 0 {
		return nil, errCorrupt
	}
	// raw is never written again, so the table's strings can share it
	// rather than copy 2 MB.
	return parse(unsafe.String(&raw[0], len(raw)), want)
}

// maxTable bounds a decompressed table.
const maxTable = 64 << 20

var errCorrupt = errors.New("lexicon table: corrupt")

// parse reads a decompressed table (see internal/build.Encode).
func parse(s, want string) (*lexTable, error) {
	head, body, ok := strings.Cut(s, "\n\n")
	if !ok {
		return nil, errCorrupt
	}
	lines := strings.Split(head, "\n")
	if len(lines) < 4 || lines[0] != magic {
		return nil, fmt.Errorf("lexicon table: not a table of version %q", magic)
	}
	n := -1
	for _, l := range lines[1:] {
		k, v, _ := strings.Cut(l, " ")
		switch k {
		case "analyzer":
			if v != want {
				return nil, fmt.Errorf("lexicon table is for analyzer %q, this is %q: run go generate ./retrieval/lexicon", v, want)
			}
		case "sample":
			// Catches a stemming change that came without a new
			// analyzer version.
			for _, wt := range strings.Fields(v) {
				w, term, _ := strings.Cut(wt, "=")
				if got := retrieval.Term(w); got != term {
					return nil, fmt.Errorf("lexicon table stems %q as %q, the analyzer now gives %q: run go generate ./retrieval/lexicon", w, term, got)
				}
			}
		case "terms":
			var err error
			if n, err = strconv.Atoi(v); err != nil {
				return nil, errCorrupt
			}
		}
	}
	if n <= 0 || n > len(body) {
		return nil, errCorrupt
	}
	t := &lexTable{terms: make([]string, n), rels: make([]uint32, n)}
	pos := 0
	for i := range n {
		j := strings.IndexByte(body[pos:], '\n')
		if j < 0 {
			return nil, errCorrupt
		}
		t.terms[i] = body[pos : pos+j]
		if i > 0 && t.terms[i-1] >= t.terms[i] {
			return nil, errCorrupt
		}
		pos += j + 1
	}
	t.data = body[pos:]
	if len(t.data) > 1<<31 {
		return nil, errCorrupt
	}
	d := t.data
	off := 0
	for i := range n {
		t.rels[i] = uint32(off)
		one, m := uvarint(d, off)
		if m <= 0 {
			return nil, errCorrupt
		}
		off += m
		phrase, m := uvarint(d, off)
		if m <= 0 || one > uint64(len(d)) || phrase > uint64(len(d)) {
			return nil, errCorrupt
		}
		off += m
		for range one + phrase {
			v, m := uvarint(d, off)
			if m <= 0 || v>>3 >= uint64(n) || Kind(v&7) < Inflection || Kind(v&7) > maxKind {
				return nil, errCorrupt
			}
			off += m
		}
	}
	if off != len(d) {
		return nil, errCorrupt
	}
	return t, nil
}

// uvarint decodes a uvarint at s[off:], returning its length (<= 0 when
// there is none).
func uvarint(s string, off int) (uint64, int) {
	var x uint64
	var shift uint
	for i := off; i < len(s) && i-off < binary.MaxVarintLen64; i++ {
		b := s[i]
		if b < 0x80 {
			return x | uint64(b)<<shift, i - off + 1
		}
		x |= uint64(b&0x7f) << shift
		shift += 7
	}
	return 0, 0
}

// relList is a run of encoded relations.
type relList struct {
	t   *lexTable
	off int // offset in t.data of the first relation
	n   int
}

func (l relList) collect() []Rel {
	if l.n == 0 {
		return nil
	}
	out := make([]Rel, l.n)
	off := l.off
	for i := range out {
		v, m := uvarint(l.t.data, off)
		off += m
		out[i] = Rel{Term: l.t.terms[v>>3], Kind: Kind(v & 7)}
	}
	return out
}

// lookup finds the one-term and phrase relations of term.
func (t *lexTable) lookup(term string) (one, phrase relList) {
	i, ok := search(t.terms, term)
	if !ok {
		return relList{}, relList{}
	}
	off := int(t.rels[i])
	n1, m := uvarint(t.data, off)
	off += m
	n2, m := uvarint(t.data, off)
	off += m
	one = relList{t: t, off: off, n: int(n1)}
	for range n1 {
		_, m := uvarint(t.data, off)
		off += m
	}
	phrase = relList{t: t, off: off, n: int(n2)}
	return one, phrase
}

// search is a binary search of sorted terms.
func search(terms []string, s string) (int, bool) {
	lo, hi := 0, len(terms)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if terms[m] < s {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < len(terms) && terms[lo] == s
}

// Known reports whether term is a WordNet word with relations in the
// table other than Gloss ones: an English word, as opposed to a name or a
// misspelling. (A word whose only relations are its definition's words
// is known as it was before they were added, so that spelling correction
// does not change with them.)
func Known(term string) bool {
	one, phrase := load().lookup(term)
	for _, l := range [2]relList{one, phrase} {
		off := l.off
		for range l.n {
			v, m := uvarint(l.t.data, off)
			off += m
			if Kind(v&7) != Gloss {
				return true
			}
		}
	}
	return false
}
