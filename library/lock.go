package library

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// ErrBusy is wrapped by Open's error when another process writes the library.
var ErrBusy = errors.New("library busy")

// writerLock is the one-writer lock of a library: an OS lock on a file in its
// cache folder (flock on Unix, LockFileEx on Windows: lock_unix.go,
// lock_windows.go). The kernel releases it when the process dies, however it
// dies.
type writerLock struct {
	f *os.File
}

// acquireLock takes the lock at path. Without wait it fails at once with an
// error wrapping ErrBusy that names the holder's pid; with wait it polls until
// the lock is free or ctx ends.
func acquireLock(ctx context.Context, path string, wait bool) (*writerLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	for {
		busy, err := tryLockFile(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if !busy {
			break
		}
		if !wait {
			pid := readPid(path)
			f.Close()
			if pid > 0 {
				return nil, fmt.Errorf("%w (pid %d is indexing it; wait for it to finish or stop it)", ErrBusy, pid)
			}
			return nil, fmt.Errorf("%w (another relview process holds %s)", ErrBusy, path)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("waiting for the library lock: %w", ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
	// Record our pid for the message a second process shows.
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &writerLock{f: f}, nil
}

// readPid reads the pid a lock holder wrote, or 0.
func readPid(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return n
}

// release gives up the lock.
func (l *writerLock) release() {
	if l == nil || l.f == nil {
		return
	}
	l.f.Truncate(0)
	unlockFile(l.f)
	l.f.Close()
	l.f = nil
}
