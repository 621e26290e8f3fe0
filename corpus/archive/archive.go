// Package archive is Newsdesk's durable article store: the source of truth
// from which every search index is derived. Each ingested article is kept
// as received (its cleaned, verbatim paragraphs and metadata) with where it
// came from and when it was added, changed or retracted, in one bbolt file
// (articles.db) in the index directory. Indexes beside it may be deleted
// or corrupted at any time: they are rebuilt from the store.
//
// A Store is opened for a short while and closed: bbolt takes an exclusive
// file lock for a read-write handle (a shared one read-only), so a
// long-running reader (serve) opens it only for the moment it needs it and
// a writer (ingest) can run beside it. Writers of the directory as a whole
// (the store and the indexes derived from it) are serialised by Lock.
//
// The store also keeps a generation counter, bumped by every change to the
// articles, which indexes record so that readers can tell when theirs is
// out of date, and a bucket of recently seen chat event ids with an expiry
// (Seen) so that de-duplication survives restarts.
package archive

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"github.com/newsdesk/newsdesk/corpus"
)

// FileName is the store's file in the index directory.
const FileName = "articles.db"

var (
	bucketArticles  = []byte("articles")
	bucketMeta      = []byte("meta")
	bucketEvents    = []byte("events")     // key -> expiry (unix nanos, big-endian)
	bucketEventsExp = []byte("events_exp") // expiry ++ key -> nothing, for purging in order
	keyGeneration   = []byte("generation")
	keyChanged      = []byte("changed")
)

// ErrNotFound is returned for an article id the store does not hold.
var ErrNotFound = errors.New("no such article")

// ErrTimeout is returned when the store file stays locked by another
// process for longer than Options.Timeout.
var ErrTimeout = errors.New("article store is locked by another process")

// Record is one article in the store.
type Record struct {
	Article corpus.Article `json:"article"`
	// Hash is Article.Hash() when it was stored.
	Hash string `json:"hash"`
	// Origin is where the article came from: the absolute path of its
	// file, or a name such as "builtin:sample".
	Origin    string    `json:"origin,omitempty"`
	Added     time.Time `json:"added"`
	Changed   time.Time `json:"changed"`
	Retracted time.Time `json:"retracted,omitzero"`
	Reason    string    `json:"reason,omitempty"` // why it was retracted
}

// Live reports whether the article may be quoted (it is not retracted).
func (r *Record) Live() bool { return r.Retracted.IsZero() }

// Options configure Open.
type Options struct {
	// ReadOnly opens the store for reading only (a shared lock): several
	// readers may hold it at once, never beside a writer.
	ReadOnly bool
	// Timeout bounds the wait for another process's lock on the file;
	// default 10s. Past it Open fails with ErrTimeout.
	Timeout time.Duration
	// Now is the clock (tests); default time.Now.
	Now func() time.Time
}

// Store is an open article store. Close it soon: while it is open for
// writing no other process can open it.
type Store struct {
	db  *bolt.DB
	now func() time.Time
}

// Path is the store file in dir.
func Path(dir string) string { return filepath.Join(dir, FileName) }

// Exists reports whether dir holds a store.
func Exists(dir string) bool {
	fi, err := os.Stat(Path(dir))
	return err == nil && fi.Mode().IsRegular()
}

