package retrieval

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"time"
)

// The index is one file, written whole to a temporary file and renamed into
// place, so a crash leaves either the old index or the new one. (chromem-go's
// own persistence writes a file per document, which is slow at 100k chunks
// and not atomic across documents.) The file is a magic line, a checksum of
// the payload, and the gob-encoded snapshot; a mismatch means corrupt. The
// checksum is CRC-32C (hardware-accelerated: checking a 140 MiB index
// takes ≈10 ms, SHA-256 took ≈90 ms of every open); files written with the
// v1 magic carry a SHA-256 and are still read.
const (
	indexFile    = "index.gob"
	indexMagicV1 = "NEWSDESK-INDEX v1\n"
	indexMagic   = "NEWSDESK-INDEX v2\n"
)

var crc32c = crc32.MakeTable(crc32.Castagnoli)

var errNoIndex = errors.New("no index")

type snapshot struct {
	EmbedderID string
	Dim        int
	Entries    []entry
	// CodeVersion names how entries' Codes were computed (codeVersion);
	// codes of another version are recomputed.
	CodeVersion string
	Lex         *lexSnapshot // nil in files from before it was saved
	// Generation and Changed: the article store state the index reflects
	// (zero in files from before the store).
	Generation uint64
	Changed    time.Time
}

// IndexPath is the index file in dir. Readers poll it (its identity
// changes with every save, which renames a new file into place).
func IndexPath(dir string) string { return filepath.Join(dir, indexFile) }

// RemoveStaleTemp removes the temporary files a save interrupted by a
// crash left in dir (index.gob.tmp-*) and returns how many. Only the
// holder of the directory's writer lock may call it: another writer's
// save in progress would lose its file.
func RemoveStaleTemp(dir string) (int, error) {
	matches, err := filepath.Glob(filepath.Join(dir, indexFile+".tmp-*"))
	if err != nil {
		return 0, fmt.Errorf("stale index files: %w", err)
	}
	n := 0
	for _, m := range matches {
		if err := os.Remove(m); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return n, fmt.Errorf("remove stale index file: %w", err)
		}
		n++
	}
	return n, nil
}

func load(dir string) (*snapshot, int64, error) {
	path := filepath.Join(dir, indexFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, errNoIndex
	}
	if err != nil {
		return nil, 0, fmt.Errorf("read %s: %w", path, err)
	}
	var payload []byte
	switch {
	case bytes.HasPrefix(data, []byte(indexMagic)) && len(data) >= len(indexMagic)+4:
		sum := binary.LittleEndian.Uint32(data[len(indexMagic):])
		payload = data[len(indexMagic)+4:]
		if crc32.Checksum(payload, crc32c) != sum {
			return nil, 0, fmt.Errorf("%s: checksum mismatch (truncated or modified)", path)
		}
	case bytes.HasPrefix(data, []byte(indexMagicV1)) && len(data) >= len(indexMagicV1)+sha256.Size:
		sum := data[len(indexMagicV1) : len(indexMagicV1)+sha256.Size]
		payload = data[len(indexMagicV1)+sha256.Size:]
		if got := sha256.Sum256(payload); !bytes.Equal(got[:], sum) {
			return nil, 0, fmt.Errorf("%s: checksum mismatch (truncated or modified)", path)
		}
	default:
		return nil, 0, fmt.Errorf("%s: not a newsdesk index (bad header)", path)
	}
	var s snapshot
	if err := gob.NewDecoder(bytes.NewReader(payload)).Decode(&s); err != nil {
		return nil, 0, fmt.Errorf("%s: decode: %w", path, err)
	}
	for i := range s.Entries {
		e := &s.Entries[i]
		text := e.Article.Text()
		for j := range e.Chunks {
			c := &e.Chunks[j]
			if c.Start < 0 || c.Start > c.End || c.End > len(text) {
				return nil, 0, fmt.Errorf("%s: article %s chunk %d is out of range", path, e.Article.ID, j)
			}
			c.Text = text[c.Start:c.End]
		}
		shareText(e, text)
		if e.Packed != nil {
			vs, err := unpackVectors(e.Packed, len(e.Chunks), s.Dim)
			if err != nil {
				return nil, 0, fmt.Errorf("%s: article %s: %w", path, e.Article.ID, err)
			}
			e.Vectors, e.Packed = vs, nil
		} else if e.Vectors == nil && len(e.Chunks) == 0 {
			e.Vectors = [][]float32{} // embedded, nothing to embed
		}
		if e.PackedCodes != nil && s.CodeVersion == codeVersion && e.Vectors != nil {
			// Codes that do not fit are recomputed, not an error.
			e.Codes = unpackCodes(e.PackedCodes, len(e.Vectors))
		}
		e.PackedCodes = nil
		if e.Vectors != nil && len(e.Vectors) != len(e.Chunks) {
			return nil, 0, fmt.Errorf("%s: article %s has %d chunks but %d vectors", path, e.Article.ID, len(e.Chunks), len(e.Vectors))
		}
		for _, v := range e.Vectors {
			if len(v) != s.Dim {
				return nil, 0, fmt.Errorf("%s: article %s has a vector of dim %d, index dim %d", path, e.Article.ID, len(v), s.Dim)
			}
		}
	}
	return &s, int64(len(data)), nil
}

