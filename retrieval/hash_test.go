package retrieval

import (
	"context"
	"math"
	"testing"
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
