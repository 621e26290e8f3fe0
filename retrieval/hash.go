package retrieval

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// HashEmbedder is the offline default Embedder: signed feature hashing
// ("the hashing trick") of stemmed words, word bigrams and character
// n-grams of each word. It needs no model and no network. Character
// n-grams put transliteration variants (Kupyansk/Kupiansk) and typos
// (Iyzum/Izyum) near each other; words and bigrams carry the topic.
type HashEmbedder struct {
	dim int
}

// DefaultHashDim is the HashEmbedder's default dimension: large enough that
// collisions are rare for passage-sized texts, small enough that a
// brute-force scan of 100k chunks stays fast.
const DefaultHashDim = 128

// NewHashEmbedder returns a HashEmbedder of DefaultHashDim dimensions.
func NewHashEmbedder() *HashEmbedder { return &HashEmbedder{dim: DefaultHashDim} }

// NewHashEmbedderDim returns a HashEmbedder of dim dimensions (at least 16).
func NewHashEmbedderDim(dim int) (*HashEmbedder, error) {
	if dim < 16 {
		return nil, fmt.Errorf("hash embedder: dimension %d too small (min 16)", dim)
	}
	return &HashEmbedder{dim: dim}, nil
}

// ID implements Embedder. The version changes whenever features change,
// so that old indexes are rebuilt rather than mixed.
func (h *HashEmbedder) ID() string { return fmt.Sprintf("hash-v4-%d", h.dim) }

// Dim returns the vector dimension.
func (h *HashEmbedder) Dim() int { return h.dim }

// Embed implements Embedder. A batch is spread over the available CPUs;
// the vectors do not depend on how.
func (h *HashEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	// One backing array for the batch: fewer allocations, and vectors
	// that are scanned together lie together.
	flat := make([]float32, len(texts)*h.dim)
	workers := min(runtime.GOMAXPROCS(0), max(len(texts)/32, 1))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				lo := int(next.Add(32)) - 32
				if lo >= len(texts) || ctx.Err() != nil {
					return
				}
				for i := lo; i < min(lo+32, len(texts)); i++ {
					v := flat[i*h.dim : (i+1)*h.dim : (i+1)*h.dim]
					h.vectorInto(v, texts[i])
					out[i] = v
				}
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// Vector embeds one text. The result is L2-normalised and never all-zero.
func (h *HashEmbedder) Vector(text string) []float32 {
	v := make([]float32, h.dim)
	h.vectorInto(v, text)
	return v
}

// vectorInto embeds text into v, which has h.dim zero elements.
func (h *HashEmbedder) vectorInto(v []float32, text string) {
	// Features are hashed part by part (FNV-1a of a concatenation is the
	// hash of its parts in turn), so no feature string is built.
	var letters [128]byte
	prev := ""
	for _, tk := range Analyze(text) {
		if IsStopWord(tk.Word) {
			prev = ""
			continue
		}
		h.addHash(v, fnvString(fnvString(fnvOffset, "w:"), tk.Term), 1)
		if prev != "" {
			h.addHash(v, fnvString(fnvString(fnvString(fnvString(fnvOffset, "b:"), prev), " "), tk.Term), 0.5)
		}
		prev = tk.Term
		h.addGrams(v, tk.Word)
		if len(tk.Word) >= 5 {
			h.addHash(v, fnvBytes(fnvString(fnvOffset, "a:"), appendSortedLetters(letters[:0], tk.Word)), 0.7)
		}
	}
	if !normalize(v) {
		v[0] = 1
	}
}

// addGrams adds the character 3- and 4-grams of a word, with word
// boundaries marked, sharing a total weight of 1. It hashes byte ranges
// of the marked word in place: n-grams are the hot path of ingest.
func (h *HashEmbedder) addGrams(v []float32, word string) {
	var buf [256]byte
	w := append(appendTranslit(append(buf[:0], '<'), word), '>') // on the stack for all but very long words
	var starts [64]int                                           // rune start offsets; longer words use their first 63 runes
	n := 0
	for i := 0; i < len(w); {
		if n == len(starts)-1 {
			break
		}
		starts[n] = i
		n++
		_, size := utf8.DecodeRune(w[i:])
		i += size
	}
	starts[n] = len(w)
	if n > len(starts)-2 {
		w = w[:starts[n]]
	}
	grams := 0
	for g := 3; g <= 4; g++ {
		if n >= g {
			grams += n - g + 1
		}
	}
	if grams == 0 {
		return
	}
	weight := float32(1 / math.Sqrt(float64(grams)))
	c := fnvString(fnvOffset, "c:")
	for g := 3; g <= 4; g++ {
		for i := 0; i+g <= n; i++ {
			h.addHash(v, fnvBytes(c, w[starts[i]:starts[i+g]]), weight)
		}
	}
}

func (h *HashEmbedder) add(v []float32, feature string, weight float32) {
	h.addHash(v, fnv64a("", feature), weight)
}

// addHash adds weight at the hashed index, with the hash's top bit as sign.
func (h *HashEmbedder) addHash(v []float32, x uint64, weight float32) {
	var i int
	if d := uint64(h.dim); d&(d-1) == 0 {
		i = int(x & (d - 1)) // x % d without a division, for the usual power of two
	} else {
		i = int(x % d)
	}
	if x>>63 == 1 {
		weight = -weight
	}
	v[i] += weight
}

// fnv64a is FNV-1a over prefix+s, without allocating.
// FNV-1a, 64 bits: fnvOffset is the hash of nothing, and fnvString and
// fnvBytes go on from a hash with more input.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnvString(x uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		x ^= uint64(s[i])
		x *= fnvPrime
	}
	return x
}

func fnvBytes(x uint64, b []byte) uint64 {
	for _, c := range b {
		x ^= uint64(c)
		x *= fnvPrime
	}
	return x
}

// fnv64a is the FNV-1a hash of prefix followed by s.
func fnv64a(prefix, s string) uint64 { return fnvString(fnvString(fnvOffset, prefix), s) }

// normalize scales v to unit length in place; it reports false for a zero
// (or non-finite) vector.
func normalize(v []float32) bool {
	var sum float64
	for _, x := range v {
		sum += float64(x) * float64(x)
	}
	if sum == 0 || math.IsNaN(sum) || math.IsInf(sum, 0) {
		for i := range v {
			v[i] = 0
		}
		return false
	}
	inv := float32(1 / math.Sqrt(sum))
	for i := range v {
		v[i] *= inv
	}
	return true
}

// sortedLetters returns the distinct letters of w in order, with y read as
// i: the same for "Izyum" and "Iyzum", "Zelensky" and "Zelenskyy".
func sortedLetters(w string) string {
	var buf [128]byte
	return string(appendSortedLetters(buf[:0], w))
}

// appendSortedLetters appends sortedLetters(w) to b.
func appendSortedLetters(b []byte, w string) []byte {
	// ASCII words (nearly all) without allocating a rune slice: a set
	// of bytes read in order is the sorted, de-duplicated runes.
	var set [2]uint64
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= 0x80 {
			r := []rune(w)
			for i, c := range r {
				if c == 'y' {
					r[i] = 'i'
				}
			}
			slices.Sort(r)
			for _, c := range slices.Compact(r) {
				b = utf8.AppendRune(b, c)
			}
			return b
		}
		if c == 'y' {
			c = 'i'
		}
		set[c>>6] |= 1 << (c & 63)
	}
	for k, bitsSet := range set {
		for bitsSet != 0 {
			b = append(b, byte(k*64+bits.TrailingZeros64(bitsSet)))
			bitsSet &= bitsSet - 1
		}
	}
	return b
}
