package archive

import (
	"testing"
	"time"
)

func TestFeedbackAppendAndList(t *testing.T) {
	dir := t.TempDir()
	st, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i, r := range []string{`{"vote":"up"}`, `{"vote":"down"}`, `{"vote":"up","n":3}`} {
		if err := st.AddFeedback(t0.Add(time.Duration(i%2)*time.Second), []byte(r)); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	// Durable: read back after reopening, read-only, oldest first (the
	// same time keeps insertion order).
	st, err = Open(dir, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var got []string
	var times []time.Time
	if err := st.EachFeedback(func(tm time.Time, rec []byte) error {
		got = append(got, string(rec))
		times = append(times, tm)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	want := []string{`{"vote":"up"}`, `{"vote":"up","n":3}`, `{"vote":"down"}`}
	if len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("got %v, want %v", got, want)
	}
	if !times[0].Equal(t0) || !times[2].Equal(t0.Add(time.Second)) {
		t.Errorf("times %v", times)
	}
}

func TestFeedbackEmptyStore(t *testing.T) {
	st, err := Open(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	n := 0
	if err := st.EachFeedback(func(time.Time, []byte) error { n++; return nil }); err != nil || n != 0 {
		t.Errorf("n=%d err=%v", n, err)
	}
}