// Open opens (for writing: creates) the store in dir.
func Open(dir string, opt Options) (*Store, error) {
	if opt.Timeout <= 0 {
		opt.Timeout = 10 * time.Second
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	path := Path(dir)
	if opt.ReadOnly {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("article store %s: %w", path, err)
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("article store dir: %w", err)
	}
	db, err := bolt.Open(path, 0o644, &bolt.Options{Timeout: opt.Timeout, ReadOnly: opt.ReadOnly})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("open %s: %w (waited %s)", path, ErrTimeout, opt.Timeout)
	}
	if err != nil {
		return nil, fmt.Errorf("open article store %s: %w", path, err)
	}
	s := &Store{db: db, now: opt.Now}
	ready := false
	if !opt.ReadOnly {
		_ = db.View(func(tx *bolt.Tx) error {
			ready = tx.Bucket(bucketArticles) != nil && tx.Bucket(bucketMeta) != nil &&
				tx.Bucket(bucketEvents) != nil && tx.Bucket(bucketEventsExp) != nil
			return nil
		})
	}
	if !opt.ReadOnly && !ready {
		err = db.Update(func(tx *bolt.Tx) error {
			for _, b := range [][]byte{bucketArticles, bucketMeta, bucketEvents, bucketEventsExp} {
				if _, err := tx.CreateBucketIfNotExists(b); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("initialise article store %s: %w", path, err)
		}
	}
	return s, nil
}

// Close releases the store.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close article store: %w", err)
	}
	return nil
}

// PutStats reports what Put did.
type PutStats struct {
	Added, Updated, Unchanged int
	// Retracted lists the ids given that are retracted in the store: they
	// are left as they are (retraction is sticky; Delete then Put to
	// restore an article).
	Retracted []string
}

// Changed reports whether Put changed the store.
func (p PutStats) Changed() bool { return p.Added+p.Updated > 0 }

// Put stores articles (in one transaction), replacing those with the same
// id whose content changed. origin gives each article's origin ("" keeps
// the stored one). Unchanged articles are left alone (their origin is
// updated when it moved); retracted ones are not touched.
func (s *Store) Put(articles []corpus.Article, origin func(*corpus.Article) string) (PutStats, error) {
	var st PutStats
	// A read pass first: re-ingesting an unchanged directory writes
	// nothing (no transaction, no fsync, no new generation).
	if st, same, err := s.unchanged(articles, origin); err != nil || same {
		return st, err
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		st = PutStats{}
		b := tx.Bucket(bucketArticles)
		now := s.now().UTC()
		for i := range articles {
			a := &articles[i]
			if a.ID == "" {
				return errors.New("article without an id")
			}
			org := ""
			if origin != nil {
				org = origin(a)
			}
			h := a.Hash()
			var rec Record
			old := b.Get([]byte(a.ID))
			if old != nil {
				if err := json.Unmarshal(old, &rec); err != nil {
					return fmt.Errorf("article %s: decode: %w", a.ID, err)
				}
				if !rec.Live() {
					st.Retracted = append(st.Retracted, a.ID)
					continue
				}
				if rec.Hash == h {
					st.Unchanged++
					if org == "" || org == rec.Origin {
						continue
					}
					rec.Origin = org
					if err := putRecord(b, &rec); err != nil {
						return err
					}
					continue
				}
				st.Updated++
			} else {
				st.Added++
				rec.Added = now
			}
			rec.Article, rec.Hash, rec.Changed = *a, h, now
			if org != "" {
				rec.Origin = org
			}
			if err := putRecord(b, &rec); err != nil {
				return err
			}
		}
		if st.Changed() {
			return bump(tx, now)
		}
		return nil
	})
	if err != nil {
		return PutStats{}, fmt.Errorf("store articles: %w", err)
	}
	return st, nil
}

// unchanged reports whether Put would change nothing, with its stats.
func (s *Store) unchanged(articles []corpus.Article, origin func(*corpus.Article) string) (PutStats, bool, error) {
	var st PutStats
	same := true
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketArticles)
		for i := range articles {
			a := &articles[i]
			v := b.Get([]byte(a.ID))
			if v == nil {
				same = false
				return nil
			}
			var rec Record
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("article %s: decode: %w", a.ID, err)
			}
			switch {
			case !rec.Live():
				st.Retracted = append(st.Retracted, a.ID)
			case rec.Hash != a.Hash():
				same = false
				return nil
			case origin != nil && origin(a) != "" && origin(a) != rec.Origin:
				same = false
				return nil
			default:
				st.Unchanged++
			}
		}
		return nil
	})
	if err != nil {
		return PutStats{}, false, fmt.Errorf("store articles: %w", err)
	}
	return st, same, nil
}

