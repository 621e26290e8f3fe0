package weaviatestore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/bot"
	"github.com/newsdesk/newsdesk/bot/extractive"
	"github.com/newsdesk/newsdesk/corpus"
	"github.com/newsdesk/newsdesk/internal/eval"
	"github.com/newsdesk/newsdesk/internal/judge"
	"github.com/newsdesk/newsdesk/internal/weaviatetest"
	"github.com/newsdesk/newsdesk/retrieval"
	"github.com/newsdesk/newsdesk/retrieval/weaviatestore"
)

const devData = "../../bot/extractive/testdata"

func openStore(t testing.TB, n *weaviatetest.Node, prefix string, mod func(*weaviatestore.Options)) *weaviatestore.Store {
	t.Helper()
	o := weaviatestore.Options{URL: n.URL(), GRPCAddr: n.GRPCAddr(), Prefix: prefix, Embedder: retrieval.NewHashEmbedder()}
	if mod != nil {
		mod(&o)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := weaviatestore.Open(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func seed(t testing.TB) []corpus.Article {
	t.Helper()
	arts, _, err := corpus.Default()
	if err != nil {
		t.Fatal(err)
	}
	return arts
}

func embedded(t testing.TB, arts []corpus.Article) *retrieval.Index {
	t.Helper()
	ix, err := retrieval.Open(retrieval.Options{Embedder: retrieval.NewHashEmbedder()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Sync(context.Background(), arts, nil); err != nil {
		t.Fatal(err)
	}
	return ix
}

func rawArticles(t testing.TB) map[string]string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(devData, "raw", "*.txt"))
	m := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m[strings.TrimSuffix(filepath.Base(f), ".txt")] = string(b)
	}
	return m
}

func devFiles(t testing.TB) []eval.File {
	t.Helper()
	var files []eval.File
	for _, name := range []string{"dev.jsonl", "dev2.jsonl"} {
		f, err := eval.LoadFile(filepath.Join(devData, name))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return files
}

// answersOf runs the dev sets through the extractive answerer on s.
func answersOf(t testing.TB, s retrieval.Searcher) *eval.Report {
	t.Helper()
	rep := eval.Run(context.Background(), extractive.New(s, bot.Linker{}), devFiles(t), eval.Options{Article: judge.Map(rawArticles(t))})
	for _, f := range rep.Files {
		for _, q := range f.Questions {
			if q.Error != "" {
				t.Fatalf("%s: %s", q.ID, q.Error)
			}
		}
	}
	return rep
}

func quotes(r eval.QuestionResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", r.AnswerLine)
	for _, q := range r.Quotes {
		fmt.Fprintf(&b, "  [%s] %s\n", q.ArticleID, q.Quote)
	}
	return b.String()
}

// TestDevSetsMatchEmbedded: the dev question sets give the same answers
// (answer line and quotes) on Weaviate as on the embedded index, with the
// project's fusion; Weaviate's native hybrid fusion is measured beside it.
func TestDevSetsMatchEmbedded(t *testing.T) {
	node := weaviatetest.Start(t)
	arts := seed(t)
	want := answersOf(t, embedded(t, arts))

	s := openStore(t, node, weaviatetest.Prefix(t), nil)
	if _, err := s.Apply(context.Background(), retrieval.Change{Add: arts, Generation: 1}, nil); err != nil {
		t.Fatal(err)
	}
	got := answersOf(t, retrieval.NewLiveBackend(s))
	diff := 0
	for i, f := range want.Files {
		for j, w := range f.Questions {
			g := got.Files[i].Questions[j]
			if quotes(g) != quotes(w) {
				diff++
				t.Errorf("%s %q differs:\nembedded:\n%sweaviate:\n%s", w.ID, w.Question, quotes(w), quotes(g))
			}
		}
	}
	t.Logf("project fusion: embedded %d/%d pass, weaviate %d/%d pass, %d answers differ",
		want.Overall.Pass, want.Overall.Questions, got.Overall.Pass, got.Overall.Questions, diff)

	native := openStore(t, node, s.Prefix(), func(o *weaviatestore.Options) { o.Fusion = weaviatestore.FusionNative; o.ReadOnly = true })
	nat := answersOf(t, retrieval.NewLiveBackend(native))
	same := 0
	for i, f := range want.Files {
		for j, w := range f.Questions {
			if quotes(nat.Files[i].Questions[j]) == quotes(w) {
				same++
			}
		}
	}
	t.Logf("native hybrid fusion: %d/%d pass, %d/%d answers as the embedded index's", nat.Overall.Pass, nat.Overall.Questions, same, nat.Overall.Questions)
}
