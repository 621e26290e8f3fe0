package weaviatestore

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/go-openapi/strfmt"
	"github.com/weaviate/weaviate/entities/models"

	"github.com/newsdesk/newsdesk/corpus"
	"github.com/newsdesk/newsdesk/retrieval"
)

// ErrReadOnly is returned by the updating methods of a read-only Store.
var ErrReadOnly = errors.New("weaviate index is open read-only")

func strfmtUUID(id string) strfmt.UUID { return strfmt.UUID(id) }

func object(class, id string, props map[string]any, vec []float32) *models.Object {
	o := &models.Object{Class: class, ID: strfmtUUID(id), Properties: props}
	if vec != nil {
		o.Vector = vec
	}
	return o
}

// importObjects writes objects in gRPC batches of up to 1,000 and fails
// on the first object Weaviate rejected. A batch that fails as a whole
// with a transient error (a replica just lost, a timeout) is retried with
// backoff; objects have fixed UUIDs, so a retry overwrites, never
// duplicates.
func (s *Store) importObjects(ctx context.Context, objs []*models.Object) error {
	for len(objs) > 0 {
		n := min(len(objs), 1000)
		var res []models.ObjectsGetResponse
		var err error
		for attempt, wait := 0, time.Second; ; attempt, wait = attempt+1, 2*wait {
			res, err = s.c.Batch().ObjectsBatcher().WithConsistencyLevel(ConsistencyLevel).WithObjects(objs[:n]...).Do(ctx)
			if err == nil || attempt >= 3 || !transient(err) || ctx.Err() != nil {
				break
			}
			s.log.Warn("weaviate: batch import failed; retrying", "err", clientErr(err), "in", wait)
			select {
			case <-ctx.Done():
			case <-time.After(wait):
			}
		}
		if err != nil {
			return fmt.Errorf("weaviate: batch import: %w", clientErr(err))
		}
		for _, r := range res {
			if r.Result != nil && r.Result.Errors != nil && len(r.Result.Errors.Error) > 0 {
				return fmt.Errorf("weaviate: batch import of %s: %s", r.Class, r.Result.Errors.Error[0].Message)
			}
		}
		objs = objs[n:]
	}
	return nil
}

// deleteArticles deletes the chunks and article objects of ids and
// returns how many chunks it deleted.
func (s *Store) deleteArticles(ctx context.Context, ids []string) (int, error) {
	chunks := 0
	for len(ids) > 0 {
		n := min(len(ids), 200)
		part := ids[:n]
		ids = ids[n:]
		// Chunks first: an article object without all its chunks would be
		// taken for complete.
		for _, suf := range []string{suffixArticle, suffixChunk} {
			// One request deletes at most Weaviate's limit of matches
			// (10,000 by default): repeat until nothing is left.
			for range 1000 {
				res, err := s.c.Batch().ObjectsBatchDeleter().WithClassName(s.names[suf]).
					WithConsistencyLevel(ConsistencyLevel).WithOutput("minimal").
					WithWhere(anyOf("articleId", part)).Do(ctx)
				if err != nil {
					return chunks, fmt.Errorf("weaviate: delete %d articles' %s objects: %w", len(part), strings.ToLower(suf), clientErr(err))
				}
				if suf == suffixChunk && res != nil && res.Results != nil {
					chunks += int(res.Results.Successful)
				}
				if res == nil || res.Results == nil || res.Results.Limit == 0 || res.Results.Matches < res.Results.Limit {
					break
				}
			}
		}
	}
	return chunks, nil
}

// existingHashes returns the hashes of those of ids that are indexed.
func (s *Store) existingHashes(ctx context.Context, ids []string) (map[string]string, error) {
	out := map[string]string{}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		part := ids[:n]
		ids = ids[n:]
		res, err := s.c.Experimental().Search().WithCollection(s.names[suffixArticle]).
			WithWhere(anyOf("articleId", part)).WithLimit(len(part)).WithConsistencyLevel(ConsistencyLevel).
			WithProperties("articleId", "hash").Do(ctx)
		if err != nil {
			return nil, fmt.Errorf("weaviate: look up articles: %w", clientErr(err))
		}
		for _, r := range res {
			out[str(r.Properties["articleId"])] = str(r.Properties["hash"])
		}
	}
	return out, nil
}

