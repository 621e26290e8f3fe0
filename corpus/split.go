package corpus

// SplitSentences returns the [start, end) byte spans of the sentences in one
// paragraph. (Placeholder: the real splitter replaces this.)
func SplitSentences(p string) [][2]int {
	var out [][2]int
	start := 0
	for i := 0; i < len(p); i++ {
		if (p[i] == '.' || p[i] == '?' || p[i] == '!') && (i+1 == len(p) || p[i+1] == ' ') {
			out = append(out, [2]int{start, i + 1})
			start = i + 1
			for start < len(p) && p[start] == ' ' {
				start++
			}
			i = start - 1
		}
	}
	if start < len(p) {
		out = append(out, [2]int{start, len(p)})
	}
	return out
}
