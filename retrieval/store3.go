package retrieval

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/newsdesk/newsdesk/corpus"
)

// Index file format v3: read, not decoded. The file is a 32-byte header
// (the magic line, the number of sections and a CRC-32C of the section
// table), the section table (per section: its kind, CRC-32C, offset and
// length) and the sections, each starting at a 64-byte boundary, the
// padding between them zero. Every fixed-width array (vectors as
// little-endian float32s, binary codes, BM25 postings, document lengths,
// the offset tables) is a section of its own, so that Open maps the file
// and uses those arrays where they lie, without copying or decoding them.
// The article records (metadata, paragraphs and chunk offsets in a
// compact varint encoding) are decoded on first use, each from a heap
// copy of it: strings are views of that copy, never of the mapping, so no
// string an Index hands out depends on the file staying mapped. Open reads
// only the article table (ids, publication times, chunk counts).
//
// Open checks every section's checksum and every offset and count before
// anything is used; a damaged file is ErrCorrupt (read-only) or moved
// aside, never a panic.
const (
	indexMagicV3 = "NEWSDESK-INDEX v3\n"
	v3HeaderSize = 32
	v3Align      = 64
	v3TableEntry = 24
)

// Index file format v4 is v3 with three more sections (article ids, their
// offsets, and block checksums) and checksums that need not all be
// computed on open. A v3 file's open checksums the whole file, which pages
// in every byte of it: at a million chunks 1.6 GB, most of a one-shot
// `ask`'s time and memory, though a query reads a few megabytes of it. In
// a v4 file the sections that open reads whole anyway (the meta, the
// tables, offsets, dictionaries and ids: 19 MB at a million chunks) keep
// their section checksum and are checked on open as before; the large
// ones (article records, vectors, codes, postings: lazyKinds) carry a
// CRC-32C per blockSize bytes instead, in the block section (itself
// checked on open), and their table checksum is 0. A block is checked on
// the first use of a byte in it and its verdict kept (see
// checkedSection), so nothing computed from an unchecked byte is ever
// returned; damage found there is a sticky ErrCorrupt naming the file,
// the section and the bytes. Index.Verify checks every block.
const (
	indexMagicV4 = "NEWSDESK-INDEX v4\n"
	// blockSize is the unit of a v4 file's lazy checksums: a page, so
	// checking a block pages in nothing that its use would not.
	blockSize = 4096
)

// Sections of a v3 file. Numbers are the section's kind in the table.
const (
	secMeta        = iota + 1 // gob of v3Head
	secArticles               // article records, concatenated (see appendArticle)
	secArtOffsets             // uint64 × (articles+1): record boundaries
	secArtTable               // 32 bytes an article (artEntry)
	secVectors                // float32 × vectors × dim
	secCodes                  // uint64 × vectors × codeWords, or empty
	secDocs                   // int32 × BM25 documents: chunk number, -1 for a hole
	secLens                   // int32 × BM25 documents: length, -1 for a hole
	secTerms                  // BM25 terms, concatenated in sorted order
	secTermOffsets            // uint64 × (terms+1)
	secPostOffsets            // uint64 × (terms+1): postings of term i
	secPostings               // 8 bytes a posting: doc int32, tf uint16, zero uint16
	secSigs                   // spelling signatures, concatenated in sorted order
	secSigOffsets             // uint64 × (signatures+1)
	secIDs                    // v4: article ids, concatenated in sorted order
	secIDOffsets              // v4: uint64 × (articles+1)
	secBlocks                 // v4: uint32 CRC-32C of each block of each of lazyKinds, in that order
	numSectionsV3  = secSigOffsets
	numSections    = secBlocks
)

// lazyKinds are the sections of a v4 file checked a block at a time, on
// first use, rather than on open.
var lazyKinds = [...]int{secArticles, secVectors, secCodes, secPostings}

func isLazy(kind int) bool { return slices.Contains(lazyKinds[:], kind) }

// sectionNames name sections in error messages.
var sectionNames = [numSections + 1]string{secMeta: "meta", secArticles: "articles", secArtOffsets: "article offsets",
	secArtTable: "article table", secVectors: "vectors", secCodes: "codes", secDocs: "BM25 documents",
	secLens: "BM25 lengths", secTerms: "terms", secTermOffsets: "term offsets", secPostOffsets: "postings offsets",
	secPostings: "postings", secSigs: "signatures", secSigOffsets: "signature offsets", secIDs: "article ids",
	secIDOffsets: "article id offsets", secBlocks: "block checksums"}

// An article's entry in secArtTable: its first vector (int64, -1 when
// stale), its chunk count (uint32), flags (uint32: artCanonical, and the
// length of the publication time in bits 8–15) and the publication time
// (time.MarshalBinary, up to 16 bytes). Open reads this table, not the
// records: a record is decoded on its article's first use.
const (
	artEntrySize = 32
	artCanonical = 1 // chunk ids are "<article id>#<n>"
)

// canonicalChunks reports whether e's chunk ids are the ones ChunkArticle
// gives.
func canonicalChunks(e *entry) bool {
	for i, c := range e.Chunks {
		if c.ID != chunkID(e.Article.ID, i) {
			return false
		}
	}
	return true
}

// chunkID is the id ChunkArticle gives chunk n of article id.
func chunkID(id string, n int) string { return id + "#" + strconv.Itoa(n) }

// v3Head is the meta section.
type v3Head struct {
	EmbedderID  string
	Dim         int
	CodeVersion string
	Generation  uint64
	Changed     time.Time
	Articles    int
	Chunks      int // all articles' chunks; chunk numbers count them in article id order
	Vectors     int
	HasCodes    bool
	Analyzer    string
	Total       int64 // BM25: sum of live document lengths
}

// mapping is a mapped (or, without mmap, read) index file.
type mapping struct {
	data  []byte
	once  sync.Once
	unmap func() error // nil when data is ordinary memory
}

// close unmaps m; nothing may use its data afterwards.
func (m *mapping) close() error {
	if m == nil {
		return nil
	}
	var err error
	m.once.Do(func() {
		if m.unmap != nil {
			err = m.unmap()
		}
		m.data = nil
	})
	return err
}

// nativeLE reports whether this machine is little-endian: then the file's
// arrays are used in place, else copied with byte swapping.
var nativeLE = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// postingsInPlace reports whether posting's layout is the file's (a doc
// int32 at 0, a tf uint16 at 4, 8 bytes in all).
var postingsInPlace = nativeLE && unsafe.Sizeof(posting{}) == 8 &&
	unsafe.Offsetof(posting{}.doc) == 0 && unsafe.Offsetof(posting{}.tf) == 4

func aligned(b []byte, n uintptr) bool {
	return len(b) == 0 || uintptr(unsafe.Pointer(unsafe.SliceData(b)))%n == 0
}

// asFloat32s views b (little-endian float32s) as a slice, or copies it
// where it cannot (big-endian host, misaligned).
func asFloat32s(b []byte) []float32 {
	if len(b) == 0 {
		return nil
	}
	if nativeLE && aligned(b, 4) {
		return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/4)
	}
	out := make([]float32, len(b)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}

