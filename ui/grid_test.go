package ui

import (
	"errors"
	"sort"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"relview/engine"
	"relview/engine/vecstore"
)

// menuBar is the height a real window's main menu takes from the screen
// (measured under Xvfb: 1000 − 970): the headless window has none.
const menuBar = 30

// newGridBrowser shows n clustered photos (click_bench_test.go's source,
// which can give vectors) in a headless window of size.
func newGridBrowser(t *testing.T, n int, size fyne.Size) (*Browser, fyne.Window, *vecSource) {
	t.Helper()
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, widget.NewLabel(""))
	b := newLoopBrowser(t, a, w, Config{ThumbWorkers: 1})
	w.SetContent(b.Content())
	w.Resize(size)
	src := newVecSource(n)
	b.SetSource(src, fakeSpaces)
	settle(b)
	t.Cleanup(b.thumbs.close)
	return b, w, src
}

// At 1600×1000 each column shows at least 12 whole tiles at the default
// tile size; the tiles carry rank and strength.
func TestNeighbourGridsTwelveTilesAt1600x1000(t *testing.T) {
	b, _, _ := newGridBrowser(t, 600, fyne.NewSize(1600, 1000-menuBar))
	if b.cfg.K < 12 {
		t.Fatalf("default k = %d", b.cfg.K)
	}
	b.Show(7)
	settle(b)
	for _, c := range []*column{b.nb.rel, b.nb.vis} {
		if c.shown < 12 || c.visible() < 12 {
			t.Errorf("%s: %d tiles, %d wholly visible (area %v, cell %v)", c.title.Text, c.shown, c.visible(), c.scroll.Size(), c.geo.size())
		}
		for i, tl := range c.tiles[:c.shown] {
			if tl.hit.Strength < 0 || tl.fill <= 0 || tl.rank.Text == "" {
				t.Errorf("%s #%d: no strength (%v) or rank %q", c.title.Text, i+1, tl.hit.Strength, tl.rank.Text)
			}
		}
	}
}

// The size slider resizes the tiles and is remembered in the preferences.
func TestTileSizeSliderRemembered(t *testing.T) {
	b, _, _ := newGridBrowser(t, 200, fyne.NewSize(1600, 970))
	b.Show(3)
	settle(b)
	before := b.nb.rel.visible()
	b.nb.size.SetValue(200)
	b.nb.size.OnChangeEnded(200)
	if b.nb.rel.geo.w != 200 || b.nb.vis.tiles[0].geo.w != 200 {
		t.Fatalf("tile width %v / %v", b.nb.rel.geo.w, b.nb.vis.tiles[0].geo.w)
	}
	if after := b.nb.rel.visible(); after >= before {
		t.Errorf("larger tiles, yet %d visible (were %d)", after, before)
	}
	if got := tileWidthPref(b.app.Preferences()); got != 200 {
		t.Errorf("remembered width %v", got)
	}
	// A new browser on the same preferences starts at that size.
	b2 := newLoopBrowser(t, b.app, b.win, Config{})
	if b2.nb.rel.geo.w != 200 || b2.nb.size.Value != 200 {
		t.Errorf("a new window starts at %v (slider %v)", b2.nb.rel.geo.w, b2.nb.size.Value)
	}
}

// On a 1280×720 screen the window opens at a size that fits it, with a
// title bar (its content fits too), the status bar (with Pause and Cancel)
// is on it, and the columns show at least 6 tiles each.
func TestWindowFits1280x720(t *testing.T) {
	a := test.NewTempApp(t)
	size := windowSize(a.Preferences())
	if size.Width > 1280 || size.Height+menuBar+30 > 720 {
		t.Fatalf("the window opens at %v", size)
	}
	b, w, _ := newGridBrowser(t, 200, fyne.NewSize(size.Width, size.Height-menuBar))
	if min := b.Content().MinSize(); min.Width > size.Width || min.Height > size.Height-menuBar {
		t.Fatalf("content needs %v", min)
	}
	b.Show(5)
	settle(b)
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(b.status.cancel)
	if bottom := pos.Y + b.status.cancel.Size().Height; bottom > w.Canvas().Size().Height || b.status.cancel.Size().Height == 0 {
		t.Errorf("Cancel ends at %v of %v", bottom, w.Canvas().Size().Height)
	}
	if b.nb.rel.visible() < 6 || b.nb.vis.visible() < 6 {
		t.Errorf("only %d / %d tiles visible", b.nb.rel.visible(), b.nb.vis.visible())
	}
}

