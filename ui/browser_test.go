package ui

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"relview/sample"
)

// newTestBrowser shows the fake catalog in a headless window.
func newTestBrowser(t *testing.T, k int) (*Browser, fyne.Window, *fakeSource, *[]string) {
	t.Helper()
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, widget.NewLabel(""))
	var opened []string
	var debug bytes.Buffer
	b := newLoopBrowser(t, a, w, Config{K: k, ThumbWorkers: 1, Debug: &debug, Open: func(p string) error {
		opened = append(opened, p)
		return nil
	}})
	w.SetContent(b.Content())
	w.Resize(fyne.NewSize(1100, 760))
	b.InstallKeys(w.Canvas())
	src := newFakeSource()
	b.SetSource(src, fakeSpaces)
	settle(b)
	return b, w, src, &opened
}

// walk calls fn for every object under o with its parent, through the
// renderers the canvas uses (test.LaidOutObjects would make new ones).
func walk(o, parent fyne.CanvasObject, fn func(o, parent fyne.CanvasObject)) {
	fn(o, parent)
	var kids []fyne.CanvasObject
	switch x := o.(type) {
	case *fyne.Container:
		kids = x.Objects
	case fyne.Widget:
		kids = test.WidgetRenderer(x).Objects()
	}
	for _, k := range kids {
		walk(k, o, fn)
	}
}

// tapGalleryCell taps the gallery item that shows image id, as a click on
// it would: the item selects itself and the gallery reports the selection.
func tapGalleryCell(t *testing.T, w fyne.Window, id int64) {
	t.Helper()
	var item fyne.Tappable
	walk(w.Content(), nil, func(o, parent fyne.CanvasObject) {
		if c, ok := o.(*galleryCell); ok && c.thumb.id == id && c.Visible() {
			item, _ = parent.(fyne.Tappable)
		}
	})
	if item == nil {
		t.Fatalf("no gallery item shows image %d", id)
	}
	test.Tap(item)
}

func tileNames(c *column) []string {
	var out []string
	for _, t := range c.tiles[:c.shown] {
		out = append(out, t.name.Text)
	}
	return out
}

func TestTapGalleryCellFillsBothColumns(t *testing.T) {
	b, w, src, _ := newTestBrowser(t, 3)
	if len(b.gallery.shown) != 9 || b.gallery.countLabel.Text != "9 photos" {
		t.Fatalf("gallery shows %d (%q)", len(b.gallery.shown), b.gallery.countLabel.Text)
	}
	query := src.id("stripes-red.png")
	tapGalleryCell(t, w, query)
	settle(b)

	if b.query != query {
		t.Fatalf("query = %d, want %d (stripes-red)", b.query, query)
	}
	if got, want := strings.Join(tileNames(b.nb.rel), ","), "stripes-green.png,stripes-blue.png,checks-red.png"; got != want {
		t.Errorf("relational column = %s, want %s", got, want)
	}
	if got, want := strings.Join(tileNames(b.nb.vis), ","), "checks-red.png,ring-red.png,stripes-green.png"; got != want {
		t.Errorf("visual column = %s, want %s", got, want)
	}
	// Rank, and the strength on the library's scale: same layout is the
	// top 25 % of the fake library's pairs.
	if tl := b.nb.rel.tiles[0]; tl.rank.Text != "#1" || tl.score.Text != "weak · top 17%" || tl.fill <= 0 {
		t.Errorf("rank %q score label %q bar %v", tl.rank.Text, tl.score.Text, tl.fill)
	}
	// Captions in words; the ids in the details.
	if b.nb.rel.caption.Text != "built-in approximation of relsim" || !strings.Contains(b.nb.vis.caption.Text, "colours") {
		t.Errorf("captions %q / %q", b.nb.rel.caption.Text, b.nb.vis.caption.Text)
	}
	if !strings.Contains(b.nb.rel.details, "fake-structural") || !strings.Contains(b.nb.vis.details, "Encoder: fake-colour") {
		t.Errorf("details %q / %q", b.nb.rel.details, b.nb.vis.details)
	}
	if b.nb.title.Text != "stripes-red.png" || !strings.Contains(b.nb.details.Text, "64×48 px") {
		t.Errorf("title %q details %q", b.nb.title.Text, b.nb.details.Text)
	}
	if b.nb.preview.Image == nil || b.nb.preview.Image.Bounds().Dx() != 240 {
		t.Error("the large preview did not load")
	}
	if b.nb.rel.tiles[0].thumb.img.Image == nil {
		t.Error("neighbour thumbnail not loaded")
	}
	if dbg := b.cfg.Debug.(*bytes.Buffer).String(); !strings.Contains(dbg, "relview: neighbours relational=3 visual=3 query=stripes-red.png") {
		t.Errorf("debug lines:\n%s", dbg)
	}
}

