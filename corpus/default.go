package corpus

import (
	"embed"
	"io/fs"
)

// defaultFS holds the default corpus: five reports of 10 September 2022,
// each the original text unchanged below a YAML front matter that states
// only what the article itself says (no invented URLs).
//
//go:embed default/*.md
var defaultFS embed.FS

// DefaultFS returns the embedded default corpus, rooted at "default".
func DefaultFS() fs.FS { return defaultFS }

// Default loads the embedded default corpus (see LoadFS).
func Default() ([]Article, []error, error) {
	return LoadFS(defaultFS, "default")
}
