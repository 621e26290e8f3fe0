package corpus

import (
	"io/fs"
)

// LoadFS loads every supported file below root in fsys (placeholder).
// Files that cannot be read or parsed are skipped and reported in warnings;
// err is non-nil only when root itself cannot be walked.
func LoadFS(fsys fs.FS, root string) (articles []Article, warnings []error, err error) {
	return nil, nil, nil
}
