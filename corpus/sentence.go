package corpus

// Sentence is one sentence of an article with its position.
type Sentence struct {
	Para  int    // paragraph index in Article.Paragraphs
	Start int    // byte offset of the sentence in the paragraph
	End   int    // byte offset just past the sentence in the paragraph
	Text  string // Paragraphs[Para][Start:End]
}

// Sentences splits every paragraph of a into sentences.
func (a *Article) Sentences() []Sentence {
	var out []Sentence
	for i, p := range a.Paragraphs {
		for _, sp := range SplitSentences(p) {
			out = append(out, Sentence{Para: i, Start: sp[0], End: sp[1], Text: p[sp[0]:sp[1]]})
		}
	}
	return out
}
