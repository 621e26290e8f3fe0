package weaviatestore

import (
	"context"
	"strings"

	"github.com/weaviate/weaviate/entities/models"
	"github.com/weaviate/weaviate/entities/verbosity"

	"github.com/newsdesk/newsdesk/retrieval"
)

// NodeCount is one node's objects of a collection.
type NodeCount struct {
	Node    string
	Healthy bool
	Objects int64
}

// Health implements retrieval.HealthReporter from Weaviate's node status:
// the nodes, how many are HEALTHY, and the shard replicas of this store's
// collections (Ready: on a healthy node and not read-only). OK means every node is
// healthy and every shard replica ready; a cluster with a node down still
// answers (QUORUM of three) but reports OK false.
func (s *Store) Health(ctx context.Context) retrieval.Health {
	h := retrieval.Health{Backend: "weaviate"}
	nodes, err := s.nodes(ctx)
	if err != nil {
		h.Error = err.Error()
		return h
	}
	h.Nodes = len(nodes)
	for _, n := range nodes {
		healthy := n.Status != nil && *n.Status == models.NodeStatusStatusHEALTHY
		if healthy {
			h.Healthy++
		}
		for _, sh := range n.Shards {
			if !strings.HasPrefix(sh.Class, s.opts.Prefix) || !s.ours(sh.Class) {
				continue
			}
			h.Shards++
			// A shard not loaded yet is lazily loaded on first use;
			// READONLY (disk full, or marked) cannot take writes.
			if healthy && sh.VectorIndexingStatus != "READONLY" {
				h.Ready++
			}
		}
	}
	want := int(s.opts.Replicas) * 5 // five collections, one shard each per replica
	h.OK = h.Nodes > 0 && h.Healthy == h.Nodes && h.Ready == h.Shards && h.Shards >= min(want, h.Shards)
	return h
}

func (s *Store) ours(class string) bool {
	for _, n := range s.names {
		if n == class {
			return true
		}
	}
	return false
}

func (s *Store) nodes(ctx context.Context) ([]*models.NodeStatus, error) {
	res, err := s.c.Cluster().NodesStatusGetter().WithOutput(verbosity.OutputVerbose).Do(ctx)
	if err != nil {
		return nil, clientErr(err)
	}
	return res.Nodes, nil
}

// ChunkCounts returns, per node, how many chunk objects its shards of the
// Chunk collection hold (for checking that a restarted node caught up).
func (s *Store) ChunkCounts(ctx context.Context) ([]NodeCount, error) {
	nodes, err := s.nodes(ctx)
	if err != nil {
		return nil, err
	}
	var out []NodeCount
	for _, n := range nodes {
		c := NodeCount{Node: n.Name, Healthy: n.Status != nil && *n.Status == models.NodeStatusStatusHEALTHY}
		for _, sh := range n.Shards {
			if sh.Class == s.names[suffixChunk] {
				c.Objects += sh.ObjectCount
			}
		}
		out = append(out, c)
	}
	return out, nil
}
