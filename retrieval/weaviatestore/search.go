package weaviatestore

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/weaviate/weaviate-go-client/v5/weaviate/graphql"

	"github.com/newsdesk/newsdesk/corpus"
	"github.com/newsdesk/newsdesk/retrieval"
)

// lexPool is how many BM25 candidates Weaviate returns for the project's
// rescoring: four times what the fusion keeps, so that the weighted
// groups can reorder them.
const lexPool = 4 * retrieval.Candidates

var chunkProps = []string{"chunkId", "articleId", "para", "start", "end"}

// Search implements retrieval.Searcher.
func (s *Store) Search(ctx context.Context, query string, k int) ([]retrieval.Hit, error) {
	return s.SearchQuery(ctx, retrieval.Query{Text: query}, k)
}

// SearchQuery implements retrieval.QuerySearcher.
func (s *Store) SearchQuery(ctx context.Context, q retrieval.Query, k int) ([]retrieval.Hit, error) {
	if k <= 0 {
		return nil, nil
	}
	qv, err := s.opts.Embedder.Embed(ctx, []string{q.Text})
	if err != nil {
		return nil, fmt.Errorf("embed query: %w", err)
	}
	if len(qv) != 1 {
		return nil, fmt.Errorf("embed query: got %d vectors", len(qv))
	}
	terms := retrieval.QueryTerms(q)
	if s.opts.Fusion == FusionNative {
		return s.searchNative(ctx, q, terms, qv[0], k)
	}
	var (
		wg         sync.WaitGroup
		vres, lres []graphql.SearchResult
		verr, lerr error
		st         retrieval.CorpusStats
		serr       error
	)
	wg.Go(func() {
		vres, verr = s.c.Experimental().Search().WithCollection(s.names[suffixChunk]).
			WithNearVector((&graphql.NearVectorArgumentBuilder{}).WithVector(qv[0])).
			WithLimit(retrieval.Candidates).WithConsistencyLevel(ConsistencyLevel).
			WithMetadata(&graphql.Metadata{ID: true, Distance: true}).
			WithProperties(chunkProps...).Do(ctx)
	})
	if len(terms) > 0 {
		wg.Go(func() {
			lres, lerr = s.c.Experimental().Search().WithCollection(s.names[suffixChunk]).
				WithBM25((&graphql.BM25ArgumentBuilder{}).WithQuery(strings.Join(terms, " ")).WithProperties("terms")).
				WithLimit(lexPool).WithConsistencyLevel(ConsistencyLevel).
				WithProperties(append(slices.Clone(chunkProps), "terms")...).Do(ctx)
		})
		wg.Go(func() { st, serr = s.corpusStats(ctx, terms) })
	}
	wg.Wait()
	for _, e := range []error{verr, lerr, serr} {
		if e != nil {
			return nil, fmt.Errorf("weaviate search: %w", clientErr(e))
		}
	}
	docs := make([]retrieval.LexDoc, len(lres))
	for i, r := range lres {
		docs[i] = retrieval.LexDoc{Chunk: chunkOf(r.Properties), Terms: strings.Fields(str(r.Properties["terms"]))}
	}
	var lex, vec []retrieval.Hit
	for _, i := range retrieval.RankLex(q, docs, st, retrieval.Candidates) {
		lex = append(lex, retrieval.Hit{Chunk: docs[i].Chunk})
	}
	// Equal distances (a syndicated copy has its original's vector) are
	// ordered by chunk id, as in the embedded index; HNSW returns them
	// in no fixed order.
	slices.SortStableFunc(vres, func(a, b graphql.SearchResult) int {
		if a.Metadata.Distance != b.Metadata.Distance {
			return cmp.Compare(a.Metadata.Distance, b.Metadata.Distance)
		}
		return cmp.Compare(str(a.Properties["chunkId"]), str(b.Properties["chunkId"]))
	})
	for _, r := range vres {
		vec = append(vec, retrieval.Hit{Chunk: chunkOf(r.Properties)})
	}
	hits := retrieval.Fuse(lex, vec, k)
	return s.withArticles(ctx, hits)
}

