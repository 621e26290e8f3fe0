// Package weaviatestore keeps Newsdesk's search index in a Weaviate
// cluster, for archives and deployments beyond one machine. It implements
// retrieval.Backend like the embedded index: the same chunks, the
// project's own vectors (hash or OpenAI embedder, recorded; a mismatch
// re-indexes), the project's analyser's BM25 terms, and the same ranking
// (BM25 candidates from Weaviate rescored with the project's weighted
// term groups, Weaviate's vector search, fused by the project's RRF), so
// the answers match the embedded index's. The article store (package
// archive) stays the source of truth: Weaviate is a derived index, like
// index.gob, rebuilt from it by `newsdesk index rebuild`.
//
// Consistency: writes and searches use QUORUM, so with replication factor
// 3 one node may be down and every read still sees every acknowledged
// write; with factor 1 QUORUM is ONE. Counts and term statistics come
// from Aggregate queries, which Weaviate answers from the replicas it
// reaches (eventually consistent while a node catches up; async
// replication is on whenever the factor is above 1).
package weaviatestore

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/weaviate/weaviate-go-client/v5/weaviate"
	"github.com/weaviate/weaviate-go-client/v5/weaviate/auth"
	"github.com/weaviate/weaviate-go-client/v5/weaviate/filters"
	"github.com/weaviate/weaviate-go-client/v5/weaviate/graphql"
	"github.com/weaviate/weaviate-go-client/v5/weaviate/grpc"
	"github.com/weaviate/weaviate/entities/models"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/newsdesk/newsdesk/corpus"
	"github.com/newsdesk/newsdesk/retrieval"
)

// Fusion modes (Options.Fusion).
const (
	// FusionProject fetches BM25 candidates and vector neighbours from
	// Weaviate and ranks and fuses them as the embedded index does.
	FusionProject = "project"
	// FusionNative uses Weaviate's own hybrid query (its BM25 over the
	// project's terms, relative-score fusion with alpha 0.5).
	FusionNative = "native"
)

// ConsistencyLevel is the level of every write and search.
const ConsistencyLevel = "QUORUM"

// ErrNoIndex is returned by a read-only Open when the collections do not
// exist yet (nothing was ever indexed under the prefix).
var ErrNoIndex = errors.New("weaviate index does not exist")

// ErrEmbedderMismatch is returned by a read-only Open when the collections
// were built with another embedder.
var ErrEmbedderMismatch = errors.New("weaviate index was built with another embedder")

// Options configure a Store.
type Options struct {
	// URL is Weaviate's REST endpoint, e.g. http://127.0.0.1:8080.
	URL string
	// GRPCAddr is host:port of its gRPC endpoint; default the URL's host
	// with port 50051.
	GRPCAddr string
	// APIKey, when set, authenticates (never logged).
	APIKey string
	// Prefix starts every collection name; default "Newsdesk".
	Prefix string
	// Replicas is the replication factor of new collections; default 1.
	Replicas int
	// Embedder embeds chunks and queries. Required.
	Embedder retrieval.Embedder
	// Logger receives warnings; nil discards them.
	Logger *slog.Logger
	// ReadOnly opens for searching only (serve replicas, ask): nothing is
	// created or changed, and an embedder mismatch is an error.
	ReadOnly bool
	// BatchSize is how many chunks are embedded and imported at once;
	// default 256.
	BatchSize int
	// Fusion is FusionProject (default) or FusionNative.
	Fusion string
	// Timeout bounds each request; default 30s.
	Timeout time.Duration
	// ChunkChars and ChunkOverlap override the retrieval defaults.
	ChunkChars, ChunkOverlap int
	// ListLimit bounds Articles(); default 500.
	ListLimit int
}

// Store is a Weaviate-backed retrieval.Backend. It is safe for concurrent
// use.
type Store struct {
	c     *weaviate.Client
	opts  Options
	log   *slog.Logger
	names map[string]string

	mu      sync.Mutex
	dfCache map[string]int
	dfAt    time.Time
	stats   retrieval.CorpusStats
	statsAt time.Time
	arts    map[string]*corpus.Article // by id; cleared when large
	metaAt  time.Time
	meta    meta
	cleaned time.Time // last expiry of old events
}

// cacheFor is how long term statistics and the generation are reused.
const cacheFor = 2 * time.Second

