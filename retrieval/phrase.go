package retrieval

// Phrases is implemented by searchers that can tell whether a name's words
// stand together anywhere in the archive, so that "the Joint Commission"
// is not taken for known because "joint replacements" and "the Electoral
// Commission" are.
type Phrases interface {
	// HasPhrase reports whether some chunk has, in order, a word matching
	// each position (a set of acceptable search terms), with nothing
	// between them but joiners ("of", "the") and other capitalised words
	// ("President Volodymyr Zelenskyy" has "President Zelenskyy").
	HasPhrase(positions [][]string) bool
}

// maxPhraseDocs bounds the chunks HasPhrase reads; past it the phrase is
// assumed present rather than spending the time to be sure.
const maxPhraseDocs = 2000

// HasPhrase implements Phrases.
func (ix *Index) HasPhrase(positions [][]string) bool {
	if len(positions) == 0 {
		return true
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	// Read only the chunks that have some form of the rarest position.
	rarest, fewest := 0, -1
	for i, alts := range positions {
		n := 0
		for _, t := range alts {
			n += len(ix.lex.get(t))
		}
		if fewest < 0 || n < fewest {
			rarest, fewest = i, n
		}
	}
	if fewest == 0 {
		return false
	}
	if fewest > maxPhraseDocs {
		return true
	}
	seen := make(map[int32]bool, fewest)
	for _, t := range positions[rarest] {
		for _, p := range ix.lex.get(t) {
			if seen[p.doc] {
				continue
			}
			seen[p.doc] = true
			ref := ix.docs[p.doc]
			if ref.e == nil {
				continue // a hole
			}
			ref.e.load()
			if hasPhrase(ref.e.Chunks[ref.i].Text, positions) {
				return true
			}
		}
	}
	return false
}

// hasPhrase matches positions against the whole words of text.
func hasPhrase(text string, positions [][]string) bool {
	var toks []Token
	end := -1
	for _, tk := range Analyze(text) {
		if tk.Start < end {
			continue // a part of a hyphenated word
		}
		end = tk.Start + len(tk.Word)
		toks = append(toks, tk)
	}
	matches := func(tk Token, alts []string) bool {
		for _, a := range alts {
			if tk.Term == a || len(a) >= 5 && nearSpelling(tk.Term, a) {
				return true
			}
		}
		return false
	}
	for i := range toks {
		if !matches(toks[i], positions[0]) {
			continue
		}
		p, j := 1, i+1
		for p < len(positions) && j < len(toks) && j-i <= 3*len(positions) {
			switch {
			case matches(toks[j], positions[p]):
				p++
			case toks[j].Cap || acronymJoiners[toks[j].Word]:
			default:
				j = len(toks) // the run is broken
				continue
			}
			j++
		}
		if p == len(positions) {
			return true
		}
	}
	return false
}

// nearSpelling reports whether a and b differ by at most one inserted,
// deleted or substituted byte: transliterations mixed within one name
// ("Costas Lagoyannis" for "Costas Lagogiannis", "Kostas Lagoyannis").
func nearSpelling(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b)-len(a) > 1 {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	if i == len(a) {
		return true
	}
	if len(a) == len(b) {
		return a[i+1:] == b[i+1:]
	}
	return a[i:] == b[i+1:]
}
