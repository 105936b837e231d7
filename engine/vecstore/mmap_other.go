//go:build !unix

package vecstore

import (
	"errors"
	"os"
)

// canMap: snapshots are read into memory on this system.
const canMap = false

// mapFile is not available here: snapshots are read into memory
// (LoadSnapshot falls back to reading on any mapping error).
func mapFile(f *os.File, size int64) (*mapping, error) {
	return nil, errors.New("memory mapping is not supported on this system")
}
