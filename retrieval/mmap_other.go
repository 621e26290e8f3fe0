//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package retrieval

import "os"

// mapFile reads f into memory where memory mapping is not available: the
// index works the same, it only costs a read and the RAM of the file.
func mapFile(f *os.File, size int64) (*mapping, error) { return readWhole(f, size) }
