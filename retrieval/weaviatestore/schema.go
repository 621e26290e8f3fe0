package weaviatestore

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/weaviate/weaviate-go-client/v5/weaviate/fault"
	"github.com/weaviate/weaviate/entities/models"
)

// Collections. Each name is Options.Prefix followed by:
//
//	Article  one object per live article: id, content hash, the article as
//	         JSON, publication time. Written after its chunks, so it marks
//	         the article as complete.
//	Chunk    one object per chunk with the project's own vector: offsets,
//	         text, the BM25 terms (whitespace-tokenised, so Weaviate's
//	         inverted index holds exactly the project's analyser's terms),
//	         spelling signatures and acronym candidates.
//	Term     the vocabulary with each term's document frequency, kept by
//	         the writer (see termstats.go), for BM25 and spelling.
//	Meta     one object: the embedder, dimension, store generation, and
//	         the chunk count and total length for BM25.
//	Event    Slack event ids seen by any serve replica, with their time;
//	         expired ones are deleted.
const (
	suffixArticle = "Article"
	suffixChunk   = "Chunk"
	suffixTerm    = "Term"
	suffixMeta    = "Meta"
	suffixEvent   = "Event"
)

func ptr[T any](v T) *T { return &v }

// prop builds a property; tokenization "" means not text.
func prop(name, dataType, tokenization string, filterable, searchable bool) *models.Property {
	p := &models.Property{Name: name, DataType: []string{dataType}, Tokenization: tokenization,
		IndexFilterable: ptr(filterable)}
	if dataType == "text" || dataType == "text[]" {
		p.IndexSearchable = ptr(searchable)
	}
	return p
}

func (s *Store) classDef(suffix string) *models.Class {
	c := &models.Class{
		Class:      s.names[suffix],
		Vectorizer: "none",
		InvertedIndexConfig: &models.InvertedIndexConfig{
			// The project's analyser has dropped its stop words already;
			// Weaviate must not drop others.
			Stopwords: &models.StopwordConfig{Preset: "none"},
		},
		ReplicationConfig: &models.ReplicationConfig{Factor: int64(s.opts.Replicas), AsyncEnabled: s.opts.Replicas > 1},
	}
	switch suffix {
	case suffixChunk:
		c.VectorIndexType = "hnsw"
		c.VectorIndexConfig = map[string]any{"distance": "cosine"}
		c.Properties = []*models.Property{
			prop("chunkId", "text", "field", true, false),
			prop("articleId", "text", "field", true, false),
			prop("ord", "int", "", false, false),
			prop("para", "int", "", false, false),
			prop("start", "int", "", false, false),
			prop("end", "int", "", false, false),
			prop("text", "text", "word", false, false),
			prop("terms", "text", "whitespace", true, true),
			prop("nterms", "int", "", true, false),
			prop("sigs", "text", "whitespace", true, false),
			prop("acrs", "text", "whitespace", true, false),
			prop("acrjson", "text", "word", false, false),
		}
	case suffixArticle:
		c.VectorIndexConfig = map[string]any{"skip": true}
		c.Properties = []*models.Property{
			prop("articleId", "text", "field", true, false),
			prop("hash", "text", "field", false, false),
			prop("doc", "text", "word", false, false),
			prop("published", "int", "", true, false),
			prop("dated", "boolean", "", true, false),
			prop("nchunks", "int", "", false, false),
		}
	case suffixTerm:
		c.VectorIndexConfig = map[string]any{"skip": true}
		c.Properties = []*models.Property{
			prop("term", "text", "field", true, false),
			prop("first", "text", "field", true, false),
			prop("length", "int", "", true, false),
			prop("df", "int", "", false, false),
		}
	case suffixMeta:
		c.VectorIndexConfig = map[string]any{"skip": true}
		c.Properties = []*models.Property{
			prop("embedder", "text", "field", false, false),
			prop("dim", "int", "", false, false),
			prop("generation", "text", "field", false, false),
			prop("changed", "text", "field", false, false),
			prop("chunks", "int", "", false, false),
			prop("total", "text", "field", false, false),
			prop("dirty", "boolean", "", false, false),
		}
	case suffixEvent:
		c.VectorIndexConfig = map[string]any{"skip": true}
		c.Properties = []*models.Property{
			prop("key", "text", "field", true, false),
			prop("seen", "int", "", true, false),
		}
	}
	return c
}

// ensureClass creates a collection if it does not exist; it reports
// whether it did.
func (s *Store) ensureClass(ctx context.Context, suffix string) (bool, error) {
	name := s.names[suffix]
	ok, err := s.c.Schema().ClassExistenceChecker().WithClassName(name).Do(ctx)
	if err != nil {
		return false, fmt.Errorf("weaviate: check collection %s: %w", name, clientErr(err))
	}
	if ok {
		return false, nil
	}
	if s.opts.ReadOnly {
		return false, fmt.Errorf("%w: no collection %s (run 'newsdesk index rebuild --store weaviate' to build it)", ErrNoIndex, name)
	}
	if err := s.c.Schema().ClassCreator().WithClass(s.classDef(suffix)).Do(ctx); err != nil {
		// Another writer may have created it meanwhile.
		if ok, cerr := s.c.Schema().ClassExistenceChecker().WithClassName(name).Do(ctx); cerr == nil && ok {
			return false, nil
		}
		return false, fmt.Errorf("weaviate: create collection %s: %w", name, clientErr(err))
	}
	return true, nil
}

// dropClass deletes a collection; a missing one is not an error.
func (s *Store) dropClass(ctx context.Context, suffix string) error {
	err := s.c.Schema().ClassDeleter().WithClassName(s.names[suffix]).Do(ctx)
	var we *fault.WeaviateClientError
	if errors.As(err, &we) && we.StatusCode == http.StatusNotFound {
		return nil
	}
	if err != nil {
		return fmt.Errorf("weaviate: delete collection %s: %w", s.names[suffix], clientErr(err))
	}
	return nil
}

// clientErr flattens the client's error (which may carry a nested one)
// into one that prints its message.
func clientErr(err error) error {
	var we *fault.WeaviateClientError
	if errors.As(err, &we) {
		if we.DerivedFromError != nil {
			return fmt.Errorf("%s: %w", we.Msg, we.DerivedFromError)
		}
		return fmt.Errorf("status %d: %s", we.StatusCode, we.Msg)
	}
	return err
}
