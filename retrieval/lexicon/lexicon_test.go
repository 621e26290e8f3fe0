package lexicon

import (
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/newsdesk/newsdesk/retrieval"
	"github.com/newsdesk/newsdesk/retrieval/lexicon/internal/build"
)

// Newsroom paraphrase pairs that WordNet covers, with the kind of the
// relation (both ways).
var covered = []struct {
	a, b string
	kind Kind
}{
	{"took", "take", Inflection},
	{"fell", "fall", Inflection},
	{"employ", "work", Synonym},
	{"employ", "hire", Synonym},
	{"fund", "finance", Synonym},
	{"withdraw", "retreat", Synonym},
	{"capture", "seize", Synonym},
	{"captured", "seized", Synonym},
	{"confirm", "affirm", Synonym},
	{"injure", "wound", Synonym},
	{"injured", "wounded", Synonym},
	{"resign", "quit", Synonym},
	{"repair", "fix", Synonym},
	{"repair", "mend", Synonym},
	{"fix", "mend", Synonym},
	{"investigate", "probe", Synonym},
	{"investigation", "probe", Synonym},
	{"fire", "dismiss", Synonym},
	{"employ", "employee", Derived},
	{"kill", "die", Entailment},
	{"killed", "died", Entailment},
	{"strike", "walkout", Hypernym},
}

func TestCovered(t *testing.T) {
	for _, c := range covered {
		a, b := retrieval.Term(c.a), retrieval.Term(c.b)
		for _, p := range [][2]string{{a, b}, {b, a}} {
			k, ok := Relation(p[0], p[1])
			if !ok || k != c.kind {
				t.Errorf("Relation(%q, %q) (%s/%s) = %v, %v; want %v", p[0], p[1], c.a, c.b, k, ok, c.kind)
			}
			if !slices.Contains(Related(p[0]), Rel{Term: p[1], Kind: c.kind}) {
				t.Errorf("Related(%q) lacks %q as %v", p[0], p[1], c.kind)
			}
		}
	}
}

// Pairs that are not related: newsroom pairs that WordNet lacks (so that
// the table's limits are written down) and unrelated words.
func TestNotRelated(t *testing.T) {
	for _, p := range [][2]string{
		{"fund", "pay"},       // "pay for" is no sense of "fund"
		{"sack", "fire"},      // "sack" as dismiss is not among its first senses
		{"sack", "dismiss"},   // likewise
		{"seized", "took"},    // "take" meets "seize" only as "take over"
		{"evacuate", "leave"}, // "evacuate" is mostly "empty"
		{"capture", "banana"},
		{"kill", "confirm"},
		{"fire", "probe"},
		{"strike", "repair"},
		{"withdraw", "seize"},
		{"resign", "employ"},
	} {
		a, b := retrieval.Term(p[0]), retrieval.Term(p[1])
		if k, ok := Relation(a, b); ok {
			t.Errorf("Relation(%q, %q) = %v; want none", p[0], p[1], k)
		}
		if k, ok := Relation(b, a); ok {
			t.Errorf("Relation(%q, %q) = %v; want none", p[1], p[0], k)
		}
	}
}

func TestPhrases(t *testing.T) {
	ps := Phrases(retrieval.Term("resign"))
	if !slices.Contains(ps, Rel{Term: "step down", Kind: Synonym}) {
		t.Errorf("Phrases(resign) = %v, want step down", ps)
	}
	if k, ok := Relation(retrieval.Term("resign"), "step down"); !ok || k != Synonym {
		t.Errorf("Relation(resign, step down) = %v, %v", k, ok)
	}
	if ps := Phrases("pai"); !slices.Contains(ps, Rel{Term: "pai up", Kind: Synonym}) {
		t.Errorf("Phrases(pay) = %v, want pay up", ps)
	}
}

// TestGloss checks the loosest kind: "pylon" is "a large vertical steel
// tower supporting high-tension power lines", a two-word lemma matched
// whole; "electricity", in too many definitions, relates back to none.
func TestGloss(t *testing.T) {
	pylon, line := retrieval.Term("pylon"), "power line"
	for _, p := range [][2]string{{pylon, line}, {line, pylon}} {
		if k, ok := Relation(p[0], p[1]); !ok || k != Gloss {
			t.Errorf("Relation(%q, %q) = %v, %v; want gloss", p[0], p[1], k, ok)
		}
	}
	if k, ok := Relation(retrieval.Term("electricity"), line); ok {
		t.Errorf("Relation(electricity, power line) = %v; want none", k)
	}
	// A lemma in too many definitions relates one way, from them:
	// "casualty" is "someone injured or killed in an accident", but
	// "kill" relates to none of the definitions that mention it.
	cas, kill := retrieval.Term("casualty"), retrieval.Term("kill")
	if k, ok := Relation(cas, kill); !ok || k != Gloss {
		t.Errorf("Relation(casualty, kill) = %v, %v; want gloss", k, ok)
	}
	if k, ok := Relation(kill, cas); ok {
		t.Errorf("Relation(kill, casualty) = %v; want none", k)
	}
	// A closer kind wins: "cable" is a hypernym of "power line".
	if k, _ := Relation(line, retrieval.Term("cable")); k != Hypernym {
		t.Errorf("Relation(power line, cable) = %v; want hypernym", k)
	}
	// Gloss relations alone do not make a word Known: "euro" has no
	// others, and stays open to spelling correction as before.
	euro := retrieval.Term("euro")
	if len(Related(euro))+len(Phrases(euro)) == 0 || Known(euro) {
		t.Errorf("euro: relations %v %v, Known %v; want gloss relations only", Related(euro), Phrases(euro), Known(euro))
	}
	if !Known(pylon) {
		t.Error("pylon (a synonym of power pylon) is not Known")
	}
}

