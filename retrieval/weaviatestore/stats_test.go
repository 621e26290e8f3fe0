package weaviatestore_test

import (
	"context"
	"slices"
	"testing"

	"github.com/newsdesk/newsdesk/internal/weaviatetest"
	"github.com/newsdesk/newsdesk/retrieval"
)

// TestTermStatsMatchEmbedded: document frequencies, chunk counts,
// spelling suggestions, near-anagrams, phrases, acronyms, counts and
// dates agree with the embedded index on the seed corpus.
func TestTermStatsMatchEmbedded(t *testing.T) {
	node := weaviatetest.Start(t)
	arts := seed(t)
	ix := embedded(t, arts)
	s := openStore(t, node, weaviatetest.Prefix(t), nil)
	if _, err := s.Apply(context.Background(), retrieval.Change{Add: arts, Generation: 1}, nil); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"balakleya", "reinforcments", "anounce", "sayin", "shmyhal", "izyum", "iyzum", "zelenskyy", "nonesuchword"} {
		if g, w2 := s.Correct(w), ix.Correct(w); !slices.Equal(g, w2) {
			t.Errorf("Correct(%q) = %v, embedded %v", w, g, w2)
		}
		if g, w2 := s.Known(w), ix.Known(w); g != w2 {
			t.Errorf("Known(%q) = %v, embedded %v", w, g, w2)
		}
		if g, w2 := s.DocFreq(retrieval.Term(w)), ix.DocFreq(retrieval.Term(w)); g != w2 {
			t.Errorf("DocFreq(%q) = %d, embedded %d", w, g, w2)
		}
	}
	if g, w := s.NumChunks(), ix.NumChunks(); g != w {
		t.Errorf("NumChunks = %d, embedded %d", g, w)
	}
	for _, a := range []string{"ISW", "NATO", "US", "XQZ"} {
		if g, w := s.Expand(a), ix.Expand(a); g != w {
			t.Errorf("Expand(%q) = %q, embedded %q", a, g, w)
		}
	}
	for _, p := range [][][]string{
		{{"volodymyr"}, {"zelenski"}},
		{{"joint"}, {"commiss"}},
		{{"institut"}, {"studi"}, {"war"}},
	} {
		if g, w := s.HasPhrase(p), ix.HasPhrase(p); g != w {
			t.Errorf("HasPhrase(%v) = %v, embedded %v", p, g, w)
		}
	}
	if g, w := s.ArticleCount(), ix.ArticleCount(); g != w {
		t.Errorf("ArticleCount = %d, embedded %d", g, w)
	}
	gf, gl := s.DateRange()
	wf, wl := ix.DateRange()
	if !gf.Equal(wf) || !gl.Equal(wl) {
		t.Errorf("DateRange = %v %v, embedded %v %v", gf, gl, wf, wl)
	}
	if st := s.Stats(); st.Articles != len(arts) || st.Chunks != ix.NumChunks() || st.Dates != ix.Stats().Dates {
		t.Errorf("Stats = %+v", st)
	}
}