// variantSource is vecSource with near-duplicates: photo 1 has copies 2–4
// (tiny changes of its visual vector), and photo 10 has copies 11–12.
func variantSource(n int) *vecSource {
	s := newVecSource(n)
	rel, vis := map[int64][]float32{}, map[int64][]float32{}
	for id := int64(1); id <= int64(n); id++ {
		r, _ := s.rel.Get(id)
		v, _ := s.vis.Get(id)
		rel[id], vis[id] = append([]float32(nil), r...), append([]float32(nil), v...)
	}
	nudge := func(from, to int64, by float32) {
		w := append([]float32(nil), vis[from]...)
		for i := range w {
			if i%7 == 0 {
				w[i] *= 1 + by // stored vectors are unit length: a relative change
			}
		}
		vis[to], rel[to] = w, append([]float32(nil), rel[from]...)
	}
	for i, to := range []int64{2, 3, 4} {
		nudge(1, to, 0.1*float32(i+1))
	}
	nudge(10, 11, 0.1)
	nudge(10, 12, 0.2)
	s.rel, s.vis = vecstore.NewFlat(engine.RelationalDim), vecstore.NewFlat(engine.BuiltinPooledDim)
	for id := int64(1); id <= int64(n); id++ {
		s.rel.Add(id, rel[id])
		s.vis.Add(id, vis[id])
	}
	return s
}

func (s *vecSource) Vector(id int64, space string) ([]float32, error) {
	v, ok := s.store(space).Get(id)
	if !ok {
		return nil, errors.New("not indexed")
	}
	return v, nil
}

// A query's variants never appear in its columns: they are stacked behind
// the "variants" button, which lists them; a neighbour's own variants
// collapse into its tile with a count.
func TestVariantsStacked(t *testing.T) {
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, widget.NewLabel(""))
	b := newLoopBrowser(t, a, w, Config{ThumbWorkers: 1})
	w.SetContent(b.Content())
	w.Resize(fyne.NewSize(1600, 970))
	src := variantSource(300)
	b.SetSource(src, fakeSpaces)
	settle(b)
	t.Cleanup(b.thumbs.close)

	b.Show(1)
	settle(b)
	var got []int64
	for _, im := range b.variants {
		got = append(got, im.ID)
	}
	sort.Slice(got, func(i, j int) bool { return got[i] < got[j] })
	if len(got) != 3 || got[0] != 2 || got[2] != 4 || b.nb.variants.Hidden || b.nb.variants.Text != "3 variants" {
		t.Fatalf("the query's variants %v (button %q hidden %v)", got, b.nb.variants.Text, b.nb.variants.Hidden)
	}
	for _, c := range []*column{b.nb.rel, b.nb.vis} {
		if c.shown != b.cfg.K {
			t.Errorf("%s holds %d, want %d", c.title.Text, c.shown, b.cfg.K)
		}
		for _, tl := range c.tiles[:c.shown] {
			if id := tl.hit.Image.ID; id >= 1 && id <= 4 {
				t.Errorf("%s shows the query or its variant %d", c.title.Text, id)
			}
		}
	}
	// Photo 10 with its copies is one tile, "+2 alike", in the columns of
	// a photo that looks like it (a photo of its cluster).
	ns, _ := src.NeighboursByID(10, engine.Visual, 4)
	var mate int64
	for _, n := range ns {
		if n.ID != 11 && n.ID != 12 {
			mate = n.ID
			break
		}
	}
	b.Show(mate)
	settle(b)
	var stack *neighbourTile
	for _, tl := range b.nb.vis.tiles[:b.nb.vis.shown] {
		switch tl.hit.Image.ID {
		case 10, 11, 12:
			if stack != nil {
				t.Errorf("photo 10 and its copies fill two tiles: %d and %d", stack.hit.Image.ID, tl.hit.Image.ID)
			}
			stack = tl
		}
	}
	if stack == nil || len(stack.hit.Stack) != 2 || stack.stack.Text != "+2 alike" || !stack.stack.Visible() {
		t.Fatalf("no stacked tile for photo 10 and its copies in %v", tileNames(b.nb.vis))
	}
	// A tap on the badge opens the stack: its three photos.
	query := b.query
	badge := stack.stackBg.Position().Add(fyne.NewPos(4, 4))
	test.TapAt(stack, badge)
	top := w.Canvas().Overlays().Top()
	if top == nil || b.query != query {
		t.Fatalf("the badge opened nothing (query %d → %d)", query, b.query)
	}
	cells := 0
	walk(top, nil, func(o, _ fyne.CanvasObject) {
		if c, ok := o.(*galleryCell); ok && c.Visible() && c.thumb.id > 0 {
			cells++
		}
	})
	if cells != 3 {
		t.Errorf("the stack shows %d photos, want 3", cells)
	}
	w.Canvas().Overlays().Remove(top)
	// A tap elsewhere on the tile makes it the query.
	want := stack.hit.Image.ID
	test.TapAt(stack, fyne.NewPos(4, stack.geo.thumbH-4))
	settle(b)
	if b.query != want {
		t.Errorf("a tap on the tile: query %d, want %d", b.query, want)
	}
	// From photo 11 (a copy of 10), 10 and 12 are its variants.
	b.Show(11)
	settle(b)
	if len(b.variants) != 2 {
		t.Errorf("photo 11's variants: %d", len(b.variants))
	}
	test.Tap(b.nb.variants)
	if top := w.Canvas().Overlays().Top(); top == nil {
		t.Error("the variants button opened nothing")
	}
}

