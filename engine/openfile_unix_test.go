//go:build unix

package engine

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// withTimeout fails the test instead of hanging when f blocks.
func withTimeout(t *testing.T, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); f() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s blocked", what)
	}
}

// FIFOs and devices where an image, a manifest or a model is expected are
// refused at once, saying what they are, instead of blocking or reading
// forever.
func TestSpecialFilesAreRefused(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "photo.jpg")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ path, want string }{{fifo, "a FIFO"}, {os.DevNull, "character device"}, {dir, "is a directory"}} {
		withTimeout(t, "DecodeFile "+c.path, func() {
			if _, err := DecodeFile(c.path); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("DecodeFile(%s): %v, want %q", c.path, err, c.want)
			}
		})
		withTimeout(t, "LoadManifest "+c.path, func() {
			if _, err := LoadManifest(c.path); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("LoadManifest(%s): %v, want %q", c.path, err, c.want)
			}
		})
	}
	big := filepath.Join(dir, "big")
	os.WriteFile(big, make([]byte, 100), 0o644)
	if _, err := ReadRegular(big, 99); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Errorf("ReadRegular over the limit: %v", err)
	}
	if b, err := ReadRegular(big, 100); err != nil || len(b) != 100 {
		t.Errorf("ReadRegular at the limit: %d bytes, %v", len(b), err)
	}
}
