package ui

import (
	"fmt"
	"image"
	"io"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"relview/engine"
	"relview/library"
)

// Config tunes a Browser.
type Config struct {
	K int // neighbours per column (default 12)
	// AnalogyTop is the share of the library, most relationally similar to
	// the query, that analogies are picked from (default 0.05: 5 %).
	AnalogyTop   float64
	ThumbWorkers int       // background thumbnail loaders (default 2)
	Debug        io.Writer // status lines for scripts and tests; nil: none
	// Open opens a file or folder in the system's viewer or file manager;
	// nil: openPath (xdg-open and friends).
	Open func(path string) error
}

// Browser is relview's main window content and its controller: it owns the
// shown library (its source, catalog listing and task group) and the query
// (history, generation), and drives four views that build themselves: the
// gallery, the neighbours, the similarity map and the status bar. Its
// methods run on the UI thread; loading, decoding and searching run through
// the library's task group (spawn), whose results come back to the UI
// thread and are dropped once stale.
type Browser struct {
	app fyne.App
	win fyne.Window
	cfg Config
	ui  uiThread
	dbg sync.Mutex // serialises Debug writes

	gallery *galleryView
	nb      *neighboursView
	mapv    *mapView
	relv    *relationsView
	status  *statusBar
	content fyne.CanvasObject

	// The library shown (src nil: none).
	src    Source
	spaces map[string]engine.SpaceInfo
	work   *tasks // the library's task group; closed when it goes
	thumbs *thumbLoader
	all    []library.Image
	byID   map[int64]library.Image
	// scanProblems are the folders, links and special files the scan
	// skipped (the skipped list shows them with the files that failed).
	scanProblems []library.Problem
	index        *indexRun // the indexing run, if any

	reloading, reloadAgain bool // a catalog reload runs; another is due after it

	// The relations view is out of date (the catalog changed since).
	relStale, relLoading bool

	// The match-strength scale of the library (nil: not made yet).
	cal         *calibration
	calibrating bool
	recalibrate bool // make it anew at the next catalog reading (an indexing run ended)

	// restore is the query and history to show again once the catalog of
	// the library at restore.root is read (the library was reopened with
	// new encoders or threads); nil: none.
	restore *queryState

	// The tile whose larger preview is shown (nil: none).
	hoverGen generation
	hovered  *neighbourTile

	// The query.
	hist       *history
	query      int64           // the photo shown; 0: none
	external   string          // a dropped file shown as the query (query is then 0)
	variants   []library.Image // the query's near-duplicates, stacked away
	queryGen   generation
	queryStart time.Time
}

// NewBrowser builds the views; SetSource gives them a library.
func NewBrowser(a fyne.App, w fyne.Window, cfg Config) *Browser {
	return newBrowser(a, w, cfg, fyneThread)
}

// newBrowser is NewBrowser with the way results reach the UI thread.
func newBrowser(a fyne.App, w fyne.Window, cfg Config, ui uiThread) *Browser {
	if cfg.K <= 0 {
		cfg.K = defaultK
	}
	if cfg.AnalogyTop <= 0 || cfg.AnalogyTop > 1 {
		cfg.AnalogyTop = defaultAnalogyTop
	}
	if cfg.ThumbWorkers <= 0 {
		cfg.ThumbWorkers = 2
	}
	if cfg.Open == nil {
		cfg.Open = openPath
	}
	b := &Browser{app: a, win: w, cfg: cfg, ui: ui, hist: newHistory(), byID: map[int64]library.Image{}}
	b.build()
	return b
}

// Content is the window content.
func (b *Browser) Content() fyne.CanvasObject { return b.content }

// debugf writes a status line for scripts (RELVIEW_DEBUG) and tests.
func (b *Browser) debugf(format string, args ...any) {
	if b.cfg.Debug == nil {
		return
	}
	b.dbg.Lock()
	defer b.dbg.Unlock()
	fmt.Fprintf(b.cfg.Debug, "relview: "+format+"\n", args...)
}

