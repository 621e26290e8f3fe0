package retrieval

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/corpus"
)

func testArticles() []corpus.Article {
	return []corpus.Article{
		{ID: "a", Title: "Harbour", Source: "Gazette", Published: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), Paragraphs: []string{
			"The harbour authority closed the northern pier on Monday after a storm damaged its pilings.",
			"Repairs will cost about 4,000,000 euros, the authority said.",
			"Fishermen said the closure would hurt the spring catch.",
		}},
		{ID: "b", Title: "Council", Source: "Herald", Published: time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC), Paragraphs: []string{
			"The city council voted to expand the tram network to the airport.",
			"Mayor Ilona Kovalenko called the vote historic.",
		}},
		{ID: "c", Title: "Flood", Source: "Courier", Paragraphs: []string{
			"Floods hit the village of Kupyansk-Vuzlovyi overnight, officials said.",
		}},
	}
}

func TestIndexSearchFindsBothRankings(t *testing.T) {
	ctx := context.Background()
	ix, err := Open(Options{Embedder: NewHashEmbedder()})
	if err != nil {
		t.Fatal(err)
	}
	st, err := ix.Sync(ctx, testArticles(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Added != 3 || st.ChunksEmbedded == 0 {
		t.Fatalf("stats %+v", st)
	}
	hits, err := ix.Search(ctx, "How much will the pier repairs cost?", 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) == 0 || hits[0].Chunk.ArticleID != "a" || hits[0].LexRank == 0 || hits[0].VecRank == 0 {
		t.Fatalf("hits = %+v", hits)
	}
	// A transliteration variant is found lexically.
	hits, _ = ix.Search(ctx, "Kupiansk-Vuzlovyi floods", 1)
	if len(hits) != 1 || hits[0].Chunk.ArticleID != "c" || hits[0].LexRank != 1 {
		t.Fatalf("variant hits = %+v", hits)
	}
	a := ix.Article("a")
	c := hits[0].Chunk
	if a == nil || ix.Article("c").Text()[c.Start:c.End] != c.Text {
		t.Fatalf("chunk offsets do not match article text")
	}
}

// syncedIndex opens an index in dir ("" for memory) holding testArticles.
func syncedIndex(t *testing.T, dir string) *Index {
	t.Helper()
	ix, err := Open(Options{Dir: dir, Embedder: NewHashEmbedder()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Sync(context.Background(), testArticles(), nil); err != nil {
		t.Fatal(err)
	}
	return ix
}

func TestIndexPersistsAndWarmStartEmbedsNothing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	syncedIndex(t, dir)
	ix2, err := Open(Options{Dir: dir, Embedder: NewHashEmbedder()})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(ix2.Articles()); n != 3 {
		t.Fatalf("reloaded %d articles", n)
	}
	st, err := ix2.Sync(ctx, testArticles(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.ChunksEmbedded != 0 || st.Unchanged != 3 {
		t.Fatalf("warm sync re-embedded: %+v", st)
	}
	// Changing one article re-embeds only that one; dropping one removes it.
	arts := testArticles()[:2]
	arts[1].Paragraphs = append(arts[1].Paragraphs, "The line opens in 2027.")
	st, err = ix2.Sync(ctx, arts, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Updated != 1 || st.Unchanged != 1 || st.Removed != 1 || st.ChunksEmbedded != len(ChunkArticle(&arts[1], 0, 0)) {
		t.Fatalf("incremental sync: %+v", st)
	}
	if ix2.Article("c") != nil {
		t.Fatal("removed article still indexed")
	}
}

func TestIndexCorruptFileIsMovedAsideAndRebuilt(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ix, _ := Open(Options{Dir: dir, Embedder: NewHashEmbedder()})
	if _, err := ix.Sync(ctx, testArticles(), nil); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, indexFile)
	data, _ := os.ReadFile(path)
	if err := os.WriteFile(path, data[:len(data)/2], 0o644); err != nil { // half-written
		t.Fatal(err)
	}
	var logs bytes.Buffer
	ix2, err := Open(Options{Dir: dir, Embedder: NewHashEmbedder(), Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if len(ix2.Articles()) != 0 || !strings.Contains(logs.String(), "corrupt") {
		t.Fatalf("corrupt index not detected; logs: %s", logs.String())
	}
	matches, _ := filepath.Glob(path + ".corrupt-*")
	if len(matches) != 1 {
		t.Fatalf("corrupt file not kept aside: %v", matches)
	}
	st, err := ix2.Sync(ctx, testArticles(), nil)
	if err != nil || st.Added != 3 {
		t.Fatalf("rebuild: %+v %v", st, err)
	}
}

type otherEmbedder struct{ *HashEmbedder }

func (otherEmbedder) ID() string { return "other-v1" }

func TestIndexEmbedderChangeReembeds(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ix, _ := Open(Options{Dir: dir, Embedder: NewHashEmbedder()})
	if _, err := ix.Sync(ctx, testArticles(), nil); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	ix2, err := Open(Options{Dir: dir, Embedder: otherEmbedder{NewHashEmbedder()}, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if ix2.Stats().Stale != 3 || !strings.Contains(logs.String(), "another embedder") {
		t.Fatalf("stale=%d logs=%s", ix2.Stats().Stale, logs.String())
	}
	st, err := ix2.Refresh(ctx, nil)
	if err != nil || st.ChunksEmbedded == 0 || ix2.Stats().Stale != 0 {
		t.Fatalf("refresh: %+v %v stale=%d", st, err, ix2.Stats().Stale)
	}
	ix3, _ := Open(Options{Dir: dir, Embedder: otherEmbedder{NewHashEmbedder()}})
	if ix3.Stats().EmbedderID != "other-v1" || ix3.Stats().Stale != 0 || len(ix3.Articles()) != 3 {
		t.Fatalf("after refresh: %+v", ix3.Stats())
	}
}

func TestIndexInterruptedAddKeepsFinishedArticles(t *testing.T) {
	dir := t.TempDir()
	ix, _ := Open(Options{Dir: dir, Embedder: NewHashEmbedder(), BatchSize: 1})
	ctx, cancel := context.WithCancel(context.Background())

	_, err := ix.Add(ctx, testArticles(), func(done, total int) {

		if done >= 1 { // the first article is finished
			cancel()
		}
	})
	if err == nil {
		t.Fatal("cancellation after the first article did not stop the ingest")
	}
	ix2, _ := Open(Options{Dir: dir, Embedder: NewHashEmbedder()})
	got := len(ix2.Articles())
	if got == 0 || got == 3 {
		t.Fatalf("after interruption %d articles saved, want some but not all", got)
	}
	st, err := ix2.Add(context.Background(), testArticles(), nil)
	if err != nil || st.Unchanged != got {
		t.Fatalf("resume: %+v %v", st, err)
	}
}

// A warm start takes BM25 from the file; a saved BM25 index that does not
// fit (another analyzer version) is rebuilt from the text with a warning,
// and searches the same either way.
func TestIndexSavedBM25(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ix := syncedIndex(t, dir)
	query := "pier repairs cost euros"
	want, _ := ix.Search(ctx, query, 3)

	var logs bytes.Buffer
	opts := Options{Dir: dir, Embedder: NewHashEmbedder(), Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	ix2, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(logs.String(), "rebuilding the BM25") {
		t.Fatalf("warm start rebuilt BM25: %s", logs.String())
	}
	got, _ := ix2.Search(ctx, query, 3)
	if len(got) != len(want) || got[0].Chunk.ID != want[0].Chunk.ID || got[0].LexRank != want[0].LexRank || ix2.DocFreq("pier") != ix.DocFreq("pier") || !ix2.Known("kupyansk") {
		t.Fatalf("restored BM25 differs: %+v vs %+v", got, want)
	}

	snap := ix2.snapshot()
	snap.Lex.Analyzer = "text-v0"
	if _, err := saveV2(dir, snap); err != nil {
		t.Fatal(err)
	}
	logs.Reset()
	ix3, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "rebuilding the BM25") {
		t.Fatalf("stale BM25 index used: %s", logs.String())
	}
	if got, _ := ix3.Search(ctx, query, 3); len(got) == 0 || got[0].Chunk.ID != want[0].Chunk.ID || got[0].LexRank != want[0].LexRank {
		t.Fatalf("rebuilt BM25 differs: %+v", got)
	}
}
