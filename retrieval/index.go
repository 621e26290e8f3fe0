package retrieval

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/newsdesk/newsdesk/corpus"
)

// Options configure an Index.
type Options struct {
	// Dir is where the index persists; "" keeps it in memory only.
	Dir string
	// Embedder embeds chunks and queries. Required.
	Embedder Embedder
	// Logger receives warnings (a corrupt index rebuilt, an embedder change);
	// nil discards them.
	Logger *slog.Logger
	// ChunkChars and ChunkOverlap override DefaultChunkChars and
	// DefaultChunkOverlap.
	ChunkChars, ChunkOverlap int
	// BatchSize is how many chunks are embedded per Embedder call (and per
	// progress report); default 256.
	BatchSize int
	// ReadOnly opens the index for searching only: a corrupt file is an
	// error (ErrCorrupt) rather than moved aside, and nothing is written.
	// Readers that share a directory with a writer (serve, repl) reload
	// with it.
	//
	// A read-only open of a v4 file checks only the small sections of it
	// (tables, dictionaries: what the open reads whole); the large ones
	// (records, vectors, codes, postings) are checked a block at a time as
	// queries first read them, and a damaged block is then that query's
	// ErrCorrupt (see checkedSection). A writable open, which will rewrite
	// the file from what it reads, checks it all.
	ReadOnly bool
	// VerifyInBackground, for a long-running reader (serve, repl), checks
	// every block of the file after a read-only open, in one goroutine
	// beside the queries, and logs damage as an error ("index file is
	// damaged: …"). A one-shot reader (ask) leaves it off: it reads a few
	// megabytes of the file, and checking the rest would cost it the
	// whole file's paging in.
	VerifyInBackground bool
}

// ErrCorrupt is returned by Open with ReadOnly for an index file that
// cannot be read (bad header, checksum, truncated), and by a search or
// Verify that finds a damaged block of a v4 file opened read-only (then
// it names the file, the section and the bytes).
var ErrCorrupt = errors.New("index file is corrupt")

// ErrReadOnly is returned by the updating methods of a read-only index.
var ErrReadOnly = errors.New("index is open read-only")

// ErrClosed is returned by the updating methods of a closed index.
var ErrClosed = errors.New("index is closed")

// Change is a batch of updates for Apply: articles to add or replace,
// ids to remove, and the generation of the article store they bring the
// index to.
type Change struct {
	Add    []corpus.Article
	Remove []string
	// Generation and Changed are recorded in the index file (see
	// Index.Generation); readers compare them to decide to reload.
	Generation uint64
	Changed    time.Time
}

// SyncStats reports what an Add or Sync did.
type SyncStats struct {
	Added, Updated, Unchanged, Removed int // articles
	ChunksEmbedded                     int
}

// Stats describes an index.
type Stats struct {
	Dir        string    `json:"dir"`
	EmbedderID string    `json:"embedder"`
	Dim        int       `json:"dim"`
	Articles   int       `json:"articles"`
	Chunks     int       `json:"chunks"`
	Terms      int       `json:"terms"`           // distinct BM25 terms
	Bytes      int64     `json:"bytes"`           // size on disk, 0 in memory
	Dates      [2]string `json:"dates"`           // earliest and latest publication date
	Stale      int       `json:"stale,omitempty"` // articles waiting to be re-embedded
	// Approximate is true when the vector search pre-filters by binary
	// codes and re-ranks (see vectors.go); false when it is exact.
	Approximate bool `json:"approximate,omitempty"`
}

// Index is a persistent hybrid index of articles: chunk vectors in
// chromem-go (searched exactly, or through a binary-code pre-filter when
// large: see vectors.go) and a BM25 index over the same chunks, fused by reciprocal
// rank fusion. Search may be called concurrently; Add, Sync and
// Refresh are serialised against everything else.
type Index struct {
	opts Options
	log  *slog.Logger

	mu      sync.RWMutex
	entries map[string]*entry // by article id
	ids     []string          // sorted article ids
	dim     int

	// Derived search structures, rebuilt by rebuild().
	vec  *vectorIndex
	lex  *bm25
	docs []chunkRef          // BM25 document number -> chunk
	byID map[string]chunkRef // see chunk; built lazily
	sigs map[string]struct{} // letter-set signatures of indexed words
	// sigsSorted holds them instead (sigs nil) for an index read from a
	// v3 file, until its first change.
	sigsSorted *sortedStrings
	acr        *lazyAcronyms
	bytes      int64

	// codesComputed counts the binary codes computed since Open (see
	// finish); Open saves them when the file lacked them.
	codesComputed int

	// m is the mapped v3 file the entries' vectors and codes and the BM25
	// postings and lengths are views of, nil once they are on the heap
	// (materialise). It is unmapped by Close, or when the Index is
	// garbage (a reader that swapped in a newer index does not know when
	// the last search on the old one ends).
	m      *mapping
	closed bool
	// file is m parsed: its lazily checked sections, which the entries'
	// records, the vector index and the BM25 postings check before they
	// read them. nil with m.
	file *v3File
	// stopVerify ends the background verification (VerifyInBackground);
	// verified is closed when it has ended.
	stopVerify context.CancelFunc
	verified   chan struct{}
	// byIDOnce/byID: chunk ids that are not "<article id>#<n>" (none
	// written by ChunkArticle), resolved through a map built on first need.
	byIDOnce sync.Once
	// order is the entries in ids order, as read from a file (nil once
	// they change: sortIDs): finish walks them without a map look-up
	// each, which at a million chunks cost an open ≈100 ms.
	order []*entry
	// entriesOnce makes entries from order on first need (entryMap): nil
	// until then for an index read from a file.
	entriesOnce sync.Once

	gen     uint64    // article store generation the index reflects
	changed time.Time // when the store last changed
}

