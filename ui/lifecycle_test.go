package ui

import (
	"context"
	"errors"
	"image"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"relview/engine"
	"relview/library"
)

// lifecycleFixture is a session on real libraries (real SQLite and writer
// locks) without encoders: the engine opener blocks until released, so a
// test can ask for a second open while the first one runs.
type lifecycleFixture struct {
	b        *Browser
	w        fyne.Window
	s        *Session
	cache    string
	entered  chan struct{}
	release  chan struct{}
	released bool
}

func newLifecycleFixture(t *testing.T) *lifecycleFixture {
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, widget.NewLabel(""))
	b := newLoopBrowser(t, a, w, Config{K: 3, ThumbWorkers: 1})
	w.SetContent(b.Content())
	w.Resize(fyne.NewSize(1100, 760))
	f := &lifecycleFixture{b: b, w: w, cache: t.TempDir(), entered: make(chan struct{}, 1), release: make(chan struct{})}
	f.s = newLoopSession(t, b, func(int, []string) (*engine.Engine, error) {
		f.entered <- struct{}{}
		<-f.release
		return nil, errors.New("no encoders in this test")
	}, t.TempDir(), f.cache)
	t.Cleanup(f.unblock)
	return f
}

func (f *lifecycleFixture) unblock() {
	if !f.released {
		f.released = true
		close(f.release)
	}
}