func save(dir string, s *snapshot) (int64, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, fmt.Errorf("index dir: %w", err)
	}
	var payload bytes.Buffer
	if err := gob.NewEncoder(&payload).Encode(s); err != nil {
		return 0, fmt.Errorf("encode index: %w", err)
	}
	sum := binary.LittleEndian.AppendUint32(nil, crc32.Checksum(payload.Bytes(), crc32c))
	tmp, err := os.CreateTemp(dir, indexFile+".tmp-*")
	if err != nil {
		return 0, fmt.Errorf("write index: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	w := bufio.NewWriterSize(tmp, 1<<20)
	w.WriteString(indexMagic)
	w.Write(sum[:])
	w.Write(payload.Bytes())
	if err := w.Flush(); err != nil {
		tmp.Close()
		return 0, fmt.Errorf("write index %s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return 0, fmt.Errorf("sync index %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return 0, fmt.Errorf("close index %s: %w", tmp.Name(), err)
	}
	path := filepath.Join(dir, indexFile)
	if err := os.Rename(tmp.Name(), path); err != nil {
		return 0, fmt.Errorf("replace index %s: %w", path, err)
	}
	return int64(len(indexMagic) + len(sum) + payload.Len()), nil
}

// packVectors writes vectors of dimension dim as little-endian float32s;
// nil (stale, not embedded) stays nil, and an embedded article with no
// chunks is an empty, non-nil slice.
func packVectors(vs [][]float32, dim int) []byte {
	if vs == nil {
		return nil
	}
	out := make([]byte, 0, len(vs)*dim*4)
	for _, v := range vs {
		for _, x := range v {
			out = binary.LittleEndian.AppendUint32(out, math.Float32bits(x))
		}
	}
	return out
}

// unpackVectors reverses packVectors for n vectors of dimension dim, in
// one allocation.
func unpackVectors(b []byte, n, dim int) ([][]float32, error) {
	if n > 0 && dim <= 0 {
		return nil, fmt.Errorf("vectors of dimension %d", dim)
	}
	if len(b) != n*dim*4 {
		return nil, fmt.Errorf("%d bytes of vectors for %d chunks of dim %d", len(b), n, dim)
	}
	flat := make([]float32, n*dim)
	for i := range flat {
		flat[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	vs := make([][]float32, n)
	for i := range vs {
		vs[i] = flat[i*dim : (i+1)*dim : (i+1)*dim]
	}
	return vs, nil
}

// quarantine moves a corrupt index file aside and returns its new name.
func quarantine(dir string) (string, error) {
	path := filepath.Join(dir, indexFile)
	to := fmt.Sprintf("%s.corrupt-%s", path, time.Now().UTC().Format("20060102T150405Z"))
	if err := os.Rename(path, to); err != nil {
		return "", err
	}
	return to, nil
}

// packCodes writes binary codes as little-endian uint64s (nil stays nil).
func packCodes(cs []uint64) []byte {
	if cs == nil {
		return nil
	}
	out := make([]byte, 0, len(cs)*8)
	for _, c := range cs {
		out = binary.LittleEndian.AppendUint64(out, c)
	}
	return out
}

// unpackCodes reverses packCodes for the codes of n vectors, or returns nil
// when b does not hold exactly that many.
func unpackCodes(b []byte, n int) []uint64 {
	if len(b) != n*codeWords*8 {
		return nil
	}
	out := make([]uint64, n*codeWords)
	for i := range out {
		out[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	return out
}