// searchNative is Weaviate's hybrid query over the project's terms and
// vector: one ranking, fused by Weaviate.
func (s *Store) searchNative(ctx context.Context, q retrieval.Query, terms []string, qv []float32, k int) ([]retrieval.Hit, error) {
	h := (&graphql.HybridArgumentBuilder{}).WithQuery(strings.Join(terms, " ")).WithVector(qv).
		WithAlpha(0.5).WithProperties([]string{"terms"}).WithFusionType(graphql.RelativeScore)
	res, err := s.c.Experimental().Search().WithCollection(s.names[suffixChunk]).WithHybrid(h).
		WithLimit(k).WithConsistencyLevel(ConsistencyLevel).WithProperties(chunkProps...).
		WithMetadata(&graphql.Metadata{ID: true, Score: true}).Do(ctx)
	if err != nil {
		return nil, fmt.Errorf("weaviate hybrid search: %w", clientErr(err))
	}
	hits := make([]retrieval.Hit, 0, len(res))
	for i, r := range res {
		// One fused ranking: both ranks are its rank.
		hits = append(hits, retrieval.Hit{Chunk: chunkOf(r.Properties), Score: float64(r.Metadata.Score), LexRank: i + 1, VecRank: i + 1})
	}
	return s.withArticles(ctx, hits)
}

func chunkOf(p map[string]any) retrieval.Chunk {
	return retrieval.Chunk{ID: str(p["chunkId"]), ArticleID: str(p["articleId"]), Para: num(p["para"]),
		Start: num(p["start"]), End: num(p["end"])}
}

