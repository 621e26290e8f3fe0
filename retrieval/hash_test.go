package retrieval

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"
	"unicode"
)

func cosine(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

func TestHashEmbedderNormalisedNeverZero(t *testing.T) {
	h := NewHashEmbedder()
	vs, err := h.Embed(context.Background(), []string{"", "the of and", "!!!", "Kupiansk fell"})
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vs {
		if len(v) != h.Dim() {
			t.Fatalf("vector %d has dim %d", i, len(v))
		}
		if n := cosine(v, v); math.Abs(n-1) > 1e-4 {
			t.Errorf("vector %d has norm² %v", i, n)
		}
	}
}

func TestHashEmbedderVariantsClose(t *testing.T) {
	h := NewHashEmbedder()
	near := []struct {
		a, b string
		min  float64
	}{
		{"Kupyansk", "Kupiansk", 0.9}, // same folded term
		{"Balakliya", "Balakliia", 0.9},
		{"Zelensky", "Zelenskyy", 0.9},
		{"Izyum", "Iyzum", 0.3}, // a transposition typo: n-grams and letters only
	}
	for _, p := range near {
		a, b := h.Vector(p.a), h.Vector(p.b)
		far := h.Vector("banana bread recipe")
		if ca, cf := cosine(a, b), cosine(a, far); ca < p.min || ca <= cf+0.25 {
			t.Errorf("cos(%s,%s)=%.2f, cos to unrelated %.2f", p.a, p.b, ca, cf)
		}
	}
}

func TestHashEmbedderDeterministic(t *testing.T) {
	a := NewHashEmbedder().Vector("Russian troops retreat from Izyum")
	b := NewHashEmbedder().Vector("Russian troops retreat from Izyum")
	if cosine(a, b) < 0.9999 {
		t.Fatal("same text, different vectors")
	}
	if _, err := NewHashEmbedderDim(4); err == nil {
		t.Fatal("tiny dimension accepted")
	}
}

// BenchmarkHashEmbed measures the hash embedder alone, a chunk at a time,
// on the synthetic archive's chunks (the largest part of an ingest).
func BenchmarkHashEmbed(b *testing.B) {
	var texts []string
	for _, a := range synthCorpus(300, 7) {
		for _, c := range ChunkArticle(&a, DefaultChunkChars, DefaultChunkOverlap) {
			texts = append(texts, c.Text)
		}
	}
	h := NewHashEmbedder()
	v := make([]float32, h.Dim())
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		clear(v)
		h.vectorInto(v, texts[i%len(texts)])
		i++
	}
	b.ReportMetric(float64(len(texts)), "chunks")
}

// The embedder as first written (hash-v4): the optimised one must give the
// same vectors, since an index records the embedder's id, not its code.
func (h *HashEmbedder) referenceVector(text string) []float32 {
	v := make([]float32, h.dim)
	prev := ""
	for _, tk := range Analyze(text) {
		if IsStopWord(tk.Word) {
			prev = ""
			continue
		}
		h.referenceAdd(v, "w:"+tk.Term, 1)
		if prev != "" {
			h.referenceAdd(v, "b:"+prev+" "+tk.Term, 0.5)
		}
		prev = tk.Term
		h.referenceGrams(v, referenceTranslit(tk.Word))
		if len(tk.Word) >= 5 {
			h.referenceAdd(v, "a:"+referenceSortedLetters(tk.Word), 0.7)
		}
	}
	if !normalize(v) {
		v[0] = 1
	}
	return v
}

func (h *HashEmbedder) referenceGrams(v []float32, word string) {
	w := "<" + word + ">"
	var starts [64]int // rune start offsets; longer words use their first 63 runes
	n := 0
	for i := range w {
		if n == len(starts)-1 {
			break
		}
		starts[n] = i
		n++
	}
	starts[n] = len(w)
	if n > len(starts)-2 {
		w = w[:starts[n]]
	}
	grams := 0
	for g := 3; g <= 4; g++ {
		if n >= g {
			grams += n - g + 1
		}
	}
	if grams == 0 {
		return
	}
	weight := float32(1 / math.Sqrt(float64(grams)))
	for g := 3; g <= 4; g++ {
		for i := 0; i+g <= n; i++ {
			h.referenceAddHash(v, referenceFNV("c:"+w[starts[i]:starts[i+g]]), weight)
		}
	}
}

func referenceSortedLetters(w string) string {
	r := []rune(w)
	for i, c := range r {
		if c == 'y' {
			r[i] = 'i'
		}
	}
	slices.Sort(r)
	return string(slices.Compact(r))
}

// The embedder gives the reference's vectors, to the bit.
func TestHashEmbedderMatchesReference(t *testing.T) {
	h := NewHashEmbedder()
	texts := []string{"", "Kupiansk fell", "Russian troops retreat from Izyum, Zelenskyy said.", "İSTANBUL’s Ñandú-Çorp 27,000% «quoted» y yy",
		"a-very-long-hyphenated-compound-word-that-goes-on-and-on-for-more-than-sixty-three-runes-in-all-of-it"}
	for _, a := range synthCorpus(20, 3) {
		texts = append(texts, a.Text())
	}
	h100, err := NewHashEmbedderDim(100) // not a power of two
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range texts {
		for _, e := range []*HashEmbedder{h, h100} {
			if got, want := e.Vector(s), e.referenceVector(s); !slices.Equal(got, want) {
				t.Errorf("dim %d: vector of %.40q differs from the reference", e.Dim(), s)
			}
		}
		for _, w := range []string{s, "yearly", "Çorp", "Mykolaiv"} {
			if got, want := sortedLetters(w), referenceSortedLetters(w); got != want {
				t.Errorf("sortedLetters(%.20q) = %q, want %q", w, got, want)
			}
		}
	}
}

func FuzzHashEmbedderMatchesReference(f *testing.F) {
	f.Add("Russian troops retreat from Izyum")
	f.Add("İ\xff «y» ’s 2,000sq km")
	h := NewHashEmbedder()
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := h.Vector(s), h.referenceVector(s); !slices.Equal(got, want) {
			t.Fatalf("vector of %q differs from the reference", s)
		}
	})
}

// The reference's own hashing, so that the optimised hashing is checked
// against it rather than against itself.
func (h *HashEmbedder) referenceAdd(v []float32, feature string, weight float32) {
	h.referenceAddHash(v, referenceFNV(feature), weight)
}

func (h *HashEmbedder) referenceAddHash(v []float32, x uint64, weight float32) {
	i := int(x % uint64(h.dim))
	if x>>63 == 1 {
		weight = -weight
	}
	v[i] += weight
}

func referenceFNV(s string) uint64 {
	x := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		x ^= uint64(s[i])
		x *= 1099511628211
	}
	return x
}

func referenceTranslit(s string) string {
	var b strings.Builder
	var prev rune
	for i, r := range s {
		if r == 'y' || (r == 'j' && !beforeVowel(s[i+1:])) {
			r = 'i'
		}
		if r == prev && unicode.IsLetter(r) {
			continue
		}
		b.WriteRune(r)
		prev = r
	}
	return b.String()
}
