package weaviatestore

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/weaviate/weaviate-go-client/v5/weaviate/fault"
	"github.com/weaviate/weaviate-go-client/v5/weaviate/filters"
)

// cleanEvery is how often Seen deletes expired event ids.
const cleanEvery = 5 * time.Minute

// Seen implements the Slack adapter's durable de-duplication across serve
// replicas: the id is recorded in the Event collection by creating an
// object whose UUID derives from key, which Weaviate refuses when it
// exists, so of several replicas that receive the same redelivery one
// creates it and the others are told it was seen. An id older than ttl
// counts as new (and is refreshed). Expired ids are deleted every few
// minutes by whichever replica calls Seen. Seen writes even on a
// read-only Store: event ids are not part of the index.
//
// Two replicas creating the same id in the same instant could both
// succeed (Weaviate has no transactions); Slack's redeliveries come
// seconds apart, so in practice one answer is given.
func (s *Store) Seen(key string, ttl time.Duration) (bool, error) {
	ctx, cancel := s.bg()
	defer cancel()
	now := time.Now()
	s.cleanEvents(ctx, now, ttl)
	id := objectID("event", key)
	class := s.names[suffixEvent]
	props := map[string]any{"key": key, "seen": now.Unix()}
	_, err := s.c.Data().Creator().WithClassName(class).WithID(id).WithProperties(props).
		WithConsistencyLevel(ConsistencyLevel).Do(ctx)
	if err == nil {
		return false, nil
	}
	var we *fault.WeaviateClientError
	if !errors.As(err, &we) || we.StatusCode != http.StatusUnprocessableEntity {
		return false, fmt.Errorf("weaviate: record event: %w", clientErr(err))
	}
	// It exists: seen, unless it has expired.
	objs, gerr := s.c.Data().ObjectsGetter().WithClassName(class).WithID(id).WithConsistencyLevel(ConsistencyLevel).Do(ctx)
	if gerr != nil || len(objs) == 0 {
		return true, nil
	}
	props0, _ := objs[0].Properties.(map[string]any)
	if when := int64(num(props0["seen"])); when > 0 && now.Sub(time.Unix(when, 0)) > ttl {
		uerr := s.c.Data().Updater().WithClassName(class).WithID(id).WithProperties(props).WithMerge().Do(ctx)
		if uerr != nil {
			return false, fmt.Errorf("weaviate: refresh event: %w", clientErr(uerr))
		}
		return false, nil
	}
	return true, nil
}

// cleanEvents deletes events older than ttl, at most every cleanEvery.
func (s *Store) cleanEvents(ctx context.Context, now time.Time, ttl time.Duration) {
	s.mu.Lock()
	due := now.Sub(s.cleaned) >= cleanEvery
	if due {
		s.cleaned = now
	}
	s.mu.Unlock()
	if !due {
		return
	}
	_, err := s.c.Batch().ObjectsBatchDeleter().WithClassName(s.names[suffixEvent]).WithOutput("minimal").
		WithWhere(filters.Where().WithPath([]string{"seen"}).WithOperator(filters.LessThan).WithValueInt(now.Add(-ttl).Unix())).
		Do(ctx)
	if err != nil {
		s.log.Warn("weaviate: expire event ids", "err", clientErr(err))
	}
}