// realDir is a new folder, as the library names it (symlinks resolved).
func realDir(t *testing.T) string {
	d, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// overlayText is every label shown in the window's dialogs.
func overlayText(w fyne.Window) string {
	var out []string
	for _, o := range w.Canvas().Overlays().List() {
		walk(o, nil, func(o, _ fyne.CanvasObject) {
			switch x := o.(type) {
			case *widget.Label:
				out = append(out, x.Text)
			case *widget.RichText:
				out = append(out, x.String())
			}
		})
	}
	return strings.Join(out, "\n")
}

// lockFree reports whether the library of dir can be opened for writing
// (nobody holds its writer lock), closing it again.
func lockFree(t *testing.T, dir, cache string) error {
	t.Helper()
	lib, err := library.Open(dir, library.Options{CacheRoot: cache})
	if err != nil {
		return err
	}
	return lib.Close()
}

// Two opens asked for while the first still runs: the first library is
// closed (its SQLite handle and writer lock released) before the second
// opens, and the second is the one shown.
func TestOverlappingOpensLeakNoLibrary(t *testing.T) {
	f := newLifecycleFixture(t)
	a, b := realDir(t), realDir(t)
	f.s.Open(a)
	<-f.entered // the first open runs (loading the encoders)
	f.s.Open(b)
	f.unblock()
	settle(f.b)
	lib := f.s.library()
	if lib == nil || lib.Root() != b {
		t.Fatalf("open library %v, want %s", lib, b)
	}
	if f.b.src == nil || f.b.src.Root() != b {
		t.Fatalf("the views show %v, want %s", f.b.src, b)
	}
	if err := lockFree(t, a, f.cache); err != nil {
		t.Fatalf("the first library was not closed: %v", err)
	}
	if err := lockFree(t, b, f.cache); !errors.Is(err, library.ErrBusy) {
		t.Fatalf("the open library's lock is not held: %v", err)
	}
}

// The same folder twice: the second open waits for the first instead of
// meeting its writer lock ("Another relview process is indexing").
func TestOpeningTheSameFolderTwiceIsNotBusy(t *testing.T) {
	f := newLifecycleFixture(t)
	a := realDir(t)
	f.s.Open(a)
	<-f.entered
	f.s.Open(a)
	f.unblock()
	settle(f.b)
	if text := overlayText(f.w) + "\n" + f.b.status.label.Text; strings.Contains(text, "busy") || strings.Contains(text, "Another relview") {
		t.Fatalf("opening the same folder twice met its own lock:\n%s", text)
	}
	if lib := f.s.library(); lib == nil || lib.Root() != a || lib.ReadOnly() {
		t.Fatalf("open library %v, want %s for writing", lib, a)
	}
}

// stuckIndexer is an indexing run that does not stop when cancelled until
// released (a run blocked in a read).
type stuckIndexer struct {
	started, release chan struct{}
}

func (s *stuckIndexer) Index(ctx context.Context, progress func(library.Progress)) (library.Summary, error) {
	close(s.started)
	<-s.release
	return library.Summary{}, ctx.Err()
}
func (s *stuckIndexer) Pause()  {}
func (s *stuckIndexer) Resume() {}

// An open that times out waiting for the current library's indexing to
// stop keeps that library open and shown (closing it would pull the
// catalog from under the run), says so, and a later open succeeds.
func TestOpenKeepsALibraryWhoseIndexingRuns(t *testing.T) {
	f := newLifecycleFixture(t)
	f.unblock()
	a, b := realDir(t), realDir(t)
	f.s.Open(a)
	settle(f.b)
	stuck := &stuckIndexer{started: make(chan struct{}), release: make(chan struct{})}
	f.b.StartIndexing(stuck, nil)
	<-stuck.started
	f.s.stopTimeout = 20 * time.Millisecond // the indexing will not stop within it
	f.s.Open(b)
	settle(f.b)
	lib := f.s.library()
	if lib == nil || lib.Root() != a {
		t.Fatalf("open library %v, want %s kept", lib, a)
	}
	if _, err := lib.Images(); err != nil {
		t.Fatalf("the library whose indexing runs was closed: %v", err)
	}
	if f.b.src == nil || f.b.src.Root() != a {
		t.Fatalf("the views show %v, want %s", f.b.src, a)
	}
	if text := overlayText(f.w); !strings.Contains(text, "did not stop") {
		t.Fatalf("no error says why %s did not open:\n%s", b, text)
	}

	close(stuck.release)
	f.s.stopTimeout = time.Minute
	f.s.Open(b)
	settle(f.b)
	if lib := f.s.library(); lib == nil || lib.Root() != b {
		t.Fatalf("after the indexing stopped: open library %v, want %s", lib, b)
	}
	if err := lockFree(t, a, f.cache); err != nil {
		t.Fatalf("the first library was not closed: %v", err)
	}
}

// Closing a library (SetSource(nil), which a switch of library does first)
// drops the arrangement of its gallery still being computed in the
// background (a large catalog): the gallery does not fill again with the
// photos of the library that went.
func TestSetSourceDropsTheArrangementOfThePreviousLibrary(t *testing.T) {
	b, _ := newBigBrowser(t, 6000)
	b.gallery.filterBox.SetText("red") // arranged in the background: 6000 photos
	old := b.work
	if old.busy() == 0 {
		t.Fatal("the arrangement of 6000 photos did not run in the background")
	}
	b.SetSource(nil, nil)
	old.wait(0) // the arrangement is computed and its result posted
	pump(b)
	if got := len(b.gallery.shown); got != 0 {
		t.Fatalf("with no library the gallery shows %d photos of the previous one", got)
	}
	small := newFakeSource()
	b.SetSource(small, fakeSpaces)
	settle(b)
	if got := len(b.gallery.shown); got != 3 {
		t.Fatalf("the gallery shows %d photos, want the 3 red ones of the new library", got)
	}
}

// blockedThumbs is the fake catalog whose thumbnails wait to be released.
type blockedThumbs struct {
	*fakeSource
	entered, release chan struct{}
}

func (s *blockedThumbs) Thumbnail(im library.Image) (image.Image, error) {
	s.entered <- struct{}{}
	<-s.release
	return s.fakeSource.Thumbnail(im)
}

// Taking a library out of the views (before the session closes it or
// clears its cache) waits for the thumbnails being read from it, and
// their results are not shown.
func TestDetachWaitsForThumbnailsInFlight(t *testing.T) {
	b, _, _, _ := newTestBrowser(t, 3)
	src := &blockedThumbs{fakeSource: newFakeSource(), entered: make(chan struct{}, 64), release: make(chan struct{})}
	b.SetSource(src, fakeSpaces)
	waitUntil(t, b, "the gallery", func() bool { return len(b.gallery.shown) == 9 })
	<-src.entered // a worker reads a thumbnail
	old := b.attach(nil, nil)
	if old.wait(20 * time.Millisecond) {
		t.Fatal("the library's work was reported done while a thumbnail was being read")
	}
	close(src.release)
	if !old.wait(time.Minute) {
		t.Fatal("the thumbnail workers did not stop")
	}
	pump(b)
	walk(b.Content(), nil, func(o, _ fyne.CanvasObject) {
		if c, ok := o.(*galleryCell); ok && c.Visible() && c.thumb.img.Image != nil {
			t.Errorf("a cell shows a thumbnail of the closed library (image %d)", c.thumb.id)
		}
	})
}
