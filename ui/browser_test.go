package ui

import (
	"bytes"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
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
	if got := b.nb.rel.tiles[0].score.Text; got != "#1  0.890" {
		t.Errorf("score label = %q", got)
	}
	if !strings.Contains(b.nb.rel.caption.Text, "approximation of relsim") || !strings.Contains(b.nb.vis.caption.Text, "fake-colour") {
		t.Errorf("captions %q / %q", b.nb.rel.caption.Text, b.nb.vis.caption.Text)
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
	// relational − 0.6·visual: the same layout in another colour first,
	// then the checks that are not red (checks-red looks too alike).
	if got, want := strings.Join(tileNames(b.nb.rel), ","), "stripes-green.png,stripes-blue.png,checks-green.png"; got != want {
		t.Errorf("analogies column = %s, want %s", got, want)
	}
	if !strings.Contains(b.nb.rel.tiles[0].score.Text, "rel 0.890 · vis 0.140") {
		t.Errorf("score label %q", b.nb.rel.tiles[0].score.Text)
	}
	// The visual column is unchanged.
	if got := tileNames(b.nb.vis)[0]; got != "checks-red.png" {
		t.Errorf("visual column changed: %s", got)
	}
	test.Tap(b.nb.analogies)
	settle(b)
	if got := tileNames(b.nb.rel)[2]; got != "checks-red.png" {
		t.Errorf("toggle off: %s", got)
	}
}

func TestFilterAndSort(t *testing.T) {
	b, _, _, _ := newTestBrowser(t, 3)
	test.Type(b.gallery.filterBox, "ring")
	settle(b)
	if len(b.gallery.shown) != 3 || b.gallery.countLabel.Text != "3 of 9" {
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
