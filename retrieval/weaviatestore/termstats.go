package weaviatestore

import (
	"context"
	"fmt"
	"slices"

	"github.com/weaviate/weaviate/entities/models"
)

// Term statistics. BM25 needs each term's document frequency and the
// chunk count and total length; Weaviate's Aggregate can count them, but
// one filtered count per term costs milliseconds, so the writer keeps
// them instead: the Term collection holds each term's df, the Meta object
// the chunk count and total length. Apply adds the new chunks' terms,
// subtracts the deleted chunks' (read before they are deleted) and
// writes the changed terms at the end, with Meta marked dirty while it
// runs; a writer that finds it dirty (an Apply interrupted) recounts
// everything from the chunks.

// termDeltas accumulates changes to the statistics.
type termDeltas struct {
	df     map[string]int
	chunks int
	total  int64
}

func newDeltas() *termDeltas { return &termDeltas{df: map[string]int{}} }

// add counts a chunk's terms (sign +1) or removes them (-1).
func (d *termDeltas) add(terms []string, sign int) {
	seen := make(map[string]bool, len(terms))
	for _, t := range terms {
		if t != "" && !seen[t] {
			seen[t] = true
			d.df[t] += sign
		}
	}
	d.chunks += sign
	d.total += int64(sign * len(terms))
}

// termDFs reads the stored df of terms (absent terms are 0).
func (s *Store) termDFs(ctx context.Context, terms []string) (map[string]int, error) {
	out := make(map[string]int, len(terms))
	for len(terms) > 0 {
		n := min(len(terms), 1000)
		part := terms[:n]
		terms = terms[n:]
		res, err := s.c.Experimental().Search().WithCollection(s.names[suffixTerm]).
			WithWhere(anyOf("term", part)).WithLimit(len(part)).WithConsistencyLevel(ConsistencyLevel).
			WithProperties("term", "df").Do(ctx)
		if err != nil {
			return nil, fmt.Errorf("weaviate: term statistics: %w", clientErr(err))
		}
		for _, r := range res {
			out[str(r.Properties["term"])] = num(r.Properties["df"])
		}
	}
	return out, nil
}

func (s *Store) termObject(t string, df int) *models.Object {
	r := []rune(t)
	return object(s.names[suffixTerm], objectID("term", t),
		map[string]any{"term": t, "first": string(r[0]), "length": len(t), "df": df}, nil)
}

// applyDeltas adds d to the stored statistics and m's totals.
func (s *Store) applyDeltas(ctx context.Context, d *termDeltas, m *meta) error {
	terms := make([]string, 0, len(d.df))
	for t, n := range d.df {
		if n != 0 {
			terms = append(terms, t)
		}
	}
	slices.Sort(terms)
	old, err := s.termDFs(ctx, terms)
	if err != nil {
		return err
	}
	objs := make([]*models.Object, 0, len(terms))
	for _, t := range terms {
		objs = append(objs, s.termObject(t, max(0, old[t]+d.df[t])))
	}
	if err := s.importObjects(ctx, objs); err != nil {
		return err
	}
	m.Chunks = max(0, m.Chunks+d.chunks)
	m.Total = max(0, m.Total+d.total)
	*d = *newDeltas()
	return nil
}

// chunkTermsOf reads the terms of the chunks of articles ids.
func (s *Store) chunkTermsOf(ctx context.Context, ids []string, d *termDeltas) error {
	for len(ids) > 0 {
		n := min(len(ids), 10)
		part := ids[:n]
		ids = ids[n:]
		res, err := s.c.Experimental().Search().WithCollection(s.names[suffixChunk]).
			WithWhere(anyOf("articleId", part)).WithLimit(maxVocabScan).WithConsistencyLevel(ConsistencyLevel).
			WithProperties("terms").Do(ctx)
		if err != nil {
			return fmt.Errorf("weaviate: read chunks to delete: %w", clientErr(err))
		}
		if len(res) >= maxVocabScan {
			return fmt.Errorf("weaviate: the articles %v have %d chunks or more, more than one query reads: not supported", part, maxVocabScan)
		}
		for _, r := range res {
			d.add(splitTerms(str(r.Properties["terms"])), -1)
		}
	}
	return nil
}

// recount rebuilds the statistics from every chunk (after an interrupted
// Apply).
func (s *Store) recount(ctx context.Context, m *meta) error {
	s.log.Warn("weaviate: recounting term statistics (an earlier write was interrupted)")
	d := newDeltas()
	after := ""
	for {
		q := s.c.Experimental().Search().WithCollection(s.names[suffixChunk]).WithLimit(1000).
			WithConsistencyLevel(ConsistencyLevel).WithProperties("terms")
		if after != "" {
			q = q.WithAfter(after)
		}
		res, err := q.Do(ctx)
		if err != nil {
			return fmt.Errorf("weaviate: recount: %w", clientErr(err))
		}
		for _, r := range res {
			d.add(splitTerms(str(r.Properties["terms"])), 1)
		}
		if len(res) < 1000 {
			break
		}
		after = res[len(res)-1].ID
	}
	// Terms no chunk has any more are set to 0.
	var objs []*models.Object
	after = ""
	for {
		q := s.c.Experimental().Search().WithCollection(s.names[suffixTerm]).WithLimit(1000).WithProperties("term", "df")
		if after != "" {
			q = q.WithAfter(after)
		}
		res, err := q.Do(ctx)
		if err != nil {
			return fmt.Errorf("weaviate: recount: %w", clientErr(err))
		}
		for _, r := range res {
			t := str(r.Properties["term"])
			if want := d.df[t]; want != num(r.Properties["df"]) && t != "" {
				objs = append(objs, s.termObject(t, want))
			}
			delete(d.df, t)
		}
		if len(res) < 1000 {
			break
		}
		after = res[len(res)-1].ID
	}
	for t, n := range d.df {
		objs = append(objs, s.termObject(t, n))
	}
	if err := s.importObjects(ctx, objs); err != nil {
		return err
	}
	m.Chunks, m.Total, m.Dirty = d.chunks, d.total, false
	return s.writeMeta(ctx, *m)
}
