package ui

import (
	"bytes"
	"fmt"
	"image"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"relview/library"
)

// bigSource is the fake catalog scaled up: n photos cycling through the
// fake source's nine pictures, drawn once and handed out from memory (no
// decoding), and a count of thumbnails or previews asked for on the
// goroutine that drives the UI.
type bigSource struct {
	fakeSource
	pics   []image.Image
	uiGoID uint64
	onUI   atomic.Int64
	calls  atomic.Int64
}

func newBigSource(n int) *bigSource {
	f := newFakeSource()
	s := &bigSource{}
	for _, im := range f.images {
		s.pics = append(s.pics, f.picture(im, 160, 120))
	}
	s.images = make([]library.Image, n)
	for i := range n {
		base := f.images[i%len(f.images)]
		s.images[i] = library.Image{ID: int64(i + 1), Path: fmt.Sprintf("%06d-%s", i+1, base.Path), Size: base.Size,
			MTime: base.MTime, Hash: fmt.Sprintf("h%d", i+1), Width: 160, Height: 120, Format: "png", Status: library.StatusIndexed}
	}
	return s
}

// goID is the running goroutine's number (from its stack header).
func goID() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	n, _ := strconv.ParseUint(string(b[:bytes.IndexByte(b, ' ')]), 10, 64)
	return n
}

func (s *bigSource) note() {
	s.calls.Add(1)
	if goID() == s.uiGoID {
		s.onUI.Add(1)
	}
}

func (s *bigSource) Thumbnail(im library.Image) (image.Image, error) {
	s.note()
	return s.pics[(im.ID-1)%int64(len(s.pics))], nil
}

func (s *bigSource) Preview(im library.Image, _ int) (image.Image, error) {
	s.note()
	return s.pics[(im.ID-1)%int64(len(s.pics))], nil
}

// newBigBrowser shows n fake photos in a headless 1280×800 window; the
// calling goroutine is the UI goroutine.
func newBigBrowser(tb testing.TB, n int) (*Browser, *bigSource) {
	a := test.NewTempApp(tb)
	w := test.NewTempWindow(tb, widget.NewLabel(""))
	b := newLoopBrowser(tb, a, w, Config{K: 8})
	w.SetContent(b.Content())
	w.Resize(fyne.NewSize(1280, 800))
	src := newBigSource(n)
	src.uiGoID = goID()
	b.SetSource(src, fakeSpaces)
	settle(b)
	if len(b.gallery.shown) != n {
		tb.Fatalf("gallery shows %d of %d", len(b.gallery.shown), n)
	}
	return b, src
}

// stepStats reports p50, p99 and the worst of the step times.
func stepStats(bm *testing.B, steps []time.Duration) {
	sort.Slice(steps, func(i, j int) bool { return steps[i] < steps[j] })
	q := func(p float64) float64 {
		return float64(steps[min(len(steps)-1, int(p*float64(len(steps))))].Microseconds())
	}
	bm.ReportMetric(q(0.50), "p50-µs")
	bm.ReportMetric(q(0.99), "p99-µs")
	bm.ReportMetric(float64(steps[len(steps)-1].Microseconds()), "max-µs")
}

