//go:build linux

package vecstore

import (
	"os"

	"golang.org/x/sys/unix"
)

// adviseRandom tells Linux that bytes [off, end) of the mapping are read at
// random: no read-ahead and no mapping of neighbouring cached pages on a
// fault (fault-around), so a search that reads a short list of rows makes
// only their pages resident. Advice only: an error changes nothing.
func (m *mapping) adviseRandom(off, end int64) {
	page := int64(os.Getpagesize())
	off = off / page * page
	if end > int64(len(m.data)) || off >= end {
		return
	}
	unix.Madvise(m.data[off:end], unix.MADV_RANDOM)
}
