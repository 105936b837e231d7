package ui

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	_ "modernc.org/sqlite"

	"relview/cli"
	"relview/engine"
	"relview/library"
)

// A library opened without its encoders (they failed to load) cannot be
// re-indexed, so a damaged vector its search meets stays damaged: the status
// line says so, once, and what to run.
func TestDamagedVectorNoteInStatus(t *testing.T) {
	if _, err := engine.FindRuntime(""); err != nil {
		t.Skipf("ONNX Runtime not installed (scripts/get-onnxruntime.sh): %v", err)
	}
	dir, cache := samplePhotoFolder(t, "chelsea.png", "coffee.png", "rocket.jpg", "horses.jpg", "dog.jpg"), t.TempDir()
	eng, err := cli.OpenEngine("", 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	lib, err := library.Open(dir, library.Options{Engine: eng, CacheRoot: cache})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lib.Index(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	st, err := lib.Status()
	if err != nil {
		t.Fatal(err)
	}
	lib.Close()
	eng.Close()
	// One relational vector goes bad behind relview's back, and the search
	// snapshots are gone, so the search reads the catalog.
	db, err := sql.Open("sqlite", st.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE vectors SET data = zeroblob(length(data)) WHERE space = 'relational' AND image_id = (SELECT min(image_id) FROM vectors)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	snaps, _ := filepath.Glob(filepath.Join(filepath.Dir(st.Catalog), "index-*.bin"))
	for _, p := range snaps {
		os.Remove(p)
	}

	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, widget.NewLabel(""))
	b := newLoopBrowser(t, a, w, Config{K: 3, ThumbWorkers: 1})
	w.SetContent(b.Content())
	w.Resize(fyne.NewSize(1100, 760))
	s := newLoopSession(t, b, func(int, []string) (*engine.Engine, error) {
		return nil, errors.New("encoders unavailable in this test")
	}, t.TempDir(), cache)
	s.Open(dir)
	waitUntil(t, b, "the gallery", func() bool { return len(b.gallery.shown) == 5 })
	settle(b)
	b.Show(b.gallery.shown[len(b.gallery.shown)-1].ID)
	settle(b)
	if got := b.status.label.Text; !strings.Contains(got, "damaged vectors") || !strings.Contains(got, "relational") {
		t.Fatalf("status %q, want the damaged-vector note", got)
	}
	// Told once: the next query leaves a later message alone.
	b.status.message("something else")
	b.Show(b.gallery.shown[0].ID)
	settle(b)
	if got := b.status.label.Text; got != "something else" {
		t.Errorf("the note came again: %q", got)
	}
}
