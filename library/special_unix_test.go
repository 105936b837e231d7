//go:build unix

package library

import (
	"context"
	"os"
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

// TestSpecialAndUnsupportedFilesAreListed: a FIFO or a link to a device
// with an image's name, and a JPEG 2000 file, are listed with a reason, not
// skipped in silence (or called "empty file").
func TestSpecialAndUnsupportedFilesAreListed(t *testing.T) {
	folder := t.TempDir()
	copyFile(t, filepath.Join(samplePhotos, "dog.jpg"), filepath.Join(folder, "dog.jpg"))
	must(t, syscall.Mkfifo(filepath.Join(folder, "pipe.jpg"), 0o644))
	must(t, os.Symlink("/dev/null", filepath.Join(folder, "null.png")))
	must(t, os.WriteFile(filepath.Join(folder, "scan.jp2"), []byte("\x00\x00\x00\x0cjP  \r\n\x87\n"), 0o644))
	lib := openLib(t, folder, t.TempDir(), Options{})
	sum, err := lib.Index(context.Background(), nil)
	must(t, err)
	reasons := map[string]string{}
	for _, p := range append(sum.Problems, sum.Failures...) {
		reasons[p.Path] = p.Reason
	}
	for path, want := range map[string]string{
		"pipe.jpg": "named pipe", "null.png": "a link to character device", "scan.jp2": "not a supported image",
	} {
		if !strings.Contains(reasons[path], want) {
			t.Errorf("%s: reason %q, want one saying %q (all: %v)", path, reasons[path], want, reasons)
		}
	}
	if sum.Indexed != 1 {
		t.Errorf("indexed %d, want 1", sum.Indexed)
	}
}
