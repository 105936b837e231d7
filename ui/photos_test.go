package ui

import (
	"os"
	"path/filepath"
	"testing"
)

// samplePhotoFolder is a temporary folder holding copies of the named
// sample photos (assets/photos).
func samplePhotoFolder(t *testing.T, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join("..", "assets", "photos", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
