package ui

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
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
	waitUntil(t, b, "the cancelled run's end", func() bool { return len(done) > 0 })
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
	ended := false
	b.StartIndexing(ix2, func(library.Summary, error) { ended = true })
	<-ix2.started
	close(ix2.release)
	// settle waits for posted results; the run's end is posted only once
	// Index returns, so wait for the run itself first.
	waitUntil(t, b, "the end of the run", func() bool { return ended })
	settle(b)
	if got := b.status.label.Text; got != "Ready · 11 photos · 12 indexed in 2s (6.0/s) · 1 skipped (the Skipped button says why)" {
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
	test.Tap(b.nb.views[1])
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

// An empty folder says what to do next instead of "Click a photo…".
func TestEmptyFolderSaysWhatToDo(t *testing.T) {
	b, _, _, _ := newTestBrowser(t, 3)
	if b.nb.hint.Text != hintPick {
		t.Fatalf("with photos the hint is %q", b.nb.hint.Text)
	}
	b.SetSource(&fakeSource{}, fakeSpaces)
	settle(b)
	if !b.nb.hint.Visible() || !strings.Contains(b.nb.hint.Text, "no photos") || !strings.Contains(b.nb.hint.Text, "Open folder") {
		t.Errorf("empty folder hint %q (visible %v)", b.nb.hint.Text, b.nb.hint.Visible())
	}
	if b.gallery.countLabel.Text != "0 photos" {
		t.Errorf("count %q", b.gallery.countLabel.Text)
	}
}

// The similarity map's caption of a hovered photo goes when the pointer
// leaves the dots and when a click makes another photo the query.
func TestMapHoverCaptionNotStale(t *testing.T) {
	b, _, src, _ := newTestBrowser(t, 3)
	b.Show(src.id("stripes-red.png"))
	b.showView(1)
	settle(b)
	green := src.id("stripes-green.png")
	b.hoverMap(green)
	if !strings.Contains(b.mapv.info.Text, "stripes-green.png") {
		t.Fatalf("hover caption %q", b.mapv.info.Text)
	}
	b.Show(green) // a click on the dot
	settle(b)
	if b.mapv.info.Text != mapHint || b.mapv.thumb.id != -1 {
		t.Errorf("after the click the caption is %q (thumb %d)", b.mapv.info.Text, b.mapv.thumb.id)
	}
	// The axes carry their values (the data's range).
	r := test.WidgetRenderer(b.mapv.simMap).(*mapRenderer)
	want := b.mapv.simMap.axisValues()
	for i, tk := range r.ticks {
		if tk.Text != want[i] || tk.Text == "" {
			t.Errorf("axis value %d: %q, want %q", i, tk.Text, want[i])
		}
	}
	if want[0] == want[1] || want[2] == want[3] {
		t.Errorf("axis values %v", want)
	}
	b.hoverMap(src.id("ring-blue.png"))
	b.hoverMap(-1)
	if b.mapv.info.Text != mapHint {
		t.Errorf("after leaving the dots the caption is %q", b.mapv.info.Text)
	}
}

// A many-line message (ONNX Runtime missing) stays one status line.
func TestStatusMessageOneLine(t *testing.T) {
	b, _, _, _ := newTestBrowser(t, 3)
	before := b.status.content.MinSize().Height
	b.status.message("Cannot index: ONNX Runtime was not found.\nLooked in:\n  a\n  b\n  c\nGet it with scripts/get-onnxruntime.sh")
	if strings.Contains(b.status.label.Text, "\n") || b.status.content.MinSize().Height != before {
		t.Errorf("status %q is %v tall (was %v)", b.status.label.Text, b.status.content.MinSize().Height, before)
	}
}

// A moodboard of the query and its relational neighbours is one PNG with a
// cell per photo, written into the folder picked; never into the photo
// folder.
func TestMoodboardExport(t *testing.T) {
	b, _, src, _ := newTestBrowser(t, 3)
	b.Show(src.id("stripes-red.png"))
	settle(b)
	items, picked := b.moodboardItems()
	if len(items) != 7 || items[0].caption != "the query" || !picked[1] || picked[len(picked)-1] {
		t.Fatalf("items %+v picked %v", items, picked)
	}
	var chosen []moodItem
	for i, it := range items {
		if picked[i] {
			chosen = append(chosen, it)
		}
	}
	dir := t.TempDir()
	var got string
	var gotErr error
	b.exportMoodboard(chosen, dir, func(p string, err error) { got, gotErr = p, err })
	settle(b)
	if gotErr != nil {
		t.Fatal(gotErr)
	}
	if filepath.Dir(got) != dir || !strings.HasPrefix(filepath.Base(got), "moodboard-stripes-red-") {
		t.Fatalf("written to %s", got)
	}
	f, err := os.Open(got)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if st, _ := f.Stat(); st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v", st.Mode().Perm())
	}
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if w := img.Bounds().Dx(); w != moodMargin+4*(moodCell+moodMargin) {
		t.Errorf("sheet is %d wide", w)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".moodboard-*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
	// Into the photo folder (or below it): refused.
	for _, into := range []string{"/fake", "/fake/boards"} {
		gotErr = nil
		b.exportMoodboard(chosen, into, func(_ string, err error) { gotErr = err })
		settle(b)
		if !errors.Is(gotErr, errIntoLibrary) {
			t.Errorf("export into %s: %v", into, gotErr)
		}
	}
}

// takenSource is the fake catalog whose files exist, some with an EXIF
// capture date.
type takenSource struct {
	*fakeSource
	dir string
}

func (s takenSource) AbsPath(im library.Image) string { return filepath.Join(s.dir, im.Path) }

// exifHeader is the start of a JPEG whose EXIF says it was taken at when
// (DateTimeOriginal in the Exif IFD, little-endian).
func exifHeader(when string) []byte {
	le := binary.LittleEndian
	t := []byte("II*\x00\x08\x00\x00\x00")
	t = le.AppendUint16(t, 1) // IFD0: the Exif IFD pointer
	t = le.AppendUint16(t, 0x8769)
	t = le.AppendUint16(t, 4)
	t = le.AppendUint32(t, 1)
	t = le.AppendUint32(t, 26)
	t = le.AppendUint32(t, 0)
	t = le.AppendUint16(t, 1) // Exif IFD at 26: DateTimeOriginal
	t = le.AppendUint16(t, 0x9003)
	t = le.AppendUint16(t, 2)
	t = le.AppendUint32(t, 20)
	t = le.AppendUint32(t, 44)
	t = le.AppendUint32(t, 0)
	t = append(t, when+"\x00"...)
	seg := append([]byte("Exif\x00\x00"), t...)
	out := []byte{0xFF, 0xD8, 0xFF, 0xE1}
	out = binary.BigEndian.AppendUint16(out, uint16(len(seg)+2))
	return append(append(out, seg...), 0xFF, 0xDA, 0, 2)
}

// "Newest first" sorts by when photos were taken (EXIF) as the catalog
// says (read at index time), else by the file's time; the details line
// says "taken". The photo files' EXIF disagrees with the catalog (edited
// after indexing): the order follows the catalog, so the gallery read no
// file to sort.
func TestSortByCaptureDate(t *testing.T) {
	b, _, _, _ := newTestBrowser(t, 3)
	src := takenSource{newFakeSource(), t.TempDir()}
	for i, im := range src.images {
		var data []byte
		switch im.Path {
		case "stripes-red.png": // file time: the oldest; taken: the newest
			src.images[i].Taken = time.Date(2025, 6, 1, 10, 0, 0, 0, time.Local)
			data = exifHeader("2001:01:01 08:00:00")
		case "checks-green.png":
			src.images[i].Taken = time.Date(2010, 1, 1, 8, 0, 0, 0, time.Local)
			data = exifHeader("2030:01:01 08:00:00")
		default:
			data = exifHeader("2031:01:01 08:00:00")
		}
		os.WriteFile(filepath.Join(src.dir, im.Path), data, 0o644)
	}
	b.SetSource(src, fakeSpaces)
	settle(b)
	b.gallery.sortSelect.SetSelected(sortNewest)
	settle(b)
	var got []string
	for _, im := range b.gallery.shown {
		got = append(got, im.Path)
	}
	// stripes-red (taken 2025) first; the rest by file time (ids 9..2, 2024),
	// then checks-green (taken 2010) last.
	if len(got) != len(src.images) || got[0] != "stripes-red.png" || got[len(got)-1] != "checks-green.png" || got[1] != "ring-blue.png" {
		t.Errorf("newest first: %v", got)
	}
	if !strings.Contains(b.status.label.Text, "Sorted by when the photos were taken") {
		t.Errorf("status %q", b.status.label.Text)
	}
	b.Show(src.id("stripes-red.png"))
	settle(b)
	if !strings.Contains(b.nb.details.Text, "taken 2025-06-01 10:00") {
		t.Errorf("details %q", b.nb.details.Text)
	}
}