func TestNeighbourClickNavigatesAndBackReturns(t *testing.T) {
	b, _, src, _ := newTestBrowser(t, 3)
	red, green := src.id("stripes-red.png"), src.id("stripes-green.png")
	b.Show(red)
	settle(b)
	if !b.nb.back.Disabled() || !b.nb.fwd.Disabled() {
		t.Fatal("back or forward enabled with one photo in the history")
	}
	test.Tap(b.nb.rel.tiles[0]) // stripes-green
	settle(b)
	if b.query != green {
		t.Fatalf("after tapping a neighbour query = %d, want %d", b.query, green)
	}
	if b.nb.back.Disabled() {
		t.Fatal("back is disabled after navigating")
	}
	// The gallery follows the query.
	if i := b.gallery.indexOf(green); i < 0 {
		t.Fatal("green not in gallery")
	}
	if got := strings.Join(tileNames(b.nb.rel), ","); !strings.HasPrefix(got, "stripes-red.png,stripes-blue.png") {
		t.Errorf("relational column of stripes-green = %s", got)
	}
	test.Tap(b.nb.back)
	settle(b)
	if b.query != red {
		t.Fatalf("after back query = %d, want %d", b.query, red)
	}
	if got := tileNames(b.nb.rel)[0]; got != "stripes-green.png" {
		t.Errorf("columns not restored: %s", got)
	}
	if b.nb.fwd.Disabled() {
		t.Fatal("forward disabled after back")
	}
	test.Tap(b.nb.fwd)
	settle(b)
	if b.query != green {
		t.Fatalf("after forward query = %d, want %d", b.query, green)
	}
}

func TestKeyboardNavigation(t *testing.T) {
	b, w, src, opened := newTestBrowser(t, 3)
	c := w.Canvas()
	key := func(k fyne.KeyName) {
		c.OnTypedKey()(&fyne.KeyEvent{Name: k})
		settle(b)
	}
	key(fyne.KeyRight) // nothing selected: the first photo
	if b.query != b.gallery.shown[0].ID {
		t.Fatalf("right with no selection: query %d, want %d", b.query, b.gallery.shown[0].ID)
	}
	key(fyne.KeyRight)
	if b.query != b.gallery.shown[1].ID {
		t.Fatalf("right: query %d, want %d", b.query, b.gallery.shown[1].ID)
	}
	cols := b.gallery.grid.ColumnCount()
	key(fyne.KeyDown)
	if want := b.gallery.shown[min(1+cols, len(b.gallery.shown)-1)].ID; b.query != want {
		t.Fatalf("down (%d columns): query %d, want %d", cols, b.query, want)
	}
	key(fyne.KeyBackspace)
	if b.query != b.gallery.shown[1].ID {
		t.Fatalf("backspace: query %d, want %d", b.query, b.gallery.shown[1].ID)
	}
	key(fyne.KeyReturn)
	if len(*opened) != 1 || !strings.HasSuffix((*opened)[0], b.gallery.shown[1].Path) {
		t.Fatalf("enter opened %v", *opened)
	}
	test.Tap(b.nb.actions[1]) // show in folder
	if len(*opened) != 2 || (*opened)[1] != "/fake" {
		t.Fatalf("show in folder opened %v", *opened)
	}
	test.Tap(b.nb.actions[2]) // copy path
	if got := fyne.CurrentApp().Clipboard().Content(); got != "/fake/"+b.gallery.shown[1].Path {
		t.Fatalf("clipboard = %q", got)
	}
	key(fyne.KeyEscape)
	if b.query != 0 || b.nb.rel.shown != 0 || b.nb.vis.shown != 0 {
		t.Fatalf("escape left query %d with %d/%d neighbours", b.query, b.nb.rel.shown, b.nb.vis.shown)
	}
	_ = src
}