func (b *Browser) build() {
	b.gallery = newGalleryView(b.Show, func() {
		if c := b.win.Canvas(); c != nil {
			c.Unfocus()
		}
	}, galleryWidthPref(b.app.Preferences()))
	b.gallery.onZoom = func(w float64) { b.app.Preferences().SetFloat(prefGalleryWidth, w) }
	b.gallery.onShown = func(shown, _ int) { b.debugf("gallery %d", shown) }
	b.gallery.onOrder = func(string) {
		// The dates come with the catalog listing (read at index time):
		// sorting by them reads no photo file.
		if b.gallery.dateOrder() {
			b.status.message(fmt.Sprintf("Sorted by when the photos were taken (EXIF), else by their files' time · %d photos", indexedCount(b.all)))
		}
	}
	b.mapv = newMapView(b.Show, b.hoverMap)
	b.relv = newRelationsView(func(id int64) {
		b.Show(id)
		b.showView(0)
	})
	b.nb = newNeighboursView(neighbourActions{
		back: b.Back, forward: b.Forward,
		open: b.openCurrent, showInFolder: b.showCurrentInFolder, copyPath: b.copyCurrentPath, compare: b.showCompare,
		analogies: func(bool) { b.refreshQuery() },
		tapHit:    func(h hit) { b.Show(h.Image.ID) },
		tab: func() {
			b.loadMap()
			b.loadRelations()
		},
		stack: func(h hit) {
			b.showStack(fmt.Sprintf("%s and %d alike", baseName(h.Image.Path), len(h.Stack)), append([]library.Image{h.Image}, h.Stack...))
		},
		variants: func() { b.showStack("Variants of "+baseName(b.byID[b.query].Path), b.variants) },
		size:     func(w float64) { b.app.Preferences().SetFloat(prefTileWidth, w) },
		details:  b.showDetails,
		hover:    b.hoverTile,
	}, b.mapv.content, b.relv.content, tileWidthPref(b.app.Preferences()))
	b.nb.analogyOn.SetText(fmt.Sprintf(analogyHint, topPercentOf(b.cfg.AnalogyTop)))

	b.status = newStatusBar()
	b.status.onPause = func() {
		if b.index != nil {
			b.index.clock.pause(time.Now())
			b.index.ix.Pause()
		}
	}
	b.status.onResume = func() {
		if b.index != nil {
			b.index.clock.resume(time.Now())
			b.index.ix.Resume()
		}
	}
	b.status.onCancel = func() { b.CancelIndexing() }
	b.status.onSkipped = func(ps []library.Problem) { b.showProblems(ps) }

	split := container.NewHSplit(b.gallery.content, b.nb.content)
	split.Offset = 0.36
	b.content = container.NewBorder(nil, container.NewVBox(widget.NewSeparator(), b.status.content), nil, nil, split)
	b.updateNav()
	b.nb.setCaptions(b.spaces)
}

// SetSource shows a library (nil: none) with the spaces its engine fills,
// and loads its catalog in the background. The previous library's work in
// flight is dropped (Session waits for it before closing the library).
func (b *Browser) SetSource(src Source, spaces []engine.SpaceInfo) {
	b.attach(src, spaces)
}

// attach is SetSource; it returns the previous library's task group
// (closed: its results are dropped) so that the caller can wait for its
// work off the UI thread before closing the library.
func (b *Browser) attach(src Source, spaces []engine.SpaceInfo) (old *tasks) {
	b.CancelIndexing()
	old = b.work
	if old != nil {
		old.close()
		b.thumbs.close()
	}
	b.src, b.work, b.thumbs, b.index = src, nil, nil, nil
	if src != nil {
		b.work = newTasks(b.ui.do)
		b.thumbs = newThumbLoader(src, b.work, b.cfg.ThumbWorkers, 1024)
	}
	b.spaces = map[string]engine.SpaceInfo{}
	for _, s := range spaces {
		b.spaces[s.Space] = s
	}
	b.all, b.byID, b.scanProblems = nil, map[int64]library.Image{}, nil
	b.reloading, b.reloadAgain = false, false
	b.cal, b.calibrating, b.recalibrate = nil, false, false
	b.relStale, b.relLoading = true, false
	b.relv.setGroups(nil, nil, 0, nil)
	b.relv.setNote("")
	b.hist.reset()
	b.gallery.setLibrary(b.work, b.thumbs)
	b.clearQuery()
	b.nb.setCaptions(b.spaces)
	b.nb.rel.setCoverage("")
	b.status.setRunning(false)
	if src != nil {
		b.win.SetTitle("relview — " + src.Root())
		b.Reload()
		b.updateCoverage()
	}
	return old
}

// catalog is one reading of the library's catalog.
type catalog struct {
	images, failures []library.Image
	problems         []library.Problem // what the scan could not read (links, folders)
	err              error
}

