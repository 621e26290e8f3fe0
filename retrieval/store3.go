package retrieval

import (
	"bufio"
	"bytes"
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
	numSections    = secSigOffsets
)

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

// v3File is a checked v3 file: its head and its sections (views of m).
type v3File struct {
	m    *mapping
	head v3Head
	sec  [numSections + 1][]byte
}

// parseV3 checks a v3 file's header, section table and checksums.
func parseV3(m *mapping) (*v3File, error) {
	d := m.data
	if len(d) < v3HeaderSize || string(d[:len(indexMagicV3)]) != indexMagicV3 {
		return nil, errors.New("truncated header")
	}
	n := int(binary.LittleEndian.Uint32(d[24:]))
	if n != numSections {
		return nil, fmt.Errorf("%d sections, want %d", n, numSections)
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
	f := &v3File{m: m}
	type want struct {
		b   []byte
		crc uint32
	}
	var checks []want
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
		checks = append(checks, want{f.sec[kind], crc})
		end = int64(off + ln)
	}
	if end != int64(len(d)) {
		return nil, fmt.Errorf("%d bytes after the last section (truncated or modified)", int64(len(d))-end)
	}
	// The checksums, on every CPU: they touch every page of the file.
	slices.SortFunc(checks, func(a, b want) int { return len(b.b) - len(a.b) })
	bad := make([]bool, len(checks))
	parallelEach(len(checks), func(i int) {
		bad[i] = crc32.Checksum(checks[i].b, crc32c) != checks[i].crc
	})
	if slices.Contains(bad, true) {
		return nil, errors.New("checksum mismatch (truncated or modified)")
	}
	if err := gob.NewDecoder(bytes.NewReader(f.sec[secMeta])).Decode(&f.head); err != nil {
		return nil, fmt.Errorf("decode meta section: %w", err)
	}
	return f, nil
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
	// Records are views of the mapping until decoded (entry.load), which
	// copies them to the heap first.
	blob := unsafe.String(unsafe.SliceData(f.sec[secArticles]), len(f.sec[secArticles]))
	ents := make([]entry, h.Articles)
	lazy := make([]lazyRecord, h.Articles)
	nv, nc := int64(0), 0
	ix.ids = make([]string, h.Articles)
	for i := range ents {
		e := &ents[i]
		t := table[artEntrySize*i:]
		fv := int64(binary.LittleEndian.Uint64(t))
		n := int(binary.LittleEndian.Uint32(t[8:]))
		flags := binary.LittleEndian.Uint32(t[12:])
		pl := int(flags >> 8 & 0xff)
		rec := blob[recs[i]:recs[i+1]]
		c := cursor{s: rec}
		id := c.str()
		if c.bad || pl > 16 || n < 0 || n > h.Chunks-nc {
			return nil, fmt.Errorf("article %d: damaged table entry", i)
		}
		if err := e.Article.Published.UnmarshalBinary(t[16 : 16+pl]); err != nil {
			return nil, fmt.Errorf("article %d: publication time: %w", i, err)
		}
		e.Article.ID = strings.Clone(id)
		if i > 0 && e.Article.ID <= ents[i-1].Article.ID {
			return nil, errors.New("articles are not in id order")
		}
		lazy[i] = lazyRecord{rec: rec, chunks: n, canonical: flags&artCanonical != 0}
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
		ix.entries[e.Article.ID] = e
		nc += n
		switch {
		case fv == -1:
		case fv != nv || nv+int64(n) > int64(h.Vectors):
			return nil, fmt.Errorf("article %s: vectors out of order", e.Article.ID)
		default:
			e.Vectors = make([][]float32, n)
			for j := range e.Vectors {
				k := (int(nv) + j) * h.Dim
				e.Vectors[j] = vecs[k : k+h.Dim : k+h.Dim]
			}
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
	// Chunk numbers to chunks.
	byNum := make([]chunkRef, 0, nChunks)
	for i := range ents {
		for j := range ents[i].numChunks() {
			byNum = append(byNum, chunkRef{&ents[i], j})
		}
	}
	docs := make([]chunkRef, len(docNums))
	seen := make([]bool, nChunks)
	live := 0
	var total int64
	for d, c := range docNums {
		switch {
		case c == -1 && lens[d] == -1:
		case c < 0 || int(c) >= nChunks || lens[d] < 0 || seen[c]:
			return nil, nil, fmt.Errorf("BM25 document %d is inconsistent", d)
		default:
			seen[c] = true
			docs[d] = byNum[c]
			live++
			total += int64(lens[d])
		}
	}
	if live != nChunks || total != f.head.Total {
		return nil, nil, fmt.Errorf("saved BM25 index has %d live documents, the index %d chunks", live, nChunks)
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
	nDocs := int32(len(docNums))
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
	d := &termDict{terms: terms, toff: toff, poff: poff, all: all}
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
// that does not decode (or disagrees with the index tables) leaves the
// article without text and its chunks empty, with the error kept in
// e.lazy.err: the index stays consistent.
func (e *entry) load() {
	l := e.lazy
	if l == nil {
		return
	}
	l.once.Do(func() {
		a, chunks, hash, err := decodeArticle(strings.Clone(l.rec))
		l.rec = ""
		if err == nil && (a.ID != e.Article.ID || len(chunks) != l.chunks) {
			err = fmt.Errorf("article %s: record does not match the index", e.Article.ID)
		}
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

// loadAll decodes every entry not yet decoded, on every CPU.
func (ix *Index) loadAll() {
	var lazy []*entry
	for _, e := range ix.entries {
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

// secWriter writes a v3 file's sections, each checksummed and aligned.
type secWriter struct {
	w     *bufio.Writer
	off   int64
	start int64
	crc   uint32
	table [numSections + 1][3]uint64 // crc, offset, length
	buf   []byte
	err   error
}

func (sw *secWriter) write(p []byte) {
	if sw.err != nil {
		return
	}
	n, err := sw.w.Write(p)
	sw.off += int64(n)
	sw.err = err
}

func (sw *secWriter) begin() {
	pad := (v3Align - sw.off%v3Align) % v3Align
	sw.write(make([]byte, pad))
	sw.start, sw.crc = sw.off, 0
}

// data adds p to the current section.
func (sw *secWriter) data(p []byte) {
	sw.crc = crc32.Update(sw.crc, crc32c, p)
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

func (sw *secWriter) end(kind int) {
	sw.data(sw.buf)
	sw.buf = sw.buf[:0]
	sw.table[kind] = [3]uint64{uint64(sw.crc), uint64(sw.start), uint64(sw.off - sw.start)}
}

// saveV3 writes ix to its directory as a v3 file, atomically (a temporary
// file renamed into place), and returns the file's size.
func (ix *Index) saveV3() (int64, error) {
	return writeIndexFile(ix.opts.Dir, func(tmp *os.File) (int64, error) {
		sw := &secWriter{w: bufio.NewWriterSize(tmp, 1<<20)}
		sw.write(make([]byte, v3HeaderSize+numSections*v3TableEntry))
		if err := ix.writeSections(sw); err != nil {
			return 0, err
		}
		if sw.err == nil {
			sw.err = sw.w.Flush()
		}
		if sw.err != nil {
			return 0, sw.err
		}
		hdr := make([]byte, v3HeaderSize, v3HeaderSize+numSections*v3TableEntry)
		copy(hdr, indexMagicV3)
		binary.LittleEndian.PutUint32(hdr[24:], numSections)
		for k := 1; k <= numSections; k++ {
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
		e := ix.entries[id]
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
	sw.begin()
	sw.data(meta.Bytes())
	sw.end(secMeta)

	sw.begin()
	recEnds := make([]uint64, 0, len(ix.ids)+1)
	var rec []byte
	for _, id := range ix.ids {
		var err error
		if rec, err = appendArticle(rec[:0], ix.entries[id]); err != nil {
			return err
		}
		sw.put(rec)
		recEnds = append(recEnds, uint64(sw.off-sw.start)+uint64(len(sw.buf)))
	}
	sw.end(secArticles)
	sw.begin()
	sw.u64(0)
	for _, o := range recEnds {
		sw.u64(o)
	}
	sw.end(secArtOffsets)

	sw.begin()
	nv := int64(0)
	var ent [artEntrySize]byte
	for _, id := range ix.ids {
		e := ix.entries[id]
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

	sw.begin()
	for _, id := range ix.ids {
		for _, v := range ix.entries[id].Vectors {
			if len(v) != ix.dim {
				return fmt.Errorf("article %s: a vector of dim %d in an index of dim %d", id, len(v), ix.dim)
			}
			for _, x := range v {
				sw.u32(math.Float32bits(x))
			}
		}
	}
	sw.end(secVectors)

	sw.begin()
	if head.HasCodes {
		for _, id := range ix.ids {
			e := ix.entries[id]
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
	sw.begin()
	for d, ref := range ix.docs {
		if ref.e == nil {
			sw.u32(math.MaxUint32)
			continue
		}
		n, ok := chunkNum[ref.e]
		if !ok || ix.entries[ref.e.Article.ID] != ref.e || d >= len(lex.lens) {
			return fmt.Errorf("BM25 document %d is not a chunk of the index", d)
		}
		sw.u32(uint32(n + ref.i))
	}
	sw.end(secDocs)
	sw.begin()
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
	sw.begin()
	sw.u64(0)
	np := uint64(0)
	for _, t := range terms {
		np += uint64(len(lex.get(t)))
		sw.u64(np)
	}
	sw.end(secPostOffsets)
	sw.begin()
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
	return sw.err
}

// writeSet writes strings as a data section and an offsets section.
func writeSet(sw *secWriter, ss []string, data, offs int) {
	sw.begin()
	for _, s := range ss {
		sw.put([]byte(s))
	}
	sw.end(data)
	sw.begin()
	sw.u64(0)
	o := uint64(0)
	for _, s := range ss {
		o += uint64(len(s))
		sw.u64(o)
	}
	sw.end(offs)
}
