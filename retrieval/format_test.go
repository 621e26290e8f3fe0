package retrieval

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/gob"
	"errors"
	"os"
	"slices"
	"testing"
)

// Index files are written with the v4 header (sections, mapped, large
// ones checked by blocks); files with the v3 header (sections checked
// whole), the v2 (CRC-32C, gob) and v1 (SHA-256, gob) headers are still
// read, and a damaged payload under any is refused.
func TestIndexFileVersions(t *testing.T) {
	dir := t.TempDir()
	ix, err := Open(Options{Dir: dir, Embedder: NewHashEmbedder()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Add(context.Background(), synthCorpus(5, 9), nil); err != nil {
		t.Fatal(err)
	}
	want := ix.Stats().Chunks
	data, err := os.ReadFile(IndexPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	if string(data[:len(indexMagicV4)]) != indexMagicV4 {
		t.Fatalf("written with header %q", data[:len(indexMagicV4)])
	}
	if _, err := ix.saveVersion(3); err != nil {
		t.Fatal(err)
	}
	v3, err := os.ReadFile(IndexPath(dir))
	if err != nil {
		t.Fatal(err)
	}
	// A v2 file: a CRC-32C and a stream of gob messages.
	v2dir := t.TempDir()
	if _, err := saveV2(v2dir, ix.snapshot()); err != nil {
		t.Fatal(err)
	}
	v2, err := os.ReadFile(IndexPath(v2dir))
	if err != nil {
		t.Fatal(err)
	}
	// A v1 file: the snapshot as one gob message under a SHA-256.
	var payload bytes.Buffer
	if err := gob.NewEncoder(&payload).Encode(ix.snapshot()); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(payload.Bytes())
	v1 := append(append([]byte(indexMagicV1), sum[:]...), payload.Bytes()...)
	for name, file := range map[string][]byte{"v4": data, "v3": v3, "v2": v2, "v1": v1} {
		if err := os.WriteFile(IndexPath(dir), file, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := Open(Options{Dir: dir, Embedder: NewHashEmbedder(), ReadOnly: true})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got.Stats().Chunks != want {
			t.Fatalf("%s: %d chunks, want %d", name, got.Stats().Chunks, want)
		}
		if _, err := Open(Options{Dir: dir, Embedder: NewHashEmbedder(), ReadOnly: true}); err != nil {
			t.Fatal(err)
		}
		for _, bad := range [][]byte{append(slices.Clone(file), 0), file[:len(file)-3]} {
			os.WriteFile(IndexPath(dir), bad, 0o644)
			if _, err := Open(Options{Dir: dir, Embedder: NewHashEmbedder(), ReadOnly: true}); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("%s with a byte more or fewer: err %v, want ErrCorrupt", name, err)
			}
		}
		bad := append([]byte(nil), file...)
		bad[len(bad)-10] ^= 0x40
		if err := os.WriteFile(IndexPath(dir), bad, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(Options{Dir: dir, Embedder: NewHashEmbedder(), ReadOnly: true}); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("%s damaged: err %v, want ErrCorrupt", name, err)
		}
	}
}
