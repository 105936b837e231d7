package ui

import (
	"fmt"
	"path"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"relview/library"
)

// galleryView is the left pane: every photo of the library as a thumbnail
// with its name, filtered by name and sorted. It shows what the Browser
// gives it and reports the photo the user picks; it runs on the UI thread.
type galleryView struct {
	grid       *widget.GridWrap
	filterBox  *filterEntry
	sortSelect *widget.Select
	folderSel  *widget.Select // the folders of the library (shown when there are several)
	countLabel *widget.Label
	zoom       *widget.Slider
	cellSize   fyne.Size // the thumbnails' size
	content    fyne.CanvasObject

	all      []library.Image
	shown    []library.Image
	taken    map[int64]time.Time // when photos were taken (EXIF, from the catalog), by id; never modified, replaced
	filter   string
	folder   string // "" : all folders
	order    string
	selected int64 // the photo marked as selected (the query); 0: none
	arranged generation
	suppress bool // Select called by the program, not the user

	ts     *tasks       // the library's task group (nil: no library)
	thumbs *thumbLoader // its thumbnails

	onPick  func(id int64)       // the user picked a photo
	onOrder func(order string)   // the user picked a sort order
	onZoom  func(width float64)  // the user zoomed
	onShown func(shown, all int) // the gallery shows a new arrangement
	unfocus func()               // arrow keys then move the selection, not the focus ring
}

// Thumbnail widths of the gallery's zoom.
const (
	minGalleryWidth = 96
	maxGalleryWidth = 320
)

// gallerySize is the thumbnail size of the gallery at width w (6:5).
func gallerySize(w float32) fyne.Size {
	return fyne.NewSize(w, w*galleryThumb.Height/galleryThumb.Width)
}

func newGalleryView(onPick func(int64), unfocus func(), width float32) *galleryView {
	g := &galleryView{order: sortName, onPick: onPick, unfocus: unfocus, cellSize: gallerySize(width)}
	g.grid = widget.NewGridWrap(
		func() int { return len(g.shown) },
		func() fyne.CanvasObject { return newGalleryCellSized(g.cellSize) },
		func(i widget.GridWrapItemID, o fyne.CanvasObject) {
			if i < 0 || i >= len(g.shown) {
				return
			}
			c := o.(*galleryCell)
			im := g.shown[i]
			c.setName(baseName(im.Path))
			c.thumb.set(im, g.thumbs)
		})
	g.grid.OnSelected = func(i widget.GridWrapItemID) {
		if g.suppress || i < 0 || i >= len(g.shown) {
			return
		}
		if g.unfocus != nil {
			g.unfocus()
		}
		g.onPick(g.shown[i].ID)
	}
	g.filterBox = newFilterEntry(func() {
		if g.unfocus != nil {
			g.unfocus()
		}
	})
	g.filterBox.SetPlaceHolder("Filter by name")
	g.filterBox.OnChanged = func(s string) {
		g.filter = s
		g.rearrange()
	}
	g.sortSelect = widget.NewSelect(sortOrders, func(s string) {
		if s != g.order {
			g.order = s
			g.rearrange()
			if g.onOrder != nil {
				g.onOrder(s)
			}
		}
	})
	g.sortSelect.SetSelected(sortName)
	g.countLabel = widget.NewLabel("")
	g.countLabel.SizeName = theme.SizeNameCaptionText
	g.zoom = widget.NewSlider(minGalleryWidth, maxGalleryWidth)
	g.zoom.Step = 8
	g.zoom.SetValue(float64(width))
	g.zoom.OnChangeEnded = func(w float64) {
		g.setZoom(float32(w))
		if g.onZoom != nil {
			g.onZoom(w)
		}
	}
	g.folderSel = widget.NewSelect(nil, func(s string) {
		f := folderOf(s)
		if f != g.folder {
			g.folder = f
			g.rearrange()
		}
	})
	g.folderSel.Hide()
	top := container.NewBorder(nil, nil, nil, container.NewHBox(g.folderSel, g.sortSelect), g.filterBox)
	zoom := container.NewBorder(nil, nil, widget.NewIcon(theme.ZoomOutIcon()), widget.NewIcon(theme.ZoomInIcon()), g.zoom)
	bottom := container.NewBorder(nil, nil, nil, container.NewGridWrap(fyne.NewSize(160, g.zoom.MinSize().Height), zoom), g.countLabel)
	g.content = container.NewBorder(top, bottom, nil, nil, g.grid)
	return g
}

// setLibrary empties the gallery for a new library (ts nil: none); any
// arrangement still computed for the previous one is dropped.
func (g *galleryView) setLibrary(ts *tasks, thumbs *thumbLoader) {
	g.ts, g.thumbs = ts, thumbs
	g.all, g.shown, g.selected, g.taken, g.folder = nil, nil, 0, nil, ""
	g.arranged.next()
	g.grid.UnselectAll()
	g.grid.Refresh()
	g.countLabel.SetText("")
}

// setZoom sets the thumbnails' width.
func (g *galleryView) setZoom(w float32) {
	g.cellSize = gallerySize(w)
	g.grid.Refresh() // measures the new cells
	// The grid caches its column count until it is resized: a resize to
	// its own size counts them anew.
	g.grid.Resize(g.grid.Size())
	g.grid.Refresh()
	g.selectInGrid(g.selected, true)
}

// dateOrder reports whether the gallery sorts by date.
func (g *galleryView) dateOrder() bool { return g.order == sortNewest || g.order == sortOldest }

