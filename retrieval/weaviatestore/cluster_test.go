package weaviatestore_test

import (
	"context"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/corpus"
	"github.com/newsdesk/newsdesk/internal/weaviatetest"
	"github.com/newsdesk/newsdesk/retrieval"
	"github.com/newsdesk/newsdesk/retrieval/weaviatestore"
)

// TestClusterSurvivesNodeLoss: three nodes on loopback, replication
// factor 3. With the seed corpus ingested, one node is SIGKILLed: every
// dev question is still answered as before, and an ingest still succeeds
// (QUORUM). The node is restarted and catches up: every node ends up with
// the same chunk count.
func TestClusterSurvivesNodeLoss(t *testing.T) {
	if testing.Short() {
		t.Skip("three Weaviate nodes: not in -short")
	}
	nodes := weaviatetest.StartCluster(t, 3)
	arts := seed(t)
	prefix := weaviatetest.Prefix(t)
	s := openStore(t, nodes[0], prefix, func(o *weaviatestore.Options) { o.Replicas = 3 })
	ctx := context.Background()
	if _, err := s.Apply(ctx, retrieval.Change{Add: arts, Generation: 1}, nil); err != nil {
		t.Fatal(err)
	}
	before := answersOf(t, retrieval.NewLiveBackend(s))
	if h := s.Health(ctx); !h.OK || h.Nodes != 3 || h.Healthy != 3 {
		t.Fatalf("health with three nodes: %+v", h)
	}

	nodes[2].Kill()
	// Wait (bounded) until the cluster notices.
	var h retrieval.Health
	waitFor(t, time.Minute, "node3 reported down", func() bool { h = s.Health(ctx); return !h.OK && h.Missing > 0 })
	t.Logf("health with node3 down: %+v", h)
	after := answersOf(t, retrieval.NewLiveBackend(s))
	for i, f := range before.Files {
		for j, b := range f.Questions {
			a := after.Files[i].Questions[j]
			if a.Error != "" || quotes(a) != quotes(b) {
				t.Errorf("%s with a node down: %s\nbefore:\n%safter:\n%s", b.ID, a.Error, quotes(b), quotes(a))
			}
		}
	}
	t.Logf("with node3 killed: %d/%d pass (before %d/%d); health %+v", after.Overall.Pass, after.Overall.Questions,
		before.Overall.Pass, before.Overall.Questions, s.Health(ctx))
	// Writes go on with two of three.
	extra := corpus.Article{ID: "extra", Title: "Dam", Paragraphs: []string{"The reservoir dam was inspected after the floods, engineers said."}}
	if _, err := s.Apply(ctx, retrieval.Change{Add: []corpus.Article{extra}, Generation: 2}, nil); err != nil {
		t.Fatalf("ingest with a node down: %v", err)
	}

	if err := nodes[2].Restart(); err != nil {
		t.Fatal(err)
	}
	if err := nodes[2].WaitReady(2 * time.Minute); err != nil {
		t.Fatalf("%v\n%s", err, nodes[2].LogTail())
	}
	want := int64(s.NumChunks())
	var last []weaviatestore.NodeCount
	waitFor(t, 3*time.Minute, "node3 to catch up", func() bool {
		cs, err := s.ChunkCounts(ctx)
		if err != nil || len(cs) != 3 {
			return false
		}
		last = cs
		for _, c := range cs {
			if !c.Healthy || c.Objects != want {
				return false
			}
		}
		return true
	})
	t.Logf("after restart every node holds %d chunks: %+v", want, last)
}

// waitFor polls cond until it holds or timeout passes (then fails).
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(250 * time.Millisecond)
	}
}