// entry is one indexed article; it is also the persisted form.
type entry struct {
	Article corpus.Article
	Hash    string
	Chunks  []Chunk
	Vectors [][]float32 // nil when stale (embedder changed)
	// Codes are the vectors' binary codes (codeWords each), computed when
	// the index is large enough to need them; nil otherwise.
	Codes []uint64
	// Packed holds Vectors in the file, little-endian float32s: gob
	// writes a float32 as a float64 of up to nine bytes; PackedCodes
	// holds Codes likewise. Empty in memory.
	Packed      []byte
	PackedCodes []byte

	// mappedVec, for an article of a mapped file whose Vectors are not
	// made yet, is 1 + the number of its first vector in the file's
	// vectors section (0 otherwise): a million slice headers, made on
	// open and scanned by every collection, for vectors that the vector
	// index reads from the section directly (see mappedVectors).
	mappedVec int64

	// lazy is the article's record in a mapped v3 file until decoded:
	// then only Article.ID and Article.Published are set, and Hash,
	// Chunks and the rest of Article wait for load (see store3.go).
	lazy *lazyRecord
}

// shareText makes e's paragraphs and chunk texts slices of text, its
// article's joined Text(), so that the text is held once rather than twice
// (paragraphs and chunks). The paragraph slice is copied first: it may be
// the caller's.
func shareText(e *entry, text string) {
	ps := slices.Clone(e.Article.Paragraphs)
	off := 0
	for i, p := range ps {
		if off+len(p) > len(text) || text[off:off+len(p)] != p {
			return // not the text of these paragraphs
		}
		ps[i] = text[off : off+len(p)]
		off += len(p) + 2
	}
	e.Article.Paragraphs = ps
	for j := range e.Chunks {
		if c := &e.Chunks[j]; c.Start >= 0 && c.Start <= c.End && c.End <= len(text) {
			c.Text = text[c.Start:c.End]
		}
	}
}

type chunkRef struct {
	e *entry
	i int
}