// Hovering a tile shows a larger preview beside it, over the panes, which
// leaves the tiles tappable; leaving hides it.
func TestHoverPreview(t *testing.T) {
	b, w, src := newGridBrowser(t, 200, fyne.NewSize(1600, 970))
	_ = src
	b.Show(3)
	settle(b)
	tile := b.nb.vis.tiles[0]
	tile.MouseIn(&desktop.MouseEvent{})
	settle(b)
	box := b.nb.hoverBox
	if !box.Visible() || b.nb.hoverImg.Image == nil {
		t.Fatal("no preview on hover")
	}
	if box.Size().Width <= tile.Size().Width {
		t.Errorf("preview %v is not larger than the tile %v", box.Size(), tile.Size())
	}
	drv := fyne.CurrentApp().Driver()
	tp, bp := drv.AbsolutePositionForObject(tile), drv.AbsolutePositionForObject(box)
	if bp.X < tp.X+tile.Size().Width && bp.X+box.Size().Width > tp.X && bp.Y < tp.Y+tile.Size().Height && bp.Y+box.Size().Height > tp.Y {
		t.Errorf("the preview at %v %v covers the tile at %v %v", bp, box.Size(), tp, tile.Size())
	}
	// A tap on the hovered tile still reaches it.
	want := tile.hit.Image.ID
	test.TapCanvas(w.Canvas(), tp.Add(fyne.NewPos(10, 10)))
	settle(b)
	if b.query != want {
		t.Errorf("tap with the preview shown: query %d, want %d", b.query, want)
	}
	if box.Visible() {
		t.Error("the preview stayed after the query changed")
	}
	b.nb.vis.tiles[1].MouseIn(&desktop.MouseEvent{})
	b.nb.vis.tiles[1].MouseOut()
	if box.Visible() {
		t.Error("the preview stayed after the pointer left")
	}
	// A visual tile's preview has no lines under it; a relational tile that
	// shares relations with the query names them there in full, in a box
	// taller by their lines.
	plain := box.Size()
	if n := len(b.nb.hoverWhy.Objects); n != 0 {
		t.Errorf("a visual tile's preview has %d lines under it", n)
	}
	rel := b.nb.rel.tiles[0]
	rel.hit.Why = []engine.Relation{{Relation: "horizontal strata", Strength: 1}}
	rel.MouseIn(&desktop.MouseEvent{})
	settle(b)
	var lines []string
	for _, o := range b.nb.hoverWhy.Objects {
		lines = append(lines, o.(*canvas.Text).Text)
	}
	if got := strings.Join(lines, "|"); got != "Shares with the query:|  horizontal strata (strong in both)" {
		t.Errorf("lines under a relational tile's preview: %q", got)
	}
	if !box.Visible() || box.Size().Height <= plain.Height {
		t.Errorf("preview with lines %v (shown %v), without %v", box.Size(), box.Visible(), plain)
	}
	rel.MouseOut()
}
