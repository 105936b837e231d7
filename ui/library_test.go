package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"relview/cli"
	"relview/engine"
	"relview/library"
)

// TestRealLibrary indexes a few real photos with the real engine through
// the session, as the app does, then taps a gallery cell: both columns fill
// from the catalog and name the real encoders.
func TestRealLibrary(t *testing.T) {
	if _, err := engine.FindRuntime(""); err != nil {
		t.Skipf("ONNX Runtime not installed (scripts/get-onnxruntime.sh): %v", err)
	}
	photos := []string{"chelsea.png", "coffee.png", "rocket.jpg", "horses.jpg", "motorcycle_left.png", "motorcycle_right.png", "dog.jpg"}
	dir := t.TempDir()
	for _, p := range photos {
		b, err := os.ReadFile(filepath.Join("..", "assets", "photos", p))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(dir, "notes.jpg"), []byte("not a picture"), 0o644)

	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, widget.NewLabel(""))
	b := newLoopBrowser(t, a, w, Config{K: 4, ThumbWorkers: 1})
	w.SetContent(b.Content())
	w.Resize(fyne.NewSize(1100, 760))
	s := newLoopSession(t, b, func(int, []string) (*engine.Engine, error) { return cli.OpenEngine("", 1, nil) }, t.TempDir(), t.TempDir())
	type result struct {
		sum library.Summary
		err error
	}
	var runs []result // OnIndexed runs on the test's UI loop
	s.OnIndexed = func(sum library.Summary, err error) { runs = append(runs, result{sum, err}) }
	s.Open(dir)
	waitUntil(t, b, "indexing", func() bool { return len(runs) == 1 })
	r := runs[0]
	if r.err != nil {
		t.Fatal(r.err)
	}
	settle(b)
	if r.sum.Indexed != len(photos) || r.sum.Failed != 1 {
		t.Fatalf("indexed %d failed %d, want %d and 1", r.sum.Indexed, r.sum.Failed, len(photos))
	}
	if len(b.gallery.shown) != len(photos) {
		t.Fatalf("gallery shows %d photos, want %d", len(b.gallery.shown), len(photos))
	}
	if len(b.status.problems) != 1 || b.status.problems[0].Path != "notes.jpg" || b.status.skipped.Hidden {
		t.Fatalf("skipped list = %+v", b.status.problems)
	}
	if !strings.HasPrefix(b.status.label.Text, "Ready") {
		t.Errorf("status %q", b.status.label.Text)
	}
	if got := a.Preferences().String(prefLastFolder); got == "" || filepath.Base(got) != filepath.Base(dir) {
		t.Errorf("last folder preference = %q", got)
	}

	var query library.Image
	for _, im := range b.gallery.shown {
		if im.Path == "motorcycle_left.png" {
			query = im
		}
	}
	tapGalleryCell(t, w, query.ID)
	settle(b)
	if b.query != query.ID {
		t.Fatalf("query %d, want %d", b.query, query.ID)
	}
	if b.nb.rel.shown != 4 || b.nb.vis.shown != 4 {
		t.Fatalf("columns hold %d and %d neighbours, want 4 and 4 (notes: %q / %q)", b.nb.rel.shown, b.nb.vis.shown, b.nb.rel.note.Text, b.nb.vis.note.Text)
	}
	// Its stereo twin is the nearest visual neighbour.
	if got := b.nb.vis.tiles[0].name.Text; got != "motorcycle_right.png" {
		t.Errorf("first visual neighbour = %s, want motorcycle_right.png", got)
	}
	eng, _ := s.engine()
	rel, _ := eng.Space(engine.Relational)
	vis, _ := eng.Space(engine.Visual)
	if !strings.Contains(b.nb.rel.caption.Text, rel.Model) || !strings.Contains(b.nb.vis.caption.Text, vis.Model) {
		t.Errorf("captions %q / %q, want %q / %q", b.nb.rel.caption.Text, b.nb.vis.caption.Text, rel.Model, vis.Model)
	}
	if rel.Source != "" && strings.HasPrefix(rel.Source, "built-in") && !strings.Contains(b.nb.rel.caption.Text, "approximation") {
		t.Errorf("the built-in relational encoder is not labelled an approximation: %q", b.nb.rel.caption.Text)
	}

	// Clearing the cache closes the library, deletes its catalog and
	// indexes every photo again; the folder itself is untouched.
	cacheDir := s.library().CacheFolder()
	s.ClearCache()
	waitUntil(t, b, "re-indexing", func() bool { return len(runs) == 2 })
	r = runs[1]
	settle(b)
	if r.err != nil || r.sum.Indexed != len(photos) || r.sum.Unchanged != 0 {
		t.Fatalf("after clearing the cache: %+v, %v", r.sum, r.err)
	}
	if s.library().CacheFolder() != cacheDir || len(b.gallery.shown) != len(photos) {
		t.Fatalf("cache %s, gallery %d", s.library().CacheFolder(), len(b.gallery.shown))
	}
	if left, _ := os.ReadDir(dir); len(left) != len(photos)+1 {
		t.Fatalf("the photo folder changed: %d entries", len(left))
	}
}

func TestStartFolderPrefersLastLibrary(t *testing.T) {
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, widget.NewLabel(""))
	b := newLoopBrowser(t, a, w, Config{})
	s := newLoopSession(t, b, nil, t.TempDir(), t.TempDir())
	last := t.TempDir()
	a.Preferences().SetString(prefLastFolder, last)
	if got, err := s.StartFolder(""); err != nil || got != last {
		t.Fatalf("StartFolder = %q, %v; want the last library %q", got, err, last)
	}
	if got, _ := s.StartFolder("/given"); got != "/given" {
		t.Fatalf("StartFolder(/given) = %q", got)
	}
	s.remember("/a")
	s.remember("/b")
	s.remember("/a")
	if got := strings.Join(s.Recent(), ","); got != "/a,/b" {
		t.Fatalf("recent = %s", got)
	}
}