// Apply adds or replaces c.Add (unchanged articles, by hash, are left
// alone), deletes c.Remove, and records c.Generation and c.Changed once
// everything else is written. Articles are committed a batch at a time,
// each after all its chunks, so an interrupted Apply leaves complete
// articles and a generation that says the index is behind.
func (s *Store) Apply(ctx context.Context, c retrieval.Change, progress func(done, total int)) (retrieval.SyncStats, error) {
	var st retrieval.SyncStats
	if s.opts.ReadOnly {
		return st, ErrReadOnly
	}
	seen := map[string]bool{}
	ids := make([]string, 0, len(c.Add))
	for _, a := range c.Add {
		if seen[a.ID] {
			return st, fmt.Errorf("weaviate: article id %q given twice", a.ID)
		}
		seen[a.ID] = true
		ids = append(ids, a.ID)
	}
	for _, id := range c.Remove {
		if seen[id] {
			return st, fmt.Errorf("weaviate: article id %q both added and removed", id)
		}
	}
	have, err := s.existingHashes(ctx, append(slices.Clone(ids), c.Remove...))
	if err != nil {
		return st, err
	}
	var gone []string
	for _, id := range c.Remove {
		if _, ok := have[id]; ok {
			gone = append(gone, id)
		}
	}
	type work struct {
		a      corpus.Article
		hash   string
		chunks []retrieval.Chunk
	}
	var todo []work
	var replaced, updated []string
	for _, a := range c.Add {
		h := a.Hash()
		old, ok := have[a.ID]
		switch {
		case ok && old == h:
			st.Unchanged++
			continue
		case ok:
			st.Updated++
			replaced = append(replaced, a.ID)
			updated = append(updated, a.ID)
		default:
			st.Added++
			// Chunks of an earlier, interrupted import may be there.
			replaced = append(replaced, a.ID)
		}
		w := work{a: a, hash: h}
		w.chunks = retrieval.ChunkArticle(&w.a, s.opts.ChunkChars, s.opts.ChunkOverlap)
		todo = append(todo, w)
	}
	slices.SortFunc(todo, func(x, y work) int { return cmp.Compare(x.a.ID, y.a.ID) })
	m, _, err := s.readMeta(ctx)
	if err != nil {
		return st, err
	}
	m.Dirty = true
	if err := s.writeMeta(ctx, m); err != nil {
		return st, err
	}
	deltas := newDeltas()
	// The statistics lose the chunks of removed and updated articles;
	// chunks of new ones (left by an interrupted import) are deleted too,
	// and if there were any the statistics are recounted at the end.
	if err := s.chunkTermsOf(ctx, append(slices.Clone(gone), updated...), deltas); err != nil {
		return st, err
	}
	deleted, err := s.deleteArticles(ctx, append(gone, replaced...))
	if err != nil {
		return st, err
	}
	orphans := deleted != -deltas.chunks
	st.Removed = len(gone)
	s.Invalidate()

	total := 0
	for _, w := range todo {
		total += len(w.chunks)
	}
	if progress != nil && total > 0 {
		progress(0, total)
	}
	done := 0
	dim := m.Dim
	for len(todo) > 0 {
		// A group of articles of about BatchSize chunks.
		n, chunks := 0, 0
		for n < len(todo) && (n == 0 || chunks+len(todo[n].chunks) <= s.opts.BatchSize) {
			chunks += len(todo[n].chunks)
			n++
		}
		group := todo[:n]
		todo = todo[n:]
		var texts []string
		for _, w := range group {
			for _, ch := range w.chunks {
				texts = append(texts, ch.Text)
			}
		}
		var vecs [][]float32
		if len(texts) > 0 {
			vecs, err = s.opts.Embedder.Embed(ctx, texts)
			if err != nil {
				return st, fmt.Errorf("embed %d chunks: %w", len(texts), err)
			}
			if len(vecs) != len(texts) {
				return st, fmt.Errorf("embed: got %d vectors for %d chunks", len(vecs), len(texts))
			}
		}
		var objs, arts []*models.Object
		k := 0
		for _, w := range group {
			for i, ch := range w.chunks {
				v := vecs[k]
				k++
				if dim == 0 {
					dim = len(v)
				}
				if len(v) != dim {
					return st, fmt.Errorf("embed: vector of dim %d for %s, index dim %d", len(v), w.a.ID, dim)
				}
				objs = append(objs, s.chunkObject(ch, i, v, deltas))
			}
			arts = append(arts, s.articleObject(&w.a, w.hash, len(w.chunks)))
		}
		if err := s.importObjects(ctx, objs); err != nil {
			return st, err
		}
		if err := s.importObjects(ctx, arts); err != nil {
			return st, err
		}
		if len(deltas.df) > 100_000 {
			if err := s.applyDeltas(ctx, deltas, &m); err != nil {
				return st, err
			}
		}
		st.ChunksEmbedded += len(texts)
		done += len(texts)
		if progress != nil {
			progress(done, total)
		}
	}
	if orphans {
		s.log.Warn("weaviate: deleted chunks an interrupted import left behind", "chunks", deleted+deltas.chunks)
		m.Embedder, m.Dim = s.opts.Embedder.ID(), dim
		if err := s.recount(ctx, &m); err != nil {
			return st, err
		}
	} else if err := s.applyDeltas(ctx, deltas, &m); err != nil {
		return st, err
	}
	m.Embedder, m.Dim, m.Dirty = s.opts.Embedder.ID(), dim, false
	if c.Generation != 0 || !c.Changed.IsZero() {
		m.Generation, m.Changed = c.Generation, c.Changed
	}
	if err := s.writeMeta(ctx, m); err != nil {
		return st, err
	}
	s.Invalidate()
	return st, nil
}

