package ui

import (
	"fmt"

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
	filterBox  *widget.Entry
	sortSelect *widget.Select
	countLabel *widget.Label
	content    fyne.CanvasObject

	all      []library.Image
	shown    []library.Image
	filter   string
	order    string
	selected int64 // the photo marked as selected (the query); 0: none
	arranged generation
	suppress bool // Select called by the program, not the user

	ts     *tasks       // the library's task group (nil: no library)
	thumbs *thumbLoader // its thumbnails

	onPick  func(id int64)       // the user picked a photo
	onShown func(shown, all int) // the gallery shows a new arrangement
	unfocus func()               // arrow keys then move the selection, not the focus ring
}

func newGalleryView(onPick func(int64), unfocus func()) *galleryView {
	g := &galleryView{order: sortName, onPick: onPick, unfocus: unfocus}
	g.grid = widget.NewGridWrap(
		func() int { return len(g.shown) },
		func() fyne.CanvasObject { return newGalleryCell() },
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
	g.filterBox = widget.NewEntry()
	g.filterBox.SetPlaceHolder("Filter by name")
	g.filterBox.OnChanged = func(s string) {
		g.filter = s
		g.rearrange()
	}
	g.sortSelect = widget.NewSelect(sortOrders, func(s string) {
		if s != g.order {
			g.order = s
			g.rearrange()
		}
	})
	g.sortSelect.SetSelected(sortName)
	g.countLabel = widget.NewLabel("")
	g.countLabel.SizeName = theme.SizeNameCaptionText
	top := container.NewBorder(nil, nil, nil, g.sortSelect, g.filterBox)
	g.content = container.NewBorder(top, g.countLabel, nil, nil, g.grid)
	return g
}

// setLibrary empties the gallery for a new library (ts nil: none); any
// arrangement still computed for the previous one is dropped.
func (g *galleryView) setLibrary(ts *tasks, thumbs *thumbLoader) {
	g.ts, g.thumbs = ts, thumbs
	g.all, g.shown, g.selected = nil, nil, 0
	g.arranged.next()
	g.grid.UnselectAll()
	g.grid.Refresh()
	g.countLabel.SetText("")
}

// setImages takes a new catalog listing.
func (g *galleryView) setImages(all []library.Image) {
	g.all = all
	g.rearrange()
}

// rearrange filters and sorts the gallery; for large catalogs in the
// background.
func (g *galleryView) rearrange() {
	tk := g.arranged.next()
	all, filter, order := g.all, g.filter, g.order
	if len(all) < 5000 || g.ts == nil {
		g.setShown(arrange(all, filter, order))
		return
	}
	spawn(g.ts, tk, func() []library.Image { return arrange(all, filter, order) }, g.setShown)
}

func (g *galleryView) setShown(shown []library.Image) {
	g.shown = shown
	g.grid.Refresh()
	g.selectInGrid(g.selected, false) // keep the user's scroll position
	if len(g.shown) == len(g.all) {
		g.countLabel.SetText(fmt.Sprintf("%d photos", len(g.shown)))
	} else {
		g.countLabel.SetText(fmt.Sprintf("%d of %d", len(g.shown), len(g.all)))
	}
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
