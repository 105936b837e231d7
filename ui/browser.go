package ui

import (
	"fmt"
	"io"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
	"relview/engine"
	"relview/library"
)

// Config tunes a Browser.
type Config struct {
	K             int       // neighbours per column (default 8)
	AnalogyWeight float32   // w in relational − w·visual (default 0.6)
	ThumbWorkers  int       // background thumbnail loaders (default 2)
	Debug         io.Writer // status lines for scripts and tests; nil: none
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
	status  *statusBar
	content fyne.CanvasObject

	// The library shown (src nil: none).
	src    Source
	spaces map[string]engine.SpaceInfo
	work   *tasks // the library's task group; closed when it goes
	thumbs *thumbLoader
	all    []library.Image
	byID   map[int64]library.Image
	index  *indexRun // the indexing run, if any

	reloading, reloadAgain bool // a catalog reload runs; another is due after it

	// The query.
	hist       *history
	query      int64  // the photo shown; 0: none
	external   string // a dropped file shown as the query (query is then 0)
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
		cfg.K = 8
	}
	if cfg.AnalogyWeight == 0 {
		cfg.AnalogyWeight = 0.6
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
	})
	b.gallery.onShown = func(shown, _ int) { b.debugf("gallery %d", shown) }
	b.mapv = newMapView(b.Show, b.hoverMap)
	b.nb = newNeighboursView(neighbourActions{
		back: b.Back, forward: b.Forward,
		open: b.openCurrent, showInFolder: b.showCurrentInFolder, copyPath: b.copyCurrentPath, compare: b.showCompare,
		analogies: func(bool) { b.refreshQuery() },
		tapHit:    func(h hit) { b.Show(h.Image.ID) },
		tab:       b.loadMap,
	}, b.mapv.content)

	b.status = newStatusBar()
	b.status.onPause = func() {
		if b.index != nil {
			b.index.ix.Pause()
		}
	}
	b.status.onResume = func() {
		if b.index != nil {
			b.index.ix.Resume()
		}
	}
	b.status.onCancel = func() { b.CancelIndexing() }
	b.status.onSkipped = b.showProblems

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
	b.all, b.byID = nil, map[int64]library.Image{}
	b.reloading, b.reloadAgain = false, false
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
	err              error
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
		return catalog{images: ims, failures: fails}
	}, func(c catalog) {
		b.reloading = false
		if c.err != nil {
			b.status.message(c.err.Error())
		} else {
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
	ps := make([]library.Problem, 0, len(fails))
	for _, f := range fails {
		ps = append(ps, library.Problem{Path: f.Path, Reason: f.Reason})
	}
	b.status.setProblems(ps)
	b.gallery.setImages(ims)
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
	b.query = 0
	b.external = ""
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