type meta struct {
	Embedder   string
	Dim        int
	Generation uint64
	Changed    time.Time
	// Chunks and Total (their length in terms) are BM25's collection
	// statistics; Dirty is set while an Apply changes them.
	Chunks int
	Total  int64
	Dirty  bool
}

// namespace derives the objects' UUIDs from their ids (UUIDv5), so that
// writes are idempotent and every replica names an article alike.
var namespace = uuid.MustParse("7d1f0e4a-5b8e-4d0e-9a57-6e2f1c3b9a10")

func objectID(kind, id string) string {
	return uuid.NewSHA1(namespace, []byte(kind+"\x00"+id)).String()
}

// Open connects to Weaviate and makes sure the collections exist and were
// built with opts.Embedder; a writer drops and recreates collections built
// with another embedder (the next reconcile re-indexes every article),
// a reader fails with ErrEmbedderMismatch.
func Open(ctx context.Context, opts Options) (*Store, error) {
	if opts.Embedder == nil {
		return nil, errors.New("weaviate: no embedder")
	}
	if opts.Prefix == "" {
		opts.Prefix = "Newsdesk"
	}
	if opts.Replicas <= 0 {
		opts.Replicas = 1
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 256
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.ListLimit <= 0 {
		opts.ListLimit = 500
	}
	if opts.ChunkChars <= 0 {
		opts.ChunkChars = retrieval.DefaultChunkChars
	}
	if opts.ChunkOverlap <= 0 {
		opts.ChunkOverlap = retrieval.DefaultChunkOverlap
	}
	switch opts.Fusion {
	case "":
		opts.Fusion = FusionProject
	case FusionProject, FusionNative:
	default:
		return nil, fmt.Errorf("weaviate: unknown fusion %q (want %s or %s)", opts.Fusion, FusionProject, FusionNative)
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	u, err := url.Parse(opts.URL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("weaviate: WEAVIATE_URL %q is not an http(s) URL with a host", Redact(opts.URL))
	}
	grpcAddr := opts.GRPCAddr
	if grpcAddr == "" {
		grpcAddr = net.JoinHostPort(u.Hostname(), "50051")
	}
	cfg := weaviate.Config{Host: u.Host, Scheme: u.Scheme, Timeout: opts.Timeout, StartupTimeout: 5 * time.Second,
		GrpcConfig: &grpc.Config{Host: grpcAddr, Secured: u.Scheme == "https"}}
	if opts.APIKey != "" {
		cfg.AuthConfig = auth.ApiKey{Value: opts.APIKey}
	}
	c, err := weaviate.NewClient(cfg)
	if err != nil {
		// The client's errors name the host, never the key.
		return nil, fmt.Errorf("weaviate: connect to %s: %w", Redact(opts.URL), clientErr(err))
	}
	s := &Store{c: c, opts: opts, log: log, names: map[string]string{}, arts: map[string]*corpus.Article{}}
	for _, suf := range []string{suffixArticle, suffixChunk, suffixTerm, suffixMeta, suffixEvent} {
		s.names[suf] = opts.Prefix + suf
	}
	if err := s.init(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Redact drops the user information of a URL for messages.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User = nil
	return u.String()
}

func (s *Store) init(ctx context.Context) error {
	for _, suf := range []string{suffixMeta, suffixEvent} {
		if _, err := s.ensureClass(ctx, suf); err != nil {
			if s.opts.ReadOnly && suf == suffixEvent {
				continue // dedupe then fails softly
			}
			return err
		}
	}
	m, found, err := s.readMeta(ctx)
	if err != nil {
		return err
	}
	id := s.opts.Embedder.ID()
	if found && m.Embedder != id {
		if s.opts.ReadOnly {
			return fmt.Errorf("%w (%s; this is %s): run 'newsdesk index rebuild' with this embedder", ErrEmbedderMismatch, m.Embedder, id)
		}
		s.log.Warn("weaviate index was built with another embedder; re-indexing every article", "was", m.Embedder, "now", id)
		for _, suf := range []string{suffixChunk, suffixArticle} {
			if err := s.dropClass(ctx, suf); err != nil {
				return err
			}
		}
		found = false
	}
	for _, suf := range []string{suffixArticle, suffixChunk, suffixTerm} {
		if _, err := s.ensureClass(ctx, suf); err != nil {
			return err
		}
	}
	if !found && !s.opts.ReadOnly {
		if err := s.writeMeta(ctx, meta{Embedder: id}); err != nil {
			return err
		}
	}
	if found && m.Dirty && !s.opts.ReadOnly {
		return s.recount(ctx, &m)
	}
	return nil
}

const metaKey = "index"

func (s *Store) readMeta(ctx context.Context) (meta, bool, error) {
	res, err := s.c.Experimental().Search().WithCollection(s.names[suffixMeta]).
		WithConsistencyLevel(ConsistencyLevel).WithLimit(1).
		WithProperties("embedder", "dim", "generation", "changed", "chunks", "total", "dirty").Do(ctx)
	if err != nil {
		return meta{}, false, fmt.Errorf("weaviate: read index metadata: %w", clientErr(err))
	}
	if len(res) == 0 {
		return meta{}, false, nil
	}
	p := res[0].Properties
	m := meta{Embedder: str(p["embedder"]), Dim: num(p["dim"])}
	m.Generation, _ = strconv.ParseUint(str(p["generation"]), 10, 64)
	m.Changed, _ = time.Parse(time.RFC3339Nano, str(p["changed"]))
	m.Chunks = num(p["chunks"])
	m.Total, _ = strconv.ParseInt(str(p["total"]), 10, 64)
	m.Dirty, _ = p["dirty"].(bool)
	return m, true, nil
}

func (s *Store) writeMeta(ctx context.Context, m meta) error {
	changed := ""
	if !m.Changed.IsZero() {
		changed = m.Changed.UTC().Format(time.RFC3339Nano)
	}
	props := map[string]any{"embedder": m.Embedder, "dim": m.Dim,
		"generation": strconv.FormatUint(m.Generation, 10), "changed": changed,
		"chunks": m.Chunks, "total": strconv.FormatInt(m.Total, 10), "dirty": m.Dirty}
	if err := s.importObjects(ctx, []*models.Object{object(s.names[suffixMeta], objectID("meta", metaKey), props, nil)}); err != nil {
		return fmt.Errorf("weaviate: write index metadata: %w", err)
	}
	s.mu.Lock()
	s.meta, s.metaAt = m, time.Now()
	s.mu.Unlock()
	return nil
}

// currentMeta is the metadata, re-read at most every cacheFor.
func (s *Store) currentMeta() meta {
	s.mu.Lock()
	if time.Since(s.metaAt) < cacheFor {
		m := s.meta
		s.mu.Unlock()
		return m
	}
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), s.opts.Timeout)
	defer cancel()
	m, _, err := s.readMeta(ctx)
	if err != nil {
		s.log.Warn("weaviate: metadata", "err", err)
	}
	s.mu.Lock()
	s.meta, s.metaAt = m, time.Now()
	s.mu.Unlock()
	return m
}

// Generation implements retrieval.Backend: the article store generation
// the collections reflect.
func (s *Store) Generation() (uint64, time.Time) {
	m := s.currentMeta()
	return m.Generation, m.Changed
}

// Invalidate drops cached statistics, so the next call reads them anew
// (after another process changed the collections).
func (s *Store) Invalidate() {
	s.mu.Lock()
	s.dfCache, s.statsAt, s.metaAt = nil, time.Time{}, time.Time{}
	clear(s.arts)
	s.mu.Unlock()
}

// Close releases nothing today; it is there for symmetry with the
// embedded index's users.
func (s *Store) Close() error { return nil }

func eq(path, value string) *filters.WhereBuilder {
	return filters.Where().WithPath([]string{path}).WithOperator(filters.Equal).WithValueText(value)
}

func anyOf(path string, values []string) *filters.WhereBuilder {
	return filters.Where().WithPath([]string{path}).WithOperator(filters.ContainsAny).WithValueText(values...)
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func num(v any) int {
	switch x := v.(type) {
	case float64:
		return int(x)
	case int64:
		return int(x)
	case int:
		return x
	case float32:
		return int(x)
	}
	return 0
}

// articleFromProps decodes an Article object's doc property.
func articleFromProps(p map[string]any) (*corpus.Article, error) {
	var a corpus.Article
	if err := json.Unmarshal([]byte(str(p["doc"])), &a); err != nil {
		return nil, fmt.Errorf("weaviate: article %q: %w", str(p["articleId"]), err)
	}
	return &a, nil
}

// fetchArticles returns the articles with the given ids, from the cache
// or in one query.
func (s *Store) fetchArticles(ctx context.Context, ids []string) (map[string]*corpus.Article, error) {
	out := make(map[string]*corpus.Article, len(ids))
	var missing []string
	s.mu.Lock()
	for _, id := range ids {
		if a := s.arts[id]; a != nil {
			out[id] = a
		} else {
			missing = appendUnique(missing, id)
		}
	}
	s.mu.Unlock()
	for len(missing) > 0 {
		n := min(len(missing), 200)
		part := missing[:n]
		missing = missing[n:]
		res, err := s.c.Experimental().Search().WithCollection(s.names[suffixArticle]).
			WithWhere(anyOf("articleId", part)).WithLimit(len(part)).WithConsistencyLevel(ConsistencyLevel).
			WithProperties("articleId", "doc").Do(ctx)
		if err != nil {
			return nil, fmt.Errorf("weaviate: fetch articles: %w", clientErr(err))
		}
		s.mu.Lock()
		if len(s.arts) > 20000 {
			clear(s.arts)
		}
		for _, r := range res {
			a, err := articleFromProps(r.Properties)
			if err != nil {
				s.mu.Unlock()
				return nil, err
			}
			s.arts[a.ID] = a
			out[a.ID] = a
		}
		s.mu.Unlock()
	}
	return out, nil
}

// transient reports whether a failed request may succeed when repeated:
// gRPC Unavailable, DeadlineExceeded, ResourceExhausted or Aborted.
func transient(err error) bool {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if st, ok := status.FromError(e); ok {
			switch st.Code() {
			case codes.Unavailable, codes.DeadlineExceeded, codes.ResourceExhausted, codes.Aborted:
				return true
			}
			return false
		}
	}
	return false
}

func appendUnique(xs []string, x string) []string {
	for _, y := range xs {
		if y == x {
			return xs
		}
	}
	return append(xs, x)
}

// Article implements retrieval.Searcher.
func (s *Store) Article(id string) *corpus.Article {
	ctx, cancel := context.WithTimeout(context.Background(), s.opts.Timeout)
	defer cancel()
	m, err := s.fetchArticles(ctx, []string{id})
	if err != nil {
		s.log.Warn("weaviate: article", "id", id, "err", err)
		return nil
	}
	return m[id]
}

// Articles implements retrieval.Searcher, bounded: it returns at most
// Options.ListLimit articles, the most recently published first (an
// archive in Weaviate may hold millions). Counts and dates come from
// ArticleCount and DateRange, which never list.
func (s *Store) Articles() []*corpus.Article {
	ctx, cancel := context.WithTimeout(context.Background(), s.opts.Timeout)
	defer cancel()
	res, err := s.c.Experimental().Search().WithCollection(s.names[suffixArticle]).
		WithSort(graphql.Sort{Path: []string{"published"}, Order: graphql.Desc}).
		WithLimit(s.opts.ListLimit).WithConsistencyLevel(ConsistencyLevel).
		WithProperties("articleId", "doc").Do(ctx)
	if err != nil {
		s.log.Warn("weaviate: list articles", "err", err)
		return nil
	}
	out := make([]*corpus.Article, 0, len(res))
	for _, r := range res {
		a, err := articleFromProps(r.Properties)
		if err != nil {
			s.log.Warn("weaviate: list articles", "err", err)
			continue
		}
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b *corpus.Article) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// Hashes returns the id and content hash of every indexed article, read
// with a cursor a thousand at a time (ids and hashes only).
func (s *Store) Hashes(ctx context.Context) (map[string]string, error) {
	out := map[string]string{}
	after := ""
	for {
		q := s.c.Experimental().Search().WithCollection(s.names[suffixArticle]).WithLimit(1000).
			WithConsistencyLevel(ConsistencyLevel).WithProperties("articleId", "hash")
		if after != "" {
			q = q.WithAfter(after)
		}
		res, err := q.Do(ctx)
		if err != nil {
			return nil, fmt.Errorf("weaviate: list article hashes: %w", clientErr(err))
		}
		for _, r := range res {
			out[str(r.Properties["articleId"])] = str(r.Properties["hash"])
		}
		if len(res) < 1000 {
			return out, nil
		}
		after = res[len(res)-1].ID
	}
}

// Prefix is the collection name prefix in use.
func (s *Store) Prefix() string { return s.opts.Prefix }