func TestAnalogiesToggle(t *testing.T) {
	b, _, src, _ := newTestBrowser(t, 3)
	b.Show(src.id("stripes-red.png"))
	settle(b)
	test.Tap(b.nb.analogies)
	settle(b)
	// The 3 most relationally similar that are not variants (checks-red
	// looks too alike: visual 0.82), least alike first.
	if got, want := strings.Join(tileNames(b.nb.rel), ","), "checks-green.png,stripes-blue.png,stripes-green.png"; got != want {
		t.Errorf("analogies column = %s, want %s", got, want)
	}
	if got := b.nb.rel.tiles[0].score.Text; !strings.HasPrefix(got, "rel top ") || !strings.HasSuffix(got, "· vis 0.11") {
		t.Errorf("score label %q", got)
	}
	// The UI says what the column holds.
	if !b.nb.analogyOn.Visible() || !strings.Contains(b.nb.analogyOn.Text, "5 % of photos most relationally similar") {
		t.Errorf("analogies note %q (visible %v)", b.nb.analogyOn.Text, b.nb.analogyOn.Visible())
	}
	// The visual column is unchanged.
	if got := tileNames(b.nb.vis)[0]; got != "checks-red.png" {
		t.Errorf("visual column changed: %s", got)
	}
	test.Tap(b.nb.analogies)
	settle(b)
	if got := tileNames(b.nb.rel)[2]; got != "checks-red.png" || b.nb.analogyOn.Visible() {
		t.Errorf("toggle off: %s", got)
	}
}

func TestFilterAndSort(t *testing.T) {
	b, _, _, _ := newTestBrowser(t, 3)
	test.Type(b.gallery.filterBox, "ring")
	settle(b)
	if len(b.gallery.shown) != 3 || b.gallery.countLabel.Text != "3 of 9 photos match “ring”" {
		t.Fatalf("filter: %d shown, %q", len(b.gallery.shown), b.gallery.countLabel.Text)
	}
	b.gallery.sortSelect.SetSelected(sortNewest)
	settle(b)
	if b.gallery.shown[0].Path != "ring-blue.png" { // id 9: the newest
		t.Fatalf("newest first: %s", b.gallery.shown[0].Path)
	}
	b.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	settle(b)
	if len(b.gallery.shown) != 9 {
		t.Fatalf("escape did not clear the filter: %d", len(b.gallery.shown))
	}
}

// TestNeighboursGolden renders the main window with the neighbours of one
// photo from the fixed catalog and compares it with testdata/neighbours.png.
func TestNeighboursGolden(t *testing.T) {
	b, w, src, _ := newTestBrowser(t, 4)
	b.Show(src.id("ring-green.png"))
	settle(b)
	test.AssertRendersToImage(t, "neighbours.png", w.Canvas())
}

// Escape with the focus in the filter box clears the filter; a second
// Escape leaves the box, so the arrow keys move through the gallery again.
func TestEscapeInFilterClearsIt(t *testing.T) {
	b, w, _, _ := newTestBrowser(t, 3)
	w.Canvas().Focus(b.gallery.filterBox)
	test.Type(b.gallery.filterBox, "ring")
	if len(b.gallery.shown) != 3 {
		t.Fatalf("filter: %d shown", len(b.gallery.shown))
	}
	focused := w.Canvas().Focused()
	if focused == nil {
		t.Fatal("nothing has the focus")
	}
	focused.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if b.gallery.filterBox.Text != "" || len(b.gallery.shown) != 9 {
		t.Fatalf("escape in the box: text %q, %d shown", b.gallery.filterBox.Text, len(b.gallery.shown))
	}
	if w.Canvas().Focused() != focused {
		t.Fatal("the first escape left the box")
	}
	focused.TypedKey(&fyne.KeyEvent{Name: fyne.KeyEscape})
	if w.Canvas().Focused() != nil {
		t.Error("the second escape kept the focus in the box")
	}
}