// withArticles attaches each hit's article and takes the chunk text from
// it (so quotes are verbatim slices of the article, as in the embedded
// index); hits whose article is gone (deleted meanwhile) are dropped.
func (s *Store) withArticles(ctx context.Context, hits []retrieval.Hit) ([]retrieval.Hit, error) {
	ids := make([]string, 0, len(hits))
	for _, h := range hits {
		ids = append(ids, h.Chunk.ArticleID)
	}
	arts, err := s.fetchArticles(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := hits[:0]
	for _, h := range hits {
		a := arts[h.Chunk.ArticleID]
		if a == nil {
			continue
		}
		text := a.Text()
		if h.Chunk.Start < 0 || h.Chunk.Start > h.Chunk.End || h.Chunk.End > len(text) {
			continue
		}
		h.Chunk.Text = text[h.Chunk.Start:h.Chunk.End]
		h.Article = a
		out = append(out, h)
	}
	return out, nil
}

// corpusStats returns the chunk count, total length (from the metadata,
// cached for cacheFor) and the document frequencies of terms.
func (s *Store) corpusStats(ctx context.Context, terms []string) (retrieval.CorpusStats, error) {
	m := s.currentMeta()
	st := retrieval.CorpusStats{Docs: m.Chunks, Total: m.Total}
	df, err := s.docFreqs(ctx, terms)
	if err != nil {
		return st, err
	}
	st.DF = func(t string) int { return df[t] }
	return st, nil
}

// chunkTotals counts the chunks and sums their lengths with an Aggregate
// (tests compare it with the maintained statistics).
func (s *Store) chunkTotals(ctx context.Context) (retrieval.CorpusStats, error) {
	q := fmt.Sprintf(`{Aggregate{%s{meta{count} nterms{sum}}}}`, s.names[suffixChunk])
	var out struct {
		Aggregate map[string][]struct {
			Meta   struct{ Count int }
			Nterms struct{ Sum float64 }
		}
	}
	if err := s.rawQuery(ctx, q, &out); err != nil {
		return retrieval.CorpusStats{}, err
	}
	var st retrieval.CorpusStats
	if rows := out.Aggregate[s.names[suffixChunk]]; len(rows) > 0 {
		st.Docs, st.Total = rows[0].Meta.Count, int64(rows[0].Nterms.Sum)
	}
	return st, nil
}

// docFreqs returns the document frequencies of terms from the Term
// collection, in one query (cached for cacheFor).
func (s *Store) docFreqs(ctx context.Context, terms []string) (map[string]int, error) {
	out := make(map[string]int, len(terms))
	var todo []string
	s.mu.Lock()
	if time.Since(s.dfAt) >= cacheFor {
		s.dfCache, s.dfAt = map[string]int{}, time.Now()
	}
	for _, t := range terms {
		if n, ok := s.dfCache[t]; ok {
			out[t] = n
		} else if t != "" && !slices.Contains(todo, t) {
			todo = append(todo, t)
		}
	}
	s.mu.Unlock()
	if len(todo) == 0 {
		return out, nil
	}
	got, err := s.termDFs(ctx, todo)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	for _, t := range todo {
		out[t] = got[t]
		if s.dfCache != nil {
			s.dfCache[t] = got[t]
		}
	}
	s.mu.Unlock()
	return out, nil
}

// countWhere counts the objects of a collection whose whitespace-tokenised
// property path has each value, one aliased Aggregate per value.
func (s *Store) countWhere(ctx context.Context, suffix, path string, values []string, cache bool) (map[string]int, error) {
	out := make(map[string]int, len(values))
	var todo []string
	s.mu.Lock()
	if cache && time.Since(s.dfAt) >= cacheFor {
		s.dfCache, s.dfAt = map[string]int{}, time.Now()
	}
	for _, v := range values {
		if n, ok := s.dfCache[path+"\x00"+v]; ok && cache {
			out[v] = n
		} else if v != "" && !slices.Contains(todo, v) {
			todo = append(todo, v)
		}
	}
	s.mu.Unlock()
	for len(todo) > 0 {
		n := min(len(todo), 64)
		part := todo[:n]
		todo = todo[n:]
		var b strings.Builder
		b.WriteString("{Aggregate{")
		for i, v := range part {
			lit, _ := json.Marshal(v) // a GraphQL string literal
			fmt.Fprintf(&b, `t%d:%s(where:{path:[%q],operator:Equal,valueText:%s}){meta{count}} `, i, s.names[suffix], path, lit)
		}
		b.WriteString("}}")
		var res struct {
			Aggregate map[string][]struct{ Meta struct{ Count int } }
		}
		if err := s.rawQuery(ctx, b.String(), &res); err != nil {
			return nil, err
		}
		s.mu.Lock()
		for i, v := range part {
			c := 0
			if rows := res.Aggregate[fmt.Sprintf("t%d", i)]; len(rows) > 0 {
				c = rows[0].Meta.Count
			}
			out[v] = c
			if cache && s.dfCache != nil {
				s.dfCache[path+"\x00"+v] = c
			}
		}
		s.mu.Unlock()
	}
	return out, nil
}

// rawQuery runs a GraphQL query and decodes its data into out.
func (s *Store) rawQuery(ctx context.Context, q string, out any) error {
	resp, err := s.c.GraphQL().Raw().WithQuery(q).Do(ctx)
	if err != nil {
		return fmt.Errorf("weaviate: graphql: %w", clientErr(err))
	}
	if len(resp.Errors) > 0 {
		return fmt.Errorf("weaviate: graphql: %s", resp.Errors[0].Message)
	}
	b, err := json.Marshal(resp.Data)
	if err != nil {
		return fmt.Errorf("weaviate: graphql reply: %w", err)
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("weaviate: graphql reply: %w", err)
	}
	return nil
}

// bg is the context of the interface methods that take none.
func (s *Store) bg() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), s.opts.Timeout)
}

// DocFreq implements retrieval.TermStats (0 when Weaviate cannot be
// reached; the failure is logged).
func (s *Store) DocFreq(term string) int {
	ctx, cancel := s.bg()
	defer cancel()
	m, err := s.docFreqs(ctx, []string{term})
	if err != nil {
		s.log.Warn("weaviate: term statistics", "err", err)
		return 0
	}
	return m[term]
}

// NumChunks implements retrieval.TermStats.
func (s *Store) NumChunks() int { return s.currentMeta().Chunks }

