package retrieval

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
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
	prev := ""
	for _, tk := range Analyze(text) {
		if IsStopWord(tk.Word) {
			prev = ""
			continue
		}
		h.add(v, "w:"+tk.Term, 1)
		if prev != "" {
			h.add(v, "b:"+prev+" "+tk.Term, 0.5)
		}
		prev = tk.Term
		h.addGrams(v, translit(tk.Word))
		if len(tk.Word) >= 5 {
			// A transposition typo ("Iyzum") lands on the same
			// letter-set feature as the word it mangles.
			h.add(v, "a:"+sortedLetters(tk.Word), 0.7)
		}
	}
	if !normalize(v) {
		// Nothing to hash (empty text, only stop words or punctuation):
		// a fixed unit vector keeps cosine similarity defined.
		v[0] = 1
	}
}

// addGrams adds the character 3- and 4-grams of a word, with word
// boundaries marked, sharing a total weight of 1. It hashes byte ranges
// of the marked word in place: n-grams are the hot path of ingest.
func (h *HashEmbedder) addGrams(v []float32, word string) {
	w := "<" + word + ">"
	var starts [64]int // rune start offsets; longer words use their first 63 runes
	n := 0
	for i := range w {
		if n == len(starts)-1 {
			break
		}
		starts[n] = i
		n++
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
	for g := 3; g <= 4; g++ {
		for i := 0; i+g <= n; i++ {
			h.addHash(v, fnv64a("c:", w[starts[i]:starts[i+g]]), weight)
		}
	}
}

func (h *HashEmbedder) add(v []float32, feature string, weight float32) {
	h.addHash(v, fnv64a("", feature), weight)
}

// addHash adds weight at the hashed index, with the hash's top bit as sign.
func (h *HashEmbedder) addHash(v []float32, x uint64, weight float32) {
	i := int(x % uint64(h.dim))
	if x>>63 == 1 {
		weight = -weight
	}
	v[i] += weight
}

// fnv64a is FNV-1a over prefix+s, without allocating.
func fnv64a(prefix, s string) uint64 {
	const (
		offset = 14695981039346656037
		prime  = 1099511628211
	)
	x := uint64(offset)
	for i := 0; i < len(prefix); i++ {
		x ^= uint64(prefix[i])
		x *= prime
	}
	for i := 0; i < len(s); i++ {
		x ^= uint64(s[i])
		x *= prime
	}
	return x
}

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
	// ASCII words (nearly all) without allocating a rune slice: a set
	// of bytes read in order is the sorted, de-duplicated runes.
	var set [2]uint64
	ascii := true
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= 0x80 {
			ascii = false
			break
		}
		if c == 'y' {
			c = 'i'
		}
		set[c>>6] |= 1 << (c & 63)
	}
	if ascii {
		var buf [128]byte
		n := 0
		for c := 0; c < 128; c++ {
			if set[c>>6]&(1<<(c&63)) != 0 {
				buf[n] = byte(c)
				n++
			}
		}
		return string(buf[:n])
	}
	r := []rune(w)
	for i, c := range r {
		if c == 'y' {
			r[i] = 'i'
		}
	}
	slices.Sort(r)
	return string(slices.Compact(r))
}
