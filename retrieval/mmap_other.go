//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package retrieval

import (
	"fmt"
	"io"
	"os"
)

// mapFile reads f into memory where memory mapping is not available: the
// index works the same, it only costs a read and the RAM of the file.
func mapFile(f *os.File, size int64) (*mapping, error) {
	b := make([]byte, size)
	if _, err := io.ReadFull(f, b); err != nil {
		return nil, fmt.Errorf("read index file: %w", err)
	}
	return &mapping{data: b}, nil
}
