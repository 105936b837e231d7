package ui

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"relview/library"
)

// fakeIndexer reports progress, then waits to be cancelled or released.
type fakeIndexer struct {
	mu             sync.Mutex
	paused, resume int
	started        chan struct{}
	release        chan struct{}
}

func (f *fakeIndexer) Index(ctx context.Context, progress func(library.Progress)) (library.Summary, error) {
	progress(library.Progress{Phase: library.PhaseScan})
	progress(library.Progress{Phase: library.PhaseIndex, Done: 3, Total: 12, Rate: 6, ETA: 2 * time.Second})
	close(f.started)
	select {
	case <-ctx.Done():
		return library.Summary{Scanned: 12, Indexed: 3}, ctx.Err()
	case <-f.release:
		progress(library.Progress{Phase: library.PhaseDone, Done: 12, Total: 12})
		return library.Summary{Scanned: 12, Indexed: 12, Failed: 1, Elapsed: 2 * time.Second, Rate: 6}, nil
	}
}

func (f *fakeIndexer) Pause()  { f.mu.Lock(); f.paused++; f.mu.Unlock() }
func (f *fakeIndexer) Resume() { f.mu.Lock(); f.resume++; f.mu.Unlock() }

func TestIndexingStatusPauseCancel(t *testing.T) {
	b, _, _, _ := newTestBrowser(t, 3)
	ix := &fakeIndexer{started: make(chan struct{}), release: make(chan struct{})}
	var done []error
	b.StartIndexing(ix, func(_ library.Summary, err error) { done = append(done, err) })
	<-ix.started
	pump(b) // the progress it reported
	if got := b.status.label.Text; got != "Indexing · 3 of 12 · 6.0 photos/s · 2s left" {
		t.Fatalf("status %q", got)
	}
	if b.status.barBox.Hidden || b.status.bar.Value != 3 || b.status.bar.Max != 12 {
		t.Fatalf("bar %v/%v hidden=%v", b.status.bar.Value, b.status.bar.Max, b.status.barBox.Hidden)
	}
	if b.status.pause.Disabled() || b.status.cancel.Disabled() {
		t.Fatal("pause/cancel disabled while indexing")
	}
	// The gallery stays usable while indexing.
	b.Show(b.gallery.shown[0].ID)
	test.Tap(b.status.pause)
	if b.status.pause.Text != "Resume" || ix.paused != 1 {
		t.Fatalf("after pause: button %q, Pause calls %d", b.status.pause.Text, ix.paused)
	}
	test.Tap(b.status.pause)
	if b.status.pause.Text != "Pause" || ix.resume != 1 {
		t.Fatalf("after resume: button %q, Resume calls %d", b.status.pause.Text, ix.resume)
	}
	test.Tap(b.status.cancel)
	settle(b)
	if len(done) != 1 || done[0] == nil {
		t.Fatalf("onDone: %v", done)
	}
	if !strings.HasPrefix(b.status.label.Text, "Indexing cancelled · 3 indexed") {
		t.Fatalf("status after cancel %q", b.status.label.Text)
	}
	if !b.status.pause.Disabled() || !b.status.barBox.Hidden {
		t.Fatal("controls still active after the run")
	}
	if b.nb.rel.shown != 3 {
		t.Fatalf("query during indexing filled %d neighbours", b.nb.rel.shown)
	}

	// A run that completes.
	ix2 := &fakeIndexer{started: make(chan struct{}), release: make(chan struct{})}
	b.StartIndexing(ix2, nil)
	<-ix2.started
	close(ix2.release)
	settle(b)
	if got := b.status.label.Text; got != "Ready · 11 photos · 12 indexed in 2s (6.0/s) · 1 skipped" {
		t.Fatalf("status after the run %q", got)
	}
}

