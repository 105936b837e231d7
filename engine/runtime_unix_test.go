//go:build unix

package engine

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A relative --ort-lib is made absolute (dlopen would search for a bare
// name instead of opening it), and a FIFO or a device is refused before
// dlopen could block on it.
func TestFindRuntimeRelativeAndSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	os.WriteFile("lib.so", []byte("x"), 0o644)
	got, err := FindRuntime("lib.so")
	if err != nil || got != filepath.Join(dir, "lib.so") {
		t.Errorf("relative --ort-lib: %q, %v; want %q", got, err, filepath.Join(dir, "lib.so"))
	}
	fifo := filepath.Join(dir, "fifo.so")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{fifo, os.DevNull} {
		if _, err := FindRuntime(p); err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("--ort-lib %s: %v, want 'not a regular file'", p, err)
		}
	}
}

func TestOpenRefusesAbsurdThreadCounts(t *testing.T) {
	for _, n := range []int{-1, MaxThreads() + 1, 10000} {
		if _, err := Open(Options{Threads: n}); err == nil || !strings.Contains(err.Error(), "threads") {
			t.Errorf("threads %d: %v, want a clear error", n, err)
		}
	}
}
