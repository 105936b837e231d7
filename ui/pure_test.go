package ui

import (
	"errors"
	"fmt"
	"image"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
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
		if got := paths(arrange(all, c.filter, c.order, nil)); got != c.want {
			t.Errorf("arrange(%q, %s) = %s, want %s", c.filter, c.order, got, c.want)
		}
	}
}

func TestAnalogiesRanking(t *testing.T) {
	ims := map[int64]library.Image{}
	var pts []library.ScatterPoint
	// 100 photos: relational score falls with the id, visual score is
	// random-looking; the query is 1.
	for id := int64(1); id <= 101; id++ {
		ims[id] = img(id, fmt.Sprintf("p%d", id), 0, 1, 1)
		pts = append(pts, library.ScatterPoint{ID: id, Relational: 1 - float32(id)/200, Visual: float32((id*37)%100) / 100})
	}
	pts = append(pts, library.ScatterPoint{ID: 999, Relational: 0.99, Visual: 0}) // unknown id: skipped
	pts[3].Visual = 0.95                                                          // id 4: a variant of the query
	lookup := func(id int64) (library.Image, bool) { im, ok := ims[id]; return im, ok }
	got, thr := analogies(pts, 1, 0.10, 4, lookup)
	if len(got) != 4 {
		t.Fatalf("analogies = %+v", got)
	}
	// The top 10 % of the 99 candidates (10): ids 2, 3, 5..12 (4 is a
	// variant, 999 unknown); the threshold is id 12's.
	if want := 1 - float32(12)/200; thr != want {
		t.Errorf("threshold = %v, want %v", thr, want)
	}
	for i, h := range got {
		if h.Relational < thr {
			t.Errorf("#%d (%s) relational %.3f is under the threshold %.3f", i+1, h.Image.Path, h.Relational, thr)
		}
		if h.Image.ID == 1 || h.Image.ID == 4 {
			t.Errorf("#%d is the query or its variant: %s", i+1, h.Image.Path)
		}
		if i > 0 && h.Visual < got[i-1].Visual {
			t.Errorf("not least alike first: %+v", got)
		}
		if !h.HasBoth || h.Score != h.Relational {
			t.Errorf("hit = %+v", h)
		}
	}
	// At least k candidates, whatever the share.
	got, _ = analogies(pts, 1, 0.001, 3, lookup)
	if len(got) != 3 {
		t.Fatalf("tiny share: %d hits", len(got))
	}
}

func TestStackHits(t *testing.T) {
	v := func(xs ...float32) []float32 { return xs }
	q := v(1, 0, 0)
	vecs := map[int64][]float32{
		1: q,
		2: v(0.99, 0.1, 0), // a variant of the query
		3: v(0, 1, 0),
		4: v(0, 0.98, 0.1), // a variant of 3
		5: v(0, 0, 1),
		6: v(0.7, 0.7, 0), // between: alike neither enough
	}
	hits := []hit{{Image: img(2, "copy", 0, 1, 1)}, {Image: img(3, "a", 0, 1, 1)}, {Image: img(4, "a-crop", 0, 1, 1)}, {Image: img(6, "mid", 0, 1, 1)}, {Image: img(5, "b", 0, 1, 1)}}
	kept, ofQuery := stackHits(hits, q, vecs, 2)
	if len(ofQuery) != 1 || ofQuery[0].ID != 2 {
		t.Errorf("the query's variants = %+v", ofQuery)
	}
	if len(kept) != 2 || kept[0].Image.ID != 3 || kept[1].Image.ID != 6 {
		t.Fatalf("kept = %+v", kept)
	}
	if len(kept[0].Stack) != 1 || kept[0].Stack[0].ID != 4 {
		t.Errorf("stack of a = %+v", kept[0].Stack)
	}
	// Without vectors nothing is stacked.
	if kept, ofQuery := stackHits(hits, nil, nil, 3); len(kept) != 3 || ofQuery != nil {
		t.Errorf("no vectors: %d kept, %d variants", len(kept), len(ofQuery))
	}
}