// Known implements retrieval.TermStats: the word's term is in some chunk,
// or a word with its letter-set signature is.
func (s *Store) Known(word string) bool {
	if s.DocFreq(retrieval.Term(word)) > 0 {
		return true
	}
	sig := retrieval.Signature(word)
	if sig == "" {
		return false
	}
	ctx, cancel := s.bg()
	defer cancel()
	m, err := s.countWhere(ctx, suffixChunk, "sigs", []string{sig}, true)
	if err != nil {
		s.log.Warn("weaviate: term statistics", "err", err)
		return false
	}
	return m[sig] > 0
}

// maxVocabScan bounds the vocabulary Correct reads for one word.
const maxVocabScan = 10000 // Weaviate's default QUERY_MAXIMUM_RESULTS

// Correct implements retrieval.Speller like the embedded index: the
// archive's terms within the edit distance, most common first. The
// vocabulary is read from the Term collection, filtered by length (and
// first letter for one edit), at most maxVocabScan terms.
func (s *Store) Correct(word string) []string {
	t := retrieval.Term(word)
	r := []rune(t)
	d := retrieval.MaxEdits(len(r))
	if d == 0 || s.DocFreq(t) > 0 {
		return nil
	}
	ctx, cancel := s.bg()
	defer cancel()
	n := len(t) // the embedded index compares byte lengths
	where := rangeInt("length", n-d, n+d)
	if d < 2 {
		where = and(where, eq("first", string(r[0])))
	}
	res, err := s.c.Experimental().Search().WithCollection(s.names[suffixTerm]).WithWhere(where).
		WithLimit(maxVocabScan).WithProperties("term", "df").Do(ctx)
	if err != nil {
		s.log.Warn("weaviate: spelling", "err", err)
		return nil
	}
	type cand struct {
		term string
		dist int
		df   int
	}
	var out []cand
	for _, x := range res {
		v := str(x.Properties["term"])
		df := num(x.Properties["df"])
		if df <= 0 || len(v) < n-d || len(v) > n+d || v[0] != t[0] && d < 2 {
			continue
		}
		if k := levenshtein(t, v); k <= d {
			out = append(out, cand{term: v, dist: k, df: df})
		}
	}
	slices.SortFunc(out, func(a, b cand) int {
		if a.dist != b.dist {
			return cmp.Compare(a.dist, b.dist)
		}
		if a.df != b.df {
			return cmp.Compare(b.df, a.df)
		}
		return cmp.Compare(a.term, b.term)
	})
	terms := make([]string, 0, min(len(out), 3))
	for i := 0; i < len(out) && i < 3; i++ {
		terms = append(terms, out[i].term)
	}
	if len(terms) == 0 {
		return nil
	}
	return terms
}

// HasPhrase implements retrieval.Phrases like the embedded index: the
// chunks that have the rarest position's terms (at most
// retrieval.MaxPhraseDocs of them) are read and matched.
func (s *Store) HasPhrase(positions [][]string) bool {
	if len(positions) == 0 {
		return true
	}
	ctx, cancel := s.bg()
	defer cancel()
	var all []string
	for _, alts := range positions {
		all = append(all, alts...)
	}
	df, err := s.docFreqs(ctx, all)
	if err != nil {
		s.log.Warn("weaviate: phrase", "err", err)
		return true // unknown: do not abstain on a failure
	}
	rarest, fewest := 0, -1
	for i, alts := range positions {
		n := 0
		seen := map[string]bool{}
		for _, t := range alts {
			if !seen[t] {
				seen[t] = true
				n += df[t]
			}
		}
		if fewest < 0 || n < fewest {
			rarest, fewest = i, n
		}
	}
	if fewest == 0 {
		return false
	}
	if fewest > retrieval.MaxPhraseDocs {
		return true
	}
	res, err := s.c.Experimental().Search().WithCollection(s.names[suffixChunk]).
		WithWhere(anyOf("terms", positions[rarest])).WithLimit(retrieval.MaxPhraseDocs).
		WithProperties("text").Do(ctx)
	if err != nil {
		s.log.Warn("weaviate: phrase", "err", err)
		return true
	}
	for _, r := range res {
		if retrieval.MatchPhrase(str(r.Properties["text"]), positions) {
			return true
		}
	}
	return false
}

