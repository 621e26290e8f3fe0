package main

import (
	"encoding/json"
	"hash/fnv"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// fakeEmbeddings is a loopback OpenAI-compatible /v1/embeddings server
// whose vectors are a bag of hashed words.
func fakeEmbeddings(t *testing.T, calls *atomic.Int64) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/embeddings") {
			http.NotFound(w, r)
			return
		}
		calls.Add(1)
		var req struct {
			Input []string `json:"input"`
			Model string   `json:"model"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		type item struct {
			Object    string    `json:"object"`
			Index     int       `json:"index"`
			Embedding []float32 `json:"embedding"`
		}
		out := struct {
			Object string `json:"object"`
			Data   []item `json:"data"`
			Model  string `json:"model"`
		}{Object: "list", Model: req.Model}
		for i, text := range req.Input {
			v := make([]float32, 16)
			v[0] = 0.01
			for _, w := range strings.Fields(strings.ToLower(text)) {
				h := fnv.New32a()
				h.Write([]byte(w))
				v[h.Sum32()%16]++
			}
			out.Data = append(out.Data, item{Object: "embedding", Index: i, Embedding: v})
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(out)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestOpenAIEmbedder(t *testing.T) {
	var calls atomic.Int64
	srv := fakeEmbeddings(t, &calls)
	dir := writeCorpus(t, testArticles)
	index := t.TempDir()
	vars := map[string]string{"OPENAI_BASE_URL": srv.URL + "/v1", envEmbedder: "openai"}
	r := runCmd(t, vars, "", "ingest", "--index", index, dir)
	if r.code != exitOK {
		t.Fatalf("ingest: exit %d, stderr %q", r.code, r.stderr)
	}
	if calls.Load() == 0 {
		t.Fatal("the OpenAI embedder was not used")
	}
	r = runCmd(t, vars, "", "index", "stats", "--json", "--index", index)
	if r.code != exitOK || !strings.Contains(r.stdout, `"embedder": "openai`) || !strings.Contains(r.stdout, `"dim": 16`) {
		t.Errorf("stats: exit %d, %s", r.code, r.stdout)
	}
	// --embedder hash overrides the environment: the index is re-embedded
	// by rebuild, with no call to the server.
	before := calls.Load()
	r = runCmd(t, vars, "", "index", "rebuild", "--embedder", "hash", "--index", index)
	if r.code != exitOK || !strings.Contains(r.stdout, "hash-") {
		t.Errorf("rebuild: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	if calls.Load() != before {
		t.Error("--embedder hash still called the OpenAI server")
	}
}

func TestOpenAIEmbedderWithoutKey(t *testing.T) {
	dir := writeCorpus(t, testArticles)
	r := runCmd(t, map[string]string{envEmbedder: "openai"}, "", "ask", "--corpus", dir, "--index", t.TempDir(), "q?")
	if r.code != exitError || !strings.Contains(r.stderr, "OPENAI_API_KEY") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	if n := strings.Count(strings.TrimSpace(r.stderr), "\n"); n != 0 {
		t.Errorf("want a one-line error: %q", r.stderr)
	}
}

func TestDefaultLibraryReembedsAfterEmbedderChange(t *testing.T) {
	var calls atomic.Int64
	srv := fakeEmbeddings(t, &calls)
	dir := writeCorpus(t, testArticles)
	index := t.TempDir()
	if r := runCmd(t, nil, "", "ingest", "--index", index, dir); r.code != exitOK {
		t.Fatalf("ingest: exit %d, stderr %q", r.code, r.stderr)
	}
	vars := map[string]string{"OPENAI_BASE_URL": srv.URL + "/v1", envIndex: index}
	r := runCmd(t, vars, "", "ask", "--embedder", "openai", "--json", "When will the Harbor Bridge reopen?")
	if r.code != exitOK || !strings.Contains(r.stderr, "re-embedding 2 articles") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	r = runCmd(t, vars, "", "index", "stats", "--embedder", "openai", "--json")
	if !strings.Contains(r.stdout, `"embedder": "openai`) || strings.Contains(r.stdout, `"stale"`) {
		t.Errorf("index not re-embedded: %s", r.stdout)
	}
}
