package slack

import (
	"log/slog"
	"time"
)

// Deduper records ids durably, so that de-duplication survives a restart.
// Seen reports whether key was recorded within ttl and records it if not;
// the first call for a key returns false. It must be safe for concurrent
// use. (archive.Store.Seen, behind a small adapter, is the one Newsdesk
// uses: the ids live in the article store.)
type Deduper interface {
	Seen(key string, ttl time.Duration) (bool, error)
}

// dedupe is the Server's de-duplication: an in-memory TTL cache in front
// of an optional durable Deduper. The cache answers retries within a run
// without touching the disk; the Deduper answers redeliveries after a
// restart. When the Deduper fails the id is handled (memory only) and the
// failure logged: a lost answer is worse than a rare double one.
type dedupe struct {
	mem     *ttlCache[struct{}]
	durable Deduper
	log     *slog.Logger
}

// Seen reports whether k was already handled, and records it.
func (d *dedupe) Seen(k string) bool {
	if d.mem.Seen(k) {
		return true
	}
	if d.durable == nil {
		return false
	}
	seen, err := d.durable.Seen(k, dedupeTTL)
	if err != nil {
		d.log.Warn("slack: durable de-duplication failed; relying on memory", "err", err)
		return false
	}
	return seen
}