func putRecord(b *bolt.Bucket, rec *Record) error {
	v, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("article %s: encode: %w", rec.Article.ID, err)
	}
	if err := b.Put([]byte(rec.Article.ID), v); err != nil {
		return fmt.Errorf("article %s: %w", rec.Article.ID, err)
	}
	return nil
}

// bump increments the generation and records the time of the change.
func bump(tx *bolt.Tx, now time.Time) error {
	m := tx.Bucket(bucketMeta)
	g := uint64(0)
	if v := m.Get(keyGeneration); len(v) == 8 {
		g = binary.BigEndian.Uint64(v)
	}
	if err := m.Put(keyGeneration, binary.BigEndian.AppendUint64(nil, g+1)); err != nil {
		return err
	}
	t, _ := now.MarshalText()
	return m.Put(keyChanged, t)
}

// Get returns the record of id, or ErrNotFound.
func (s *Store) Get(id string) (*Record, error) {
	var rec *Record
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketArticles)
		if b == nil {
			return ErrNotFound
		}
		v := b.Get([]byte(id))
		if v == nil {
			return ErrNotFound
		}
		rec = new(Record)
		return json.Unmarshal(v, rec)
	})
	if err != nil {
		return nil, fmt.Errorf("article %s: %w", id, err)
	}
	return rec, nil
}

// Delete removes the articles with the given ids (retracted or not) and
// returns the ids it did not hold.
func (s *Store) Delete(ids ...string) (missing []string, err error) {
	err = s.db.Update(func(tx *bolt.Tx) error {
		missing = missing[:0]
		b := tx.Bucket(bucketArticles)
		n := 0
		for _, id := range ids {
			if b.Get([]byte(id)) == nil {
				missing = append(missing, id)
				continue
			}
			if err := b.Delete([]byte(id)); err != nil {
				return err
			}
			n++
		}
		if n > 0 {
			return bump(tx, s.now().UTC())
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("delete articles: %w", err)
	}
	return missing, nil
}

// Retract marks the article id as retracted for reason: it is kept (with
// its text) but never indexed or quoted again. Retracting it again only
// updates the reason.
func (s *Store) Retract(id, reason string) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketArticles)
		v := b.Get([]byte(id))
		if v == nil {
			return ErrNotFound
		}
		var rec Record
		if err := json.Unmarshal(v, &rec); err != nil {
			return fmt.Errorf("decode: %w", err)
		}
		now := s.now().UTC()
		if rec.Live() {
			rec.Retracted = now
		}
		rec.Reason = reason
		if err := putRecord(b, &rec); err != nil {
			return err
		}
		return bump(tx, now)
	})
	if err != nil {
		return fmt.Errorf("retract %s: %w", id, err)
	}
	return nil
}

// Each calls f with every record in id order, decoding one at a time;
// f must not keep rec beyond the call unless it copies it. An error from
// f stops the iteration and is returned.
func (s *Store) Each(f func(rec *Record) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketArticles)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var rec Record
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("article %s: decode: %w", k, err)
			}
			return f(&rec)
		})
	})
}

// EachHash calls f with the id, content hash and liveness of every record,
// in id order, without building the articles (their text is parsed over,
// not kept): what a caller needs to work out which articles an index
// lacks. An error from f stops the iteration and is returned.
func (s *Store) EachHash(f func(id, hash string, live bool) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketArticles)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var rec struct {
				Hash      string    `json:"hash"`
				Retracted time.Time `json:"retracted"`
			}
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("article %s: decode: %w", k, err)
			}
			return f(string(k), rec.Hash, rec.Retracted.IsZero())
		})
	})
}

// GetEach calls f with the record of each of ids, in the order given, in
// one read transaction; an id the store does not hold is ErrNotFound. f
// must not keep rec beyond the call unless it copies it.
func (s *Store) GetEach(ids []string, f func(rec *Record) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketArticles)
		for _, id := range ids {
			var v []byte
			if b != nil {
				v = b.Get([]byte(id))
			}
			if v == nil {
				return fmt.Errorf("article %s: %w", id, ErrNotFound)
			}
			var rec Record
			if err := json.Unmarshal(v, &rec); err != nil {
				return fmt.Errorf("article %s: decode: %w", id, err)
			}
			if err := f(&rec); err != nil {
				return err
			}
		}
		return nil
	})
}

