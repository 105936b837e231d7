package ui

import (
	"context"
	"fmt"
	"image"
	"io"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/dustin/go-humanize"
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

// Browser is relview's main view: the gallery, the neighbours of the
// selected photo in two columns (relational and visual), and the indexing
// status. It runs on the UI thread; all loading, decoding and searching runs
// in goroutines whose results come back through fyne.Do.
type Browser struct {
	app fyne.App
	win fyne.Window
	cfg Config

	src    Source
	spaces map[string]engine.SpaceInfo
	thumbs *thumbLoader

	// gallery
	all        []library.Image
	byID       map[int64]library.Image
	shown      []library.Image
	filter     string
	order      string
	arrangeGen uint64
	grid       *widget.GridWrap
	suppress   bool // Select called by the program, not the user
	filterBox  *widget.Entry
	sortSelect *widget.Select
	countLabel *widget.Label

	// neighbours view
	hist      *history
	query     int64  // the photo shown; 0: none
	external  string // a dropped file shown as the query (query is then 0)
	queryGen  uint64
	preview   *canvas.Image
	title     *widget.Label
	details   *widget.Label
	hint      *widget.Label
	rel, vis  *column
	back, fwd *widget.Button
	actions   []*widget.Button
	analogies *widget.Check
	tabs      *container.AppTabs
	simMap    *simMap
	mapInfo   *widget.Label
	mapThumb  *thumbView

	status  *statusBar
	content fyne.CanvasObject

	// background work
	jobs        sync.WaitGroup
	indexCancel context.CancelFunc
	indexDone   chan struct{}
	indexer     Indexer
	reloadMu    sync.Mutex
	reloading   bool
	reloadAgain bool
	lastReload  time.Time

	// last neighbour result, for tests and the debug line
	lastRel, lastVis []hit
	queryStart       time.Time
}

// NewBrowser builds the views; SetSource gives them a library.
func NewBrowser(a fyne.App, w fyne.Window, cfg Config) *Browser {
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
	b := &Browser{app: a, win: w, cfg: cfg, hist: newHistory(), order: sortName, byID: map[int64]library.Image{}}
	b.build()
	return b
}

// Content is the window content.
func (b *Browser) Content() fyne.CanvasObject { return b.content }

func (b *Browser) debugf(format string, args ...any) {
	if b.cfg.Debug != nil {
		fmt.Fprintf(b.cfg.Debug, "relview: "+format+"\n", args...)
	}
}

func (b *Browser) build() {
	// Gallery.
	b.grid = widget.NewGridWrap(
		func() int { return len(b.shown) },
		func() fyne.CanvasObject { return newGalleryCell() },
		func(i widget.GridWrapItemID, o fyne.CanvasObject) {
			if i < 0 || i >= len(b.shown) {
				return
			}
			c := o.(*galleryCell)
			im := b.shown[i]
			c.setName(baseName(im.Path))
			c.thumb.set(im, b.thumbs)
		})
	b.grid.OnSelected = func(i widget.GridWrapItemID) {
		if b.suppress || i < 0 || i >= len(b.shown) {
			return
		}
		// Arrow keys then move the selection (the window's key handler)
		// rather than the grid's focus ring.
		if c := b.win.Canvas(); c != nil {
			c.Unfocus()
		}
		b.Show(b.shown[i].ID)
	}
	b.filterBox = widget.NewEntry()
	b.filterBox.SetPlaceHolder("Filter by name")
	b.filterBox.OnChanged = func(s string) {
		b.filter = s
		b.rearrange()
	}
	b.sortSelect = widget.NewSelect(sortOrders, func(s string) {
		if s != b.order {
			b.order = s
			b.rearrange()
		}
	})
	b.sortSelect.SetSelected(sortName)
	b.countLabel = widget.NewLabel("")
	b.countLabel.SizeName = theme.SizeNameCaptionText
	galleryTop := container.NewBorder(nil, nil, nil, b.sortSelect, b.filterBox)
	gallery := container.NewBorder(galleryTop, b.countLabel, nil, nil, b.grid)

	// Neighbours view.
	b.preview = canvas.NewImageFromImage(nil)
	b.preview.FillMode = canvas.ImageFillContain
	b.preview.SetMinSize(previewMin)
	b.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	b.title.Truncation = fyne.TextTruncateEllipsis
	b.details = widget.NewLabel("")
	b.details.Truncation = fyne.TextTruncateEllipsis
	b.hint = widget.NewLabel("Click a photo to see its relationally similar neighbours beside its visually similar ones.")
	b.hint.Wrapping = fyne.TextWrapWord
	b.hint.Alignment = fyne.TextAlignCenter
	b.back = widget.NewButtonWithIcon("", theme.NavigateBackIcon(), b.Back)
	b.fwd = widget.NewButtonWithIcon("", theme.NavigateNextIcon(), b.Forward)
	open := widget.NewButtonWithIcon("Open", theme.FileImageIcon(), b.openCurrent)
	show := widget.NewButtonWithIcon("Show in folder", theme.FolderOpenIcon(), b.showCurrentInFolder)
	cp := widget.NewButtonWithIcon("Copy path", theme.ContentCopyIcon(), b.copyCurrentPath)
	cmp := widget.NewButtonWithIcon("Compare…", theme.ViewRestoreIcon(), b.showCompare)
	b.actions = []*widget.Button{open, show, cp, cmp}
	b.analogies = widget.NewCheck("Analogies: relationally close, visually far", func(bool) { b.refreshQuery() })
	info := container.NewVBox(b.title, b.details, container.NewHBox(b.back, b.fwd),
		container.NewGridWithColumns(2, open, show, cp, cmp))
	head := container.NewBorder(nil, nil, container.NewStack(b.preview, b.hint), nil, info)
	b.rel = newColumn("Relationally similar", b.tapHit)
	b.rel.setExtra(b.analogies)
	b.vis = newColumn("Visually similar", b.tapHit)
	cols := container.NewGridWithColumns(2, b.rel.content, b.vis.content)
	b.simMap = newSimMap(b.Show, b.hoverMap)
	b.mapInfo = widget.NewLabel("Every photo of the library as a dot. Hover a dot to see it, click it to make it the query.")
	b.mapInfo.Wrapping = fyne.TextWrapWord
	b.mapThumb = newThumbView(neighbourThumb)
	mapPane := container.NewBorder(nil, container.NewBorder(nil, nil, b.mapThumb.stack, nil, b.mapInfo), nil, nil, b.simMap)
	b.tabs = container.NewAppTabs(
		container.NewTabItem("Neighbours", cols),
		container.NewTabItem("Similarity map", mapPane))
	b.tabs.OnSelected = func(*container.TabItem) { b.loadMap() }
	neighbours := container.NewBorder(head, nil, nil, nil, b.tabs)

	b.status = newStatusBar()
	b.status.onPause = func() {
		if b.indexer != nil {
			b.indexer.Pause()
		}
	}
	b.status.onResume = func() {
		if b.indexer != nil {
			b.indexer.Resume()
		}
	}
	b.status.onCancel = b.CancelIndexing
	b.status.onSkipped = b.showProblems

	split := container.NewHSplit(gallery, neighbours)
	split.Offset = 0.36
	b.content = container.NewBorder(nil, container.NewVBox(widget.NewSeparator(), b.status.content), nil, nil, split)
	b.updateNav()
	b.setCaptions()
}

// SetSource shows a library (nil: none) with the spaces its engine fills,
// and loads its catalog in the background.
func (b *Browser) SetSource(src Source, spaces []engine.SpaceInfo) {
	if b.thumbs != nil {
		b.thumbs.close()
	}
	b.src = src
	b.thumbs = nil
	if src != nil {
		b.thumbs = newThumbLoader(src, b.cfg.ThumbWorkers, 1024)
	}
	b.spaces = map[string]engine.SpaceInfo{}
	for _, s := range spaces {
		b.spaces[s.Space] = s
	}
	b.all, b.shown, b.byID = nil, nil, map[int64]library.Image{}
	b.hist.reset()
	b.clearQuery()
	b.grid.UnselectAll()
	b.grid.Refresh()
	b.setCaptions()
	b.updateNav()
	b.rel.setCoverage("")
	if src != nil {
		b.win.SetTitle("relview — " + src.Root())
		b.Reload()
		b.updateCoverage()
	}
}

// setCaptions says which encoder fills each column.
func (b *Browser) setCaptions() {
	caption := func(space string) string {
		si, ok := b.spaces[space]
		if !ok {
			return "Encoder: not loaded"
		}
		s := "Encoder: " + si.Model
		if si.Source != "" && !strings.HasPrefix(si.Source, "built-in") {
			s += " (plug-in, " + path.Base(filepath.ToSlash(si.Source)) + ")"
		}
		if si.Note != "" {
			s += " — " + si.Note
		}
		return s
	}
	b.rel.caption.SetText(caption(engine.Relational))
	b.vis.caption.SetText(caption(engine.Visual))
}

// Reload reads the catalog again in the background (coalescing calls made
// while a reload runs) and refreshes the gallery.
func (b *Browser) Reload() {
	src := b.src
	if src == nil {
		return
	}
	b.reloadMu.Lock()
	if b.reloading {
		b.reloadAgain = true
		b.reloadMu.Unlock()
		return
	}
	b.reloading = true
	b.lastReload = time.Now()
	b.reloadMu.Unlock()
	b.jobs.Add(1)
	go func() {
		defer b.jobs.Done()
		for {
			ims, err := src.Images()
			var fails []library.Image
			byID := make(map[int64]library.Image, len(ims))
			if err == nil {
				fails, _ = src.Failures()
				for _, im := range ims {
					byID[im.ID] = im
				}
			}
			fyne.DoAndWait(func() {
				if b.src != src {
					return
				}
				if err != nil {
					b.status.message("Catalog: " + err.Error())
					return
				}
				b.setImages(ims, byID, fails)
			})
			b.reloadMu.Lock()
			if !b.reloadAgain {
				b.reloading = false
				b.reloadMu.Unlock()
				return
			}
			b.reloadAgain = false
			b.lastReload = time.Now()
			b.reloadMu.Unlock()
		}
	}()
}

// setImages takes a new catalog listing (UI thread).
func (b *Browser) setImages(ims []library.Image, byID map[int64]library.Image, fails []library.Image) {
	b.all, b.byID = ims, byID
	ps := make([]library.Problem, 0, len(fails))
	for _, f := range fails {
		ps = append(ps, library.Problem{Path: f.Path, Reason: f.Reason})
	}
	b.status.setProblems(ps)
	b.rearrange()
}

// rearrange filters and sorts the gallery; for large catalogs in the
// background.
func (b *Browser) rearrange() {
	b.arrangeGen++
	gen, all, filter, order := b.arrangeGen, b.all, b.filter, b.order
	if len(all) < 5000 {
		b.setShown(arrange(all, filter, order))
		return
	}
	b.jobs.Add(1)
	go func() {
		defer b.jobs.Done()
		shown := arrange(all, filter, order)
		fyne.Do(func() {
			if gen == b.arrangeGen {
				b.setShown(shown)
			}
		})
	}()
}

func (b *Browser) setShown(shown []library.Image) {
	b.shown = shown
	b.grid.Refresh()
	b.selectInGrid(b.query, false) // keep the user's scroll position
	if len(b.shown) == len(b.all) {
		b.countLabel.SetText(fmt.Sprintf("%d photos", len(b.shown)))
	} else {
		b.countLabel.SetText(fmt.Sprintf("%d of %d", len(b.shown), len(b.all)))
	}
	b.debugf("gallery %d", len(b.shown))
	b.debugGeometry()
}

// debugGeometry prints where the gallery's cells are, in window pixels, so
// scripts/gui-smoke.sh can click one: "gallery-geometry x=X y=Y cell=WxH
// step=SXxSY columns=N".
func (b *Browser) debugGeometry() {
	if b.cfg.Debug == nil || b.app == nil || len(b.shown) == 0 {
		return
	}
	c := b.win.Canvas()
	scale := c.Scale()
	pos := b.app.Driver().AbsolutePositionForObject(b.grid)
	cell := newGalleryCell().MinSize()
	pad := theme.Padding()
	b.debugf("gallery-geometry x=%d y=%d cell=%dx%d step=%dx%d columns=%d",
		int(pos.X*scale), int(pos.Y*scale), int(cell.Width*scale), int(cell.Height*scale),
		int((cell.Width+pad)*scale), int((cell.Height+pad)*scale), b.grid.ColumnCount())
}

// selectInGrid marks id as selected in the gallery without querying,
// scrolling to it if scroll is set.
func (b *Browser) selectInGrid(id int64, scroll bool) {
	b.suppress = true
	defer func() { b.suppress = false }()
	if i := b.indexOf(id); i >= 0 {
		b.grid.Select(i)
		if scroll {
			b.grid.ScrollTo(i)
		}
		return
	}
	b.grid.UnselectAll()
}

// indexOf is the gallery position of id, or -1.
func (b *Browser) indexOf(id int64) int {
	for i, im := range b.shown {
		if im.ID == id {
			return i
		}
	}
	return -1
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

func (b *Browser) tapHit(h hit) { b.Show(h.Image.ID) }

func (b *Browser) updateNav() {
	setEnabled(b.back, b.hist.canBack())
	setEnabled(b.fwd, b.hist.canForward())
	for i, a := range b.actions {
		setEnabled(a, b.query != 0 || (b.external != "" && i < 3))
	}
}

func setEnabled(w *widget.Button, on bool) {
	if on {
		w.Enable()
	} else {
		w.Disable()
	}
}

func (b *Browser) clearQuery() {
	b.query = 0
	b.external = ""
	b.queryGen++
	b.preview.Image = nil
	b.preview.Refresh()
	b.title.SetText("")
	b.details.SetText("")
	b.hint.Show()
	b.rel.setNote("")
	b.vis.setNote("")
	b.rel.setHits(nil, b.thumbs)
	b.vis.setHits(nil, b.thumbs)
	b.rel.setNote("")
	b.vis.setNote("")
	b.lastRel, b.lastVis = nil, nil
	if b.simMap != nil {
		b.simMap.setPoints(nil)
	}
	b.updateNav()
}

// showQuery shows photo id and fills both columns in the background.
func (b *Browser) showQuery(id int64) {
	im, ok := b.byID[id]
	if !ok {
		return
	}
	b.query = id
	b.external = ""
	b.queryGen++
	b.queryStart = time.Now()
	b.hint.Hide()
	b.title.SetText(im.Path)
	b.details.SetText(describe(im))
	b.selectInGrid(id, true)
	b.updateNav()
	// The thumbnail at once, the sharper preview when decoded.
	if b.thumbs != nil {
		if img, ok := b.thumbs.cached(im); ok {
			b.preview.Image = img
		} else {
			b.preview.Image = nil
		}
		b.preview.Refresh()
	}
	b.rel.setNote("Searching…")
	b.vis.setNote("Searching…")
	b.runQuery(im)
	b.loadPreview(im)
	b.loadMap()
}

// mapShown reports whether the similarity map tab is open.
func (b *Browser) mapShown() bool { return b.tabs != nil && b.tabs.SelectedIndex() == 1 }

// loadMap computes the similarity map of the query in the background when
// its tab is open.
func (b *Browser) loadMap() {
	src, gen, id := b.src, b.queryGen, b.query
	if src == nil || id == 0 || !b.mapShown() {
		return
	}
	b.jobs.Add(1)
	go func() {
		defer b.jobs.Done()
		pts, err := src.Scatter(id)
		fyne.Do(func() {
			if gen != b.queryGen {
				return
			}
			if err != nil {
				b.simMap.setPoints(nil)
				b.mapInfo.SetText(queryError(err))
				return
			}
			b.simMap.setPoints(pts)
			b.debugf("map points=%d", len(pts))
		})
	}()
}

// hoverMap shows the photo under the pointer on the map (-1: none).
func (b *Browser) hoverMap(id int64) {
	im, ok := b.byID[id]
	if !ok {
		b.mapThumb.clear()
		return
	}
	for _, p := range b.simMap.points {
		if p.ID == id {
			b.mapInfo.SetText(fmt.Sprintf("%s\nrelational %.3f · visual %.3f", im.Path, p.Relational, p.Visual))
		}
	}
	b.mapThumb.set(im, b.thumbs)
}

// refreshQuery recomputes the columns (the analogies toggle changed).
func (b *Browser) refreshQuery() {
	if im, ok := b.byID[b.query]; ok && b.query != 0 {
		b.queryGen++
		b.queryStart = time.Now()
		b.runQuery(im)
	}
}

func (b *Browser) runQuery(im library.Image) {
	src, gen, k := b.src, b.queryGen, b.cfg.K
	if src == nil {
		return
	}
	analog, w := b.analogies.Checked, b.cfg.AnalogyWeight
	byID := b.byID // replaced, never modified, by setImages
	b.jobs.Add(1)
	go func() {
		defer b.jobs.Done()
		var rel, vis []hit
		var relErr, visErr error
		if analog {
			var pts []library.ScatterPoint
			pts, relErr = src.Scatter(im.ID)
			if relErr == nil {
				rel = analogies(pts, im.ID, w, k, func(id int64) (library.Image, bool) {
					x, ok := byID[id]
					return x, ok
				})
			}
		} else {
			var ns []library.Neighbour
			ns, relErr = src.NeighboursByID(im.ID, engine.Relational, k)
			rel = hitsOf(ns)
		}
		ns, err := src.NeighboursByID(im.ID, engine.Visual, k)
		vis, visErr = hitsOf(ns), err
		fyne.Do(func() {
			if gen != b.queryGen {
				return
			}
			b.fill(b.rel, rel, relErr)
			b.fill(b.vis, vis, visErr)
			b.lastRel, b.lastVis = rel, vis
			b.debugf("neighbours relational=%d visual=%d query=%s analogies=%t ms=%.1f",
				len(rel), len(vis), im.Path, analog, float64(time.Since(b.queryStart).Microseconds())/1000)
		})
	}()
}

func (b *Browser) fill(c *column, hits []hit, err error) {
	if err != nil {
		c.setNote(queryError(err))
		c.setHits(nil, b.thumbs)
		return
	}
	c.setNote("")
	c.setHits(hits, b.thumbs)
}

// queryError words a failed search for a column.
func queryError(err error) string {
	if library.IsNotIndexed(err) {
		return "This photo is not indexed in this space yet."
	}
	return err.Error()
}

// loadPreview decodes the selected photo for the large view.
func (b *Browser) loadPreview(im library.Image) {
	src, gen := b.src, b.queryGen
	if src == nil {
		return
	}
	b.jobs.Add(1)
	go func() {
		defer b.jobs.Done()
		img, err := src.Preview(im, 1200)
		if err != nil {
			return
		}
		fyne.Do(func() {
			if gen == b.queryGen && b.query == im.ID {
				b.setPreview(img)
			}
		})
	}()
}

func (b *Browser) setPreview(img image.Image) {
	b.preview.Image = img
	b.preview.Refresh()
}

// describe is the details line of a photo: pixel size, file size, date.
func describe(im library.Image) string {
	parts := []string{}
	if im.Width > 0 && im.Height > 0 {
		parts = append(parts, fmt.Sprintf("%d×%d px", im.Width, im.Height))
	}
	parts = append(parts, humanize.Bytes(uint64(max(im.Size, 0))))
	if !im.MTime.IsZero() {
		parts = append(parts, im.MTime.Format("2006-01-02 15:04"))
	}
	if im.Format != "" {
		parts = append(parts, strings.ToUpper(im.Format))
	}
	return strings.Join(parts, " · ")
}

func baseName(p string) string { return path.Base(p) }

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
