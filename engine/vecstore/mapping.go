package vecstore

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"sync"
)

// mapping is a file mapped into memory by mapFile.
type mapping struct {
	data []byte
	// file is the mapped file, open for reads (ReadAt) that do not go
	// through the mapping: a search reads its short list's rows with it, so
	// that only they are copied, not mapped. On Linux 6.18 one fault on the
	// mapping mapped 1 MB of cached pages around the address (large folios
	// or fault-around), so 2000 rows read in place made nearly all 180 MB
	// of codes resident (docs/benchmarks.md).
	file    *os.File
	release func() error // unmaps data and closes file
	once    sync.Once
}

// unmap releases the mapping; later calls do nothing. Nothing may use data
// afterwards.
func (m *mapping) unmap() {
	m.once.Do(func() { m.release() })
}

// ErrFault is wrapped by the errors of a store whose mapped snapshot file
// faulted when read: the file was truncated (or its storage failed) while
// mapped. Such a store answers nothing more; load it again from the source
// of truth.
var ErrFault = errors.New("the mapped snapshot file could not be read (truncated or failing while in use)")

// guard runs f with faults on this goroutine turned into panics (SIGBUS on
// a page of a mapped file that was truncated, SIGSEGV) and returns such a
// panic as an error wrapping ErrFault; other panics go on.
func guard(f func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if re, ok := r.(runtime.Error); ok {
				if a, ok := re.(interface{ Addr() uintptr }); ok {
					err = fmt.Errorf("%w: fault at %#x: %v", ErrFault, a.Addr(), re)
					return
				}
			}
			panic(r)
		}
	}()
	return f()
}