// problemSource is a Source that can list what its scan could not read
// (*library.Library can).
type problemSource interface {
	ScanProblems() ([]library.Problem, error)
}

// Reload reads the catalog again in the background (coalescing calls made
// while a reload runs) and refreshes the gallery.
func (b *Browser) Reload() {
	if b.src == nil {
		return
	}
	if b.reloading {
		b.reloadAgain = true
		return
	}
	b.reloading = true
	src := b.src
	spawn(b.work, ticket{}, func() catalog {
		ims, err := src.Images()
		if err != nil {
			return catalog{err: fmt.Errorf("reading the catalog: %w", err)}
		}
		fails, err := src.Failures()
		if err != nil {
			return catalog{err: fmt.Errorf("reading the catalog's skipped files: %w", err)}
		}
		c := catalog{images: ims, failures: fails}
		if ps, ok := src.(problemSource); ok {
			if c.problems, err = ps.ScanProblems(); err != nil {
				return catalog{err: fmt.Errorf("reading the folders and links the scan skipped: %w", err)}
			}
		}
		return c
	}, func(c catalog) {
		b.reloading = false
		if c.err != nil {
			b.status.message(c.err.Error())
		} else {
			b.scanProblems = c.problems
			b.setImages(c.images, c.failures)
		}
		if b.reloadAgain {
			b.reloadAgain = false
			b.Reload()
		}
	})
}

// setImages takes a new catalog listing and the files that failed.
func (b *Browser) setImages(ims []library.Image, fails []library.Image) {
	byID := make(map[int64]library.Image, len(ims))
	for _, im := range ims {
		byID[im.ID] = im
	}
	b.all, b.byID = ims, byID
	ps := make([]library.Problem, 0, len(fails)+len(b.scanProblems))
	for _, f := range fails {
		ps = append(ps, library.Problem{Path: f.Path, Reason: f.Reason})
	}
	ps = append(ps, b.scanProblems...)
	b.status.setProblems(ps)
	b.gallery.setImages(ims)
	b.relStale = true
	b.loadRelations()
	b.updateHint()
	b.calibrate()
	if st := b.restore; st != nil && b.src != nil && b.src.Root() == st.root {
		b.restore = nil
		if _, ok := byID[st.query]; ok && b.query == 0 {
			b.hist = st.hist
			b.showQuery(st.query)
		}
	}
}

// hoverPreview is the size of the larger preview of a hovered tile.
var hoverPreview = fyne.NewSize(420, 315)

// hoverTile shows (in) or hides a larger preview of a tile's photo beside
// it, over the panes: the thumbnail at once, the photo itself when
// decoded.
func (b *Browser) hoverTile(t *neighbourTile, in bool) {
	tk := b.hoverGen.next()
	if !in {
		if b.hovered == t {
			b.hideHover()
		}
		return
	}
	b.hovered = t
	drv := fyne.CurrentApp().Driver()
	lay := b.nb.hoverLay
	at := drv.AbsolutePositionForObject(t).Subtract(drv.AbsolutePositionForObject(lay))
	area := lay.Size()
	why := hoverWhy(t.hit.Why)
	size := fyne.NewSize(min(hoverPreview.Width, area.Width), min(hoverPreview.Height+whyHeight(len(why)), area.Height))
	// Beside the tile, on the side with room, inside the panes.
	x := at.X + t.Size().Width + 8
	if x+size.Width > area.Width {
		x = at.X - size.Width - 8
	}
	y := min(max(at.Y-size.Height/4, 0), max(area.Height-size.Height, 0))
	pos := fyne.NewPos(max(x, 0), y)
	b.nb.showHover(t.thumb.img.Image, why, pos, size)
	src, im := b.src, t.hit.Image
	if src == nil {
		return
	}
	spawn(b.work, tk, func() image.Image {
		img, err := src.Preview(im, 640)
		if err != nil {
			return nil
		}
		return img
	}, func(img image.Image) {
		if img != nil && b.hovered == t {
			b.nb.showHover(img, why, pos, size)
		}
	})
}

// hoverWhy are the lines under a hovered tile's preview: the relations it
// shares with the query by their full names, strongest first (its chips
// show them shortened).
func hoverWhy(why []engine.Relation) []string {
	if len(why) == 0 {
		return nil
	}
	out := []string{"Shares with the query:"}
	for _, r := range why {
		out = append(out, fmt.Sprintf("  %s (%s in both)", r.Relation, relationWord(r.Strength)))
	}
	return out
}

