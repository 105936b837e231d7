//go:build linux

package vecstore

import "golang.org/x/sys/unix"

// mapPopulate asks Linux to map every page of a snapshot in one call (the
// file is read anyway by the checksum pass; one call instead of a page
// fault per 64 KB).
const mapPopulate = unix.MAP_POPULATE