func TestStrengthScale(t *testing.T) {
	c := &calibration{scores: map[string][]float32{}}
	for i := range 1000 {
		c.scores[engine.Visual] = append(c.scores[engine.Visual], float32(i)/1000)
	}
	for _, x := range []struct {
		score float32
		word  string
		top   string
	}{{0.9995, strengthStrong, "top 0.1%"}, {0.992, strengthStrong, "top 0.8%"}, {0.96, strengthFair, "top 4.0%"}, {0.5, strengthWeak, "top 50%"}} {
		p := c.percentile(engine.Visual, x.score)
		if strengthWord(p) != x.word || topPercent(p) != x.top {
			t.Errorf("score %.4f: percentile %.4f, %s %s; want %s %s", x.score, p, strengthWord(p), topPercent(p), x.word, x.top)
		}
	}
	if p := c.percentile(engine.Relational, 0.9); p != -1 || strengthWord(p) != "" || strengthFill(p) != 0 {
		t.Errorf("a space without a sample: %v", p)
	}
	if a, b := strengthFill(0.9), strengthFill(0.999); !(a < b && b == 1) {
		t.Errorf("fill 0.9 → %v, 0.999 → %v", a, b)
	}
	var nilCal *calibration
	if nilCal.percentile(engine.Visual, 1) != -1 {
		t.Error("a nil calibration knows a percentile")
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
	if got, want := progressText(p), "Finding objects · 812 of 3108 · 31.2 photos/s · 1m14s left · 2 failed"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	p.Paused = true
	if got := progressText(p); !strings.HasPrefix(got, "Paused · Finding objects · 812 of 3108") || strings.Contains(got, "left") {
		t.Errorf("paused: %q", got)
	}
	if got, want := progressText(library.Progress{Phase: library.PhaseUpgrade, Done: 256, Total: 300}), "Upgrading the catalog (no photo is read) · 256 of 300"; got != want {
		t.Errorf("upgrade: %q, want %q", got, want)
	}
	c := library.Coverage{Space: "relational", Have: 812, Total: 3108, Deferred: true}
	if got, want := coverageNote(c), "Objects analysed in 812 of 3108 photos (for why)"; got != want {
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
	if !strings.Contains(s, "objects found in 20 in 2s (10.0/s)") {
		t.Errorf("summary %q", s)
	}
	if strings.Contains(s, "damaged") || strings.Contains(s, "upgraded") || strings.Contains(s, "capture dates") {
		t.Errorf("summary of a plain run speaks of damage, upgrades or dates: %q", s)
	}
	s = summaryText(library.Summary{Scanned: 20, Unchanged: 20, Upgraded: 20, DatesRead: 20})
	if !strings.Contains(s, "the catalog was upgraded (20 vectors converted, no photo read)") || !strings.Contains(s, "capture dates read for 20 photos") {
		t.Errorf("summary of an upgrading run %q", s)
	}
	s = summaryText(library.Summary{Scanned: 20, Indexed: 20, Repaired: 2, Rebuilt: &library.Rebuilt{Cause: "malformed", SetAside: "/c/catalog.damaged-x.db"}})
	if !strings.HasPrefix(s, "The catalog was damaged and is rebuilt") || !strings.Contains(s, "2 damaged vectors found and encoded again") {
		t.Errorf("summary of a repaired run %q", s)
	}
}

// A relational neighbour's tile names what it shares with the query as
// chips; a neighbour without a "why" (visual column, plug-in encoder) shows
// none.
func TestNeighbourTileShowsWhy(t *testing.T) {
	ns := []library.Neighbour{
		{Image: library.Image{ID: 1, Path: "a.jpg"}, Score: 0.5, Why: []engine.Relation{{Relation: "horizontal strata", Strength: 0.7}, {Relation: "mirror symmetry (left-right)", Strength: 0.6}}},
		{Image: library.Image{ID: 2, Path: "b.jpg"}, Score: 0.4},
	}
	hs := hitsOf(ns)
	test.NewTempApp(t)
	tile := newNeighbourTile(newTileGeometry(maxTileWidth+80, maxChips), nil, nil)
	tile.setHit(hs[0], 1, nil)
	// Two chips share the line when both fit whole, by their short labels.
	if got := strings.Join(tile.chipLabels(), "|"); got != "strata|mirror" {
		t.Errorf("why chips %q", got)
	}
	// In a narrow tile the first takes the line whole, with "+1" when that
	// fits beside it; in a tile too narrow even for it alone, it is
	// shortened and the "+1" kept.
	long := hitsOf([]library.Neighbour{{Image: library.Image{ID: 3, Path: "c.jpg"}, Score: 0.5, Why: []engine.Relation{
		{Relation: "small figure on empty ground", Strength: 0.9}, {Relation: "reflection of a scene below itself", Strength: 0.5}}}})
	for _, w := range []float32{150, 120, 105} {
		tile.setGeometry(newTileGeometry(w, maxChips))
		tile.setHit(long[0], 1, nil)
		if got := tile.chipLabels(); len(got) == 0 || got[0] != "figure on ground" || (len(got) == 2 && got[1] != "+1") || len(got) > 2 {
			t.Errorf("why chips in a tile %v wide: %q", w, got)
		}
	}
	tile.setGeometry(newTileGeometry(60, maxChips))
	tile.setHit(long[0], 1, nil)
	if got := tile.chipLabels(); len(got) != 2 || got[1] != "+1" || !strings.HasPrefix(got[0], "fi") || got[0] == "figure on ground" {
		t.Errorf("why chips in a tile 60 wide: %q", got)
	}
	// The hover preview names them in full, with their strength in words.
	if got := strings.Join(hoverWhy(long[0].Why), "|"); got != "Shares with the query:|  small figure on empty ground (strong in both)|  reflection of a scene below itself (present in both)" {
		t.Errorf("hover why %q", got)
	}
	if got := hoverWhy(nil); got != nil {
		t.Errorf("hover why of a tile without why %q", got)
	}
	if tile.rank.Text != "#1" {
		t.Errorf("rank %q", tile.rank.Text)
	}
	tile.setHit(hs[1], 2, nil)
	if got := tile.chipLabels(); len(got) != 0 {
		t.Errorf("a neighbour without why shows %q", got)
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

// Rate and time left leave out the time the run was paused: 20 of 100
// photos in 10 s of which 8 paused is 10 photos/s, 8 s left (not 2/s, 40 s).
func TestRateAndETAExcludePausedTime(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	var c pauseClock
	c.pause(t0.Add(1 * time.Second))
	c.resume(t0.Add(6 * time.Second))
	c.pause(t0.Add(7 * time.Second))
	now := t0.Add(10 * time.Second)
	// Paused 5 s, and 3 s so far: 8 s of the 10.
	if d := c.paused(t0, now); d != 8*time.Second {
		t.Fatalf("paused %v", d)
	}
	p := c.adjust(library.Progress{Phase: library.PhaseIndex, Done: 20, Total: 100, Elapsed: 10 * time.Second, Rate: 2, ETA: 40 * time.Second}, now)
	if p.Rate != 10 || p.ETA != 8*time.Second {
		t.Errorf("rate %v, time left %v; want 10/s and 8s", p.Rate, p.ETA)
	}
	if got := progressText(p); !strings.Contains(got, "10.0 photos/s · 8s left") {
		t.Errorf("status %q", got)
	}
	// Only the pauses within the phase count: a phase that began at 6 s.
	if d := c.paused(t0.Add(6*time.Second), now); d != 3*time.Second {
		t.Errorf("paused within the phase %v", d)
	}
	c.resume(now)
	s := c.adjustSummary(library.Summary{Indexed: 20, Elapsed: 10 * time.Second, Rate: 2}, t0, now)
	if s.Elapsed != 2*time.Second || s.Rate != 10 {
		t.Errorf("summary %v at %v/s", s.Elapsed, s.Rate)
	}
}

// Open without xdg-open says what is missing and what to do.
func TestOpenWithoutXdgOpen(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("xdg-open is the Linux opener")
	}
	t.Setenv("PATH", t.TempDir())
	err := openPath("/tmp/x.jpg")
	if err == nil || !strings.Contains(err.Error(), "xdg-open") || !strings.Contains(err.Error(), "xdg-utils") || !strings.Contains(err.Error(), "Copy path") {
		t.Errorf("error %v", err)
	}
}
