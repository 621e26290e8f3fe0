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

// TestArchivesBothFusions runs the invented archives' question sets
// (bot/extractive/testdata/archive2-9) on the embedded index and on
// Weaviate with both fusions: the project's fusion must give the embedded
// index's answers; the native hybrid is measured (logged).
func TestArchivesBothFusions(t *testing.T) {
	if testing.Short() {
		t.Skip("eight archives: not in -short")
	}
	node := weaviatetest.Start(t)
	dirs, _ := filepath.Glob(filepath.Join(devData, "archive[0-9]*"))
	var tot struct{ qs, emb, proj, nat, natSame, diff int }
	for _, dir := range dirs {
		arts, _, err := corpus.LoadDir(filepath.Join(dir, "corpus"))
		if err != nil {
			t.Fatal(err)
		}
		raw := map[string]string{}
		for _, a := range arts {
			raw[a.ID] = a.Text()
		}
		var files []eval.File
		for _, name := range []string{"questions.jsonl", "chat.jsonl"} {
			if f, err := eval.LoadFile(filepath.Join(dir, name)); err == nil {
				files = append(files, f)
			}
		}
		run := func(s retrieval.Searcher) *eval.Report {
			return eval.Run(context.Background(), extractive.New(s, bot.Linker{}), files, eval.Options{Article: judge.Map(raw)})
		}
		want := run(embedded(t, arts))
		s := openStore(t, node, weaviatetest.Prefix(t), nil)
		if _, err := s.Apply(context.Background(), retrieval.Change{Add: arts, Generation: 1}, nil); err != nil {
			t.Fatal(err)
		}
		proj := run(retrieval.NewLiveBackend(s))
		nat := run(retrieval.NewLiveBackend(openStore(t, node, s.Prefix(), func(o *weaviatestore.Options) {
			o.ReadOnly = true
			o.Fusion = weaviatestore.FusionNative
		})))
		for i, f := range want.Files {
			for j, w := range f.Questions {
				if p := proj.Files[i].Questions[j]; quotes(p) != quotes(w) {
					tot.diff++
					t.Errorf("%s %s %q differs:\nembedded:\n%sweaviate:\n%s", filepath.Base(dir), w.ID, w.Question, quotes(w), quotes(p))
				}
				if quotes(nat.Files[i].Questions[j]) == quotes(w) {
					tot.natSame++
				}
			}
		}
		t.Logf("%s: embedded %d, project fusion %d, native hybrid %d of %d pass", filepath.Base(dir),
			want.Overall.Pass, proj.Overall.Pass, nat.Overall.Pass, want.Overall.Questions)
		tot.qs += want.Overall.Questions
		tot.emb += want.Overall.Pass
		tot.proj += proj.Overall.Pass
		tot.nat += nat.Overall.Pass
	}
	t.Logf("all archives: %d questions; embedded %d pass, project fusion %d (%d answers differ), native hybrid %d (%d answers as embedded)",
		tot.qs, tot.emb, tot.proj, tot.diff, tot.nat, tot.natSame)
}
