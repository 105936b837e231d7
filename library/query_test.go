package library

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"relview/engine"
)

// TestQueryChangedOrRemovedPhoto: a catalogued photo changed since indexing
// is encoded afresh from its place in the library (not from the working
// directory), one removed since indexing gets an error that says so.
func TestQueryChangedOrRemovedPhoto(t *testing.T) {
	folder, cache, lib := indexedSample(t)
	must(t, lib.Close())

	// Find a catalogued photo in sub/ (relative paths do not exist from the
	// test's working directory).
	var rel string
	for _, name := range samples(t) {
		if _, err := os.Stat(filepath.Join(folder, "sub", name)); err == nil && strings.HasSuffix(name, ".jpg") {
			rel = "sub/" + name
			break
		}
	}
	if rel == "" {
		t.Fatal("no JPEG in sub/")
	}
	abs := filepath.Join(folder, filepath.FromSlash(rel))

	// Touched: same content, new mtime; then new content (another photo).
	future := time.Now().Add(time.Hour)
	must(t, os.Chtimes(abs, future, future))
	ro := openLib(t, folder, cache, Options{ReadOnly: true})
	if needs, err := ro.NeedsEngine(rel); err != nil || !needs {
		t.Fatalf("NeedsEngine(%s) after a touch = %v, %v; want true", rel, needs, err)
	}
	if _, err := ro.NeighboursOfFileIn(rel, []string{engine.Visual}, 3); err == nil || !strings.Contains(err.Error(), "engine") {
		t.Fatalf("without an engine: err %v, want one that asks for an engine", err)
	}
	withEng := openLib(t, folder, cache, Options{ReadOnly: true, Engine: testEngine(t)})
	touched, err := withEng.NeighboursOfFileIn(rel, []string{engine.Visual, engine.Relational}, 3)
	must(t, err)
	stored, err := withEng.Neighbours(rel, engine.Visual, 3)
	must(t, err)
	for _, sp := range []string{engine.Visual, engine.Relational} {
		for _, h := range touched[sp] {
			if h.Path == rel {
				t.Errorf("%s: the touched photo is its own neighbour", sp)
			}
		}
	}
	if len(touched[engine.Visual]) == 0 || touched[engine.Visual][0].ID != stored[0].ID {
		t.Errorf("touched photo, same content: first visual neighbour %v, stored %v", touched[engine.Visual], stored)
	}

	copyFile(t, filepath.Join(samplePhotos, "coins.png"), abs)
	changed, err := withEng.NeighboursOfFileIn(rel, []string{engine.Visual}, 1)
	must(t, err)
	coins, err := withEng.Lookup(firstPath(t, folder, "coins.png"))
	must(t, err)
	if len(changed[engine.Visual]) == 0 || changed[engine.Visual][0].ID != coins.ID || changed[engine.Visual][0].Score < 0.99 {
		t.Errorf("changed to a copy of coins.png: first neighbour %v, want coins.png (id %d) at ~1", changed[engine.Visual], coins.ID)
	}

	must(t, os.Remove(abs))
	if _, err := withEng.NeighboursOfFileIn(rel, []string{engine.Visual}, 3); err == nil || !strings.Contains(err.Error(), "removed since it was indexed") {
		t.Errorf("removed photo: err %v, want one saying it was removed", err)
	}
	if _, err := withEng.NeedsEngine(rel); err == nil {
		t.Errorf("NeedsEngine on a removed photo: no error")
	}
}

// firstPath returns name's relative path in a sampleFolder.
func firstPath(t *testing.T, folder, name string) string {
	t.Helper()
	if _, err := os.Stat(filepath.Join(folder, name)); err == nil {
		return name
	}
	return "sub/" + name
}