// Open loads the index in opts.Dir, or starts an empty one. An index built
// by another embedder keeps its articles but is re-embedded by the next
// Add, Sync or Refresh. A corrupt or half-written index file is moved aside
// (never deleted) and the index starts empty, with a warning.
func Open(opts Options) (*Index, error) {
	if opts.Embedder == nil {
		return nil, errors.New("index: no embedder")
	}
	if opts.ChunkChars <= 0 {
		opts.ChunkChars = DefaultChunkChars
	}
	if opts.ChunkOverlap <= 0 {
		opts.ChunkOverlap = DefaultChunkOverlap
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 256
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	ix := &Index{opts: opts, log: log, entries: make(map[string]*entry)}
	var savedLex *lexSnapshot
	resumeGC := func() {}
	defer func() { resumeGC() }()
	if opts.Dir != "" {
		start := time.Now()
		snap, v3, size, err := load(opts.Dir)
		var loaded *v3Loaded
		if v3 != nil {
			resumeGC = sync.OnceFunc(pauseGC())
			checked := time.Now()
			ix.file = v3
			loaded, err = ix.loadV3(v3)
			if err == nil && (!opts.ReadOnly || !nativeLE) {
				// A writer reads every byte it rewrites, and a
				// big-endian host has copied the arrays: check it all
				// now, as for v3.
				err = v3.verify(context.Background(), runtime.GOMAXPROCS(0), func(f func()) bool { f(); return true })
			}
			log.Debug("index file read", "mapped_and_checked", checked.Sub(start), "tables", time.Since(checked), "version", v3.version)
			if err != nil {
				v3.m.close()
				ix.file, ix.order = nil, nil
				ix.entries, ix.ids, ix.dim, ix.gen, ix.changed = make(map[string]*entry), nil, 0, 0, time.Time{}
				var ce *corruptError
				if !errors.As(err, &ce) {
					err = fmt.Errorf("%s: %w", IndexPath(opts.Dir), err)
				}
			} else {
				ix.m = v3.m
				runtime.AddCleanup(ix, func(m *mapping) { m.close() }, ix.m)
			}
		}
		switch {
		case errors.Is(err, errNoIndex):
		case errors.Is(err, errUnreadable):
			// Not corrupt: the file stays where it is, for the user to
			// fix what stops it being read (err names the file).
			return nil, err
		case err != nil && opts.ReadOnly && errors.Is(err, ErrCorrupt):
			return nil, err
		case err != nil && opts.ReadOnly:
			return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
		case err != nil:
			moved, merr := quarantine(opts.Dir)
			if merr != nil {
				return nil, fmt.Errorf("index %s is unreadable (%v) and could not be moved aside: %w", opts.Dir, err, merr)
			}
			log.Warn("index is corrupt; starting a new one", "dir", opts.Dir, "err", err, "moved_to", moved)
		case loaded != nil:
			ix.bytes = size
			if v3.head.EmbedderID != opts.Embedder.ID() {
				ix.staleAll(v3.head.EmbedderID)
				loaded.codes = nil
			}
			if loaded.lex == nil {
				if err := ix.rebuild(nil); err != nil {
					return nil, err
				}
			} else {
				if err := ix.finish(loaded.lex, nil, loaded.docs, loaded.codes); err != nil {
					return nil, err
				}
				ix.sigsSorted = loaded.sigs
			}
			if opts.VerifyInBackground && opts.ReadOnly {
				ix.verifyInBackground()
			}
			resumeGC()
			return ix.saveCodes()
		default:
			ix.bytes = size
			for i := range snap.Entries {
				e := &snap.Entries[i]
				ix.entryMap()[e.Article.ID] = e
			}
			ix.dim = snap.Dim
			ix.gen, ix.changed = snap.Generation, snap.Changed
			savedLex = snap.Lex
			if snap.EmbedderID != opts.Embedder.ID() {
				ix.staleAll(snap.EmbedderID)
			}
		}
	}
	if err := ix.rebuild(savedLex); err != nil {
		return nil, err
	}
	return ix.saveCodes()
}

// staleAll marks every entry for re-embedding (the file was built by
// another embedder).
func (ix *Index) staleAll(was string) {
	ix.log.Warn("index was built with another embedder; its articles will be re-embedded",
		"dir", ix.opts.Dir, "was", was, "now", ix.opts.Embedder.ID())
	for _, e := range ix.entryMap() {
		e.Vectors, e.Codes, e.mappedVec = nil, nil, 0
	}
	ix.dim = 0
}

// saveCodes ends Open: a file from before binary codes (or of another
// code version) is saved with them, so that later opens, read-only ones
// included, do not compute them again.
func (ix *Index) saveCodes() (*Index, error) {
	if ix.codesComputed > 0 && !ix.opts.ReadOnly && ix.opts.Dir != "" {
		if err := ix.materialise(); err != nil {
			return nil, err
		}
		size, err := ix.save()
		if err != nil {
			return nil, err
		}
		ix.bytes = size
	}
	return ix, nil
}

// Close releases the mapped index file. The index must not be used
// afterwards: it is then empty. Close is optional (an unreachable Index
// releases its file too) and safe to call twice.
func (ix *Index) Close() error {
	if ix.stopVerify != nil {
		ix.stopVerify() // before the lock: it waits for the batch in hand
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if ix.closed {
		return nil
	}
	ix.closed = true
	m := ix.m
	ix.m, ix.file, ix.order = nil, nil, nil
	ix.entries, ix.ids = make(map[string]*entry), nil
	ix.byIDOnce = sync.Once{}
	if err := ix.finish(newBM25(), make(map[string]struct{}), nil, nil); err != nil {
		return err
	}
	return m.close()
}

// materialise copies what the entries and the BM25 index hold over the
// mapped file to the heap and unmaps it: the update code appends to and
// writes into them. Called before the first change of an index opened
// from a v3 file.
func (ix *Index) materialise() error {
	if ix.m == nil {
		return nil
	}
	ix.loadAll()
	ix.makeVectors()
	nv := 0
	for _, e := range ix.entryMap() {
		nv += len(e.Vectors)
		e.lazy = nil
	}
	flat := make([]float32, 0, nv*ix.dim)
	for _, id := range ix.ids {
		e := ix.entryMap()[id]
		if e.Vectors == nil {
			continue
		}
		vs := make([][]float32, len(e.Vectors))
		for i, v := range e.Vectors {
			flat = append(flat, v...)
			vs[i] = flat[len(flat)-len(v) : len(flat) : len(flat)]
		}
		e.Vectors = vs
		e.Codes = slices.Clone(e.Codes)
	}
	ix.file, ix.order = nil, nil // nothing reads the mapping now
	x := ix.lex
	x.thaw()
	x.lens = slices.Clone(x.lens)
	if ix.sigs == nil && ix.sigsSorted != nil {
		ix.sigs = ix.sigsSorted.set()
	}
	if err := ix.finish(x, ix.sigs, ix.docs, nil); err != nil {
		return err
	}
	m := ix.m
	ix.m = nil
	return m.close()
}

// Add indexes articles, replacing any with the same id; unchanged articles
// (same Hash) are not re-embedded, and stale ones are. progress, if non-nil,
// is called with the number of chunks embedded so far and the total: the
// articles are chunked a batch at a time (see buildBatch), so until the
// last batch the total is an estimate from the chunks an article so far.
func (ix *Index) Add(ctx context.Context, articles []corpus.Article, progress func(done, total int)) (SyncStats, error) {
	return ix.update(ctx, listSource(articles), false, nil, nil, progress)
}

// Apply adds or replaces c.Add (like Add), removes c.Remove, and records
// c.Generation and c.Changed; the file is saved when anything changed,
// the generation included.
func (ix *Index) Apply(ctx context.Context, c Change, progress func(done, total int)) (SyncStats, error) {
	return ix.update(ctx, listSource(c.Add), false, c.Remove, &c, progress)
}

// Generation returns the article store generation the index reflects
// and the time of that change (0 and zero for an index never given one).
func (ix *Index) Generation() (uint64, time.Time) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.gen, ix.changed
}

// EachHash calls f with the id and content hash of every indexed article,
// in id order, so a caller can work out what changed without loading
// anything more.
func (ix *Index) EachHash(f func(id, hash string)) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	ix.loadAll()
	for _, e := range ix.inOrder() {
		f(e.Article.ID, e.Hash)
	}
}

// Sync makes the index hold exactly articles: like Add, and it also removes
// indexed articles that are not in the list.
func (ix *Index) Sync(ctx context.Context, articles []corpus.Article, progress func(done, total int)) (SyncStats, error) {
	return ix.update(ctx, listSource(articles), true, nil, nil, progress)
}

// Refresh re-embeds stale articles (after an embedder change) and changes
// nothing else.
func (ix *Index) Refresh(ctx context.Context, progress func(done, total int)) (SyncStats, error) {
	return ix.update(ctx, articleSource{}, false, nil, nil, progress)
}

// buildBatch is how many new or changed articles update chunks before it
// embeds them. Working a batch at a time bounds what a large build holds
// besides the index itself: the chunking garbage of one batch, and, for
// ApplyFrom, the caller's copies of one batch of articles (the index
// keeps one string of each article's text, paragraphs and chunks views
// of it; see shareText).
var buildBatch = 2048 // a variable for tests

// articleSource is what an update adds: list (checked for repeated ids
// before anything changes), then whatever more yields (checked as they
// come). n is how many there are in all, for progress only; 0 if unknown.
type articleSource struct {
	list []corpus.Article
	more iter.Seq2[corpus.Article, error]
	n    int
}

func listSource(articles []corpus.Article) articleSource {
	return articleSource{list: articles, n: len(articles)}
}