func TestSkippedList(t *testing.T) {
	b, _, _, _ := newTestBrowser(t, 3)
	if !b.status.skipped.Hidden {
		t.Fatal("skipped button shown with no problems")
	}
	b.setImages(b.all, []library.Image{{Path: "bad.jpg", Reason: "not a supported image"}})
	if b.status.skipped.Hidden || b.status.skipped.Text != "Skipped (1)" {
		t.Fatalf("skipped button %q hidden=%v", b.status.skipped.Text, b.status.skipped.Hidden)
	}
	var got []library.Problem
	b.status.onSkipped = func(ps []library.Problem) { got = ps }
	test.Tap(b.status.skipped)
	if len(got) != 1 || got[0].Reason != "not a supported image" {
		t.Fatalf("problems %v", got)
	}
}

func TestSimilarityMap(t *testing.T) {
	b, w, src, _ := newTestBrowser(t, 3)
	query := src.id("stripes-red.png")
	b.Show(query)
	settle(b)
	if len(b.mapv.simMap.points) != 0 {
		t.Fatal("the map loaded while its tab is closed")
	}
	b.nb.tabs.SelectIndex(1)
	settle(b)
	if len(b.mapv.simMap.points) != 8 {
		t.Fatalf("map has %d points, want 8", len(b.mapv.simMap.points))
	}
	w.Resize(fyne.NewSize(1100, 760))
	// The relationally-close, visually-far photo sits top-left: stripes-green
	// (same layout, other colour) is above and left of checks-red (other
	// layout, same colour).
	size := b.mapv.simMap.Size()
	var green, checksRed fyne.Position
	for _, p := range b.mapv.simMap.points {
		switch p.ID {
		case src.id("stripes-green.png"):
			green = b.mapv.simMap.pos(p, size)
		case src.id("checks-red.png"):
			checksRed = b.mapv.simMap.pos(p, size)
		}
	}
	if !(green.Y < checksRed.Y && green.X < checksRed.X) {
		t.Fatalf("stripes-green at %v, checks-red at %v", green, checksRed)
	}
	// Hovering a dot names it; tapping makes it the query.
	b.mapv.simMap.MouseMoved(&desktop.MouseEvent{PointEvent: fyne.PointEvent{Position: green}})
	if !strings.Contains(b.mapv.info.Text, "stripes-green.png") {
		t.Fatalf("hover text %q", b.mapv.info.Text)
	}
	test.TapAt(b.mapv.simMap, green)
	settle(b)
	if b.query != src.id("stripes-green.png") {
		t.Fatalf("tapping a dot: query %d", b.query)
	}
	if len(b.mapv.simMap.points) != 8 {
		t.Fatal("the map did not follow the new query")
	}
}

func TestCompareText(t *testing.T) {
	a, o := img(1, "x/a.jpg", 0, 1, 1), img(2, "y/b.jpg", 0, 1, 1)
	got := compareText(a, o, library.ScatterPoint{ID: 2, Relational: 0.71, Visual: 0.05})
	if !strings.Contains(got, "a.jpg ↔ b.jpg") || !strings.Contains(got, "relational 0.710 · visual 0.050") || !strings.Contains(got, "an analogy") {
		t.Fatalf("%q", got)
	}
	if got := compareText(a, o, library.ScatterPoint{Relational: 0.1, Visual: 0.9}); !strings.Contains(got, "they look alike") {
		t.Fatalf("%q", got)
	}
}

func TestNeighboursPerColumnSetting(t *testing.T) {
	b, _, src, _ := newTestBrowser(t, 3)
	b.Show(src.id("ring-red.png"))
	settle(b)
	if b.nb.rel.shown != 3 {
		t.Fatalf("%d", b.nb.rel.shown)
	}
	b.cfg.K = 6
	b.refreshQuery()
	settle(b)
	if b.nb.rel.shown != 6 || b.nb.vis.shown != 6 {
		t.Fatalf("after k=6: %d / %d", b.nb.rel.shown, b.nb.vis.shown)
	}
}

// fileFake is the fake catalog that also searches with an outside file (it
// answers as if the file were stripes-red).
type fileFake struct{ *fakeSource }