// The menus show the keyboard shortcuts, and Help explains relational
// similarity with the sample library's before/after example.
func TestMenusShortcutsAndHelp(t *testing.T) {
	b, w, _, _ := newTestBrowser(t, 3)
	data := t.TempDir()
	s := newLoopSession(t, b, nil, data, t.TempDir())
	menu := mainMenu(b.app, w, b, s)
	var withShortcut []string
	var help *fyne.MenuItem
	for _, m := range menu.Items {
		for _, it := range m.Items {
			if it.Shortcut != nil {
				withShortcut = append(withShortcut, it.Label)
			}
			if m.Label == "Help" && strings.Contains(it.Label, "relational similarity") {
				help = it
			}
		}
	}
	for _, want := range []string{"Open folder…", "Back", "Forward", "Filter by name", "Neighbours / similarity map"} {
		if !strings.Contains(strings.Join(withShortcut, "|"), want) {
			t.Errorf("%q shows no shortcut (items with one: %v)", want, withShortcut)
		}
	}
	if help == nil {
		t.Fatal("no Help → What is relational similarity?")
	}
	// Without the sample library written: the text alone.
	d := b.showRelationalHelp(data, nil)
	d.Hide()
	// With it: the three pictures.
	if _, err := sample.Ensure(data); err != nil {
		t.Fatal(err)
	}
	for _, ex := range helpExample {
		if loadHelpPicture(filepath.Join(sample.Dir(data), filepath.FromSlash(ex.file))) == nil {
			t.Errorf("the sample library has no %s", ex.file)
		}
	}
	opened := false
	d = b.showRelationalHelp(data, func() { opened = true })
	var texts []string
	var tapped bool
	walk(w.Canvas().Overlays().Top(), nil, func(o, _ fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Label:
			texts = append(texts, x.Text)
		case *widget.Button:
			if x.Text == "Open the sample library" && !tapped {
				tapped = true
				test.Tap(x)
			}
		}
	})
	all := strings.Join(texts, "\n")
	if !strings.Contains(all, "relationally similar when their parts relate") || !strings.Contains(all, "Relationally similar: the same before / after") {
		t.Errorf("help says %q", all)
	}
	if !opened {
		t.Error("the help's button did not open the sample library")
	}
	_ = d
}

// The gallery zooms: larger thumbnails, fewer columns; the size is
// remembered.
func TestGalleryZoomRemembered(t *testing.T) {
	b, _, src, _ := newTestBrowser(t, 3)
	before := b.gallery.columns()
	b.gallery.zoom.SetValue(260)
	b.gallery.zoom.OnChangeEnded(260)
	if after := b.gallery.columns(); after >= before {
		t.Errorf("zoomed in: %d columns (were %d)", after, before)
	}
	if got := galleryWidthPref(b.app.Preferences()); got != 260 {
		t.Errorf("remembered %v", got)
	}
	// The cells are the new size and still show the photos.
	b.gallery.grid.ScrollTo(b.gallery.indexOf(src.id("ring-red.png")))
	tapGalleryCell(t, b.win, src.id("ring-red.png"))
	settle(b)
	if b.query != src.id("ring-red.png") {
		t.Errorf("query %d after zooming", b.query)
	}
	b2 := newLoopBrowser(t, b.app, b.win, Config{})
	if b2.gallery.cellSize.Width != 260 {
		t.Errorf("a new window's gallery starts at %v", b2.gallery.cellSize)
	}
}

// The gallery shows the library's folders: picking one shows its photos
// (with its subfolders'); the count says so.
func TestGalleryFolders(t *testing.T) {
	b, _, _, _ := newTestBrowser(t, 3)
	if b.gallery.folderSel.Visible() {
		t.Fatal("a folder menu for a library without folders")
	}
	src := newFakeSource()
	for i := range src.images {
		switch {
		case i < 3:
			src.images[i].Path = "2024/spring/" + src.images[i].Path
		case i < 5:
			src.images[i].Path = "2024/" + src.images[i].Path
		case i < 7:
			src.images[i].Path = "scans/" + src.images[i].Path
		}
	}
	b.SetSource(src, fakeSpaces)
	settle(b)
	if !b.gallery.folderSel.Visible() || strings.Join(b.gallery.folderSel.Options, ",") != "All folders,2024/,2024/spring/,scans/" {
		t.Fatalf("folders %v", b.gallery.folderSel.Options)
	}
	b.gallery.folderSel.SetSelected("2024/")
	if len(b.gallery.shown) != 5 || b.gallery.countLabel.Text != "5 of 9 photos match “2024/”" {
		t.Errorf("2024/: %d shown, %q", len(b.gallery.shown), b.gallery.countLabel.Text)
	}
	b.gallery.folderSel.SetSelected("2024/spring/")
	test.Type(b.gallery.filterBox, "red")
	if len(b.gallery.shown) != 1 || !strings.HasPrefix(b.gallery.shown[0].Path, "2024/spring/") {
		t.Errorf("2024/spring/ + red: %v", b.gallery.shown)
	}
	b.gallery.folderSel.SetSelected(allFolders)
	if len(b.gallery.shown) != 3 {
		t.Errorf("all folders + red: %d", len(b.gallery.shown))
	}
}
