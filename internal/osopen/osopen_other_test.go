//go:build unix && !darwin

package osopen

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Open hands the path, spaces and all, to the xdg-open found on PATH as one
// argument, and says which command failed when there is none.
func TestOpenRunsXdgOpen(t *testing.T) {
	bin := t.TempDir()
	got := filepath.Join(bin, "args")
	script := "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > " + got + ".tmp && mv " + got + ".tmp " + got + "\n"
	if err := os.WriteFile(filepath.Join(bin, "xdg-open"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+"/usr/bin:/bin")
	photo := "/photos/a folder/b c.jpg"
	if err := Open(photo); err != nil {
		t.Fatalf("Open: %v", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := os.ReadFile(got)
		if err == nil {
			if s := string(b); s != photo+"\n" {
				t.Fatalf("xdg-open got %q, want the one argument %q", s, photo)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("xdg-open was not run")
		}
		time.Sleep(20 * time.Millisecond)
	}

	t.Setenv("PATH", t.TempDir())
	err := Open(photo)
	if err == nil || !strings.Contains(err.Error(), photo) || !strings.Contains(err.Error(), "xdg-open") {
		t.Fatalf("Open without xdg-open: %v; want an error naming the path and xdg-open", err)
	}
}
