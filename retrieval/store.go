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
	"io"
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

// load reads the index file in dir: a v3 or v4 file is mapped and checked
// (v3; a v4 file's large sections are checked later, see parseIndex), an
// older one decoded (snap).
func load(dir string) (snap *snapshot, v3 *v3File, size int64, err error) {
	path := filepath.Join(dir, indexFile)
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, 0, errNoIndex
	}
	if err != nil {
		return nil, nil, 0, fmt.Errorf("read %s: %w: %w", path, errUnreadable, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, 0, fmt.Errorf("read %s: %w: %w", path, errUnreadable, err)
	}
	br := bufio.NewReaderSize(f, 1<<20)
	head, err := br.Peek(len(indexMagic))
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, nil, 0, fmt.Errorf("read %s: %w: %w", path, errUnreadable, err)
	}
	var s *snapshot
	switch string(head) {
	case indexMagicV3, indexMagicV4:
		m, err := mapFile(f, fi.Size())
		if err != nil {
			return nil, nil, 0, fmt.Errorf("%s: %w: %w", path, errUnreadable, err)
		}
		v3, err := parseIndex(m, path)
		if err != nil {
			m.close()
			return nil, nil, 0, fmt.Errorf("%s: %w", path, err)
		}
		return nil, v3, fi.Size(), nil
	case indexMagic:
		s, err = decodeV2(br)
	case indexMagicV1:
		s, err = decodeV1(br)
	default:
		err = errors.New("not a newsdesk index (bad header)")
	}
	if err != nil {
		return nil, nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	if err := s.check(); err != nil {
		return nil, nil, 0, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil, fi.Size(), nil
}

// decodeV1 reads a v1 file: the magic, a SHA-256 of the payload, and the
// snapshot as one gob message.
func decodeV1(r io.Reader) (*snapshot, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	if len(data) < len(indexMagicV1)+sha256.Size {
		return nil, errors.New("truncated header")
	}
	sum := data[len(indexMagicV1) : len(indexMagicV1)+sha256.Size]
	payload := data[len(indexMagicV1)+sha256.Size:]
	if got := sha256.Sum256(payload); !bytes.Equal(got[:], sum) {
		return nil, errors.New("checksum mismatch (truncated or modified)")
	}
	var s snapshot
	if err := gob.NewDecoder(bytes.NewReader(payload)).Decode(&s); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	return &s, nil
}

// snapshotHead is the first message of a v2 payload; the entries follow,
// one message each, then the BM25 snapshot when HasLex.
type snapshotHead struct {
	EmbedderID  string
	Dim         int
	CodeVersion string
	Generation  uint64
	Changed     time.Time
	Entries     int
	HasLex      bool
}

// maxEntries bounds the entry count a file may announce before any entry
// is read (a damaged count must not allocate without limit).
const maxEntries = 1 << 28

// decodeV2 reads a v2 file: the magic, a CRC-32C of the payload, and the
// payload as a stream of gob messages (snapshotHead, the entries, the
// BM25 snapshot). Decoding from the stream, rather than from the whole
// file read into memory as one message, keeps the peak memory of an open
// near what the index holds; the checksum covers every byte read and is
// compared at the end, before anything decoded is used.
func decodeV2(br *bufio.Reader) (*snapshot, error) {
	var hdr [len(indexMagic) + 4]byte
	if _, err := io.ReadFull(br, hdr[:]); err != nil {
		return nil, errors.New("truncated header")
	}
	want := binary.LittleEndian.Uint32(hdr[len(indexMagic):])
	h := crc32.New(crc32c)
	r := io.TeeReader(br, h)
	dec := gob.NewDecoder(r)
	var head snapshotHead
	if err := dec.Decode(&head); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	if head.Entries < 0 || head.Entries > maxEntries {
		return nil, fmt.Errorf("decode: %d entries", head.Entries)
	}
	s := &snapshot{EmbedderID: head.EmbedderID, Dim: head.Dim, CodeVersion: head.CodeVersion,
		Generation: head.Generation, Changed: head.Changed}
	s.Entries = make([]entry, 0, min(head.Entries, 1<<16))
	for range head.Entries {
		var e entry
		if err := dec.Decode(&e); err != nil {
			return nil, fmt.Errorf("decode article %d: %w", len(s.Entries), err)
		}
		s.Entries = append(s.Entries, e)
	}
	if head.HasLex {
		s.Lex = new(lexSnapshot)
		if err := dec.Decode(s.Lex); err != nil {
			return nil, fmt.Errorf("decode BM25 index: %w", err)
		}
		if err := s.Lex.unpackRaw(); err != nil {
			return nil, err
		}
	}
	// The rest of the file (what the decoder did not read) must hash too:
	// trailing bytes are damage.
	if _, err := io.Copy(io.Discard, r); err != nil {
		return nil, err
	}
	if h.Sum32() != want {
		return nil, errors.New("checksum mismatch (truncated or modified)")
	}
	return s, nil
}

// check validates a decoded snapshot and restores what the file does not
// hold (chunk texts, vectors and codes from their packed form).
func (s *snapshot) check() error {
	for i := range s.Entries {
		e := &s.Entries[i]
		text := e.Article.Text()
		for j := range e.Chunks {
			c := &e.Chunks[j]
			if c.Start < 0 || c.Start > c.End || c.End > len(text) {
				return fmt.Errorf("article %s chunk %d is out of range", e.Article.ID, j)
			}
			c.Text = text[c.Start:c.End]
		}
		shareText(e, text)
		if e.Packed != nil {
			vs, err := unpackVectors(e.Packed, len(e.Chunks), s.Dim)
			if err != nil {
				return fmt.Errorf("article %s: %w", e.Article.ID, err)
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
			return fmt.Errorf("article %s has %d chunks but %d vectors", e.Article.ID, len(e.Chunks), len(e.Vectors))
		}
		for _, v := range e.Vectors {
			if len(v) != s.Dim {
				return fmt.Errorf("article %s has a vector of dim %d, index dim %d", e.Article.ID, len(v), s.Dim)
			}
		}
	}
	return nil
}

// writeIndexFile writes the index file in dir atomically: write fills a
// temporary file beside it (and returns the file's size), which is synced
// and renamed into place, so a crash leaves the old file or the new one.
func writeIndexFile(dir string, write func(f *os.File) (int64, error)) (int64, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, fmt.Errorf("index dir: %w", err)
	}
	tmp, err := os.CreateTemp(dir, indexFile+".tmp-*")
	if err != nil {
		return 0, fmt.Errorf("write index: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	size, err := write(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if err != nil {
		tmp.Close()
		return 0, fmt.Errorf("write index %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return 0, fmt.Errorf("close index %s: %w", tmp.Name(), err)
	}
	path := filepath.Join(dir, indexFile)
	if err := os.Rename(tmp.Name(), path); err != nil {
		return 0, fmt.Errorf("replace index %s: %w", path, err)
	}
	return size, nil
}

// saveV2 writes s as a v2 file (tests: Index saves v4, see save).
func saveV2(dir string, s *snapshot) (int64, error) {
	return writeIndexFile(dir, func(tmp *os.File) (int64, error) {
		// The magic and a checksum placeholder, then the payload streamed
		// through the checksum; the checksum is written in place at the end.
		if _, err := tmp.WriteString(indexMagic + "\x00\x00\x00\x00"); err != nil {
			return 0, err
		}
		h := crc32.New(crc32c)
		w := bufio.NewWriterSize(io.MultiWriter(tmp, h), 1<<20)
		cw := &countingWriter{w: w}
		enc := gob.NewEncoder(cw)
		head := snapshotHead{EmbedderID: s.EmbedderID, Dim: s.Dim, CodeVersion: s.CodeVersion,
			Generation: s.Generation, Changed: s.Changed, Entries: len(s.Entries), HasLex: s.Lex != nil}
		if err := enc.Encode(&head); err != nil {
			return 0, err
		}
		for i := range s.Entries {
			if err := enc.Encode(&s.Entries[i]); err != nil {
				return 0, err
			}
		}
		if s.Lex != nil {
			if err := enc.Encode(s.Lex.packRaw()); err != nil {
				return 0, err
			}
		}
		if err := w.Flush(); err != nil {
			return 0, err
		}
		if _, err := tmp.WriteAt(binary.LittleEndian.AppendUint32(nil, h.Sum32()), int64(len(indexMagic))); err != nil {
			return 0, err
		}
		return int64(len(indexMagic)+4) + cw.n, nil
	})
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
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

// readWhole reads all size bytes of f from its start, wherever the file's
// offset stands (the header was read through a buffer before): where
// memory mapping is not available (mapFile), and in its test.
func readWhole(f *os.File, size int64) (*mapping, error) {
	b := make([]byte, size)
	if _, err := io.ReadFull(io.NewSectionReader(f, 0, size), b); err != nil {
		return nil, fmt.Errorf("read index file: %w", err)
	}
	return &mapping{data: b}, nil
}

// errUnreadable marks an index file that could not be read or mapped (a
// permission, an I/O error, no address space): not corrupt, so it is
// reported, never moved aside.
var errUnreadable = errors.New("index file could not be read")

// quarantine moves a corrupt index file aside and returns its new name.
func quarantine(dir string) (string, error) {
	path := filepath.Join(dir, indexFile)
	// Nanoseconds: two quarantines in one second must not share a name
	// (the second rename would replace the first file).
	to := fmt.Sprintf("%s.corrupt-%s", path, time.Now().UTC().Format("20060102T150405.000000000Z"))
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