// ApplyFrom is Apply for a caller that does not hold every article: the
// articles to add or replace are c.Add and then those more yields, read
// as they are needed and chunked and embedded buildBatch at a time, so
// that only a batch of them is held beside the index. n is how many more
// yields, used only to estimate the progress total (0 if unknown). An
// error yielded by more, or an id it repeats or that c.Remove names,
// stops the update as a cancellation does: the articles already embedded
// are kept and saved, and c.Generation is not recorded, so the next
// update finishes the work.
func (ix *Index) ApplyFrom(ctx context.Context, c Change, more iter.Seq2[corpus.Article, error], n int, progress func(done, total int)) (SyncStats, error) {
	return ix.update(ctx, articleSource{list: c.Add, more: more, n: len(c.Add) + max(n, 0)}, false, c.Remove, &c, progress)
}

func (ix *Index) update(ctx context.Context, src articleSource, prune bool, remove []string, gen *Change, progress func(done, total int)) (SyncStats, error) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	var st SyncStats
	if ix.opts.ReadOnly {
		return st, ErrReadOnly
	}
	if ix.closed {
		return st, ErrClosed
	}
	removing := make(map[string]bool, len(remove))
	for _, id := range remove {
		removing[id] = true
	}
	// The listed articles are checked before anything changes.
	seen := make(map[string]bool, src.n)
	for i := range src.list {
		id := src.list[i].ID
		if seen[id] {
			return st, fmt.Errorf("index: article id %q given twice", id)
		}
		if removing[id] {
			return st, fmt.Errorf("index: article id %q both added and removed", id)
		}
		seen[id] = true
	}
	if err := ix.materialise(); err != nil {
		return st, err
	}

	b := &builder{ix: ix, ctx: ctx, st: &st, progress: progress, articles: src.n}
	for _, id := range remove {
		if _, ok := ix.entryMap()[id]; ok {
			delete(ix.entryMap(), id)
			st.Removed++
			b.changed = true
		}
	}
	oldGen, oldChanged := ix.gen, ix.changed
	metaChanged := false
	if gen != nil && (gen.Generation != ix.gen || !gen.Changed.Equal(ix.changed)) {
		ix.gen, ix.changed = gen.Generation, gen.Changed
		metaChanged = true
	}

	var todo []*entry
	admit := func(a corpus.Article) error {
		b.consumed++
		h := a.Hash()
		old := ix.entryMap()[a.ID]
		if old != nil && old.Hash == h && old.Vectors != nil {
			st.Unchanged++
			return nil
		}
		if old != nil {
			st.Updated++
		} else {
			st.Added++
		}
		todo = append(todo, &entry{Article: a, Hash: h})
		if len(todo) < buildBatch {
			return nil
		}
		err := b.build(todo, true)
		todo = nil // a new slice: the built entries are the index's now
		return err
	}
	var err error
	for i := range src.list {
		if err = admit(src.list[i]); err != nil {
			break
		}
	}
	if err == nil && src.more != nil {
		for a, aerr := range src.more {
			switch {
			case aerr != nil:
				err = fmt.Errorf("index: read articles: %w", aerr)
			case seen[a.ID]:
				err = fmt.Errorf("index: article id %q given twice", a.ID)
			case removing[a.ID]:
				err = fmt.Errorf("index: article id %q both added and removed", a.ID)
			default:
				seen[a.ID] = true
				err = admit(a)
			}
			if err != nil {
				break
			}
		}
	}
	if err == nil {
		err = b.build(todo, true)
	}
	// Pruning and re-embedding stale entries need every article seen, so
	// they come last; an interrupted run does neither, which loses nothing.
	if err == nil && prune {
		for id := range ix.entryMap() {
			if !seen[id] {
				delete(ix.entryMap(), id)
				st.Removed++
				b.changed = true
			}
		}
	}
	if err == nil {
		// Stale entries (embedder changed) not replaced above are
		// re-embedded with the chunks they have.
		var stale []*entry
		for id, e := range ix.entryMap() {
			if e.Vectors == nil && !seen[id] {
				stale = append(stale, &entry{Article: e.Article, Hash: e.Hash, Chunks: e.Chunks})
			}
		}
		slices.SortFunc(stale, func(a, b *entry) int { return cmp.Compare(a.Article.ID, b.Article.ID) })
		b.articles += len(stale)
		for lo := 0; lo < len(stale) && err == nil; lo += buildBatch {
			b.consumed += min(buildBatch, len(stale)-lo)
			err = b.build(stale[lo:min(lo+buildBatch, len(stale))], false)
		}
	}
	if err == nil {
		err = b.flush()
	}
	if err != nil {
		// Interrupted: the index does not reflect the new generation, so
		// the next writer (or reader) sees that it is behind.
		ix.gen, ix.changed = oldGen, oldChanged
	}
	// A failed update that committed nothing (its generation is restored
	// above) leaves the file alone: a rewrite would make every running
	// bot reload an unchanged index.
	if b.changed || (err == nil && metaChanged) {
		// Rebuilding the search structures and writing the file allocate
		// while the whole index is live: the build's peak. See lowerGC.
		defer lowerGC()()
		if b.changed {
			if rerr := ix.relex(); rerr != nil && err == nil {
				err = rerr
			}
		}
		if ix.opts.Dir != "" {
			size, serr := ix.save()
			if serr != nil && err == nil {
				err = serr
			}
			ix.bytes = size
		}
	}
	return st, err
}

// buildGCPercent is the garbage collector's growth target (GOGC) while an
// update rebuilds the search structures and saves. The heap then holds
// the whole index and grows by what the BM25 postings, binary codes and
// vector tables allocate; at the default GOGC of 100 the collector lets it
// reach twice what is live before collecting, which made that the peak of
// a build (issue #13). At 50 the peak is about 1.5 times what is live, for
// about twice the collections in that last phase only: at 1M chunks the
// build's peak fell from 4067 to 3256 B/chunk.
const buildGCPercent = 50

// gcCtl is the process's GOGC while updates lower it (lowerGC) or opens
// pause it (pauseGC): process-wide, so the holds are counted and the
// setting they found is restored by the last to end (a GOGC set by other
// code meanwhile is then overwritten).
var gcCtl struct {
	sync.Mutex
	lows, pauses int
	was          int // the setting to restore
}

