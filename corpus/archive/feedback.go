package archive

import (
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bucketFeedback holds readers' votes on answers (Slack 👍/👎), oldest
// first: key = time (unix nanos, big-endian) ++ sequence, value = the
// record as the caller encoded it (JSON). The store does not read it.
var bucketFeedback = []byte("feedback")

// AddFeedback appends one feedback record made at t. rec is opaque to the
// store (the Slack adapter writes a JSON object).
func (s *Store) AddFeedback(t time.Time, rec []byte) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketFeedback)
		if err != nil {
			return err
		}
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		key := binary.BigEndian.AppendUint64(nil, uint64(t.UnixNano()))
		key = binary.BigEndian.AppendUint64(key, seq)
		return b.Put(key, append([]byte(nil), rec...))
	})
	if err != nil {
		return fmt.Errorf("feedback store: %w", err)
	}
	return nil
}

// EachFeedback calls f with every feedback record, oldest first, with
// the time it was added. It stops at f's first error and returns it.
func (s *Store) EachFeedback(f func(t time.Time, rec []byte) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketFeedback)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			if len(k) != 16 {
				return nil // not ours
			}
			t := time.Unix(0, int64(binary.BigEndian.Uint64(k[:8]))).UTC()
			return f(t, append([]byte(nil), v...))
		})
	})
}
