package weaviatestore

import (
	"context"

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
// healthy and every shard has as many ready replicas as its replication
// factor (Missing counts those short of it); a cluster with a node down
// still answers (QUORUM of three) but reports OK false. Nodes counts the
// nodes that answer: a dead node drops out of the list once gossip
// notices, and shows in Missing.
func (s *Store) Health(ctx context.Context) retrieval.Health {
	h := retrieval.Health{Backend: "weaviate"}
	nodes, err := s.nodes(ctx, verbosity.OutputVerbose)
	if err != nil {
		// Shard details need every node to answer; the minimal status
		// (the nodes gossip still reaches, so a dead node is not
		// listed) does not.
		min, merr := s.nodes(ctx, verbosity.OutputMinimal)
		if merr != nil {
			h.Error = err.Error()
			return h
		}
		h.Error = "shard status unavailable: " + err.Error()
		h.Nodes = len(min)
		for _, n := range min {
			if n.Status != nil && *n.Status == models.NodeStatusStatusHEALTHY {
				h.Healthy++
			}
		}
		return h
	}
	h.Nodes = len(nodes)
	type shardKey struct{ class, name string }
	replicas := map[shardKey]int{}
	factor := map[shardKey]int64{}
	for _, n := range nodes {
		healthy := n.Status != nil && *n.Status == models.NodeStatusStatusHEALTHY
		if healthy {
			h.Healthy++
		}
		for _, sh := range n.Shards {
			if !s.ours(sh.Class) {
				continue
			}
			h.Shards++
			k := shardKey{sh.Class, sh.Name}
			factor[k] = max(factor[k], sh.ReplicationFactor, 1)
			// A shard not loaded yet is lazily loaded on first use;
			// READONLY (disk full, or marked) cannot take writes.
			if healthy && sh.VectorIndexingStatus != "READONLY" {
				h.Ready++
				replicas[k]++
			}
		}
	}
	h.OK = h.Nodes > 0 && h.Healthy == h.Nodes && h.Ready == h.Shards
	for k, f := range factor {
		if int64(replicas[k]) < f {
			// A replica is missing: its node is down (gossip no longer
			// lists it) or has not rejoined.
			h.OK = false
			h.Missing++
		}
	}
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

func (s *Store) nodes(ctx context.Context, output string) ([]*models.NodeStatus, error) {
	res, err := s.c.Cluster().NodesStatusGetter().WithOutput(output).Do(ctx)
	if err != nil {
		return nil, clientErr(err)
	}
	return res.Nodes, nil
}

// ChunkCounts returns, per node, how many chunk objects its shards of the
// Chunk collection hold (for checking that a restarted node caught up).
func (s *Store) ChunkCounts(ctx context.Context) ([]NodeCount, error) {
	nodes, err := s.nodes(ctx, verbosity.OutputVerbose)
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