// BenchmarkGalleryScroll100k times what scrolling the gallery of 100 000
// photos costs the UI goroutine: one ScrollToOffset of the GridWrap, which
// lays out the visible rows and runs the cell update callbacks, per step.
// "cached": every thumbnail in the loader's memory cache; "cold": none, so
// each new cell queues a background load (from an in-memory source: the
// loads, not decoding, are measured). A page step scrolls by the grid's
// height (every cell new), a wheel step by 40 units (one row now and then).
//
//	go test -run '^$' -bench GalleryScroll -benchtime 2000x ./ui/
func BenchmarkGalleryScroll100k(bm *testing.B) {
	const n = 100_000
	for _, mode := range []struct {
		name   string
		cached bool
		step   float32 // 0: a page
	}{
		{"page/cached", true, 0},
		{"page/cold", false, 0},
		{"wheel/cached", true, 40},
	} {
		bm.Run(mode.name, func(bm *testing.B) {
			b, src := newBigBrowser(bm, n)
			if mode.cached {
				b.thumbs.close()
				b.thumbs = newThumbLoader(src, b.work, 2, n)
				b.gallery.thumbs = b.thumbs
				for _, im := range b.gallery.shown {
					b.thumbs.cache.Add(thumbKey(im), src.pics[(im.ID-1)%int64(len(src.pics))])
				}
			}
			page := b.gallery.grid.Size().Height
			if page < 100 {
				bm.Fatalf("gallery is %v high", b.gallery.grid.Size())
			}
			step := mode.step
			if step == 0 {
				step = page
			}
			rows := (n + b.gallery.grid.ColumnCount() - 1) / b.gallery.grid.ColumnCount()
			content := float32(rows) * (newGalleryCell().MinSize().Height + theme.Padding())
			steps := make([]time.Duration, 0, bm.N)
			off := float32(0)
			src.onUI.Store(0)
			bm.ResetTimer()
			for i := 0; i < bm.N; i++ {
				off += step
				if off > content-page {
					off = 0
				}
				t0 := time.Now()
				b.gallery.grid.ScrollToOffset(off)
				steps = append(steps, time.Since(t0))
			}
			bm.StopTimer()
			settle(b)
			stepStats(bm, steps)
			bm.ReportMetric(float64(src.onUI.Load()), "ui-decodes")
			if src.onUI.Load() != 0 {
				bm.Errorf("%d thumbnails were read on the UI goroutine", src.onUI.Load())
			}
			if got := b.gallery.grid.GetScrollOffset(); off > 0 && got == 0 {
				bm.Errorf("the gallery did not scroll (offset %v)", got)
			}
			b.thumbs.close()
		})
	}
	// During indexing the catalog is read again about once a second (in the
	// background); what the UI goroutine then does is setShown.
	bm.Run("reload", func(bm *testing.B) {
		b, src := newBigBrowser(bm, n)
		b.Show(int64(n / 2)) // a selection to keep: setShown looks it up
		settle(b)
		src.onUI.Store(0)
		all := b.all
		steps := make([]time.Duration, 0, bm.N)
		bm.ResetTimer()
		for i := 0; i < bm.N; i++ {
			shown := arrange(all, "", sortName) // in the background in the app
			t0 := time.Now()
			b.gallery.setShown(shown)
			steps = append(steps, time.Since(t0))
		}
		bm.StopTimer()
		settle(b)
		stepStats(bm, steps)
		bm.ReportMetric(float64(src.onUI.Load()), "ui-decodes")
		if src.onUI.Load() != 0 {
			bm.Errorf("%d thumbnails were read on the UI goroutine", src.onUI.Load())
		}
		b.thumbs.close()
	})
}

// TestGalleryScroll100k scrolls the 100k gallery with nothing cached: the
// cells show the photos of the new offset, their thumbnails arrive from
// the background loaders, and none is read on the UI goroutine.
func TestGalleryScroll100k(t *testing.T) {
	b, src := newBigBrowser(t, 100_000)
	defer b.thumbs.close()
	src.onUI.Store(0)
	src.calls.Store(0)
	page := b.gallery.grid.Size().Height
	for i := 1; i <= 20; i++ {
		b.gallery.grid.ScrollToOffset(float32(i) * 50 * page)
	}
	settle(b)
	if src.onUI.Load() != 0 || src.calls.Load() == 0 {
		t.Fatalf("thumbnails read on the UI goroutine: %d of %d", src.onUI.Load(), src.calls.Load())
	}
	cells, minID := 0, int64(1<<62)
	walk(b.gallery.grid, nil, func(o, _ fyne.CanvasObject) {
		c, ok := o.(*galleryCell)
		if !ok || !c.Visible() || c.thumb.id <= 0 {
			return
		}
		cells++
		minID = min(minID, c.thumb.id)
		im := b.byID[c.thumb.id]
		if c.thumb.img.Image == nil {
			t.Errorf("cell of %s has no thumbnail", im.Path)
		}
		if got := strings.TrimSuffix(strings.Split(c.name.Text, "…")[0], ".png"); !strings.HasPrefix(im.Path, got) {
			t.Errorf("cell of %s is named %q", im.Path, c.name.Text)
		}
	})
	first := int(b.gallery.grid.GetScrollOffset() / (newGalleryCell().MinSize().Height + theme.Padding()) * float32(b.gallery.grid.ColumnCount()))
	if cells < 9 || first < 10_000 || int(minID-1) < first-b.gallery.grid.ColumnCount() || int(minID-1) > first+b.gallery.grid.ColumnCount() {
		t.Fatalf("%d cells shown from item %d; the offset puts item %d first", cells, minID-1, first)
	}
}

func TestNameFitter(t *testing.T) {
	_ = test.NewTempApp(t)
	f := newNameFitter(theme.CaptionTextSize(), fyne.TextStyle{})
	const limit = 116
	if got := f.fit("cat.jpg", limit); got != "cat.jpg" {
		t.Errorf("short name changed to %q", got)
	}
	long := "2024-07-14 summer holiday on the coast IMG_20240714_153012.jpg"
	got := f.fit(long, limit)
	if !strings.Contains(got, "…") || !strings.HasSuffix(got, ".jpg") || !strings.HasPrefix(got, "2024") {
		t.Fatalf("long name fitted as %q", got)
	}
	if w := fyne.MeasureText(got, theme.CaptionTextSize(), fyne.TextStyle{}).Width; w > limit {
		t.Errorf("%q is %.1f wide, over %d", got, w, limit)
	}
	if w := fyne.MeasureText(got, theme.CaptionTextSize(), fyne.TextStyle{}).Width; w < limit*0.7 {
		t.Errorf("%q is %.1f wide: too short for %d", got, w, limit)
	}
}
