package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/newsdesk/newsdesk/internal/weaviatetest"
)

// TestWeaviateStoreLifecycle runs the CLI against a real Weaviate node:
// ingest, ask, update, remove and retract propagate from the article store
// (the source of truth) into Weaviate; a reader with no local store (a
// serve replica elsewhere) answers from Weaviate alone; index stats
// reports the backend; the API key is never printed.
func TestWeaviateStoreLifecycle(t *testing.T) {
	node := weaviatetest.Start(t)
	idx := t.TempDir()
	envv := map[string]string{
		"NEWSDESK_STORE": "weaviate", "WEAVIATE_URL": node.URL(), "WEAVIATE_GRPC_ADDR": node.GRPCAddr(),
		"NEWSDESK_WEAVIATE_PREFIX": weaviatetest.Prefix(t), "NEWSDESK_INDEX": idx,
	}
	dir := writeCorpus(t, testArticles)
	r := runCmd(t, envv, "", "ingest", dir)
	if r.code != 0 {
		t.Fatalf("ingest: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	ask := func(q string) string {
		t.Helper()
		r := runCmd(t, envv, "", "ask", "--json", q)
		if r.code != 0 {
			t.Fatalf("ask %q: %d\n%s%s", q, r.code, r.stdout, r.stderr)
		}
		return r.stdout
	}
	if out := ask("when will the Harbor Bridge reopen"); !strings.Contains(out, "March") {
		t.Fatalf("ask after ingest:\n%s", out)
	}
	// A replica with an empty local directory serves from Weaviate.
	replica := map[string]string{}
	for k, v := range envv {
		replica[k] = v
	}
	replica["NEWSDESK_INDEX"] = ""
	if r := runCmd(t, replica, "", "ask", "--json", "how much snow fell in the valley"); r.code != 0 || !strings.Contains(r.stdout, "40 centimetres") {
		t.Fatalf("replica ask: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// Update: the bridge now reopens in April.
	if err := os.WriteFile(filepath.Join(dir, "bridge.txt"), []byte(strings.ReplaceAll(testArticles["bridge.txt"], "in March", "in April")), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := runCmd(t, envv, "", "ingest", dir); r.code != 0 {
		t.Fatalf("re-ingest: %d %s", r.code, r.stderr)
	}
	if out := ask("when will the Harbor Bridge reopen"); !strings.Contains(out, "in April") || strings.Contains(out, "in March after") {
		t.Fatalf("ask after update:\n%s", out)
	}
	// Retract the storm story, remove the bridge story.
	if r := runCmd(t, envv, "", "remove", "--retract", "--reason", "legal", "storm"); r.code != 0 {
		t.Fatalf("retract: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if out := ask("how much snow fell in the valley"); strings.Contains(out, "40 centimetres") {
		t.Fatalf("retracted article still quoted:\n%s", out)
	}
	r = runCmd(t, envv, "", "index", "stats", "--json")
	if r.code != 0 {
		t.Fatalf("stats: %d %s", r.code, r.stderr)
	}
	var st struct {
		Articles int
		Backend  struct {
			Backend string
			OK      bool
			Nodes   int
			Shards  int
			Ready   int
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil {
		t.Fatalf("stats json: %v\n%s", err, r.stdout)
	}
	if st.Articles != 1 || st.Backend.Backend != "weaviate" || !st.Backend.OK || st.Backend.Nodes != 1 || st.Backend.Shards == 0 || st.Backend.Ready != st.Backend.Shards {
		t.Errorf("stats: %+v\n%s", st, r.stdout)
	}
	if r := runCmd(t, envv, "", "remove", "bridge"); r.code != 0 {
		t.Fatalf("remove: %d %s", r.code, r.stderr)
	}
	if out := ask("when will the Harbor Bridge reopen"); strings.Contains(out, "April") {
		t.Fatalf("removed article still quoted:\n%s", out)
	}
	r = runCmd(t, envv, "", "index", "stats")
	if r.code != 0 || !strings.Contains(r.stdout, "backend") || !strings.Contains(r.stdout, "weaviate at") {
		t.Errorf("stats text: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// The test server takes anonymous requests only: a key is refused,
	// and the refusal must not show it.
	envv["WEAVIATE_API_KEY"] = "sekrit-key-123"
	r = runCmd(t, envv, "", "-v", "ask", "anything")
	if r.code == 0 {
		t.Errorf("a refused key still answered")
	}
	for _, out := range []string{r.stdout, r.stderr} {
		if strings.Contains(out, "sekrit") {
			t.Errorf("the API key was printed:\n%s", out)
		}
	}
}

func TestStoreFlagValidation(t *testing.T) {
	if r := runCmd(t, nil, "", "ask", "--store", "mongo", "hello"); r.code != exitUsage {
		t.Errorf("--store mongo: exit %d, want %d (%s)", r.code, exitUsage, r.stderr)
	}
	if r := runCmd(t, map[string]string{"NEWSDESK_STORE": "weaviate"}, "", "ask", "hello"); r.code != exitUsage || !strings.Contains(r.stderr, "WEAVIATE_URL") {
		t.Errorf("weaviate without URL: exit %d %s", r.code, r.stderr)
	}
	env := map[string]string{"NEWSDESK_STORE": "weaviate", "WEAVIATE_URL": "http://127.0.0.1:1", "NEWSDESK_WEAVIATE_REPLICAS": "zero"}
	if r := runCmd(t, env, "", "ask", "hello"); r.code != exitUsage || !strings.Contains(r.stderr, "NEWSDESK_WEAVIATE_REPLICAS") {
		t.Errorf("bad replicas: exit %d %s", r.code, r.stderr)
	}
}

// TestMigrateToWeaviate: an archive ingested into the embedded index moves
// to Weaviate with `index rebuild --store weaviate` (from the article
// store), and answers alike.
func TestMigrateToWeaviate(t *testing.T) {
	node := weaviatetest.Start(t)
	idx := t.TempDir()
	emb := map[string]string{"NEWSDESK_INDEX": idx}
	if r := runCmd(t, emb, "", "ingest", writeCorpus(t, testArticles)); r.code != 0 {
		t.Fatalf("ingest: %d %s", r.code, r.stderr)
	}
	before := runCmd(t, emb, "", "ask", "--json", "who said the bridge would reopen")
	wv := map[string]string{"NEWSDESK_INDEX": idx, "WEAVIATE_URL": node.URL(), "WEAVIATE_GRPC_ADDR": node.GRPCAddr(),
		"NEWSDESK_WEAVIATE_PREFIX": weaviatetest.Prefix(t)}
	r := runCmd(t, wv, "", "index", "rebuild", "--store", "weaviate")
	if r.code != 0 || !strings.Contains(r.stdout, "2 articles") {
		t.Fatalf("rebuild into weaviate: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	after := runCmd(t, wv, "", "ask", "--store", "weaviate", "--json", "who said the bridge would reopen")
	if after.code != 0 || after.stdout != before.stdout {
		t.Errorf("answers differ after migration:\nembedded:\n%s\nweaviate:\n%s%s", before.stdout, after.stdout, after.stderr)
	}
}