func TestUnknown(t *testing.T) {
	for _, s := range []string{"", "zzqx", "the", "own", "and"} {
		if r := Related(s); r != nil {
			t.Errorf("Related(%q) = %v, want nil", s, r)
		}
	}
}

// TestTable checks every key: no self relation, no duplicates, kinds in
// order, no stop words, one-term relations without spaces and phrases
// with them.
func TestTable(t *testing.T) {
	tab := load()
	if len(tab.terms) < 50000 {
		t.Fatalf("table has %d terms", len(tab.terms))
	}
	stop := map[string]bool{}
	for _, w := range []string{"the", "and", "of", "to", "own", "what", "also", "would"} {
		stop[retrieval.Term(w)] = true
	}
	for _, key := range tab.terms {
		one, phrases := Related(key), Phrases(key)
		seen := map[string]bool{}
		for i, list := range [][]Rel{one, phrases} {
			for j, r := range list {
				if r.Term == key || seen[r.Term] || stop[r.Term] {
					t.Fatalf("%q: bad relation %v (self, duplicate or stop word)", key, r)
				}
				seen[r.Term] = true
				if strings.Contains(r.Term, " ") != (i == 1) {
					t.Fatalf("%q: %v in the wrong list", key, r)
				}
				if j > 0 && list[j-1].Kind > r.Kind {
					t.Fatalf("%q: kinds out of order: %v", key, list)
				}
			}
		}
	}
}

func TestConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, ok := Relation("captur", "seiz"); !ok {
				t.Error("capture/seize not related")
			}
		})
	}
	wg.Wait()
}

func TestDecodeErrors(t *testing.T) {
	raw := unzstd(t, embedded)
	if _, err := parse(raw, "other-analyzer"); err == nil || !strings.Contains(err.Error(), "go generate") {
		t.Errorf("analyzer mismatch: err = %v", err)
	}
	if _, err := parse(strings.Replace(raw, " arise=aris ", " arise=arize ", 1), retrieval.AnalyzerVersion()); err == nil || !strings.Contains(err.Error(), `stems "arise"`) {
		t.Errorf("stale sample: err = %v", err)
	}
	for _, bad := range []string{"", "x\n\n", magic + "\nterms 3\n\nab\n", raw[:len(raw)-1], raw + "\x00"} {
		if _, err := parse(bad, retrieval.AnalyzerVersion()); err == nil {
			t.Errorf("parse(%.40q…) succeeded", bad)
		}
	}
	if _, err := decode([]byte("not zstd"), retrieval.AnalyzerVersion()); err == nil {
		t.Error("decode of non-zstd succeeded")
	}
}

// TestRegenerate checks that the embedded table is what the generator
// builds today from WordNet with the current analyzer, so that a stemmer
// or analyzer change that would make it stale fails here; and that the
// generator is deterministic. Under -race it takes about 20 s.
func TestRegenerate(t *testing.T) {
	const dir = "/usr/share/wordnet"
	if _, err := os.Stat(dir + "/data.noun"); err != nil {
		t.Skipf("no WordNet database in %s (apt-get install wordnet-base): %v", dir, err)
	}
	if testing.Short() {
		t.Skip("parses all of WordNet; the header's stem sample is still checked")
	}
	a, err := build.Build(dir, build.Options{Analyzer: retrieval.AnalyzerVersion(), Source: build.Source})
	if err != nil {
		t.Fatal(err)
	}
	// The embedded table was built by another process (go generate), so
	// equal bytes also show that the build does not depend on map order.
	// The decompressed table is compared so that a change in the zstd
	// encoder alone does not fail.
	if unzstd(t, a) != unzstd(t, embedded) {
		t.Fatal("lexicon.bin.zst is stale: run go generate ./retrieval/lexicon")
	}
}

func unzstd(t testing.TB, z []byte) string {
	t.Helper()
	dec, err := zstd.NewReader(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer dec.Close()
	b, err := dec.DecodeAll(z, nil)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func FuzzParse(f *testing.F) {
	raw := unzstd(f, embedded)
	f.Add(raw[:2000])
	f.Add(magic + "\nanalyzer " + retrieval.AnalyzerVersion() + "\nterms 2\n\na\nb\n\x01\x00\x09\x00\x00")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		tab, err := parse(s, retrieval.AnalyzerVersion())
		if err != nil {
			return
		}
		for _, term := range tab.terms {
			one, phrase := tab.lookup(term)
			one.collect()
			phrase.collect()
		}
	})
}

func BenchmarkLoad(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(embedded)))
	for b.Loop() {
		if _, err := decode(embedded, retrieval.AnalyzerVersion()); err != nil {
			b.Fatal(err)
		}
	}
}

var benchTerms = []string{"captur", "withdraw", "kil", "confirm", "resign", "zzqx", "investig", "strike"}

func BenchmarkRelated(b *testing.B) {
	load()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		Related(benchTerms[i%len(benchTerms)])
		i++
	}
}

func BenchmarkRelation(b *testing.B) {
	load()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		Relation(benchTerms[i%len(benchTerms)], "seiz")
		i++
	}
}

func TestKindString(t *testing.T) {
	if got := Synonym.String(); got != "synonym" {
		t.Errorf("Synonym.String() = %q", got)
	}
	if got := Gloss.String(); got != "gloss" {
		t.Errorf("Gloss.String() = %q", got)
	}
	if got := Kind(9).String(); got != "Kind(9)" {
		t.Errorf("Kind(9).String() = %q", got)
	}
}