// setGC applies the holds; gcCtl is locked.
func setGC() {
	switch {
	case gcCtl.pauses > 0:
		debug.SetGCPercent(-1)
	case gcCtl.lows > 0 && gcCtl.was > buildGCPercent:
		debug.SetGCPercent(buildGCPercent)
	default:
		debug.SetGCPercent(gcCtl.was) // lower already, or off: leave it
	}
}

// holdGC adds a hold (of lows or pauses) and returns its release.
func holdGC(count *int) (release func()) {
	gcCtl.Lock()
	defer gcCtl.Unlock()
	if gcCtl.lows+gcCtl.pauses == 0 {
		gcCtl.was = debug.SetGCPercent(-1)
	}
	*count++
	setGC()
	return func() {
		gcCtl.Lock()
		defer gcCtl.Unlock()
		*count--
		setGC()
	}
}

// lowerGC sets GOGC to buildGCPercent, unless it is already lower or off,
// and returns the function that restores it once no update needs it low.
func lowerGC() (restore func()) { return holdGC(&gcCtl.lows) }

// pauseGC turns the collector off while Open builds its tables from a
// mapped file, and returns the function that turns it back on. Nearly
// everything an open allocates (entries, records, id and chunk tables:
// ≈80 MB at a million chunks) stays live, so a collection in the middle
// of it would only scan what is being built, again at each doubling of
// the heap: at a million chunks that was a third of an open's processor
// time. The garbage an open makes is small beside what it keeps.
func pauseGC() (resume func()) { return holdGC(&gcCtl.pauses) }

// builder chunks and embeds an update's articles, batch by batch, and
// commits each article to the index once all its chunks are embedded.
type builder struct {
	ix       *Index
	ctx      context.Context
	st       *SyncStats
	progress func(done, total int)
	changed  bool

	// For progress: articles is how many the update has to look at in
	// all (0 if unknown), consumed how many it has; chunked is the chunks
	// of those to embed so far, done those embedded.
	articles, consumed int
	chunked, done      int

	// Embedder batches may span articles (and build batches): batch holds
	// the texts, pending the articles they belong to.
	batch   []string
	pending []*entry
}

// total estimates the chunks the update will embed: those known so far,
// and for the articles not yet looked at as many an article as so far.
func (b *builder) total() int {
	t := b.chunked
	if rest := b.articles - b.consumed; rest > 0 && b.consumed > 0 {
		t += int(float64(b.chunked) / float64(b.consumed) * float64(rest))
	}
	return t
}