// maxAcronymDocs bounds the chunks Expand reads for one acronym.
const maxAcronymDocs = 5000

// Expand implements retrieval.Acronyms: the names of the chunks that
// have the acronym's initials (at most maxAcronymDocs chunks) are summed
// and the embedded index's rule picks one.
func (s *Store) Expand(acronym string) string {
	if !retrieval.ExpandableAcronym(acronym) {
		return ""
	}
	acr := strings.ToLower(acronym)
	ctx, cancel := s.bg()
	defer cancel()
	res, err := s.c.Experimental().Search().WithCollection(s.names[suffixChunk]).
		WithWhere(eq("acrs", acr)).WithLimit(maxAcronymDocs).WithProperties("acrjson").Do(ctx)
	if err != nil {
		s.log.Warn("weaviate: acronyms", "err", err)
		return ""
	}
	sum := map[string]int{}
	for _, r := range res {
		var m map[string]map[string]int
		if json.Unmarshal([]byte(str(r.Properties["acrjson"])), &m) != nil {
			continue
		}
		for name, n := range m[acr] {
			sum[name] += n
		}
	}
	return retrieval.PickExpansion(sum)
}

// ArticleCount implements retrieval.Counter.
func (s *Store) ArticleCount() int {
	ctx, cancel := s.bg()
	defer cancel()
	n, err := s.count(ctx, suffixArticle)
	if err != nil {
		s.log.Warn("weaviate: article count", "err", err)
	}
	return n
}

func (s *Store) count(ctx context.Context, suffix string) (int, error) {
	var out struct {
		Aggregate map[string][]struct{ Meta struct{ Count int } }
	}
	if err := s.rawQuery(ctx, fmt.Sprintf(`{Aggregate{%s{meta{count}}}}`, s.names[suffix]), &out); err != nil {
		return 0, err
	}
	if rows := out.Aggregate[s.names[suffix]]; len(rows) > 0 {
		return rows[0].Meta.Count, nil
	}
	return 0, nil
}

// DateRange implements retrieval.DateRanger: two sorted queries over the
// dated articles.
func (s *Store) DateRange() (first, last time.Time) {
	ctx, cancel := s.bg()
	defer cancel()
	get := func(order graphql.SortOrder) time.Time {
		res, err := s.c.Experimental().Search().WithCollection(s.names[suffixArticle]).
			WithWhere(boolEq("dated", true)).
			WithSort(graphql.Sort{Path: []string{"published"}, Order: order}).
			WithLimit(1).WithProperties("articleId", "doc").Do(ctx)
		if err != nil {
			s.log.Warn("weaviate: date range", "err", err)
			return time.Time{}
		}
		if len(res) == 0 {
			return time.Time{}
		}
		a, err := articleFromProps(res[0].Properties)
		if err != nil {
			return time.Time{}
		}
		return a.Published
	}
	return get(graphql.Asc), get(graphql.Desc)
}

// Stats implements retrieval.Backend. Dir is the Weaviate URL (without
// credentials); Terms is the vocabulary's size (it is never pruned, so it
// may count terms of removed articles).
func (s *Store) Stats() retrieval.Stats {
	ctx, cancel := s.bg()
	defer cancel()
	m := s.currentMeta()
	st := retrieval.Stats{Dir: Redact(s.opts.URL), EmbedderID: s.opts.Embedder.ID(), Dim: m.Dim}
	var err error
	if st.Articles, err = s.count(ctx, suffixArticle); err != nil {
		s.log.Warn("weaviate: stats", "err", err)
	}
	if st.Chunks, err = s.count(ctx, suffixChunk); err != nil {
		s.log.Warn("weaviate: stats", "err", err)
	}
	if st.Terms, err = s.count(ctx, suffixTerm); err != nil {
		s.log.Warn("weaviate: stats", "err", err)
	}
	first, last := s.DateRange()
	if !first.IsZero() {
		st.Dates = [2]string{first.Format(corpus.DateLayout), last.Format(corpus.DateLayout)}
	}
	return st
}

var (
	_ retrieval.Backend        = (*Store)(nil)
	_ retrieval.HealthReporter = (*Store)(nil)
)