// setImages takes a new catalog listing, with the capture dates the
// indexing read (the date orders read no photo file).
func (g *galleryView) setImages(all []library.Image) {
	g.all = all
	taken := make(map[int64]time.Time, len(all))
	for _, im := range all {
		if !im.Taken.IsZero() {
			taken[im.ID] = im.Taken
		}
	}
	g.taken = taken
	g.setFolders(all)
	g.rearrange()
}

// allFolders is the folder menu's first entry.
const allFolders = "All folders"

// folderOf is the folder a folder-menu entry names ("" : all).
func folderOf(entry string) string {
	if entry == allFolders || entry == "" {
		return ""
	}
	return strings.TrimSuffix(entry, "/")
}

// setFolders fills the folder menu with the library's folders (each with
// its subfolders' photos); hidden when all photos are in one folder.
func (g *galleryView) setFolders(all []library.Image) {
	set := map[string]bool{}
	for _, im := range all {
		for d := path.Dir(im.Path); d != "." && d != "/"; d = path.Dir(d) {
			set[d] = true
		}
	}
	if len(set) == 0 {
		g.folderSel.Hide()
		g.folder = ""
		return
	}
	opts := []string{allFolders}
	for d := range set {
		opts = append(opts, d+"/")
	}
	sort.Strings(opts[1:])
	g.folderSel.Options = opts
	if g.folder == "" || !set[g.folder] {
		g.folder = ""
		g.folderSel.Selected = allFolders
	}
	g.folderSel.Refresh()
	g.folderSel.Show()
}

// inFolder is the photos of all in folder or below it ("" : all).
func inFolder(all []library.Image, folder string) []library.Image {
	if folder == "" {
		return all
	}
	out := make([]library.Image, 0, len(all))
	for _, im := range all {
		if strings.HasPrefix(im.Path, folder+"/") {
			out = append(out, im)
		}
	}
	return out
}

// rearrange filters and sorts the gallery; for large catalogs in the
// background.
func (g *galleryView) rearrange() {
	tk := g.arranged.next()
	all, filter, order, taken := inFolder(g.all, g.folder), g.filter, g.order, g.taken
	if len(all) < 5000 || g.ts == nil {
		g.setShown(arrange(all, filter, order, taken))
		return
	}
	spawn(g.ts, tk, func() []library.Image { return arrange(all, filter, order, taken) }, g.setShown)
}

func (g *galleryView) setShown(shown []library.Image) {
	g.shown = shown
	g.grid.Refresh()
	g.selectInGrid(g.selected, false) // keep the user's scroll position
	filter := g.filter
	if g.folder != "" {
		filter = strings.TrimSpace(g.folder + "/ " + filter)
	}
	g.countLabel.SetText(countText(len(g.shown), indexedCount(g.all), filter))
	if g.onShown != nil {
		g.onShown(len(g.shown), len(g.all))
	}
}

// selectInGrid marks id as selected without reporting it as picked,
// scrolling to it if scroll is set; 0 (or a photo not shown) unselects.
func (g *galleryView) selectInGrid(id int64, scroll bool) {
	g.selected = id
	g.suppress = true
	defer func() { g.suppress = false }()
	if i := g.indexOf(id); i >= 0 {
		g.grid.Select(i)
		if scroll {
			g.grid.ScrollTo(i)
		}
		return
	}
	g.grid.UnselectAll()
}

// indexOf is the gallery position of id, or -1.
func (g *galleryView) indexOf(id int64) int {
	if id == 0 {
		return -1
	}
	for i, im := range g.shown {
		if im.ID == id {
			return i
		}
	}
	return -1
}

// step is the photo d cells from the selected one (the first photo when
// none is selected), or 0 when the gallery is empty.
func (g *galleryView) step(d int) int64 {
	if len(g.shown) == 0 {
		return 0
	}
	i := g.indexOf(g.selected)
	if i < 0 {
		i = 0
	} else {
		i = min(max(i+d, 0), len(g.shown)-1)
	}
	return g.shown[i].ID
}

// columns is the number of cells in a row.
func (g *galleryView) columns() int { return max(g.grid.ColumnCount(), 1) }

// clearFilter empties the filter box and reports whether it held text.
func (g *galleryView) clearFilter() bool {
	if g.filterBox.Text == "" {
		return false
	}
	g.filterBox.SetText("")
	return true
}

// filterEntry is the gallery's filter box: Escape in it clears it (and, when
// it is empty already, gives the keys back to the gallery).
type filterEntry struct {
	widget.Entry
	leave func()
}

func newFilterEntry(leave func()) *filterEntry {
	e := &filterEntry{leave: leave}
	e.ExtendBaseWidget(e)
	return e
}

// TypedKey clears the filter on Escape; other keys edit it.
func (e *filterEntry) TypedKey(ev *fyne.KeyEvent) {
	if ev.Name != fyne.KeyEscape {
		e.Entry.TypedKey(ev)
		return
	}
	if e.Text != "" {
		e.SetText("")
		return
	}
	if e.leave != nil {
		e.leave()
	}
}

// indexedCount is the number of indexed photos in all (the gallery shows
// only those; the skipped ones are in the status bar's list).
func indexedCount(all []library.Image) int {
	n := 0
	for _, im := range all {
		if im.Status == library.StatusIndexed {
			n++
		}
	}
	return n
}

// countText is the gallery's count line: the same "N photos" as the status
// bar, and with a filter how many of them match.
func countText(shown, indexed int, filter string) string {
	photos := func(n int) string {
		if n == 1 {
			return "1 photo"
		}
		return fmt.Sprintf("%d photos", n)
	}
	if strings.TrimSpace(filter) == "" {
		return photos(indexed)
	}
	return fmt.Sprintf("%d of %s match “%s”", shown, photos(indexed), strings.TrimSpace(filter))
}