func asUint64s(b []byte) []uint64 {
	if len(b) == 0 {
		return nil
	}
	if nativeLE && aligned(b, 8) {
		return unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/8)
	}
	out := make([]uint64, len(b)/8)
	for i := range out {
		out[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	return out
}

func asInt32s(b []byte) []int32 {
	if len(b) == 0 {
		return nil
	}
	if nativeLE && aligned(b, 4) {
		return unsafe.Slice((*int32)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/4)
	}
	out := make([]int32, len(b)/4)
	for i := range out {
		out[i] = int32(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}

func asPostings(b []byte) []posting {
	if len(b) == 0 {
		return nil
	}
	if postingsInPlace && aligned(b, 4) {
		return unsafe.Slice((*posting)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/8)
	}
	out := make([]posting, len(b)/8)
	for i := range out {
		out[i] = posting{doc: int32(binary.LittleEndian.Uint32(b[8*i:])), tf: binary.LittleEndian.Uint16(b[8*i+4:])}
	}
	return out
}

func asUint32s(b []byte) []uint32 {
	if len(b) == 0 {
		return nil
	}
	if nativeLE && aligned(b, 4) {
		return unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/4)
	}
	out := make([]uint32, len(b)/4)
	for i := range out {
		out[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return out
}

// v3File is a v3 or v4 file whose header, table and eagerly checked
// sections were checked: its head and its sections (views of m). lazy
// holds the checks of the lazily checked sections (lazyKinds): for a v3
// file, whose every section was checked on open, ones that pass.
type v3File struct {
	m       *mapping
	path    string
	version int // 3 or 4
	head    v3Head
	sec     [numSections + 1][]byte
	lazy    [numSections + 1]*checkedSection
	vecs    []float32 // the vectors section, once loadV3 has checked its size
}

// parseV3 is parseIndex of a file with no name (tests).
func parseV3(m *mapping) (*v3File, error) { return parseIndex(m, "") }

// parseIndex checks a v3 or v4 file's header, section table and
// checksums: of every section for v3, of all but lazyKinds' for v4 (whose
// blocks are checked as they are used; see checkedSection). path names
// the file in the errors found later.
func parseIndex(m *mapping, path string) (*v3File, error) {
	d := m.data
	if len(d) < v3HeaderSize {
		return nil, errors.New("truncated header")
	}
	f := &v3File{m: m, path: path}
	sections := 0
	switch string(d[:len(indexMagicV3)]) {
	case indexMagicV3:
		f.version, sections = 3, numSectionsV3
	case indexMagicV4:
		f.version, sections = 4, numSections
	default:
		return nil, errors.New("truncated header")
	}
	n := int(binary.LittleEndian.Uint32(d[24:]))
	if n != sections {
		return nil, fmt.Errorf("%d sections, want %d", n, sections)
	}
	tableEnd := v3HeaderSize + n*v3TableEntry
	if len(d) < tableEnd {
		return nil, errors.New("truncated section table")
	}
	for _, b := range d[len(indexMagicV3):24] {
		if b != 0 {
			return nil, errors.New("damaged header")
		}
	}
	if crc32.Checksum(d[v3HeaderSize:tableEnd], crc32c) != binary.LittleEndian.Uint32(d[28:]) {
		return nil, errors.New("section table checksum mismatch (truncated or modified)")
	}
	type want struct {
		b   []byte
		crc uint32
	}
	var checks []want
	var offs [numSections + 1]int64
	end := int64(tableEnd)
	for i := range n {
		e := d[v3HeaderSize+i*v3TableEntry:]
		kind := binary.LittleEndian.Uint32(e)
		crc := binary.LittleEndian.Uint32(e[4:])
		off := binary.LittleEndian.Uint64(e[8:])
		ln := binary.LittleEndian.Uint64(e[16:])
		if kind != uint32(i+1) {
			return nil, fmt.Errorf("section %d is of kind %d", i+1, kind)
		}
		if off%v3Align != 0 || off < uint64(end) || off > uint64(len(d)) || ln > uint64(len(d))-off {
			return nil, fmt.Errorf("section %d out of bounds", kind)
		}
		for _, b := range d[end:off] {
			if b != 0 {
				return nil, errors.New("damaged padding between sections")
			}
		}
		f.sec[kind] = d[off : off+ln : off+ln]
		offs[kind] = int64(off)
		if f.version == 3 || !isLazy(int(kind)) {
			checks = append(checks, want{f.sec[kind], crc})
		} else if crc != 0 {
			return nil, fmt.Errorf("section %d has a checksum where its blocks have", kind)
		}
		end = int64(off + ln)
	}
	if end != int64(len(d)) {
		return nil, fmt.Errorf("%d bytes after the last section (truncated or modified)", int64(len(d))-end)
	}
	// The checksums, on every CPU: for a v3 file they touch every page
	// of it.
	slices.SortFunc(checks, func(a, b want) int { return len(b.b) - len(a.b) })
	bad := make([]bool, len(checks))
	parallelEach(len(checks), func(i int) {
		bad[i] = crc32.Checksum(checks[i].b, crc32c) != checks[i].crc
	})
	if slices.Contains(bad, true) {
		return nil, errors.New("checksum mismatch (truncated or modified)")
	}
	if err := f.blocks(offs); err != nil {
		return nil, err
	}

	if err := gob.NewDecoder(bytes.NewReader(f.sec[secMeta])).Decode(&f.head); err != nil {
		return nil, fmt.Errorf("decode meta section: %w", err)
	}
	return f, nil
}

// checkVectors has vi check the blocks of f's codes and vectors sections
// under what it reads, before it reads them.
func (f *v3File) checkVectors(vi *vectorIndex) {
	vs, cs := f.lazy[secVectors], f.lazy[secCodes]
	vi.checkCodes = func(lo, hi int) error {
		c := vi.codes[lo*codeWords : hi*codeWords]
		return cs.checkAt(unsafe.Pointer(unsafe.SliceData(c)), 8*len(c))
	}
	vi.checkVec = func(i int) error {
		v := vi.vec(i)
		return vs.checkAt(unsafe.Pointer(unsafe.SliceData(v)), 4*len(v))
	}
}

// blocks sets up the checks of f's lazily checked sections from its block
// section (v4), or as passed (v3: checked already).
func (f *v3File) blocks(offs [numSections + 1]int64) error {
	var crcs []uint32
	if f.version >= 4 {
		b := f.sec[secBlocks]
		if len(b)%4 != 0 {
			return errors.New("block checksum section is inconsistent")
		}
		crcs = asUint32s(b)
		need := 0
		for _, k := range lazyKinds {
			need += numBlocks(len(f.sec[k]))
		}
		if need != len(crcs) {
			return fmt.Errorf("%d block checksums for %d blocks", len(crcs), need)
		}
	}
	for _, k := range lazyKinds {
		c := &checkedSection{name: sectionNames[k], path: f.path, off: offs[k], data: f.sec[k]}
		if f.version < 4 {
			c.whole.Store(true)
		} else {
			nb := numBlocks(len(c.data))
			c.crcs, crcs = crcs[:nb:nb], crcs[nb:]
			c.ok = make([]atomic.Uint64, (nb+63)/64)
			c.bad = make([]atomic.Uint64, (nb+63)/64)
		}
		f.lazy[k] = c
	}
	return nil
}

func numBlocks(n int) int { return (n + blockSize - 1) / blockSize }

// checkedSection checks one lazily checked section of a v4 file, a
// block at a time: check verifies the blocks a byte range covers the first
// time any of them is used and keeps each verdict in an atomic bitmap, so
// concurrent queries share the work and a damaged block fails every use
// of it (sticky), never reading as good later. valid, when set, also
// checks the content of a block whose checksum matches (postings name
// only documents that exist), so that the code reading it in place needs
// no bounds checks of its own.
type checkedSection struct {
	name  string
	path  string
	off   int64 // of the section in the file, for messages
	data  []byte
	crcs  []uint32 // per block; nil when the section was checked whole on open (v3)
	ok    []atomic.Uint64
	bad   []atomic.Uint64
	valid func(block []byte) error
	whole atomic.Bool // every block checked and good
}

// parallelBlocks is how many unchecked blocks a check works on every CPU.
const parallelBlocks = 256

// check verifies the bytes [lo, hi) of the section, and returns the
// error of the first damaged block among them.
func (c *checkedSection) check(lo, hi int) error {
	if c == nil || lo >= hi || c.whole.Load() {
		return nil
	}
	if lo < 0 || hi > len(c.data) {
		return &corruptError{path: c.path, section: c.name, reason: fmt.Sprintf("bytes %d–%d are outside the section", lo, hi)}
	}
	b0, b1 := lo/blockSize, (hi-1)/blockSize+1
	if b1-b0 >= parallelBlocks {
		c.checkBlocks(b0, b1, runtime.GOMAXPROCS(0))
	}
	for b := b0; b < b1; b++ {
		if err := c.block(b); err != nil {
			return err
		}
	}
	if lo == 0 && hi == len(c.data) {
		c.whole.Store(true)
	}
	return nil
}

// checkBlocks verifies blocks [b0, b1) on up to workers CPUs, keeping the
// verdicts (the errors are block's to report).
func (c *checkedSection) checkBlocks(b0, b1, workers int) {
	n := b1 - b0
	per := max(64, (n+workers-1)/workers)
	var wg sync.WaitGroup
	for lo := b0; lo < b1; lo += per {
		wg.Go(func() {
			for b := lo; b < min(lo+per, b1); b++ {
				c.block(b)
			}
		})
	}
	wg.Wait()
}

// block verifies block b, once: its verdict is kept.
func (c *checkedSection) block(b int) error {
	w, bit := b>>6, uint64(1)<<(b&63)
	if c.ok[w].Load()&bit != 0 {
		return nil
	}
	if c.bad[w].Load()&bit == 0 {
		if c.reason(b) == "" {
			c.ok[w].Or(bit)
			return nil
		}
		c.bad[w].Or(bit)
	}
	lo, hi := c.span(b)
	return &corruptError{path: c.path, section: c.name, lo: c.off + int64(lo), hi: c.off + int64(hi), reason: c.reason(b)}
}

// span is the section's bytes of block b.
func (c *checkedSection) span(b int) (lo, hi int) {
	return b * blockSize, min((b+1)*blockSize, len(c.data))
}

// reason is what is wrong with block b, "" if nothing.
func (c *checkedSection) reason(b int) string {
	lo, hi := c.span(b)
	p := c.data[lo:hi]
	if crc32.Checksum(p, crc32c) != c.crcs[b] {
		return "checksum mismatch"
	}
	if c.valid != nil {
		if err := c.valid(p); err != nil {
			return err.Error()
		}
	}
	return ""
}

// checkAt checks the n bytes at p when they lie in the section (a vector,
// a record or the codes as the index holds them); memory that is not a
// view of the section (copied to the heap, computed) needs no check.
func (c *checkedSection) checkAt(p unsafe.Pointer, n int) error {
	if c == nil || n <= 0 || len(c.data) == 0 || c.whole.Load() {
		return nil
	}
	base := uintptr(unsafe.Pointer(unsafe.SliceData(c.data)))
	at := uintptr(p)
	if at < base || at-base >= uintptr(len(c.data)) {
		return nil
	}
	off := int(at - base)
	return c.check(off, off+n)
}

// firstBad is the error of the section's first damaged block among those
// checked, nil if none is.
func (c *checkedSection) firstBad() error {
	for w := range c.bad {
		if x := c.bad[w].Load(); x != 0 {
			for b := w * 64; b < (w+1)*64; b++ {
				if x&(1<<(b&63)) != 0 {
					return c.block(b)
				}
			}
		}
	}
	return nil
}

// corruptError is damage found in a section of an index file: errors.Is
// it ErrCorrupt.
type corruptError struct {
	path, section string
	lo, hi        int64 // the damaged bytes of the file, [lo, hi); 0, 0 when not known
	reason        string
}

func (e *corruptError) Error() string { return ErrCorrupt.Error() + ": " + e.detail() }
func (e *corruptError) Unwrap() error { return ErrCorrupt }

// detail is the error without its "index file is corrupt" prefix.
func (e *corruptError) detail() string {
	s := e.path + ": " + e.section + " section"
	if e.hi > e.lo {
		s += fmt.Sprintf(", bytes %d–%d of the file", e.lo, e.hi-1)
	}
	return s + ": " + e.reason + "; rebuild the index (newsdesk index rebuild)"
}

// verify checks every block of f's lazily checked sections not checked
// yet, on up to workers CPUs, a batch at a time under hold (which keeps
// the mapping alive; it reports false when it is gone), and returns the
// damage found, a section at a time.
func (f *v3File) verify(ctx context.Context, workers int, hold func(func()) bool) error {
	const batch = 1024 // blocks: 4 MiB
	var errs []error
	for _, k := range lazyKinds {
		c := f.lazy[k]
		if c == nil || c.whole.Load() {
			continue
		}
		nb := len(c.crcs)
		for lo := 0; lo < nb; lo += batch {
			if err := ctx.Err(); err != nil {
				return err
			}
			if !hold(func() { c.checkBlocks(lo, min(lo+batch, nb), workers) }) {
				return ErrClosed
			}
		}
		if err := c.firstBad(); err != nil {
			errs = append(errs, err)
		} else {
			c.whole.Store(true)
		}
	}
	return errors.Join(errs...)
}

// parallelEach calls f(i) for i in [0, n), on every CPU.
func parallelEach(n int, f func(i int)) {
	var mu sync.Mutex
	next := 0
	workers := min(n, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= n {
					return
				}
				f(i)
			}
		})
	}
	wg.Wait()
}

// offsets checks a table of n+1 monotone offsets ending at limit.
func offsets(b []byte, limit int, what string) ([]uint64, error) {
	if len(b)%8 != 0 || len(b) < 8 {
		return nil, fmt.Errorf("%s table of %d bytes", what, len(b))
	}
	o := asUint64s(b)
	if o[0] != 0 || o[len(o)-1] != uint64(limit) {
		return nil, fmt.Errorf("%s table does not span its data", what)
	}
	for i := 1; i < len(o); i++ {
		if o[i] < o[i-1] {
			return nil, fmt.Errorf("%s table is not in order", what)
		}
	}
	return o, nil
}

// v3Loaded is what loadV3 makes of a file, besides the entries.
type v3Loaded struct {
	lex   *bm25 // nil when the BM25 index must be rebuilt from the text
	sigs  *sortedStrings
	docs  []chunkRef
	codes []uint64 // every vector's code, in storage order, or nil
}

// loadV3 fills ix from f: the entries, with vectors and codes over the
// mapping, and the BM25 index, postings and lengths over it too.
func (ix *Index) loadV3(f *v3File) (*v3Loaded, error) {
	h := &f.head
	// Every count is bounded by the file before anything is allocated by
	// it: an article has a record of at least 9 bytes, a chunk at least
	// 4 bytes of it.
	if h.Articles < 0 || h.Articles > len(f.sec[secArticles])/9 || h.Chunks < 0 || h.Chunks > len(f.sec[secArticles])/4 ||
		h.Vectors < 0 || h.Vectors > h.Chunks || h.Dim < 0 || h.Dim > 1<<16 || (h.Vectors > 0 && h.Dim == 0) {
		return nil, errors.New("meta section is inconsistent")
	}
	recs, err := offsets(f.sec[secArtOffsets], len(f.sec[secArticles]), "article")
	if err != nil {
		return nil, err
	}
	if len(recs)-1 != h.Articles || len(f.sec[secArtTable]) != artEntrySize*h.Articles {
		return nil, errors.New("article tables do not match the article count")
	}
	table := f.sec[secArtTable]
	if len(f.sec[secVectors]) != 4*h.Vectors*h.Dim {
		return nil, fmt.Errorf("%d bytes of vectors for %d vectors of dim %d", len(f.sec[secVectors]), h.Vectors, h.Dim)
	}
	vecs := asFloat32s(f.sec[secVectors])
	var codes []uint64
	if h.HasCodes && h.CodeVersion == codeVersion {
		if len(f.sec[secCodes]) != 8*codeWords*h.Vectors {
			return nil, fmt.Errorf("%d bytes of codes for %d vectors", len(f.sec[secCodes]), h.Vectors)
		}
		codes = asUint64s(f.sec[secCodes])
	}
	// Article ids: a v4 file has them in a section of their own, one heap
	// copy of which the ids are views of; a v3 file only in the records.
	var ids *sortedStrings
	if f.version >= 4 {
		if ids, err = loadSorted(f.sec[secIDs], f.sec[secIDOffsets], "article id"); err != nil {
			return nil, err
		}
		if ids.len() != h.Articles {
			return nil, errors.New("article ids do not match the article count")
		}
	}
	// Records are views of the mapping until decoded (entry.load), which
	// checks and copies them to the heap first.
	blob := unsafe.String(unsafe.SliceData(f.sec[secArticles]), len(f.sec[secArticles]))
	ents := make([]entry, h.Articles)
	lazy := make([]lazyRecord, h.Articles)
	nv, nc := int64(0), 0
	ix.ids = make([]string, h.Articles)
	ix.entries, ix.entriesOnce = nil, sync.Once{} // made on first need: entryMap
	ix.order = make([]*entry, h.Articles)
	for i := range ents {
		e := &ents[i]
		t := table[artEntrySize*i:]
		fv := int64(binary.LittleEndian.Uint64(t))
		n := int(binary.LittleEndian.Uint32(t[8:]))
		flags := binary.LittleEndian.Uint32(t[12:])
		pl := int(flags >> 8 & 0xff)
		rec := blob[recs[i]:recs[i+1]]
		if pl > 16 || n < 0 || n > h.Chunks-nc {
			return nil, fmt.Errorf("article %d: damaged table entry", i)
		}
		if ids != nil {
			e.Article.ID = ids.at(i) // in order: loadSorted checked
		} else {
			c := cursor{s: rec}
			id := c.str()
			if c.bad {
				return nil, fmt.Errorf("article %d: damaged table entry", i)
			}
			e.Article.ID = strings.Clone(id)
			if i > 0 && e.Article.ID <= ents[i-1].Article.ID {
				return nil, errors.New("articles are not in id order")
			}
		}
		if err := e.Article.Published.UnmarshalBinary(t[16 : 16+pl]); err != nil {
			return nil, fmt.Errorf("article %d: publication time: %w", i, err)
		}
		lazy[i] = lazyRecord{rec: rec, chunks: n, canonical: flags&artCanonical != 0, sec: f.lazy[secArticles]}
		e.lazy = &lazy[i]
		if flags&artCanonical == 0 {
			// Chunk ids ChunkArticle did not give: the vector search
			// needs them now.
			e.load()
			if e.lazy.err != nil {
				return nil, e.lazy.err
			}
		}
		ix.ids[i] = e.Article.ID
		ix.order[i] = e
		nc += n
		switch {
		case fv == -1:
		case fv != nv || nv+int64(n) > int64(h.Vectors):
			return nil, fmt.Errorf("article %s: vectors out of order", e.Article.ID)
		default:
			e.mappedVec = nv + 1 // Vectors made on demand: makeVectors
			if codes != nil {
				k := int(nv) * codeWords
				e.Codes = codes[k : k+n*codeWords : k+n*codeWords]
			}
			nv += int64(n)
		}
	}
	if nv != int64(h.Vectors) || nc != h.Chunks {
		return nil, errors.New("article tables do not match the vector and chunk counts")
	}
	f.vecs = vecs
	ix.dim = h.Dim
	ix.gen, ix.changed = h.Generation, h.Changed
	out := &v3Loaded{codes: codes}
	if h.Analyzer != analyzerVersion {
		ix.loadAll()
		ix.log.Warn("rebuilding the BM25 index from the text",
			"reason", fmt.Sprintf("saved BM25 index is from analyzer %q, this is %q", h.Analyzer, analyzerVersion))
		return out, nil
	}
	if out.lex, out.docs, err = ix.loadLexV3(f, ents); err != nil {
		return nil, err
	}
	out.sigs, err = loadSorted(f.sec[secSigs], f.sec[secSigOffsets], "signature")
	if err != nil {
		return nil, err
	}
	return out, nil
}

// loadLexV3 restores the BM25 index of f, postings and lengths in place.
func (ix *Index) loadLexV3(f *v3File, ents []entry) (*bm25, []chunkRef, error) {
	nChunks := f.head.Chunks
	if len(f.sec[secDocs])%4 != 0 || len(f.sec[secLens]) != len(f.sec[secDocs]) {
		return nil, nil, errors.New("BM25 document tables are inconsistent")
	}
	docNums, lens := asInt32s(f.sec[secDocs]), asInt32s(f.sec[secLens])
	if len(docNums) > math.MaxInt32 {
		return nil, nil, errors.New("BM25 document tables are inconsistent")
	}
	// Chunk numbers (in article order) to documents, then the documents'
	// chunks in one pass over the articles: a table of 4 bytes a chunk
	// rather than of a chunk reference (16, a pointer for the collector).
	docOf := make([]int32, nChunks)
	for c := range docOf {
		docOf[c] = -1
	}
	live := 0
	var total int64
	for d, c := range docNums {
		switch {
		case c == -1 && lens[d] == -1:
		case c < 0 || int(c) >= nChunks || lens[d] < 0 || docOf[c] != -1:
			return nil, nil, fmt.Errorf("BM25 document %d is inconsistent", d)
		default:
			docOf[c] = int32(d)
			live++
			total += int64(lens[d])
		}
	}
	if live != nChunks || total != f.head.Total {
		return nil, nil, fmt.Errorf("saved BM25 index has %d live documents, the index %d chunks", live, nChunks)
	}
	docs := make([]chunkRef, len(docNums))
	c := 0
	for i := range ents {
		for j := range ents[i].numChunks() {
			docs[docOf[c]] = chunkRef{&ents[i], j} // every chunk has its document: live == nChunks
			c++
		}
	}
	terms := string(f.sec[secTerms])
	toff, err := offsets(f.sec[secTermOffsets], len(terms), "term")
	if err != nil {
		return nil, nil, err
	}
	if len(f.sec[secPostings])%8 != 0 {
		return nil, nil, errors.New("postings section is inconsistent")
	}
	all := asPostings(f.sec[secPostings])
	poff, err := offsets(f.sec[secPostOffsets], len(all), "postings")
	if err != nil {
		return nil, nil, err
	}
	if len(poff) != len(toff) {
		return nil, nil, errors.New("term and postings tables differ in length")
	}
	// Every posting must name a document: the search indexes by them.
	// Checked here for a v3 file, with each block's checksum for a v4 one
	// (on first use: see checkedSection).
	nDocs := int32(len(docNums))
	d := &termDict{terms: terms, toff: toff, poff: poff, all: all}
	if ps := f.lazy[secPostings]; f.version >= 4 {
		ps.valid = func(b []byte) error {
			for _, p := range asPostings(b) {
				if p.doc < 0 || p.doc >= nDocs {
					return errors.New("a posting names a document the index does not have")
				}
			}
			return nil
		}
		d.check = func(lo, hi uint64) bool { return ps.check(int(lo)*8, int(hi)*8) == nil }
	} else {
		var bad atomic.Bool
		parallel(len(all), func(lo, hi int) {
			for _, p := range all[lo:hi] {
				if p.doc < 0 || p.doc >= nDocs {
					bad.Store(true)
					return
				}
			}
		})
		if bad.Load() {
			return nil, nil, errors.New("saved BM25 index names a document it does not have")
		}
	}
	for i := range d.len() {
		if poff[i] == poff[i+1] {
			return nil, nil, errors.New("saved BM25 index has a term without postings")
		}
		if i > 0 && d.term(i-1) >= d.term(i) {
			return nil, nil, errors.New("saved BM25 terms are not in order")
		}
	}
	x := &bm25{dict: d, lens: lens, live: live, total: total}
	if live < len(lens) {
		x.countDead()
	}
	return x, docs, nil
}

// sortedStrings is a set of strings in sorted order, string i at
// s[off[i]:off[i+1]], searched by binary search.
type sortedStrings struct {
	s   string
	off []uint64
}

// loadSorted reads a sorted string set section (copied to the heap) and
// its offsets (in place).
func loadSorted(data, offs []byte, what string) (*sortedStrings, error) {
	s := string(data)
	o, err := offsets(offs, len(s), what)
	if err != nil {
		return nil, err
	}
	ss := &sortedStrings{s: s, off: o}
	for i := 1; i < ss.len(); i++ {
		if ss.at(i-1) >= ss.at(i) {
			return nil, fmt.Errorf("%s set is not in order", what)
		}
	}
	return ss, nil
}

func (ss *sortedStrings) len() int        { return len(ss.off) - 1 }
func (ss *sortedStrings) at(i int) string { return ss.s[ss.off[i]:ss.off[i+1]] }

func (ss *sortedStrings) has(x string) bool {
	i := sort.Search(ss.len(), func(i int) bool { return ss.at(i) >= x })
	return i < ss.len() && ss.at(i) == x
}

// set returns the strings as a map.
func (ss *sortedStrings) set() map[string]struct{} {
	m := make(map[string]struct{}, ss.len())
	for i := range ss.len() {
		m[ss.at(i)] = struct{}{}
	}
	return m
}

// sigMap returns the spelling signatures as a map (a copy's worth of
// work for an index read from a v3 file).
func (ix *Index) sigMap() map[string]struct{} {
	if ix.sigs == nil && ix.sigsSorted != nil {
		return ix.sigsSorted.set()
	}
	return ix.sigs
}

// An article record: ID, Title, URL, Source, Byline, Path, Hash and the
// publication time (time.MarshalBinary) as length-prefixed strings; the
// paragraph count and lengths; the chunk count and per chunk its ID,
// paragraph, start and end; and the text (Article.Text()), of which
// paragraphs and chunk texts are views. Numbers are uvarints.
func appendArticle(b []byte, e *entry) ([]byte, error) {
	a := &e.Article
	pub, err := a.Published.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("article %s: publication time: %w", a.ID, err)
	}
	str := func(s string) {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	for _, s := range []string{a.ID, a.Title, a.URL, a.Source, a.Byline, a.Path, e.Hash, string(pub)} {
		str(s)
	}
	b = binary.AppendUvarint(b, uint64(len(a.Paragraphs)))
	for _, p := range a.Paragraphs {
		b = binary.AppendUvarint(b, uint64(len(p)))
	}
	b = binary.AppendUvarint(b, uint64(len(e.Chunks)))
	for _, c := range e.Chunks {
		str(c.ID)
		b = binary.AppendUvarint(b, uint64(c.Para))
		b = binary.AppendUvarint(b, uint64(c.Start))
		b = binary.AppendUvarint(b, uint64(c.End))
	}
	b = binary.AppendUvarint(b, uint64(len(a.Paragraphs)))
	for i, p := range a.Paragraphs {
		if i > 0 {
			b = append(b, "\n\n"...)
		}
		b = append(b, p...)
	}
	return b, nil
}

// cursor reads an article record.
type cursor struct {
	s   string
	bad bool
}

func (c *cursor) uvarint() int {
	var x uint64
	for shift := uint(0); shift < 64; shift += 7 {
		if len(c.s) == 0 {
			break
		}
		b := c.s[0]
		c.s = c.s[1:]
		x |= uint64(b&0x7f) << shift
		if b < 0x80 {
			if x > math.MaxInt32 {
				break
			}
			return int(x)
		}
	}
	c.bad = true
	return 0
}

func (c *cursor) str() string {
	n := c.uvarint()
	if c.bad || n > len(c.s) {
		c.bad = true
		return ""
	}
	s := c.s[:n]
	c.s = c.s[n:]
	return s
}

// decodeArticle decodes the record rec into a, chunks and hash (whose
// strings are views of rec).
func decodeArticle(rec string) (a corpus.Article, chunks []Chunk, hash string, err error) {
	c := cursor{s: rec}
	a.ID, a.Title, a.URL, a.Source, a.Byline, a.Path, hash = c.str(), c.str(), c.str(), c.str(), c.str(), c.str(), c.str()
	pub := c.str()
	np := c.uvarint()
	if c.bad || np > len(c.s) {
		return a, nil, "", errors.New("damaged article record")
	}
	plens := make([]int, np)
	for i := range plens {
		plens[i] = c.uvarint()
	}
	nc := c.uvarint()
	if c.bad || nc > len(c.s) {
		return a, nil, "", fmt.Errorf("damaged article record %q", a.ID)
	}
	if nc > 0 {
		chunks = make([]Chunk, nc)
	}
	for i := range chunks {
		ch := &chunks[i]
		ch.ID, ch.ArticleID = c.str(), a.ID
		ch.Para, ch.Start, ch.End = c.uvarint(), c.uvarint(), c.uvarint()
	}
	if c.uvarint() != np || c.bad {
		return a, nil, "", fmt.Errorf("damaged article record %q", a.ID)
	}
	text := c.s
	if np > 0 {
		a.Paragraphs = make([]string, np)
	}
	off := 0
	for i, n := range plens {
		if i > 0 {
			if off+2 > len(text) || text[off:off+2] != "\n\n" {
				return a, nil, "", fmt.Errorf("article %s: damaged text", a.ID)
			}
			off += 2
		}
		if n > len(text)-off {
			return a, nil, "", fmt.Errorf("article %s: damaged text", a.ID)
		}
		a.Paragraphs[i] = text[off : off+n]
		off += n
	}
	if off != len(text) {
		return a, nil, "", fmt.Errorf("article %s: damaged text", a.ID)
	}
	for j := range chunks {
		ch := &chunks[j]
		if ch.Start > ch.End || ch.End > len(text) || (ch.Para >= np && np > 0) {
			return a, nil, "", fmt.Errorf("article %s chunk %d is out of range", a.ID, j)
		}
		ch.Text = text[ch.Start:ch.End]
	}
	if err := a.Published.UnmarshalBinary([]byte(pub)); err != nil {
		return a, nil, "", fmt.Errorf("article %s: publication time: %w", a.ID, err)
	}
	return a, chunks, hash, nil
}

// lazyRecord is an entry's article record, not yet decoded.
type lazyRecord struct {
	once   sync.Once
	rec    string // a view of the mapping until decoded
	chunks int    // the chunk count the index was built with
	// canonical: the chunk ids are chunkID's (the table says so), known
	// without decoding.
	canonical bool
	sec       *checkedSection // the articles section: checks rec before it is read
	err       error
}

// numChunks is len(e.Chunks), known without decoding e.
func (e *entry) numChunks() int {
	if l := e.lazy; l != nil {
		return l.chunks
	}
	return len(e.Chunks)
}

// load decodes e's record on first use, from a heap copy of it: strings
// the index hands out never point into the mapping. Safe for concurrent
// use; the caller holds the index's lock (the mapping is alive). A record
// that is damaged (its blocks fail their checksums, it does not decode or
// disagrees with the index tables) leaves the article without text and
// its chunks empty, with the error (ErrCorrupt) kept in e.lazy.err: the
// index stays consistent, and the search that would return it reports it
// (see loadErr).
func (e *entry) load() {
	l := e.lazy
	if l == nil {
		return
	}
	l.once.Do(func() {
		err := l.sec.checkAt(unsafe.Pointer(unsafe.StringData(l.rec)), len(l.rec))
		var (
			a      corpus.Article
			chunks []Chunk
			hash   string
		)
		if err == nil {
			a, chunks, hash, err = decodeArticle(strings.Clone(l.rec))
			if err == nil && (a.ID != e.Article.ID || len(chunks) != l.chunks) {
				err = fmt.Errorf("article %s: record does not match the index", e.Article.ID)
			}
			if err != nil {
				err = l.damaged(err)
			}
		}
		l.rec = ""
		if err != nil {
			l.err = err
			chunks = make([]Chunk, l.chunks)
			for i := range chunks {
				chunks[i] = Chunk{ID: chunkID(e.Article.ID, i), ArticleID: e.Article.ID}
			}
			a = corpus.Article{}
		}
		art := &e.Article // ID and Published were read at open
		art.Title, art.URL, art.Source, art.Byline, art.Path, art.Paragraphs = a.Title, a.URL, a.Source, a.Byline, a.Path, a.Paragraphs
		e.Hash, e.Chunks = hash, chunks
	})
}

// damaged is ErrCorrupt for l's record, which does not decode (err says
// why), naming its bytes in the file.
func (l *lazyRecord) damaged(err error) error {
	c := l.sec
	if c == nil {
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	ce := &corruptError{path: c.path, section: c.name, reason: err.Error()}
	base := uintptr(unsafe.Pointer(unsafe.SliceData(c.data)))
	if at := uintptr(unsafe.Pointer(unsafe.StringData(l.rec))); len(l.rec) > 0 && at >= base && at-base < uintptr(len(c.data)) {
		ce.lo = c.off + int64(at-base)
		ce.hi = ce.lo + int64(len(l.rec))
	}
	return ce
}

// loadErr loads e (see load) and returns why its record could not be
// read, nil if it could.
func (e *entry) loadErr() error {
	e.load()
	if l := e.lazy; l != nil {
		return l.err
	}
	return nil
}

// loadAll decodes every entry not yet decoded, on every CPU.
func (ix *Index) loadAll() {
	var lazy []*entry
	for _, e := range ix.inOrder() {
		if e.lazy != nil {
			lazy = append(lazy, e)
		}
	}
	parallel(len(lazy), func(lo, hi int) {
		for _, e := range lazy[lo:hi] {
			e.load()
		}
	})
}

// secWriter writes a v3 or v4 file's sections, each checksummed and
// aligned: a v4 file's lazyKinds a block at a time (blocks).
type secWriter struct {
	w       *bufio.Writer
	v4      bool
	off     int64
	start   int64
	crc     uint32
	table   [numSections + 1][3]uint64 // crc, offset, length
	buf     []byte
	err     error
	kind    int
	blocked bool     // the current section is checksummed by blocks
	bcrc    uint32   // of the current block so far
	bfill   int      // its bytes so far
	blocks  []uint32 // the block checksums of lazyKinds, in their order
}

func (sw *secWriter) write(p []byte) {
	if sw.err != nil {
		return
	}
	n, err := sw.w.Write(p)
	sw.off += int64(n)
	sw.err = err
}

// begin starts section kind (the sections come in the order of their
// kinds).
func (sw *secWriter) begin(kind int) {
	pad := (v3Align - sw.off%v3Align) % v3Align
	sw.write(make([]byte, pad))
	sw.start, sw.crc, sw.kind = sw.off, 0, kind
	sw.blocked, sw.bcrc, sw.bfill = sw.v4 && isLazy(kind), 0, 0
}

// data adds p to the current section.
func (sw *secWriter) data(p []byte) {
	if !sw.blocked {
		sw.crc = crc32.Update(sw.crc, crc32c, p)
	}
	for q := p; sw.blocked && len(q) > 0; {
		n := min(len(q), blockSize-sw.bfill)
		sw.bcrc = crc32.Update(sw.bcrc, crc32c, q[:n])
		sw.bfill += n
		q = q[n:]
		if sw.bfill == blockSize {
			sw.blocks = append(sw.blocks, sw.bcrc)
			sw.bcrc, sw.bfill = 0, 0
		}
	}
	sw.write(p)
}

// put adds b to the section through the buffer, flushing it when large.
func (sw *secWriter) put(b []byte) {
	sw.buf = append(sw.buf, b...)
	sw.spill()
}

// spill writes the buffer out once it is large.
func (sw *secWriter) spill() {
	if len(sw.buf) >= 1<<16 {
		sw.data(sw.buf)
		sw.buf = sw.buf[:0]
	}
}

func (sw *secWriter) u64(x uint64) {
	sw.buf = binary.LittleEndian.AppendUint64(sw.buf, x)
	sw.spill()
}

func (sw *secWriter) u32(x uint32) {
	sw.buf = binary.LittleEndian.AppendUint32(sw.buf, x)
	sw.spill()
}

// end ends the current section; a block-checksummed one has 0 for its
// checksum in the table.
func (sw *secWriter) end(kind int) {
	sw.data(sw.buf)
	sw.buf = sw.buf[:0]
	if sw.blocked && sw.bfill > 0 {
		sw.blocks = append(sw.blocks, sw.bcrc)
	}
	crc := uint64(sw.crc)
	if sw.blocked {
		crc = 0
	}
	sw.table[kind] = [3]uint64{crc, uint64(sw.start), uint64(sw.off - sw.start)}
	sw.blocked = false
}

// save writes ix to its directory as a v4 file, atomically (a temporary
// file renamed into place), and returns the file's size.
func (ix *Index) save() (int64, error) { return ix.saveVersion(4) }

// saveVersion is save in format version 3 (tests: the v3 reader) or 4.
func (ix *Index) saveVersion(version int) (int64, error) {
	n, magic := numSections, indexMagicV4
	if version == 3 {
		n, magic = numSectionsV3, indexMagicV3
	}
	return writeIndexFile(ix.opts.Dir, func(tmp *os.File) (int64, error) {
		sw := &secWriter{w: bufio.NewWriterSize(tmp, 1<<20), v4: version >= 4}
		sw.write(make([]byte, v3HeaderSize+n*v3TableEntry))
		if err := ix.writeSections(sw); err != nil {
			return 0, err
		}
		if sw.err == nil {
			sw.err = sw.w.Flush()
		}
		if sw.err != nil {
			return 0, sw.err
		}
		hdr := make([]byte, v3HeaderSize, v3HeaderSize+n*v3TableEntry)
		copy(hdr, magic)
		binary.LittleEndian.PutUint32(hdr[24:], uint32(n))
		for k := 1; k <= n; k++ {
			t := sw.table[k]
			hdr = binary.LittleEndian.AppendUint32(hdr, uint32(k))
			hdr = binary.LittleEndian.AppendUint32(hdr, uint32(t[0]))
			hdr = binary.LittleEndian.AppendUint64(hdr, t[1])
			hdr = binary.LittleEndian.AppendUint64(hdr, t[2])
		}
		binary.LittleEndian.PutUint32(hdr[28:], crc32.Checksum(hdr[v3HeaderSize:], crc32c))
		if _, err := tmp.WriteAt(hdr, 0); err != nil {
			return 0, err
		}
		return sw.off, nil
	})
}

// writeSections writes every section of ix, in the order of their kinds.
func (ix *Index) writeSections(sw *secWriter) error {
	ix.loadAll()
	chunkNum := make(map[*entry]int, len(ix.ids))
	head := v3Head{EmbedderID: ix.opts.Embedder.ID(), Dim: ix.dim, CodeVersion: codeVersion,
		Generation: ix.gen, Changed: ix.changed, Articles: len(ix.ids), Analyzer: analyzerVersion, HasCodes: true}
	for _, id := range ix.ids {
		e := ix.entryMap()[id]
		chunkNum[e] = head.Chunks
		head.Chunks += len(e.Chunks)
		if e.Vectors != nil {
			head.Vectors += len(e.Vectors)
			if len(e.Codes) != len(e.Vectors)*codeWords {
				head.HasCodes = false
			}
		}
	}
	if ix.lex != nil {
		head.Total = ix.lex.total
	}
	var meta bytes.Buffer
	if err := gob.NewEncoder(&meta).Encode(&head); err != nil {
		return fmt.Errorf("encode meta section: %w", err)
	}
	sw.begin(secMeta)
	sw.data(meta.Bytes())
	sw.end(secMeta)

	sw.begin(secArticles)
	recEnds := make([]uint64, 0, len(ix.ids)+1)
	var rec []byte
	for _, id := range ix.ids {
		var err error
		if rec, err = appendArticle(rec[:0], ix.entryMap()[id]); err != nil {
			return err
		}
		sw.put(rec)
		recEnds = append(recEnds, uint64(sw.off-sw.start)+uint64(len(sw.buf)))
	}
	sw.end(secArticles)
	sw.begin(secArtOffsets)
	sw.u64(0)
	for _, o := range recEnds {
		sw.u64(o)
	}
	sw.end(secArtOffsets)

	sw.begin(secArtTable)
	nv := int64(0)
	var ent [artEntrySize]byte
	for _, id := range ix.ids {
		e := ix.entryMap()[id]
		clear(ent[:])
		fv := int64(-1)
		if e.Vectors != nil {
			fv = nv
			nv += int64(len(e.Vectors))
		}
		pub, err := e.Article.Published.MarshalBinary()
		if err != nil {
			return fmt.Errorf("article %s: publication time: %w", id, err)
		}
		if len(pub) > 16 {
			return fmt.Errorf("article %s: publication time of %d bytes (at most 16)", id, len(pub))
		}
		flags := uint32(len(pub)) << 8
		if canonicalChunks(e) {
			flags |= artCanonical
		}
		binary.LittleEndian.PutUint64(ent[:], uint64(fv))
		binary.LittleEndian.PutUint32(ent[8:], uint32(len(e.Chunks)))
		binary.LittleEndian.PutUint32(ent[12:], flags)
		copy(ent[16:], pub)
		sw.put(ent[:])
	}
	sw.end(secArtTable)

	sw.begin(secVectors)
	for _, id := range ix.ids {
		for _, v := range ix.entryMap()[id].Vectors {
			if len(v) != ix.dim {
				return fmt.Errorf("article %s: a vector of dim %d in an index of dim %d", id, len(v), ix.dim)
			}
			for _, x := range v {
				sw.u32(math.Float32bits(x))
			}
		}
	}
	sw.end(secVectors)

	sw.begin(secCodes)
	if head.HasCodes {
		for _, id := range ix.ids {
			e := ix.entryMap()[id]
			if e.Vectors != nil {
				for _, c := range e.Codes {
					sw.u64(c)
				}
			}
		}
	}
	sw.end(secCodes)

	lex := ix.lex
	if lex == nil {
		lex = newBM25()
	}
	sw.begin(secDocs)
	for d, ref := range ix.docs {
		if ref.e == nil {
			sw.u32(math.MaxUint32)
			continue
		}
		n, ok := chunkNum[ref.e]
		if !ok || ix.entryMap()[ref.e.Article.ID] != ref.e || d >= len(lex.lens) {
			return fmt.Errorf("BM25 document %d is not a chunk of the index", d)
		}
		sw.u32(uint32(n + ref.i))
	}
	sw.end(secDocs)
	sw.begin(secLens)
	for _, n := range lex.lens {
		sw.u32(uint32(n))
	}
	sw.end(secLens)

	terms := make([]string, 0, lex.numTerms())
	lex.each(func(t string, ps []posting) {
		if len(ps) > 0 {
			terms = append(terms, t)
		}
	})
	slices.Sort(terms)
	writeSet(sw, terms, secTerms, secTermOffsets)
	sw.begin(secPostOffsets)
	sw.u64(0)
	np := uint64(0)
	for _, t := range terms {
		np += uint64(len(lex.get(t)))
		sw.u64(np)
	}
	sw.end(secPostOffsets)
	sw.begin(secPostings)
	var p8 [8]byte
	for _, t := range terms {
		for _, p := range lex.get(t) {
			binary.LittleEndian.PutUint32(p8[:], uint32(p.doc))
			binary.LittleEndian.PutUint16(p8[4:], p.tf)
			sw.put(p8[:])
		}
	}
	sw.end(secPostings)

	sigMap := ix.sigMap()
	sigs := make([]string, 0, len(sigMap))
	for s := range sigMap {
		sigs = append(sigs, s)
	}
	slices.Sort(sigs)
	writeSet(sw, sigs, secSigs, secSigOffsets)
	if !sw.v4 {
		return sw.err
	}
	writeSet(sw, ix.ids, secIDs, secIDOffsets)
	sw.begin(secBlocks)
	for _, c := range sw.blocks {
		sw.u32(c)
	}
	sw.end(secBlocks)
	return sw.err
}

// writeSet writes strings as a data section and an offsets section.
func writeSet(sw *secWriter, ss []string, data, offs int) {
	sw.begin(data)
	for _, s := range ss {
		sw.buf = append(sw.buf, s...)
		sw.spill()
	}
	sw.end(data)
	sw.begin(offs)
	sw.u64(0)
	o := uint64(0)
	for _, s := range ss {
		o += uint64(len(s))
		sw.u64(o)
	}
	sw.end(offs)
}

// checkTerms checks the postings of every term of groups that the
// index's v4 file holds (see checkedSection), so that a query over a
// damaged block fails rather than scoring without it; termDict.postings
// checks them too, for the callers that cannot report an error.
func (ix *Index) checkTerms(groups [][]WeightedTerm) error {
	f, x := ix.file, ix.lex
	if f == nil || x == nil || x.dict == nil {
		return nil
	}
	d, ps := x.dict, f.lazy[secPostings]
	for _, g := range groups {
		for _, wt := range g {
			if i := d.find(wt.Term); i >= 0 {
				if err := ps.check(int(d.poff[i])*8, int(d.poff[i+1])*8); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// Verify checks every byte of the index file that a read-only open left
// to be checked on first use (the large sections of a v4 file), on every
// CPU, and returns the damage found (ErrCorrupt, naming the file, each
// damaged section and the first damaged bytes in it), nil if there is
// none or nothing is left to check (an index in memory, an older file,
// one checked whole on open). Safe beside queries.
func (ix *Index) Verify(ctx context.Context) error {
	return ix.verify(ctx, runtime.GOMAXPROCS(0))
}

func (ix *Index) verify(ctx context.Context, workers int) error {
	ix.mu.RLock()
	f := ix.file
	ix.mu.RUnlock()
	if f == nil {
		return nil
	}
	// A batch at a time under the read lock: Close (which unmaps the
	// file) waits for one batch, not the whole file.
	return f.verify(ctx, workers, func(do func()) bool {
		ix.mu.RLock()
		defer ix.mu.RUnlock()
		if ix.file != f {
			return false
		}
		do()
		return true
	})
}

// verifyInBackground starts checking the whole file beside the queries,
// in one goroutine (a reader serves meanwhile), until done or Close.
func (ix *Index) verifyInBackground() {
	if ix.file == nil || ix.file.version < 4 {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	ix.stopVerify, ix.verified = cancel, make(chan struct{})
	path := ix.file.path
	go func() {
		defer close(ix.verified)
		defer cancel()
		start := time.Now()
		err := ix.verify(ctx, 1)
		switch {
		case err == nil:
			ix.log.Debug("index file verified", "file", path, "took", time.Since(start))
		case errors.Is(err, context.Canceled) || errors.Is(err, ErrClosed):
		default:
			var ce *corruptError
			for _, e := range flatten(err) {
				if errors.As(e, &ce) {
					ix.log.Error("index file is damaged: " + ce.detail())
				} else {
					ix.log.Error("index file could not be verified", "file", path, "err", e)
				}
			}
		}
	}()
}

// flatten lists the errors an errors.Join holds (err alone otherwise).
func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// makeVectors gives every entry of a mapped file whose vectors the vector
// index has been reading from the file directly its Vectors, views of the
// file: for the code that works on entries (updates, saves, an index
// rebuilt from its entries).
func (ix *Index) makeVectors() {
	f := ix.file
	for _, e := range ix.inOrder() {
		if e.mappedVec == 0 {
			continue
		}
		first := int(e.mappedVec - 1)
		e.mappedVec = 0
		if f == nil {
			continue // closed: nothing to view
		}
		e.Vectors = make([][]float32, e.numChunks())
		for j := range e.Vectors {
			k := (first + j) * ix.dim
			e.Vectors[j] = f.vecs[k : k+ix.dim : k+ix.dim]
		}
	}
}

// mappedVectors is finish's vector index for an index just read from a
// mapped file, with the codes from it (flat): the vectors are the file's
// section, in its order, searched where they lie, and a vector's chunk is
// found through a table of vector owners (4 bytes a vector) rather than a
// reference and a slice header each (40). ok is false when that does
// not apply (a small index, entries changed or re-embedded since, codes
// missing): finish then works from the entries.
func (ix *Index) mappedVectors(order []*entry, flat []uint64) (*vectorIndex, bool) {
	f := ix.file
	if f == nil || f.vecs == nil || ix.dim == 0 || len(order) != len(ix.ids) {
		return nil, false
	}
	nv := len(f.vecs) / ix.dim
	if nv <= exactLimit || len(flat) != nv*codeWords || nv > math.MaxInt32 {
		return nil, false
	}
	owner := make([]int32, nv)
	seen := 0
	for a, e := range order {
		if e.mappedVec == 0 {
			if e.Vectors != nil && len(e.Vectors) > 0 {
				return nil, false // made already
			}
			continue
		}
		first, n := int(e.mappedVec-1), e.numChunks()
		if first != seen || first+n > nv {
			return nil, false
		}
		for j := range n {
			owner[first+j] = int32(a)
		}
		seen += n
	}
	if seen != nv {
		return nil, false
	}
	idOf := func(i int) string {
		e := order[owner[i]]
		j := i - int(e.mappedVec-1)
		if l := e.lazy; l != nil && l.canonical {
			return chunkID(e.Article.ID, j) // without decoding the article
		}
		e.load()
		return e.Chunks[j].ID
	}
	vi := &vectorIndex{n: nv, id: idOf, codes: flat, flat: f.vecs, dim: ix.dim, coder: coderFor(ix.dim)}
	f.checkVectors(vi)
	return vi, true
}
