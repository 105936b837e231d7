package ui

import (
	"errors"
	"image"
	"strings"
	"sync"
	"testing"
	"time"

	"relview/engine"
	"relview/library"
)

func TestHistory(t *testing.T) {
	h := newHistory()
	if _, ok := h.current(); ok || h.canBack() || h.canForward() {
		t.Fatal("empty history has a current item")
	}
	h.visit(1)
	h.visit(2)
	h.visit(2) // no duplicate
	h.visit(3)
	if id, _ := h.back(); id != 2 {
		t.Fatalf("back = %d, want 2", id)
	}
	if id, _ := h.back(); id != 1 {
		t.Fatalf("back = %d, want 1", id)
	}
	if _, ok := h.back(); ok {
		t.Fatal("back past the start")
	}
	if id, _ := h.forward(); id != 2 {
		t.Fatalf("forward = %d, want 2", id)
	}
	h.visit(7) // drops 3
	if h.canForward() {
		t.Fatal("forward after a new visit")
	}
	if id, _ := h.current(); id != 7 {
		t.Fatalf("current = %d", id)
	}
	if id, _ := h.back(); id != 2 {
		t.Fatalf("back = %d, want 2", id)
	}
}

func img(id int64, p string, mtime int64, w, h int) library.Image {
	return library.Image{ID: id, Path: p, MTime: time.Unix(mtime, 0), Width: w, Height: h, Status: library.StatusIndexed, Hash: p}
}

func TestArrange(t *testing.T) {
	all := []library.Image{
		img(1, "b/cat.jpg", 30, 10, 10),
		img(2, "a/Dog.png", 10, 100, 100),
		img(3, "c/cat-and-dog.jpg", 20, 50, 50),
		{ID: 4, Path: "broken.jpg", Status: library.StatusFailed},
	}
	paths := func(ims []library.Image) string {
		var s []string
		for _, im := range ims {
			s = append(s, im.Path)
		}
		return strings.Join(s, ",")
	}
	for _, c := range []struct{ filter, order, want string }{
		{"", sortName, "a/Dog.png,b/cat.jpg,c/cat-and-dog.jpg"},
		{"", sortNewest, "b/cat.jpg,c/cat-and-dog.jpg,a/Dog.png"},
		{"", sortOldest, "a/Dog.png,c/cat-and-dog.jpg,b/cat.jpg"},
		{"", sortLargest, "a/Dog.png,c/cat-and-dog.jpg,b/cat.jpg"},
		{"CAT", sortName, "b/cat.jpg,c/cat-and-dog.jpg"},
		{"dog cat", sortName, "c/cat-and-dog.jpg"},
		{"zebra", sortName, ""},
	} {
		if got := paths(arrange(all, c.filter, c.order)); got != c.want {
			t.Errorf("arrange(%q, %s) = %s, want %s", c.filter, c.order, got, c.want)
		}
	}
}

func TestAnalogiesRanking(t *testing.T) {
	ims := map[int64]library.Image{1: img(1, "q", 0, 1, 1), 2: img(2, "twin", 0, 1, 1), 3: img(3, "analogy", 0, 1, 1), 4: img(4, "far", 0, 1, 1)}
	pts := []library.ScatterPoint{
		{ID: 1, Relational: 1, Visual: 1},      // the query itself
		{ID: 2, Relational: 0.9, Visual: 0.9},  // looks alike and relates alike
		{ID: 3, Relational: 0.8, Visual: 0.1},  // relates alike, looks different
		{ID: 4, Relational: 0.1, Visual: -0.2}, // neither
		{ID: 9, Relational: 0.9, Visual: 0},    // unknown id: skipped
	}
	got := analogies(pts, 1, 0.6, 2, func(id int64) (library.Image, bool) { im, ok := ims[id]; return im, ok })
	if len(got) != 2 || got[0].Image.ID != 3 || got[1].Image.ID != 2 {
		t.Fatalf("analogies = %+v", got)
	}
	if d := got[0].Score - (0.8 - 0.6*0.1); d > 1e-6 || d < -1e-6 {
		t.Errorf("score = %v", got[0].Score)
	}
	if !got[0].HasBoth || got[0].Relational != 0.8 || got[0].Visual != 0.1 {
		t.Errorf("hit = %+v", got[0])
	}
	// With w = 0 it is the plain relational order.
	got = analogies(pts, 1, 0, 3, func(id int64) (library.Image, bool) { im, ok := ims[id]; return im, ok })
	if got[0].Image.ID != 2 || got[1].Image.ID != 3 || got[2].Image.ID != 4 {
		t.Fatalf("w=0: %+v", got)
	}
}

