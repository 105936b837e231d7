//go:build unix

package library

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A photo that turned into a FIFO after the scan is recorded as unreadable
// (retried next run), never waited on.
func TestFIFOAfterScanIsRefused(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "img.jpg")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := readFile(fifo); err == nil || !strings.HasPrefix(err.Error(), readRetryPrefix) || !strings.Contains(err.Error(), "FIFO") {
			t.Errorf("readFile of a FIFO: %v", err)
		}
		if _, err := sniffFile(fifo); err == nil || !strings.Contains(err.Error(), "FIFO") {
			t.Errorf("sniffFile of a FIFO: %v", err)
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("reading a FIFO blocked")
	}
}
