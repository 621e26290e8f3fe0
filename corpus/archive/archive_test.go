package archive

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newsdesk/newsdesk/corpus"
)

func art(id, text string) corpus.Article {
	return corpus.Article{ID: id, Title: "T " + id, Paragraphs: []string{text}}
}

func TestStoreLifecycle(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st, err := s.Put([]corpus.Article{art("a", "one"), art("b", "two")}, func(a *corpus.Article) string { return "/src/" + a.ID })
	if err != nil || st.Added != 2 {
		t.Fatalf("put: %+v %v", st, err)
	}
	g1, at, _ := s.Generation()
	if g1 == 0 || at.IsZero() {
		t.Fatalf("generation %d at %v after a change", g1, at)
	}
	// Unchanged: no new generation.
	if st, _ := s.Put([]corpus.Article{art("a", "one")}, nil); st.Unchanged != 1 || st.Changed() {
		t.Errorf("unchanged put: %+v", st)
	}
	if g, _, _ := s.Generation(); g != g1 {
		t.Errorf("unchanged put bumped the generation %d -> %d", g1, g)
	}
	// Changed.
	if st, _ := s.Put([]corpus.Article{art("a", "one, corrected")}, nil); st.Updated != 1 {
		t.Errorf("changed put: %+v", st)
	}
	rec, err := s.Get("a")
	if err != nil || rec.Article.Paragraphs[0] != "one, corrected" || rec.Origin != "/src/a" || !rec.Changed.After(rec.Added) && !rec.Changed.Equal(rec.Added) {
		t.Fatalf("get: %+v %v", rec, err)
	}
	// Retract: kept, not live, sticky against a re-put.
	if err := s.Retract("b", "legal"); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.Put([]corpus.Article{art("b", "two, again")}, nil); len(st.Retracted) != 1 || st.Changed() {
		t.Errorf("put of a retracted article: %+v", st)
	}
	rec, _ = s.Get("b")
	if rec.Live() || rec.Reason != "legal" || rec.Article.Paragraphs[0] != "two" {
		t.Errorf("retracted record: %+v", rec)
	}
	live, retracted, _ := s.Count()
	if live != 1 || retracted != 1 {
		t.Errorf("count = %d live, %d retracted", live, retracted)
	}
	if err := s.Retract("nope", "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("retract unknown: %v", err)
	}
	// Delete.
	missing, err := s.Delete("a", "zzz")
	if err != nil || len(missing) != 1 || missing[0] != "zzz" {
		t.Errorf("delete: %v %v", missing, err)
	}
	if _, err := s.Get("a"); !errors.Is(err, ErrNotFound) {
		t.Errorf("get after delete: %v", err)
	}
	var ids []string
	_ = s.Each(func(r *Record) error { ids = append(ids, r.Article.ID); return nil })
	if strings.Join(ids, ",") != "b" {
		t.Errorf("each = %v", ids)
	}
}

func TestStoreSurvivesReopenAndBackup(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put([]corpus.Article{art("a", "one")}, nil); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := s.Backup(&buf); err != nil {
		t.Fatal(err)
	}
	s.Close()
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, FileName), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{dir, other} {
		r, err := Open(d, Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		if rec, err := r.Get("a"); err != nil || rec.Article.Paragraphs[0] != "one" {
			t.Errorf("%s: %v %v", d, rec, err)
		}
		r.Close()
	}
}

func TestSeenExpiresAndSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	now := time.Unix(1_700_000_000, 0)
	clock := func() time.Time { return now }
	s, err := Open(dir, Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	if seen, err := s.Seen("event:1", time.Hour); seen || err != nil {
		t.Fatalf("first: %v %v", seen, err)
	}
	if seen, _ := s.Seen("event:1", time.Hour); !seen {
		t.Error("second call not seen")
	}
	s.Close()
	// A restart: a new handle on the same file.
	s, err = Open(dir, Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if seen, _ := s.Seen("event:1", time.Hour); !seen {
		t.Error("not seen after a restart")
	}
	now = now.Add(2 * time.Hour)
	if seen, _ := s.Seen("event:1", time.Hour); seen {
		t.Error("seen after its expiry")
	}
	if seen, _ := s.Seen("event:1", time.Hour); !seen {
		t.Error("re-recorded key not seen")
	}
}

func TestLockOneWriter(t *testing.T) {
	dir := t.TempDir()
	l1, err := Acquire(context.Background(), dir, LockOptions{Command: "newsdesk ingest"})
	if err != nil {
		t.Fatal(err)
	}
	waited := false
	_, err = Acquire(context.Background(), dir, LockOptions{Command: "second", Wait: 50 * time.Millisecond,
		OnWait: func(Holder) { waited = true }})
	var le *LockedError
	if !errors.As(err, &le) {
		t.Fatalf("second writer: %v", err)
	}
	if le.Holder.PID != os.Getpid() || le.Holder.Command != "newsdesk ingest" || !waited {
		t.Errorf("holder = %+v, waited %v", le.Holder, waited)
	}
	if !strings.Contains(err.Error(), "newsdesk ingest") {
		t.Errorf("message does not name the holder: %v", err)
	}
	// Released: a waiting writer gets it.
	done := make(chan error, 1)
	go func() {
		l, err := Acquire(context.Background(), dir, LockOptions{Command: "third", Wait: 10 * time.Second})
		if err == nil {
			err = l.Unlock()
		}
		done <- err
	}()
	if err := l1.Unlock(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Errorf("waiting writer: %v", err)
	}
}

// EachHash lists ids, hashes and liveness without the articles; GetEach
// reads the given records in the order given and fails on a missing id.
func TestEachHashAndGetEach(t *testing.T) {
	s, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	arts := []corpus.Article{art("c", "three"), art("a", "one"), art("b", "two")}
	if _, err := s.Put(arts, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Retract("b", "wrong"); err != nil {
		t.Fatal(err)
	}
	var got []string
	err = s.EachHash(func(id, hash string, live bool) error {
		a, _ := s.Get(id)
		if hash != a.Hash || live != a.Live() {
			t.Errorf("%s: hash %q live %v, record %q %v", id, hash, live, a.Hash, a.Live())
		}
		got = append(got, id)
		return nil
	})
	if err != nil || strings.Join(got, ",") != "a,b,c" {
		t.Fatalf("EachHash: %v %v", got, err)
	}
	got = got[:0]
	err = s.GetEach([]string{"c", "a"}, func(rec *Record) error {
		got = append(got, rec.Article.ID+":"+rec.Article.Paragraphs[0])
		return nil
	})
	if err != nil || strings.Join(got, ",") != "c:three,a:one" {
		t.Fatalf("GetEach: %v %v", got, err)
	}
	if err := s.GetEach([]string{"a", "zz"}, func(*Record) error { return nil }); !errors.Is(err, ErrNotFound) {
		t.Fatalf("GetEach of a missing id: %v", err)
	}
}
