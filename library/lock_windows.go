//go:build windows

package library

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// lockOffsetHigh places the locked byte at 2^52, far past the pid the holder
// writes at the start of the file: Windows byte-range locks are mandatory, so
// locking the pid's bytes would stop a second process from reading who holds
// the library. A range may lie beyond the end of the file.
const lockOffsetHigh = 1 << 20

// tryLockFile takes an exclusive LockFileEx lock on one byte of f without
// waiting. busy reports that another handle (this process or another) holds
// it. Windows drops the lock when the handle closes or the process ends.
func tryLockFile(f *os.File) (busy bool, err error) {
	ol := windows.Overlapped{OffsetHigh: lockOffsetHigh}
	err = windows.LockFileEx(windows.Handle(f.Fd()),
		windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &ol)
	switch {
	case err == nil:
		return false, nil
	case errors.Is(err, windows.ERROR_LOCK_VIOLATION), errors.Is(err, windows.ERROR_IO_PENDING):
		return true, nil
	}
	return false, err
}

// unlockFile releases the byte tryLockFile locked.
func unlockFile(f *os.File) error {
	ol := windows.Overlapped{OffsetHigh: lockOffsetHigh}
	return windows.UnlockFileEx(windows.Handle(f.Fd()), 0, 1, 0, &ol)
}