// Refresh implements the embedded index's Refresh for callers that use
// both: a Store never holds stale vectors (Open re-indexes on an embedder
// change), so it does nothing.
func (s *Store) Refresh(context.Context, func(done, total int)) (retrieval.SyncStats, error) {
	return retrieval.SyncStats{}, nil
}

// EachHash calls f with every indexed article's id and hash in id order;
// on an error it calls f for nothing and logs (callers that must know use
// Hashes).
func (s *Store) EachHash(f func(id, hash string)) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	m, err := s.Hashes(ctx)
	if err != nil {
		s.log.Warn("weaviate: list articles", "err", err)
		return
	}
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		f(id, m[id])
	}
}

func (s *Store) chunkObject(ch retrieval.Chunk, ord int, vec []float32, d *termDeltas) *models.Object {
	terms, sigs := retrieval.ChunkTerms(ch.Text)
	d.add(terms, 1)
	acr := retrieval.AcronymCounts(ch.Text)
	keys := make([]string, 0, len(acr))
	for k := range acr {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	acrJSON := ""
	if len(acr) > 0 {
		b, _ := json.Marshal(acr) // maps of strings and ints always encode
		acrJSON = string(b)
	}
	props := map[string]any{
		"chunkId": ch.ID, "articleId": ch.ArticleID, "ord": ord, "para": ch.Para, "start": ch.Start, "end": ch.End,
		"text": ch.Text, "terms": strings.Join(terms, " "), "nterms": len(terms),
		"sigs": strings.Join(sigs, " "), "acrs": strings.Join(keys, " "), "acrjson": acrJSON,
	}
	return object(s.names[suffixChunk], objectID("chunk", ch.ID), props, vec)
}

func (s *Store) articleObject(a *corpus.Article, hash string, chunks int) *models.Object {
	doc, _ := json.Marshal(a) // an Article always encodes
	var pub int64
	if !a.Published.IsZero() {
		pub = a.Published.Unix()
	}
	props := map[string]any{"articleId": a.ID, "hash": hash, "doc": string(doc),
		"published": pub, "dated": !a.Published.IsZero(), "nchunks": chunks}
	return object(s.names[suffixArticle], objectID("article", a.ID), props, nil)
}

// splitTerms splits a chunk's stored terms.
func splitTerms(s string) []string { return strings.Fields(s) }