// build chunks todo (when chunk is set; else they have their chunks) and
// embeds them, in id order.
func (b *builder) build(todo []*entry, chunk bool) error {
	if len(todo) == 0 {
		return nil
	}
	ix := b.ix
	slices.SortFunc(todo, func(a, b *entry) int { return cmp.Compare(a.Article.ID, b.Article.ID) })
	if chunk {
		// Splitting into sentences and chunks is per article: on every CPU.
		parallel(len(todo), func(lo, hi int) {
			for _, e := range todo[lo:hi] {
				e.Chunks = ChunkArticle(&e.Article, ix.opts.ChunkChars, ix.opts.ChunkOverlap)
				shareText(e, e.Article.Text())
			}
		})
	}
	first := b.chunked == 0
	for _, e := range todo {
		b.chunked += len(e.Chunks)
	}
	if first && b.progress != nil && b.chunked > 0 {
		b.progress(0, b.total())
	}
	for _, e := range todo {
		if len(e.Chunks) == 0 {
			e.Vectors = [][]float32{}
			ix.entryMap()[e.Article.ID] = e
			b.changed = true
			continue
		}
		e.Vectors = make([][]float32, 0, len(e.Chunks))
		b.pending = append(b.pending, e)
		for _, c := range e.Chunks {
			b.batch = append(b.batch, c.Text)
			if len(b.batch) >= ix.opts.BatchSize {
				if err := b.flush(); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// flush embeds the batch and commits the articles it finishes.
func (b *builder) flush() error {
	if len(b.batch) == 0 {
		return nil
	}
	ix := b.ix
	vecs, err := ix.opts.Embedder.Embed(b.ctx, b.batch)
	if err != nil {
		return fmt.Errorf("embed %d chunks: %w", len(b.batch), err)
	}
	if len(vecs) != len(b.batch) {
		return fmt.Errorf("embed: got %d vectors for %d chunks", len(vecs), len(b.batch))
	}
	k := 0
	for _, e := range b.pending {
		for len(e.Vectors) < len(e.Chunks) && k < len(vecs) {
			v := vecs[k]
			k++
			if ix.dim == 0 {
				ix.dim = len(v)
			}
			if len(v) != ix.dim || !normalize(v) {
				return fmt.Errorf("embed: bad vector for %s (dim %d, index dim %d, or zero)", e.Article.ID, len(v), ix.dim)
			}
			e.Vectors = append(e.Vectors, v)
		}
	}
	b.st.ChunksEmbedded += len(b.batch)
	b.done += len(b.batch)
	clear(b.batch) // the texts are the index's; do not pin them here
	b.batch = b.batch[:0]
	// Commit finished articles: an interrupted run keeps (and saves)
	// every one, and resumes with the rest.
	rest := b.pending[:0]
	for _, e := range b.pending {
		if len(e.Vectors) == len(e.Chunks) {
			ix.entryMap()[e.Article.ID] = e
			b.changed = true
		} else {
			rest = append(rest, e)
		}
	}
	clear(b.pending[len(rest):])
	b.pending = rest
	if b.progress != nil {
		b.progress(b.done, max(b.total(), b.done))
	}
	return nil
}

func (ix *Index) snapshot() *snapshot {
	ix.loadAll()
	ix.makeVectors()
	s := &snapshot{EmbedderID: ix.opts.Embedder.ID(), Dim: ix.dim, CodeVersion: codeVersion, Lex: snapshotLex(ix.lex, ix.sigMap(), ix.docs),
		Generation: ix.gen, Changed: ix.changed}
	for _, id := range ix.ids {
		e := *ix.entryMap()[id]
		// Chunk texts are slices of the article text: the file keeps
		// only their offsets, and load restores them.
		e.Chunks = slices.Clone(e.Chunks)
		for i := range e.Chunks {
			e.Chunks[i].Text = ""
		}
		e.Packed = packVectors(e.Vectors, ix.dim)
		e.PackedCodes = packCodes(e.Codes)
		e.Vectors, e.Codes = nil, nil
		s.Entries = append(s.Entries, e)
	}
	return s
}

// rebuild recreates the sorted id list, the BM25 index and the vector
// index from the entries (computing binary codes the vectors lack when the
// index is large). The BM25 index comes from saved when it fits these
// entries, else from the chunk texts. Stale entries (no vectors) are
// searchable by BM25 only.
func (ix *Index) rebuild(saved *lexSnapshot) error {
	ix.loadAll()
	ix.sortIDs()
	nDocs := 0
	for _, e := range ix.entryMap() {
		nDocs += len(e.Chunks)
	}
	var docs []chunkRef
	lex, sigs, err := saved.restore(nDocs, len(saved.docOrder()))
	if err == nil {
		docs, err = ix.savedDocs(saved)
	}
	if err != nil && saved != nil {
		ix.log.Warn("rebuilding the BM25 index from the text", "reason", err)
	}
	if err != nil {
		lex, sigs, docs = newBM25(), make(map[string]struct{}), make([]chunkRef, 0, nDocs)
		texts := make([]string, 0, nDocs)
		for _, id := range ix.ids {
			e := ix.entryMap()[id]
			for i, c := range e.Chunks {
				texts = append(texts, c.Text)
				docs = append(docs, chunkRef{e, i})
			}
		}
		addSigs(sigs, lex.addAll(texts))
	}
	return ix.finish(lex, sigs, docs, nil)
}

// relex brings the BM25 index in line with ix.entries after an update
// without re-tokenising what did not change: the documents of removed or
// replaced articles become holes, new articles' chunks are appended. When
// holes pass a fifth of the documents the index is rebuilt from the text,
// which also gives the removed documents' terms back.
func (ix *Index) relex() error {
	if ix.lex == nil || len(ix.docs) == 0 {
		return ix.rebuild(nil)
	}
	indexed := make(map[*entry]bool, len(ix.entryMap()))
	holes := 0
	for d, ref := range ix.docs {
		switch {
		case ref.e == nil:
			holes++
		case ix.entryMap()[ref.e.Article.ID] != ref.e:
			ix.lex.drop(int32(d), ref.e.Chunks[ref.i].Text)
			ix.docs[d] = chunkRef{}
			holes++
		default:
			indexed[ref.e] = true
		}
	}
	ix.sortIDs()
	var texts []string
	for _, id := range ix.ids {
		e := ix.entryMap()[id]
		if indexed[e] {
			continue
		}
		for i, c := range e.Chunks {
			texts = append(texts, c.Text)
			ix.docs = append(ix.docs, chunkRef{e, i})
		}
	}
	if holes*maxHoleShare > len(ix.docs) {
		return ix.rebuild(nil)
	}
	addSigs(ix.sigs, ix.lex.addAll(texts))
	return ix.finish(ix.lex, ix.sigs, ix.docs, nil)
}

// maxHoleShare: relex rebuilds once more than 1/maxHoleShare of the BM25
// documents are holes.
const maxHoleShare = 5

// inOrder returns the entries in ids order: ix.order when it is current,
// else looked up.
func (ix *Index) inOrder() []*entry {
	if len(ix.order) == len(ix.ids) {
		return ix.order
	}
	order := make([]*entry, len(ix.ids))
	m := ix.entryMap()
	for i, id := range ix.ids {
		order[i] = m[id]
	}
	return order
}

// entryMap returns ix.entries, making it first for an index read from a
// file (which has its entries in order, and looks them up by binary
// search until something needs the map: see lookup). A writer has made
// it before anything changes (materialise), so readers' concurrent calls
// only ever make it once.
func (ix *Index) entryMap() map[string]*entry {
	ix.entriesOnce.Do(func() {
		if ix.entries != nil {
			return
		}
		m := make(map[string]*entry, len(ix.order))
		for _, e := range ix.order {
			m[e.Article.ID] = e
		}
		ix.entries = m
	})
	return ix.entries
}

// lookup returns the entry of article id, nil if there is none.
func (ix *Index) lookup(id string) *entry {
	if len(ix.order) == len(ix.ids) {
		if i, ok := slices.BinarySearch(ix.ids, id); ok {
			return ix.order[i]
		}
		return nil
	}
	return ix.entryMap()[id]
}

func (ix *Index) sortIDs() {
	m := ix.entryMap() // from order, if it is still to make
	ix.order = nil
	ix.ids = ix.ids[:0]
	for id := range m {
		ix.ids = append(ix.ids, id)
	}
	slices.Sort(ix.ids)
}

func addSigs(sigs map[string]struct{}, stems map[string]string) {
	for w := range stems {
		if len(w) >= 5 {
			sigs[sortedLetters(w)] = struct{}{}
		}
	}
}

// savedDocs maps a saved BM25 index's documents to chunks: by the chunk
// ids it recorded, or, for an index saved before it recorded them, in
// article id order.
func (ix *Index) savedDocs(saved *lexSnapshot) ([]chunkRef, error) {
	order := saved.docOrder()
	if order == nil {
		docs := make([]chunkRef, 0, len(saved.Lens))
		for _, id := range ix.ids {
			e := ix.entryMap()[id]
			for i := range e.Chunks {
				docs = append(docs, chunkRef{e, i})
			}
		}
		return docs, nil
	}
	byID := make(map[string]chunkRef)
	for _, e := range ix.entryMap() {
		for i, c := range e.Chunks {
			byID[c.ID] = chunkRef{e, i}
		}
	}
	docs := make([]chunkRef, len(order))
	for d, cid := range order {
		if cid == "" {
			continue // a hole
		}
		ref, ok := byID[cid]
		if !ok {
			return nil, fmt.Errorf("saved BM25 index names chunk %q, which the index does not have", cid)
		}
		delete(byID, cid)
		docs[d] = ref
	}
	if len(byID) > 0 {
		return nil, fmt.Errorf("saved BM25 index lacks %d chunks", len(byID))
	}
	return docs, nil
}

// finish rebuilds what derives from the documents: the vector index,
// computing the binary codes the index lacks when it is large enough to
// need them. flat, when not nil, is every vector's code in storage order
// (a v3 file's codes section), used in place.
func (ix *Index) finish(lex *bm25, sigs map[string]struct{}, docs []chunkRef, flat []uint64) error {
	order := ix.inOrder()
	if vi, ok := ix.mappedVectors(order, flat); ok {
		ix.install(vi, lex, docs, sigs)
		return nil
	}
	ix.makeVectors()
	nv := 0
	for _, e := range order {
		nv += len(e.Vectors)
	}
	// Vector i is chunk refs[i]; its chromem-go id is that chunk's id.
	refs := make([]chunkRef, 0, nv)
	vecs := make([][]float32, 0, nv)
	var owners []*entry
	for _, e := range order {
		if e.Vectors != nil && len(e.Vectors) > 0 {
			owners = append(owners, e)
		}
		for i := range e.Vectors {
			refs = append(refs, chunkRef{e, i})
		}
		vecs = append(vecs, e.Vectors...)
	}
	idOf := func(i int) string {
		r := refs[i]
		if l := r.e.lazy; l != nil && l.canonical {
			return chunkID(r.e.Article.ID, r.i) // without decoding the article
		}
		r.e.load()
		return r.e.Chunks[r.i].ID
	}
	if f := ix.file; f != nil && len(vecs) > 0 && (len(vecs) <= exactLimit || len(flat) != len(vecs)*codeWords) {
		// Every vector is read now (into the exact collection, or to
		// compute codes), and the codes copied: both sections are
		// checked whole first.
		for _, k := range []int{secVectors, secCodes} {
			if err := f.lazy[k].check(0, len(f.sec[k])); err != nil {
				return err
			}
		}
	}
	var codes []uint64
	if len(vecs) > exactLimit && len(flat) == len(vecs)*codeWords {
		codes = flat
	} else if len(vecs) > exactLimit {
		var missing [][]float32
		for _, e := range owners {
			if len(e.Codes) != len(e.Vectors)*codeWords {
				missing = append(missing, e.Vectors...)
			}
		}
		var cs []uint64
		if len(missing) > 0 {
			ix.log.Info("computing binary codes", "vectors", len(missing))
			ix.codesComputed += len(missing)
			cs = coderFor(ix.dim).codes(missing)
		}
		if len(missing) == len(vecs) {
			// Every code is new (a fresh build): cs is already in
			// storage order, and is used as it is rather than copied.
			codes = cs
		}
		for _, e := range owners {
			if len(e.Codes) != len(e.Vectors)*codeWords {
				n := len(e.Vectors) * codeWords
				e.Codes, cs = cs[:n:n], cs[n:]
			}
		}
		if codes == nil {
			codes = make([]uint64, 0, len(vecs)*codeWords)
			for _, e := range owners {
				codes = append(codes, e.Codes...)
			}
		}
	}
	vi, err := newVectorIndexOf(len(vecs), idOf, vecs, codes)
	if err != nil {
		return err
	}
	if f := ix.file; f != nil && vi.exact == nil {
		f.checkVectors(vi)
	}
	ix.install(vi, lex, docs, sigs)
	return nil
}

// install makes vi, lex, docs and sigs the index's search structures and
// drops what derived from the old ones.
func (ix *Index) install(vi *vectorIndex, lex *bm25, docs []chunkRef, sigs map[string]struct{}) {
	ix.vec, ix.lex, ix.docs, ix.sigs = vi, lex, docs, sigs
	if sigs != nil {
		ix.sigsSorted = nil
	}
	ix.byID, ix.byIDOnce = nil, sync.Once{}
	ix.acr = &lazyAcronyms{}
}

// chunk finds the chunk with id: by its article and number, as
// ChunkArticle names chunks ("<article id>#<n>"), else through a map of
// every chunk built on first need. Callers hold ix.mu.
func (ix *Index) chunk(id string) (chunkRef, bool) {
	if i := strings.LastIndexByte(id, '#'); i >= 0 {
		if e := ix.lookup(id[:i]); e != nil {
			e.load()
			if n, err := strconv.Atoi(id[i+1:]); err == nil && n >= 0 && n < len(e.Chunks) && e.Chunks[n].ID == id {
				return chunkRef{e, n}, true
			}
		}
	}
	ix.byIDOnce.Do(func() {
		ix.loadAll()
		ix.byID = make(map[string]chunkRef)
		for _, e := range ix.inOrder() {
			for i, c := range e.Chunks {
				ix.byID[c.ID] = chunkRef{e, i}
			}
		}
	})
	ref, ok := ix.byID[id]
	return ref, ok
}

// Fusion parameters: each ranking contributes its top candidates, fused by
// reciprocal rank fusion with the customary k = 60.
const (
	rrfK       = 60
	candidates = 50
)

// Search implements Searcher: BM25 and vector rankings fused by RRF.
func (ix *Index) Search(ctx context.Context, query string, k int) ([]Hit, error) {
	return ix.SearchQuery(ctx, Query{Text: query}, k)
}

// SearchQuery implements QuerySearcher: Search with weighted BM25 terms.
func (ix *Index) SearchQuery(ctx context.Context, q Query, k int) ([]Hit, error) {
	if k <= 0 {
		return nil, nil
	}
	terms := q.Terms
	if terms == nil && q.Groups == nil {
		terms = weighted(Terms(q.Text))
	}
	groups := slices.Clone(q.Groups)
	for _, t := range terms {
		groups = append(groups, []WeightedTerm{t})
	}
	qv, err := ix.opts.Embedder.Embed(ctx, []string{q.Text})
	if err != nil {
		return nil, fmt.Errorf("embed query: %w", err)
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()

	// A damaged block of the file fails the query that reads it, never
	// answers from it: the postings of its terms (checkTerms), the
	// candidates' vectors and the codes (vector search), the hits'
	// records (get).
	if err := ix.checkTerms(groups); err != nil {
		return nil, err
	}
	fused := make(map[string]*Hit)
	get := func(ref chunkRef) (*Hit, error) {
		if err := ref.e.loadErr(); err != nil {
			return nil, err
		}
		c := ref.e.Chunks[ref.i]
		h := fused[c.ID]
		if h == nil {
			h = &Hit{Chunk: c, Article: &ref.e.Article}
			fused[c.ID] = h
		}
		return h, nil
	}
	// The two rankings are independent; on a large index the vector
	// search runs beside BM25 rather than after it.
	var (
		vres []vecResult
		verr error
		wg   sync.WaitGroup
	)
	if len(qv) == 1 && len(qv[0]) == ix.dim {
		wg.Go(func() { vres, verr = ix.vec.query(ctx, qv[0], candidates) })
	}
	lres := ix.lex.searchGroups(groups, candidates, ix.lex.alive)
	wg.Wait()
	if verr != nil {
		return nil, fmt.Errorf("vector search: %w", verr)
	}
	for r, s := range lres {
		ref := ix.docs[s.doc]
		if ref.e == nil {
			continue // a hole (see relex); searchGroups skips them
		}
		h, err := get(ref)
		if err != nil {
			return nil, err
		}
		h.LexRank = r + 1
		h.Score += 1 / float64(rrfK+r+1)
	}
	for r, d := range vres {
		ref, ok := ix.chunk(d.ID)
		if !ok {
			continue
		}
		h, err := get(ref)
		if err != nil {
			return nil, err
		}
		h.VecRank = r + 1
		h.Score += 1 / float64(rrfK+r+1)
	}
	hits := make([]Hit, 0, len(fused))
	for _, h := range fused {
		hits = append(hits, *h)
	}
	slices.SortFunc(hits, func(a, b Hit) int {
		if a.Score != b.Score {
			return cmp.Compare(b.Score, a.Score)
		}
		return cmp.Compare(a.Chunk.ID, b.Chunk.ID)
	})
	return headsKept(hits, k), nil
}

// headsKept cuts the fused ranking to k hits, keeping the top of each
// ranking in: RRF rewards agreement, so a chunk that one ranking puts
// first and the other misses entirely (a paraphrase the vectors do not
// see, a name the words do not match) would otherwise lose to chunks both
// rank middling. The first k/4 of each ranking are always kept.
func headsKept(hits []Hit, k int) []Hit {
	if len(hits) <= k {
		return hits
	}
	head := max(1, k/4)
	keep := make([]bool, len(hits))
	n := 0
	for i, h := range hits {
		if (h.LexRank > 0 && h.LexRank <= head) || (h.VecRank > 0 && h.VecRank <= head) {
			keep[i] = true
			n++
		}
	}
	for i := range hits {
		if n >= k {
			break
		}
		if !keep[i] {
			keep[i] = true
			n++
		}
	}
	out := hits[:0:0]
	for i, h := range hits {
		if keep[i] {
			out = append(out, h)
		}
	}
	return out
}

// Articles implements Searcher.
func (ix *Index) Articles() []*corpus.Article {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	ix.loadAll()
	out := make([]*corpus.Article, len(ix.ids))
	for i, id := range ix.ids {
		out[i] = &ix.lookup(id).Article
	}
	return out
}

// Article implements Searcher.
func (ix *Index) Article(id string) *corpus.Article {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if e := ix.lookup(id); e != nil {
		e.load()
		return &e.Article
	}
	return nil
}

// DocFreq implements TermStats: how many chunks contain term.
func (ix *Index) DocFreq(term string) int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.lex.df(term)
}

// Known implements TermStats: whether the corpus has word (lower-cased)
// as written, as a transliteration variant, or as a near-anagram of it
// ("Iyzum" for "Izyum").
func (ix *Index) Known(word string) bool {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	if ix.lex.df(Term(word)) > 0 {
		return true
	}
	if len(word) < 5 {
		return false
	}
	sig := sortedLetters(word)
	if ix.sigsSorted != nil {
		return ix.sigsSorted.has(sig)
	}
	_, ok := ix.sigs[sig]
	return ok
}

// NumChunks implements TermStats.
func (ix *Index) NumChunks() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.lex.live
}

// DateRange implements DateRanger.
func (ix *Index) DateRange() (first, last time.Time) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	for _, e := range ix.inOrder() {
		p := e.Article.Published
		if p.IsZero() {
			continue
		}
		if first.IsZero() || p.Before(first) {
			first = p
		}
		if p.After(last) {
			last = p
		}
	}
	return first, last
}

// Stats describes the index.
func (ix *Index) Stats() Stats {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	st := Stats{Dir: ix.opts.Dir, EmbedderID: ix.opts.Embedder.ID(), Dim: ix.dim,
		Articles: len(ix.ids), Chunks: ix.lex.live, Terms: ix.lex.numTerms(), Bytes: ix.bytes}
	st.Approximate = ix.vec != nil && ix.vec.exact == nil
	for _, e := range ix.inOrder() {
		if e.Vectors == nil && e.mappedVec == 0 {
			st.Stale++
		}
		d := e.Article.Date()
		if d == "" {
			continue
		}
		if st.Dates[0] == "" || d < st.Dates[0] {
			st.Dates[0] = d
		}
		if d > st.Dates[1] {
			st.Dates[1] = d
		}
	}
	return st
}