func TestCheckDisplay(t *testing.T) {
	env := map[string]string{}
	get := func(k string) string { return env[k] }
	if err := CheckDisplay(get); !errors.Is(err, ErrNoDisplay) {
		t.Fatalf("no display: err = %v", err)
	}
	if !strings.Contains(ErrNoDisplay.Error(), "relview --help") {
		t.Error("the error does not point to the command line")
	}
	env["DISPLAY"] = ":99"
	if err := CheckDisplay(get); err != nil {
		t.Fatal(err)
	}
	env = map[string]string{"WAYLAND_DISPLAY": "wayland-0"}
	if err := CheckDisplay(get); err != nil {
		t.Fatal(err)
	}
}

func TestProgressText(t *testing.T) {
	p := library.Progress{Phase: library.PhaseIndex, Done: 12, Total: 50, Rate: 8.04, ETA: 5 * time.Second, Failed: 1}
	if got, want := progressText(p), "Indexing · 12 of 50 · 8.0 photos/s · 5s left · 1 failed"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	p.Paused = true
	if got := progressText(p); !strings.HasPrefix(got, "Paused · 12 of 50") || strings.Contains(got, "left") {
		t.Errorf("paused: %q", got)
	}
	if got := shortDuration(3*time.Minute + 5*time.Second); got != "3m05s" {
		t.Errorf("shortDuration = %q", got)
	}
	if got := shortDuration(2*time.Hour + 4*time.Minute); got != "2h04m" {
		t.Errorf("shortDuration = %q", got)
	}
}

// slowSource blocks Thumbnail until released, recording the order of
// calls and saying when the first one is waiting.
type slowSource struct {
	fakeSource
	mu      sync.Mutex
	order   []int64
	entered chan struct{} // one value per call, on entering Thumbnail
	release chan struct{}
}

func (s *slowSource) Thumbnail(im library.Image) (image.Image, error) {
	s.entered <- struct{}{}
	<-s.release
	s.mu.Lock()
	s.order = append(s.order, im.ID)
	s.mu.Unlock()
	return image.NewNRGBA(image.Rect(0, 0, 4, 4)), nil
}