// Count returns how many live and retracted articles the store holds.
func (s *Store) Count() (live, retracted int, err error) {
	err = s.Each(func(rec *Record) error {
		if rec.Live() {
			live++
		} else {
			retracted++
		}
		return nil
	})
	return live, retracted, err
}

// Generation returns the change counter (0 for a new store) and the time
// of the last change (zero if none).
func (s *Store) Generation() (uint64, time.Time, error) {
	var (
		g  uint64
		at time.Time
	)
	err := s.db.View(func(tx *bolt.Tx) error {
		m := tx.Bucket(bucketMeta)
		if m == nil {
			return nil
		}
		if v := m.Get(keyGeneration); len(v) == 8 {
			g = binary.BigEndian.Uint64(v)
		}
		if v := m.Get(keyChanged); v != nil {
			if err := at.UnmarshalText(v); err != nil {
				return fmt.Errorf("decode change time: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, time.Time{}, fmt.Errorf("article store generation: %w", err)
	}
	return g, at, nil
}

// Seen records key (a chat event id) for ttl and reports whether it was
// already recorded and unexpired: the first call for a key returns false,
// later ones within ttl true. Expired keys are purged as it goes.
func (s *Store) Seen(key string, ttl time.Duration) (bool, error) {
	seen := false
	err := s.db.Update(func(tx *bolt.Tx) error {
		ev, exp := tx.Bucket(bucketEvents), tx.Bucket(bucketEventsExp)
		now := s.now()
		if err := purge(ev, exp, now, 1000); err != nil {
			return err
		}
		if v := ev.Get([]byte(key)); len(v) == 8 && int64(binary.BigEndian.Uint64(v)) > now.UnixNano() {
			seen = true
			return nil
		}
		until := binary.BigEndian.AppendUint64(nil, uint64(now.Add(ttl).UnixNano()))
		if err := ev.Put([]byte(key), until); err != nil {
			return err
		}
		return exp.Put(append(until, key...), nil)
	})
	if err != nil {
		return false, fmt.Errorf("event store: %w", err)
	}
	return seen, nil
}

// purge deletes up to max expired event keys, oldest first.
func purge(ev, exp *bolt.Bucket, now time.Time, max int) error {
	c := exp.Cursor()
	cut := binary.BigEndian.AppendUint64(nil, uint64(now.UnixNano()))
	var dead [][]byte
	for k, _ := c.First(); k != nil && len(dead) < max && bytes.Compare(k[:min(8, len(k))], cut) <= 0; k, _ = c.Next() {
		dead = append(dead, bytes.Clone(k))
	}
	for _, k := range dead {
		if err := exp.Delete(k); err != nil {
			return err
		}
		if len(k) < 8 {
			continue
		}
		key := k[8:]
		// Only if it was not re-recorded with a later expiry.
		if v := ev.Get(key); v != nil && bytes.Equal(v, k[:8]) {
			if err := ev.Delete(key); err != nil {
				return err
			}
		}
	}
	return nil
}

// Backup writes a consistent copy of the store (a bbolt file) to w, in a
// read transaction: writers may continue meanwhile.
func (s *Store) Backup(w io.Writer) (int64, error) {
	var n int64
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("back up article store: %w", err)
	}
	return n, nil
}

// BackupFile writes the copy to path, atomically (a temporary file
// renamed into place).
func (s *Store) BackupFile(path string) (int64, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp-*")
	if err != nil {
		return 0, fmt.Errorf("back up article store: %w", err)
	}
	defer os.Remove(tmp.Name())
	n, err := s.Backup(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return 0, fmt.Errorf("back up article store to %s: %w", path, err)
	}
	return n, nil
}
