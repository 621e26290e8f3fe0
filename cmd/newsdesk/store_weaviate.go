package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/newsdesk/newsdesk/bot/slack"
	"github.com/newsdesk/newsdesk/corpus"
	"github.com/newsdesk/newsdesk/corpus/archive"
	"github.com/newsdesk/newsdesk/retrieval"
	"github.com/newsdesk/newsdesk/retrieval/weaviatestore"
)

// Store selection: the embedded chromem-go index (index.gob beside the
// article store, the default) or a Weaviate cluster. Either way the
// article store in the index directory is the source of truth; Weaviate is
// a derived index that writers (ingest, remove, index rebuild, --corpus)
// bring up to date with it. Readers (ask, repl, serve) need no local
// store with Weaviate: several serve replicas share one cluster.

const (
	envStore            = "NEWSDESK_STORE"             // default for --store
	envWeaviateURL      = "WEAVIATE_URL"               // REST endpoint
	envWeaviateKey      = "WEAVIATE_API_KEY"           // optional; never logged
	envWeaviateGRPC     = "WEAVIATE_GRPC_ADDR"         // host:port, default URL host:50051
	envWeaviateReplicas = "NEWSDESK_WEAVIATE_REPLICAS" // replication factor of new collections
	envWeaviatePrefix   = "NEWSDESK_WEAVIATE_PREFIX"   // collection name prefix
	envWeaviateFusion   = "NEWSDESK_WEAVIATE_FUSION"   // project (default) or native

	storeEmbedded = "embedded"
	storeWeaviate = "weaviate"
)

func (fs *flagSet) storeFlag() {
	fs.StringVar(&fs.opts.store, "store", "", "keep the search index in `NAME`: embedded (chromem-go, in the index directory) or weaviate ($WEAVIATE_URL) (default $NEWSDESK_STORE, else embedded)")
}

// storeName validates and returns the store choice.
func (o *options) storeName(e *env) (string, error) {
	v, _ := o.pick(e, "store", o.store, envStore, storeEmbedded)
	switch v := strings.ToLower(v); v {
	case storeEmbedded, storeWeaviate:
		return v, nil
	}
	return "", usagef("--store %q: want embedded or weaviate", v)
}

// weaviateOptions reads the Weaviate configuration from the environment.
func weaviateOptions(e *env, emb retrieval.Embedder) (weaviatestore.Options, error) {
	o := weaviatestore.Options{
		URL:      strings.TrimSpace(e.getenv(envWeaviateURL)),
		GRPCAddr: strings.TrimSpace(e.getenv(envWeaviateGRPC)),
		APIKey:   strings.TrimSpace(e.getenv(envWeaviateKey)),
		Prefix:   strings.TrimSpace(e.getenv(envWeaviatePrefix)),
		Fusion:   strings.TrimSpace(e.getenv(envWeaviateFusion)),
		Embedder: emb,
	}
	if o.URL == "" {
		return o, usagef("--store weaviate needs WEAVIATE_URL (e.g. http://127.0.0.1:8080)")
	}
	if v := strings.TrimSpace(e.getenv(envWeaviateReplicas)); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 64 {
			return o, usagef("%s=%q: want a replication factor from 1 to 64", envWeaviateReplicas, v)
		}
		o.Replicas = n
	}
	return o, nil
}

// prepareRemote records the Weaviate configuration in lib when the store
// is weaviate; nothing is opened yet.
func prepareRemote(e *env, o *options, lib *library) error {
	name, err := o.storeName(e)
	if err != nil || name != storeWeaviate {
		return err
	}
	wo, err := weaviateOptions(e, lib.ropts.Embedder)
	if err != nil {
		return err
	}
	wo.Logger = lib.logger
	lib.wopts = &wo
	return nil
}

// openRemote connects to Weaviate, for reading only or for writing.
func (l *library) openRemote(ctx context.Context, readOnly bool) (*weaviatestore.Store, error) {
	wo := *l.wopts
	wo.ReadOnly = readOnly
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	s, err := weaviatestore.Open(ctx, wo)
	if err != nil {
		return nil, fmt.Errorf("open weaviate index: %w", err)
	}
	return s, nil
}

// setRemote makes s the library's index.
func (l *library) setRemote(s *weaviatestore.Store) {
	l.remote = s
	l.ix = retrieval.NewLiveBackend(s)
}

