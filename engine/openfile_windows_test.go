//go:build windows

package engine

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// On Windows OpenRegular's O_NONBLOCK means nothing (there are no FIFOs in
// the file system); the checks after the open still refuse the NUL device and
// folders, and a regular file opens and reads.
func TestSpecialFilesAreRefusedOnWindows(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ path, want string }{{os.DevNull, "device"}, {dir, "is a directory"}} {
		if _, err := DecodeFile(c.path); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("DecodeFile(%s): %v, want %q", c.path, err, c.want)
		}
		if _, err := LoadManifest(c.path); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("LoadManifest(%s): %v, want %q", c.path, err, c.want)
		}
	}
	ok := filepath.Join(dir, "ok.bin")
	if err := os.WriteFile(ok, []byte("12345"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := ReadRegular(ok, 5); err != nil || string(b) != "12345" {
		t.Errorf("ReadRegular of a regular file: %q, %v", b, err)
	}
}