// whyHeight is the room n lines under the hover preview take.
func whyHeight(n int) float32 {
	if n == 0 {
		return 0
	}
	line := fyne.MeasureText("Ag", theme.CaptionTextSize(), fyne.TextStyle{}).Height
	return float32(n)*(line+theme.Padding()) + theme.Padding()
}

// hideHover hides the hover preview.
func (b *Browser) hideHover() {
	b.hovered = nil
	b.hoverGen.next()
	b.nb.showHover(nil, nil, fyne.Position{}, fyne.Size{})
}

// Hints of the neighbours pane while no photo is the query.
const (
	hintPick  = "Click a photo to see its relationally similar neighbours beside its visually similar ones."
	hintWait  = "Indexing: photos appear in the gallery as they are read. Click one to see its neighbours."
	hintEmpty = "This folder has no photos relview can read. Copy JPEG, PNG, GIF, BMP, TIFF or WebP photos into it " +
		"(they appear on their own), or open another folder: File → Open folder… (Ctrl+O), or File → Open the sample library. " +
		"Help → What is relational similarity? explains what the two columns show."
)

// updateHint says what to do next while no photo is the query: pick one,
// wait for indexing, or (an empty folder) add photos or open another.
func (b *Browser) updateHint() {
	switch {
	case indexedCount(b.all) > 0:
		b.nb.hint.SetText(hintPick)
	case b.index != nil && b.status.running:
		b.nb.hint.SetText(hintWait)
	default:
		b.nb.hint.SetText(hintEmpty)
	}
}

// queryState is the query photo and the history of one library.
type queryState struct {
	root  string
	query int64
	hist  *history
}

// saveQuery is the shown query and history (UI thread).
func (b *Browser) saveQuery() *queryState {
	if b.src == nil || b.query == 0 {
		return nil
	}
	return &queryState{root: b.src.Root(), query: b.query, hist: b.hist.clone()}
}

// calibrate makes the library's match-strength scale in the background:
// once it has two indexed photos, again when it has grown by a quarter
// since, and after each indexing run; the shown query then gets its
// strengths.
func (b *Browser) calibrate() {
	if b.calibrating || b.src == nil {
		return
	}
	var ids []int64
	for _, im := range b.all {
		if im.Status == library.StatusIndexed {
			ids = append(ids, im.ID)
		}
	}
	if len(ids) < 2 || (b.cal != nil && !b.recalibrate && len(ids) <= b.cal.photos+b.cal.photos/4) {
		return
	}
	b.calibrating, b.recalibrate = true, false
	src := b.src
	type result struct {
		c   *calibration
		err error
	}
	spawn(b.work, ticket{}, func() result {
		c, err := sampleCalibration(src, ids)
		return result{c, err}
	}, func(r result) {
		b.calibrating = false
		if r.err != nil {
			b.debugf("calibration: %v", r.err)
			return
		}
		b.cal = r.c
		b.debugf("calibration photos=%d pairs=%d", r.c.photos, len(r.c.scores[engine.Relational]))
		b.refreshQuery()
	})
}

// Show makes the catalogued photo id the query and adds it to the history.
func (b *Browser) Show(id int64) {
	if _, ok := b.byID[id]; !ok {
		return
	}
	b.hist.visit(id)
	b.showQuery(id)
}

// Back and Forward walk the history.
func (b *Browser) Back() {
	if id, ok := b.hist.back(); ok {
		b.showQuery(id)
	}
}

func (b *Browser) Forward() {
	if id, ok := b.hist.forward(); ok {
		b.showQuery(id)
	}
}

func (b *Browser) updateNav() {
	b.nb.setNav(b.hist.canBack(), b.hist.canForward(), b.query != 0, b.external != "")
}

// clearQuery shows no query.
func (b *Browser) clearQuery() {
	b.hideHover()
	b.query = 0
	b.external = ""
	b.variants = nil
	b.queryGen.next()
	b.nb.clear(b.thumbs)
	b.mapv.setPoints(nil)
	b.gallery.selectInGrid(0, false)
	b.updateNav()
}

// currentPath is the absolute path of the query photo.
func (b *Browser) currentPath() (string, bool) {
	if b.external != "" {
		return b.external, true
	}
	im, ok := b.byID[b.query]
	if !ok || b.src == nil || b.query == 0 {
		return "", false
	}
	return b.src.AbsPath(im), true
}