func (f fileFake) NeighboursOfFileIn(path string, spaces []string, k int) (map[string][]library.Neighbour, error) {
	res := map[string][]library.Neighbour{}
	for _, space := range spaces {
		hits, err := f.NeighboursByID(f.id("stripes-red.png"), space, k)
		if err != nil {
			return nil, err
		}
		res[space] = hits
	}
	return res, nil
}

func TestDroppedFileIsTheQuery(t *testing.T) {
	b, _, _, opened := newTestBrowser(t, 3)
	src := fileFake{newFakeSource()}
	b.SetSource(src, fakeSpaces)
	settle(b)
	b.ShowFile("/elsewhere/photo.jpg")
	settle(b)
	if b.nb.title.Text != "Dropped: photo.jpg" || b.query != 0 {
		t.Fatalf("title %q query %d", b.nb.title.Text, b.query)
	}
	if got := strings.Join(tileNames(b.nb.rel), ","); got != "stripes-green.png,stripes-blue.png,checks-red.png" {
		t.Fatalf("relational column %s", got)
	}
	if b.nb.vis.shown != 3 {
		t.Fatalf("visual column %d", b.nb.vis.shown)
	}
	test.Tap(b.nb.actions[0])
	if len(*opened) != 1 || (*opened)[0] != "/elsewhere/photo.jpg" {
		t.Fatalf("open %v", *opened)
	}
	if !b.nb.actions[3].Disabled() {
		t.Fatal("compare enabled for a file outside the library")
	}
	// Clicking a neighbour goes back into the library.
	test.Tap(b.nb.rel.tiles[0])
	settle(b)
	if b.query != src.id("stripes-green.png") || b.external != "" {
		t.Fatalf("query %d external %q", b.query, b.external)
	}
}

func TestCompareAndSettingsDialogs(t *testing.T) {
	b, w, src, _ := newTestBrowser(t, 3)
	b.Show(src.id("stripes-red.png"))
	settle(b)
	test.Tap(b.nb.actions[3]) // Compare…
	var list *widget.List
	var result *widget.Label
	for _, o := range w.Canvas().Overlays().List() {
		walk(o, nil, func(o, _ fyne.CanvasObject) {
			switch x := o.(type) {
			case *widget.List:
				list = x
			case *widget.Label:
				if strings.HasPrefix(x.Text, "Pick a photo") {
					result = x
				}
			}
		})
	}
	if list == nil || result == nil {
		t.Fatal("the compare dialog is not shown")
	}
	if list.Length() != 8 {
		t.Fatalf("compare offers %d photos, want the 8 others", list.Length())
	}
	list.Select(list.Length() - 1) // stripes-green, the last other photo by name
	settle(b)
	if !strings.Contains(result.Text, "stripes-red.png ↔ stripes-green.png\nrelational 0.890 · visual 0.140") {
		t.Fatalf("compare result %q", result.Text)
	}
	w.Canvas().Overlays().Top().Hide()

	s := newLoopSession(t, b, nil, t.TempDir(), t.TempDir())
	b.showSettings(s)
	if w.Canvas().Overlays().Top() == nil {
		t.Fatal("settings dialog not shown")
	}
}

func TestNewLibraryReloadsThumbnailsOfSameIDs(t *testing.T) {
	b, w, _, _ := newTestBrowser(t, 3)
	other := newFakeSource()
	for i := range other.images {
		other.images[i].Hash = fmt.Sprintf("other-%d", other.images[i].ID)
	}
	b.SetSource(other, fakeSpaces)
	settle(b)
	var keys []string
	walk(w.Content(), nil, func(o, _ fyne.CanvasObject) {
		if c, ok := o.(*galleryCell); ok && c.thumb.id > 0 {
			keys = append(keys, c.thumb.key)
			if c.thumb.img.Image == nil {
				t.Errorf("cell of image %d has no thumbnail", c.thumb.id)
			}
		}
	})
	if len(keys) == 0 {
		t.Fatal("no gallery cells")
	}
	for _, k := range keys {
		if !strings.HasPrefix(k, "other-") {
			t.Fatalf("a cell still shows the old library's thumbnail %q", k)
		}
	}
}
