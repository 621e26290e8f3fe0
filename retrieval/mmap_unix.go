//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package retrieval

import (
	"fmt"
	"os"
	"syscall"
)

// mapFile maps f (of size bytes) read-only. The mapping outlives f, which
// the caller may close.
func mapFile(f *os.File, size int64) (*mapping, error) {
	if size == 0 {
		return &mapping{}, nil
	}
	if int64(int(size)) != size {
		return nil, fmt.Errorf("index file of %d bytes is too large to map", size)
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("map index file: %w", err)
	}
	return &mapping{data: b, unmap: func() error { return syscall.Munmap(b) }}, nil
}