func TestThumbLoaderLIFOAndCancel(t *testing.T) {
	src := &slowSource{entered: make(chan struct{}, 8), release: make(chan struct{})}
	loop := newUILoop()
	ts := newTasks(loop.post)
	l := newThumbLoader(src, ts, 1, 16)
	defer l.close()
	var got []int64 // the callbacks run on the loop, here
	done := func(id int64) func(image.Image) {
		return func(image.Image) { got = append(got, id) }
	}
	// The worker takes request 1 at once and blocks in Thumbnail; 2..4
	// queue behind it.
	l.load(img(1, "1", 0, 1, 1), done(1))
	<-src.entered
	l.load(img(2, "2", 0, 1, 1), done(2))
	cancel3 := l.load(img(3, "3", 0, 1, 1), done(3))
	l.load(img(4, "4", 0, 1, 1), done(4))
	cancel3()
	close(src.release)
	loop.until(t.Fatalf, "the thumbnails", func() bool { return ts.busy() == 0 })
	// Newest first, the cancelled one never loaded nor reported.
	if want := []int64{1, 4, 2}; !equalIDs(got, want) {
		t.Fatalf("callbacks %v, want %v", got, want)
	}
	src.mu.Lock()
	defer src.mu.Unlock()
	if want := []int64{1, 4, 2}; !equalIDs(src.order, want) {
		t.Fatalf("loads %v, want %v", src.order, want)
	}
	// A second request is served from the LRU without loading.
	if _, ok := l.cached(img(4, "4", 0, 1, 1)); !ok {
		t.Fatal("not cached")
	}
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestProgressTextSecondPass(t *testing.T) {
	p := library.Progress{Phase: library.PhaseRelate, Done: 812, Total: 3108, Rate: 31.25, ETA: 74 * time.Second, Failed: 2, Skipped: 9}
	if got, want := progressText(p), "Analysing relations · 812 of 3108 · 31.2 photos/s · 1m14s left · 2 failed"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	p.Paused = true
	if got := progressText(p); !strings.HasPrefix(got, "Paused · Analysing relations · 812 of 3108") || strings.Contains(got, "left") {
		t.Errorf("paused: %q", got)
	}
	c := library.Coverage{Space: "relational", Have: 812, Total: 3108, Deferred: true}
	if got, want := coverageNote(c), "Relations analysed for 812 of 3108 photos"; got != want {
		t.Errorf("coverage note %q, want %q", got, want)
	}
	for _, c := range []library.Coverage{
		{Space: "relational", Have: 3108, Total: 3108, Deferred: true},
		{Space: "relational", Have: 3100, Failed: 8, Total: 3108, Deferred: true},
		{Space: "relational", Have: 10, Total: 3108}, // a plug-in: one pass, no note
	} {
		if got := coverageNote(c); got != "" {
			t.Errorf("coverage %+v: note %q, want none", c, got)
		}
	}
	s := summaryText(library.Summary{Scanned: 20, Indexed: 20, Elapsed: 3 * time.Second, Rate: 40, Related: 20, RelateElapsed: 2 * time.Second, RelateRate: 10})
	if !strings.Contains(s, "relations analysed for 20 in 2s (10.0/s)") {
		t.Errorf("summary %q", s)
	}
}

// A relational neighbour's tile names what it shares with the query; a
// neighbour without a "why" (visual column, plug-in encoder) shows no line.
func TestNeighbourTileShowsWhy(t *testing.T) {
	ns := []library.Neighbour{
		{Image: library.Image{ID: 1, Path: "a.jpg"}, Score: 0.5, Why: []engine.Relation{{Relation: "horizontal strata", Strength: 0.7}, {Relation: "mirror symmetry (left-right)", Strength: 0.6}}},
		{Image: library.Image{ID: 2, Path: "b.jpg"}, Score: 0.4},
	}
	hs := hitsOf(ns)
	tile := newNeighbourTile(nil)
	tile.setHit(hs[0], 1, nil)
	if !tile.why.Visible() || tile.why.Text != "shares: horizontal strata, mirror symmetry (left-right)" {
		t.Errorf("why line %q (visible %v)", tile.why.Text, tile.why.Visible())
	}
	tile.setHit(hs[1], 2, nil)
	if tile.why.Visible() {
		t.Errorf("a neighbour without why shows %q", tile.why.Text)
	}
}

// whySource is a fake source that can say why two photos relate.
type whySource struct {
	Source
	why []engine.Relation
}

func (s whySource) Why(a, b int64) ([]engine.Relation, error) { return s.why, nil }

func TestSharedRelationsLine(t *testing.T) {
	src := whySource{why: []engine.Relation{{Relation: "horizontal strata", Strength: 0.8}}}
	if got := sharedRelations(src, 1, 2); got != "\nBoth show: horizontal strata" {
		t.Errorf("line %q", got)
	}
	if got := sharedRelations(whySource{}, 1, 2); got != "" {
		t.Errorf("nothing shared, yet %q", got)
	}
	var plain Source = &fakeSource{}
	if got := sharedRelations(plain, 1, 2); got != "" {
		t.Errorf("a source that cannot say, yet %q", got)
	}
}
