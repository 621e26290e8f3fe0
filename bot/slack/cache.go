package slack

import (
	"sync"
	"time"
)

// ttlCache is a bounded map whose entries expire ttl after insertion.
// Entries expire in insertion order, so a FIFO of keys is enough to evict
// them; when the cache is full the oldest entry goes first.
type ttlCache[V any] struct {
	mu    sync.Mutex
	ttl   time.Duration
	max   int
	now   func() time.Time
	items map[string]ttlItem[V]
	order []ttlKey // insertion order; may hold stale keys (re-inserted or deleted)
	gen   uint64   // tells a key's current insertion from its stale ones
}

type ttlItem[V any] struct {
	v   V
	exp time.Time
	gen uint64
}

type ttlKey struct {
	k   string
	gen uint64
}

func newTTLCache[V any](ttl time.Duration, max int) *ttlCache[V] {
	return &ttlCache[V]{ttl: ttl, max: max, now: time.Now, items: map[string]ttlItem[V]{}}
}

// evictLocked drops expired entries and, beyond max, the oldest ones.
func (c *ttlCache[V]) evictLocked(now time.Time) {
	for len(c.order) > 0 {
		k := c.order[0]
		it, ok := c.items[k.k]
		live := ok && it.gen == k.gen
		if live && now.Before(it.exp) && len(c.items) <= c.max {
			break
		}
		c.order = c.order[1:]
		if live {
			delete(c.items, k.k)
		}
	}
	// Re-inserted keys leave stale entries behind live ones; compact when
	// they dominate (amortised O(1) per insertion).
	if len(c.order) > 2*len(c.items)+64 {
		live := make([]ttlKey, 0, len(c.items))
		for _, k := range c.order {
			if it, ok := c.items[k.k]; ok && it.gen == k.gen {
				live = append(live, k)
			}
		}
		c.order = live
	}
}

// Get returns the live value stored under k.
func (c *ttlCache[V]) Get(k string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	it, ok := c.items[k]
	if !ok || !c.now().Before(it.exp) {
		var zero V
		return zero, false
	}
	return it.v, true
}

// Put stores v under k, resetting its expiry.
func (c *ttlCache[V]) Put(k string, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.putLocked(k, v)
}

func (c *ttlCache[V]) putLocked(k string, v V) {
	now := c.now()
	c.gen++
	c.items[k] = ttlItem[V]{v: v, exp: now.Add(c.ttl), gen: c.gen}
	c.order = append(c.order, ttlKey{k, c.gen})
	c.evictLocked(now)
}

// Seen reports whether k was already recorded (and not expired), and
// records it if not. It is the deduplication primitive: the first caller
// for a key gets false, every retry within the TTL gets true.
func (c *ttlCache[V]) Seen(k string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if it, ok := c.items[k]; ok && c.now().Before(it.exp) {
		return true
	}
	var zero V
	c.putLocked(k, zero)
	return false
}

// Update applies f to the value under k (zero value when absent) and stores
// the result, atomically.
func (c *ttlCache[V]) Update(k string, f func(v V, ok bool) V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	it, ok := c.items[k]
	if ok && !c.now().Before(it.exp) {
		ok = false
	}
	c.putLocked(k, f(it.v, ok))
}

// Len is the number of stored entries (some may have expired).
func (c *ttlCache[V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items)
}

// rateLimiter allows n events per user in any sliding window.
type rateLimiter struct {
	mu       sync.Mutex
	n        int
	window   time.Duration
	now      func() time.Time
	hits     map[string][]time.Time
	notified map[string]time.Time
	sweep    time.Time
}

func newRateLimiter(n int, window time.Duration) *rateLimiter {
	return &rateLimiter{n: n, window: window, now: time.Now, hits: map[string][]time.Time{}, notified: map[string]time.Time{}}
}

// Allow records an attempt by user. When it is over the limit it returns
// false, the wait until the next attempt would be allowed, and whether the
// user should be told (once per window, so a flood gets one reply).
func (r *rateLimiter) Allow(user string) (ok bool, wait time.Duration, tell bool) {
	if r == nil || r.n <= 0 {
		return true, 0, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	cutoff := now.Add(-r.window)
	if now.Sub(r.sweep) > r.window {
		for u, ts := range r.hits {
			if len(ts) == 0 || !ts[len(ts)-1].After(cutoff) {
				delete(r.hits, u)
			}
		}
		for u, t := range r.notified {
			if !t.After(cutoff) {
				delete(r.notified, u)
			}
		}
		r.sweep = now
	}
	ts := r.hits[user]
	i := 0
	for i < len(ts) && !ts[i].After(cutoff) {
		i++
	}
	ts = ts[i:]
	if len(ts) >= r.n {
		r.hits[user] = ts
		wait = ts[0].Add(r.window).Sub(now)
		last, told := r.notified[user]
		tell = !told || !last.After(cutoff)
		if tell {
			r.notified[user] = now
		}
		return false, wait, tell
	}
	r.hits[user] = append(ts, now)
	return true, 0, false
}
