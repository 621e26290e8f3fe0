package retrieval

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
)

// lexSnapshot is the BM25 index and the spelling signatures in flat
// arrays, saved with the index so that a warm start does not tokenise and
// stem every chunk again: at 100k chunks that is most of the cost of
// opening an index. It is only valid for the entries it was saved with, in
// the same order; Open checks the document count and falls back to
// rebuilding from the text.
type lexSnapshot struct {
	Analyzer string // analyzerVersion when saved
	Terms    []string
	Counts   []int32 // postings of Terms[i]
	Docs     []int32 // all postings' documents, term by term
	TFs      []uint16
	// DocsLE and TFsLE hold Docs and TFs in v2 files, little-endian: gob
	// decodes a byte slice with one copy, an int32 slice one varint at a
	// time. Empty in memory.
	DocsLE, TFsLE []byte
	Lens          []int32 // document lengths
	Total         int64
	Sigs          []string
	// Chunks are the chunk ids of the documents in order, "" for a hole
	// left by a removed article (see Index.relex). Empty in an index
	// saved before documents could be holes: then they are in article id
	// order.
	Chunks []string
}

// docOrder is the saved document order, or nil.
func (s *lexSnapshot) docOrder() []string {
	if s == nil || len(s.Chunks) == 0 {
		return nil
	}
	return s.Chunks
}

// analyzerVersion names the behaviour of Analyze and Term. Change it
// whenever either changes, so that saved BM25 terms are rebuilt rather
// than mixed with new ones.
const analyzerVersion = "text-v4"

// AnalyzerVersion names the behaviour of Analyze and Term, so that tables
// built from terms (such as package lexicon's) can tell when they are
// stale.
func AnalyzerVersion() string { return analyzerVersion }

func snapshotLex(x *bm25, sigs map[string]struct{}, docs []chunkRef) *lexSnapshot {
	s := &lexSnapshot{Analyzer: analyzerVersion, Lens: x.lens, Total: x.total}
	s.Chunks = make([]string, len(docs))
	for d, ref := range docs {
		if ref.e != nil {
			s.Chunks[d] = ref.e.Chunks[ref.i].ID
		}
	}
	s.Terms = make([]string, 0, x.numTerms())
	n := 0
	x.each(func(t string, ps []posting) {
		s.Terms = append(s.Terms, t)
		n += len(ps)
	})
	slices.Sort(s.Terms) // deterministic files
	s.Counts = make([]int32, len(s.Terms))
	s.Docs = make([]int32, 0, n)
	s.TFs = make([]uint16, 0, n)
	for i, t := range s.Terms {
		ps := x.get(t)
		s.Counts[i] = int32(len(ps))
		for _, p := range ps {
			s.Docs = append(s.Docs, p.doc)
			s.TFs = append(s.TFs, p.tf)
		}
	}
	s.Sigs = make([]string, 0, len(sigs))
	for sg := range sigs {
		s.Sigs = append(s.Sigs, sg)
	}
	slices.Sort(s.Sigs)
	return s
}

// restore rebuilds the BM25 index of chunks live chunks, or reports why
// the snapshot does not fit. ordered is the number of documents its chunk
// order records (holes included), 0 when it records none.
func (s *lexSnapshot) restore(chunks, ordered int) (*bm25, map[string]struct{}, error) {
	if s == nil {
		return nil, nil, errors.New("no saved BM25 index")
	}
	docs := chunks
	if ordered > 0 {
		docs = ordered
	}
	if s.Analyzer != analyzerVersion {
		return nil, nil, fmt.Errorf("saved BM25 index is from analyzer %q, this is %q", s.Analyzer, analyzerVersion)
	}
	if len(s.Lens) != docs {
		return nil, nil, fmt.Errorf("saved BM25 index has %d documents, the index %d", len(s.Lens), docs)
	}
	if len(s.Counts) != len(s.Terms) || len(s.Docs) != len(s.TFs) {
		return nil, nil, errors.New("saved BM25 index is inconsistent")
	}
	live := 0
	for _, n := range s.Lens {
		if n >= 0 {
			live++
		}
	}
	if live != chunks {
		return nil, nil, fmt.Errorf("saved BM25 index has %d live documents, the index %d chunks", live, chunks)
	}
	x := &bm25{postings: make(map[string][]posting, len(s.Terms)), lens: s.Lens, live: live, total: s.Total}
	all := make([]posting, len(s.Docs))
	off := 0
	for i, t := range s.Terms {
		n := int(s.Counts[i])
		if n <= 0 || off+n > len(s.Docs) {
			return nil, nil, errors.New("saved BM25 index is inconsistent")
		}
		ps := all[off : off+n : off+n]
		for j := range ps {
			d := s.Docs[off+j]
			if d < 0 || int(d) >= docs {
				return nil, nil, fmt.Errorf("saved BM25 index names document %d of %d", d, docs)
			}
			ps[j] = posting{doc: d, tf: s.TFs[off+j]}
		}
		x.postings[t] = ps
		off += n
	}
	if off != len(s.Docs) {
		return nil, nil, errors.New("saved BM25 index is inconsistent")
	}
	if live < len(s.Lens) {
		x.countDead()
	}
	sigs := make(map[string]struct{}, len(s.Sigs))
	for _, sg := range s.Sigs {
		sigs[sg] = struct{}{}
	}
	return x, sigs, nil
}

// packRaw returns a copy of s for the file, with Docs and TFs as bytes.
func (s *lexSnapshot) packRaw() *lexSnapshot {
	c := *s
	c.DocsLE = make([]byte, 0, 4*len(s.Docs))
	for _, d := range s.Docs {
		c.DocsLE = binary.LittleEndian.AppendUint32(c.DocsLE, uint32(d))
	}
	c.TFsLE = make([]byte, 0, 2*len(s.TFs))
	for _, t := range s.TFs {
		c.TFsLE = binary.LittleEndian.AppendUint16(c.TFsLE, t)
	}
	c.Docs, c.TFs = nil, nil
	return &c
}

// unpackRaw reverses packRaw.
func (s *lexSnapshot) unpackRaw() error {
	if s.DocsLE == nil && s.TFsLE == nil {
		return nil
	}
	if len(s.DocsLE)%4 != 0 || len(s.TFsLE)%2 != 0 || len(s.DocsLE)/4 != len(s.TFsLE)/2 {
		return errors.New("saved BM25 index is inconsistent")
	}
	s.Docs = make([]int32, len(s.DocsLE)/4)
	for i := range s.Docs {
		s.Docs[i] = int32(binary.LittleEndian.Uint32(s.DocsLE[4*i:]))
	}
	s.TFs = make([]uint16, len(s.TFsLE)/2)
	for i := range s.TFs {
		s.TFs[i] = binary.LittleEndian.Uint16(s.TFsLE[2*i:])
	}
	s.DocsLE, s.TFsLE = nil, nil
	return nil
}
