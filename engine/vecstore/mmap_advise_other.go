//go:build !linux

package vecstore

// adviseRandom does nothing here (see the Linux version).
func (m *mapping) adviseRandom(off, end int64) {}