// deduper is where serve keeps Slack's event ids: Weaviate's Event
// collection when the index is there (shared by every serve replica), else
// the article store.
func (l *library) deduper() slack.Deduper {
	if l.remote != nil {
		return l.remote
	}
	return storeDeduper{dir: l.dir}
}

// loadRemote is loadLibrary for --store weaviate. With --corpus the store
// and Weaviate are synced to exactly DIR. Without it Weaviate is served as
// it is, after catching up with a local article store that is ahead of
// it (the ingesting host); a serve replica without a local store just
// serves. A brand-new default library with an empty Weaviate is seeded
// with the sample articles.
func (l *library) loadRemote(ctx context.Context, e *env, corpusDir string, articles []corpus.Article, explicit bool) error {
	if corpusDir != "" {
		if l.remoteCorpusCurrent(ctx, articles) {
			return nil
		}
		return l.syncCorpus(ctx, e, corpusDir, articles)
	}
	s, err := l.openRemote(ctx, true)
	if err != nil && !errors.Is(err, weaviatestore.ErrNoIndex) {
		return err
	}
	gen, haveStore, serr := storeGeneration(l.dir)
	if serr != nil {
		l.logger.Warn("could not read the local article store; serving Weaviate as it is", "dir", l.dir, "err", serr)
		haveStore = false
	}
	if err == nil {
		g, _ := s.Generation()
		if !haveStore && s.ArticleCount() > 0 || haveStore && g == gen {
			l.setRemote(s)
			return nil
		}
	}
	_, ierr := os.Stat(retrieval.IndexPath(l.dir))
	fresh := !archive.Exists(l.dir) && errors.Is(ierr, fs.ErrNotExist)
	if fresh && explicit {
		return fmt.Errorf("the Weaviate index is empty and %s holds no articles: add articles with 'newsdesk ingest --store weaviate --index %s PATH'", l.dir, l.dir)
	}
	if fresh {
		return l.seed(ctx, e)
	}
	return l.repair(ctx, e, "loading")
}

// remoteCorpusCurrent reports (and serves) Weaviate when the store holds
// exactly articles and Weaviate reflects the store.
func (l *library) remoteCorpusCurrent(ctx context.Context, articles []corpus.Article) bool {
	gen, ok := storeHoldsExactly(l.dir, articles)
	if !ok {
		return false
	}
	s, err := l.openRemote(ctx, true)
	if err != nil {
		return false
	}
	if g, _ := s.Generation(); g != gen {
		return false
	}
	l.setRemote(s)
	return true
}

// derivedIndex is what writers bring up to date with the article store:
// the embedded index or Weaviate.
type derivedIndex interface {
	EachHash(f func(id, hash string))
	Apply(ctx context.Context, c retrieval.Change, progress func(done, total int)) (retrieval.SyncStats, error)
	Refresh(ctx context.Context, progress func(done, total int)) (retrieval.SyncStats, error)
	Stats() retrieval.Stats
}

// hashLister is a derived index that can fail to list its articles.
type hashLister interface {
	Hashes(ctx context.Context) (map[string]string, error)
}

// indexHashes returns the id and hash of every article in ix.
func indexHashes(ctx context.Context, ix derivedIndex) (map[string]string, error) {
	if hl, ok := ix.(hashLister); ok {
		return hl.Hashes(ctx)
	}
	have := map[string]string{}
	ix.EachHash(func(id, hash string) { have[id] = hash })
	return have, nil
}

// indexHealth is the backend's health for `index stats`, /healthz.
func indexHealth(ctx context.Context, lib *library) retrieval.Health {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return lib.ix.Health(ctx)
}

// writeBackend prints the backend line of `index stats`.
func writeBackend(w io.Writer, st indexStats) {
	h := st.Backend
	if h.Backend != storeWeaviate {
		fmt.Fprintf(w, "backend\tembedded (chromem-go + BM25 in the index directory)\n")
		return
	}
	state := "healthy"
	if !h.OK {
		state = "DEGRADED"
	}
	if h.Error != "" {
		state = "unreachable: " + h.Error
	}
	fmt.Fprintf(w, "backend\tweaviate at %s: %s; %d nodes (%d healthy), %d of %d shard replicas ready\n",
		st.URL, state, h.Nodes, h.Healthy, h.Ready, h.Shards)
}
