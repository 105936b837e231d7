//go:build unix

package vecstore

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// canMap: int8 snapshots are memory-mapped here (where the machine's byte
// order is a snapshot's).
const canMap = true

// mapFile maps the first size bytes of f read-only and shared: the pages are
// the page cache's, counted in the process's RSS only while resident, and
// given back by the kernel under memory pressure like any file cache.
func mapFile(f *os.File, size int64) (*mapping, error) {
	if size <= 0 || int64(int(size)) != size {
		return nil, fmt.Errorf("map %s: size %d", f.Name(), size)
	}
	data, err := unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ, unix.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("map %s: %w", f.Name(), err)
	}
	// A handle of its own on the same file (not the path, which may name
	// another file by now), for reading rows without mapping them.
	fd, err := unix.Dup(int(f.Fd()))
	if err != nil {
		unix.Munmap(data)
		return nil, fmt.Errorf("map %s: %w", f.Name(), err)
	}
	unix.CloseOnExec(fd)
	file := os.NewFile(uintptr(fd), f.Name())
	return &mapping{data: data, file: file, release: func() error {
		return errors.Join(unix.Munmap(data), file.Close())
	}}, nil
}
