package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"relview/cli"
	"relview/engine"
	"relview/library"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// TestRealLibrary indexes a few real photos with the real engine through
// the session, as the app does, then taps a gallery cell: both columns fill
// from the catalog and name the real encoders.
func TestRealLibrary(t *testing.T) {
	if _, err := engine.FindRuntime(""); err != nil {
		t.Skipf("ONNX Runtime not installed (scripts/get-onnxruntime.sh): %v", err)
	}
	photos := []string{"chelsea.png", "coffee.png", "rocket.jpg", "horses.jpg", "motorcycle_left.png", "motorcycle_right.png", "dog.jpg"}
	dir := samplePhotoFolder(t, photos...)
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
	// Its stereo twin (visual cosine ≈ 0.96) is a variant: stacked away
	// behind the query's "1 variant" button, in neither column.
	if len(b.variants) != 1 || b.variants[0].Path != "motorcycle_right.png" || b.nb.variants.Hidden || b.nb.variants.Text != "1 variant" {
		t.Errorf("the query's variants = %+v (button %q)", b.variants, b.nb.variants.Text)
	}
	for _, c := range []*column{b.nb.rel, b.nb.vis} {
		for _, n := range tileNames(c) {
			if n == "motorcycle_right.png" {
				t.Errorf("the query's variant fills a column: %v", tileNames(c))
			}
		}
		// The strength scale was made from the library's pairs.
		if tl := c.tiles[0]; tl.hit.Strength < 0 || !strings.Contains(tl.score.Text, "top ") {
			t.Errorf("no strength on %s: %q (%v)", tl.name.Text, tl.score.Text, tl.hit.Strength)
		}
	}
	// The query's details line says which relations the relational column
	// looks for in it, as the library's own vectors name them.
	lib, named := s.library(), 0
	for _, im := range b.gallery.shown {
		b.Show(im.ID)
		settle(b)
		qv, err := lib.Vector(im.ID, engine.Relational)
		if err != nil {
			t.Fatal(err)
		}
		want := "relations: none stands out"
		if rs := engine.RelationsOf(engine.RelationalEncoderName, qv, lib.ObjectsOf([]int64{im.ID})[im.ID]); len(rs) > 0 {
			var labels []string
			for _, r := range rs {
				labels = append(labels, engine.RelationLabel(r.Relation))
			}
			want = "relations: " + strings.Join(labels, ", ")
			named++
		}
		if !strings.HasSuffix(b.nb.details.Text, " · "+want) {
			t.Errorf("%s: details %q, want them to end with %q", im.Path, b.nb.details.Text, want)
		}
		t.Logf("%s: %s", im.Path, b.nb.details.Text)
	}
	if named == 0 {
		t.Error("no photo shows a named relation: the details line's names went untested")
	}
	eng, _ := s.engine()
	rel, _ := eng.Space(engine.Relational)
	vis, _ := eng.Space(engine.Visual)
	if !strings.Contains(b.nb.rel.details, rel.Model) || !strings.Contains(b.nb.vis.details, vis.Model) {
		t.Errorf("details %q / %q, want %q / %q", b.nb.rel.details, b.nb.vis.details, rel.Model, vis.Model)
	}
	if strings.Contains(b.nb.rel.caption.Text+b.nb.vis.caption.Text, "mobilenet") {
		t.Errorf("captions name model ids: %q / %q", b.nb.rel.caption.Text, b.nb.vis.caption.Text)
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

// After indexing the library watches its folder: a photo copied in appears
// in the gallery without File → Refresh.
func TestNewFileAppearsWithoutRefresh(t *testing.T) {
	if _, err := engine.FindRuntime(""); err != nil {
		t.Skipf("ONNX Runtime not installed (scripts/get-onnxruntime.sh): %v", err)
	}
	dir := t.TempDir()
	copyPhoto := func(name string) {
		t.Helper()
		data, err := os.ReadFile(filepath.Join("..", "assets", "photos", name))
		if err != nil {
			t.Fatal(err)
		}
		tmp := filepath.Join(dir, "."+name+".part") // hidden while written
		if err := os.WriteFile(tmp, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	copyPhoto("chelsea.png")
	copyPhoto("coffee.png")
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, widget.NewLabel(""))
	b := newLoopBrowser(t, a, w, Config{K: 2, ThumbWorkers: 1})
	w.SetContent(b.Content())
	w.Resize(fyne.NewSize(1100, 760))
	s := newLoopSession(t, b, func(int, []string) (*engine.Engine, error) { return cli.OpenEngine("", 1, nil) }, t.TempDir(), t.TempDir())
	s.Open(dir)
	waitUntil(t, b, "watching after indexing", func() bool { return b.index != nil && b.index.watching })
	settle(b)
	if len(b.gallery.shown) != 2 {
		t.Fatalf("gallery shows %d", len(b.gallery.shown))
	}
	if !b.status.pause.Disabled() {
		t.Error("Pause is enabled while only watching")
	}
	copyPhoto("rocket.jpg")
	waitUntil(t, b, "the new photo in the gallery", func() bool { return len(b.gallery.shown) == 3 })
	found := false
	for _, im := range b.gallery.shown {
		found = found || im.Path == "rocket.jpg"
	}
	if !found {
		t.Errorf("gallery %v", b.gallery.shown)
	}
	// Closing the library stops the watching.
	stopped := b.CancelIndexing()
	waitUntil(t, b, "the watch to stop", func() bool {
		select {
		case <-stopped:
			return true
		default:
			return false
		}
	})
}

// The skipped list holds the files that failed and what the scan would not
// read (a dangling link, a special file), each with its whole reason; the
// gallery and the status bar count the same photos.
func TestSkippedListAndCounts(t *testing.T) {
	if _, err := engine.FindRuntime(""); err != nil {
		t.Skipf("ONNX Runtime not installed (scripts/get-onnxruntime.sh): %v", err)
	}
	dir := samplePhotoFolder(t, "chelsea.png", "coffee.png")
	os.WriteFile(filepath.Join(dir, "notes.jpg"), []byte("not a picture"), 0o644)
	if err := os.Symlink(filepath.Join(dir, "nowhere.jpg"), filepath.Join(dir, "gone.jpg")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(dir, filepath.Join(dir, "loop")); err != nil {
		t.Fatal(err)
	}
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, widget.NewLabel(""))
	b := newLoopBrowser(t, a, w, Config{K: 2, ThumbWorkers: 1})
	w.SetContent(b.Content())
	w.Resize(fyne.NewSize(1100, 760))
	s := newLoopSession(t, b, func(int, []string) (*engine.Engine, error) { return cli.OpenEngine("", 1, nil) }, t.TempDir(), t.TempDir())
	runs := 0
	s.OnIndexed = func(library.Summary, error) { runs++ }
	s.Open(dir)
	waitUntil(t, b, "indexing", func() bool { return runs == 1 })
	settle(b)

	reasons := map[string]string{}
	for _, p := range b.status.problems {
		reasons[p.Path] = p.Reason
	}
	for _, want := range []string{"notes.jpg", "gone.jpg"} {
		if reasons[want] == "" {
			t.Errorf("the skipped list has no %s: %+v", want, b.status.problems)
		}
	}
	if !strings.Contains(reasons["gone.jpg"], "link") {
		t.Errorf("gone.jpg: %q", reasons["gone.jpg"])
	}
	if b.status.skipped.Text != fmt.Sprintf("Skipped (%d)", len(b.status.problems)) {
		t.Errorf("button %q for %d", b.status.skipped.Text, len(b.status.problems))
	}
	// The same count of photos in the gallery and the status bar.
	if b.gallery.countLabel.Text != "2 photos" || !strings.HasPrefix(b.status.label.Text, "Ready · 2 photos") || !strings.Contains(b.status.label.Text, "skipped (the Skipped button says why)") {
		t.Errorf("gallery %q, status %q", b.gallery.countLabel.Text, b.status.label.Text)
	}
	// The list shows whole reasons, wrapped.
	long := library.Problem{Path: "deep/folder/IMG_0001.jpg", Reason: strings.Repeat("a long reason that does not fit one line ", 6) + "END"}
	d := b.showProblems(append(b.status.problems, long))
	defer d.Hide()
	shown := false
	walk(w.Canvas().Overlays().Top(), nil, func(o, _ fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && l.Text == long.Reason && l.Wrapping == fyne.TextWrapWord {
			shown = true
		}
	})
	if !shown {
		t.Error("the long reason is not shown whole")
	}
}

// Browse by relation groups real photos by the relations the built-in
// encoder names, strongest first; a click makes a photo the query.
func TestBrowseByRelation(t *testing.T) {
	if _, err := engine.FindRuntime(""); err != nil {
		t.Skipf("ONNX Runtime not installed (scripts/get-onnxruntime.sh): %v", err)
	}
	dir := t.TempDir()
	names, _ := filepath.Glob(filepath.Join("..", "assets", "photos", "*.[jp][pn]g"))
	for _, p := range names {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, filepath.Base(p)), data, 0o644)
	}
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, widget.NewLabel(""))
	b := newLoopBrowser(t, a, w, Config{K: 4, ThumbWorkers: 1})
	w.SetContent(b.Content())
	w.Resize(fyne.NewSize(1400, 900))
	s := newLoopSession(t, b, func(int, []string) (*engine.Engine, error) { return cli.OpenEngine("", 1, nil) }, t.TempDir(), t.TempDir())
	runs := 0
	s.OnIndexed = func(library.Summary, error) { runs++ }
	s.Open(dir)
	waitUntil(t, b, "indexing", func() bool { return runs == 1 })
	settle(b)

	test.Tap(b.nb.views[2])
	settle(b)
	if len(b.relv.groups) == 0 || len(b.relv.tiles) == 0 {
		t.Fatalf("no relation groups (%q)", b.relv.note.Text)
	}
	lib := s.library()
	model := b.spaces[engine.Relational].Model
	tile := 0
	for _, g := range b.relv.groups {
		if len(g.ids) == 0 || len(g.ids) > perRelation || g.total < len(g.ids) {
			t.Errorf("%s: %d shown of %d", g.name, len(g.ids), g.total)
		}
		var last float32 = 2
		for i, id := range g.ids {
			v, err := lib.Vector(id, engine.Relational)
			if err != nil {
				t.Fatal(err)
			}
			var strength float32 = -1
			for _, r := range engine.RelationsOf(model, v, lib.ObjectsOf([]int64{id})[id]) {
				if r.Relation == g.name {
					strength = r.Strength
				}
			}
			if strength < 0 || strength > last {
				t.Errorf("%s: photo %d has strength %v after %v", g.name, id, strength, last)
			}
			last = strength
			// Its tile's bar and words say how strongly it shows it.
			tl := b.relv.tiles[tile]
			tile++
			if g.strengths[i] != strength || tl.hit.Image.ID != id || tl.fill != strength || tl.score.Text != relationWord(strength) {
				t.Errorf("%s: photo %d of strength %v: tile of %d, bar %v, words %q", g.name, id, strength, tl.hit.Image.ID, tl.fill, tl.score.Text)
			}
		}
	}
	first := b.relv.tiles[0]
	test.Tap(first)
	settle(b)
	if b.query != first.hit.Image.ID || !b.nb.panes[0].Visible() || b.nb.rel.shown == 0 {
		t.Errorf("a click on %s: query %d, neighbours shown %v", first.hit.Image.Path, b.query, b.nb.panes[0].Visible())
	}
	// A moodboard of real photos (RELVIEW_MOODBOARD_DIR keeps it: the
	// docs' example is made so).
	items, picked := b.moodboardItems()
	var chosen []moodItem
	for i, it := range items {
		if picked[i] {
			chosen = append(chosen, it)
		}
	}
	out := os.Getenv("RELVIEW_MOODBOARD_DIR")
	if out == "" {
		out = t.TempDir()
	}
	var saved string
	var err error
	b.exportMoodboard(chosen, out, func(p string, e error) { saved, err = p, e })
	settle(b)
	if err != nil || saved == "" {
		t.Errorf("moodboard: %q, %v", saved, err)
	}
}
