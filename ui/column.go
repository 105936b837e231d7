package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// column is one side of the neighbours view: a title, a caption naming the
// encoder that fills the space, and the k neighbours as a grid of tiles.
type column struct {
	title   *widget.Label
	caption *widget.Label
	cover   *widget.Label // how much of the library the space covers, while incomplete
	note    *widget.Label
	list    *fyne.Container // the grid
	tiles   []*neighbourTile
	geo     tileGeometry
	onTap   func(hit)
	onStack func(hit)
	onHover func(t *neighbourTile, in bool)
	content fyne.CanvasObject
	shown   int
	side    *fyne.Container // a control beside the title
	info    *widget.Button  // shows details, the encoder's ids
	details string
	extra   *fyne.Container // a line under the caption
	scroll  *container.Scroll
}

// newColumn makes a column whose tiles have room for chips why chips.
func newColumn(title string, chips int, width float32, onTap, onStack func(hit)) *column {
	c := &column{
		title:   widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		caption: widget.NewLabel(""),
		cover:   widget.NewLabel(""),
		note:    widget.NewLabel(""),
		geo:     newTileGeometry(width, chips),
		onTap:   onTap,
		onStack: onStack,
	}
	c.list = container.New(layout.NewGridWrapLayout(c.geo.size()))
	c.caption.Truncation = fyne.TextTruncateEllipsis
	c.caption.TextStyle = fyne.TextStyle{Italic: true}
	c.caption.SizeName = theme.SizeNameCaptionText
	c.note.Wrapping = fyne.TextWrapWord
	c.note.Hide()
	c.cover.Truncation = fyne.TextTruncateEllipsis
	c.cover.Hide()
	c.extra = container.NewVBox()
	c.side = container.NewHBox()
	c.info = widget.NewButtonWithIcon("", theme.InfoIcon(), nil)
	c.info.Importance = widget.LowImportance
	titleRow := container.NewBorder(nil, nil, c.title, container.NewHBox(c.side, c.info), c.caption)
	head := container.NewVBox(titleRow, c.cover, c.extra, c.note)
	c.scroll = container.NewVScroll(c.list)
	c.content = container.NewBorder(head, nil, nil, nil, c.scroll)
	return c
}

// setHits shows hits (best first), reusing the tiles.
func (c *column) setHits(hits []hit, l *thumbLoader) {
	for len(c.tiles) < len(hits) {
		t := newNeighbourTile(c.geo, c.onTap, c.onStack)
		t.onHover = c.onHover
		c.tiles = append(c.tiles, t)
	}
	c.list.RemoveAll()
	for i, h := range hits {
		c.tiles[i].setHit(h, i+1, l)
		c.list.Add(c.tiles[i])
	}
	for _, t := range c.tiles[len(hits):] {
		t.clear()
	}
	c.shown = len(hits)
	c.scroll.ScrollToTop()
	if len(hits) == 0 && c.note.Text == "" {
		c.setNote("No neighbours yet.")
	}
}

// setNote shows a line above the list ("" hides it).
func (c *column) setNote(s string) {
	c.note.SetText(s)
	if s == "" {
		c.note.Hide()
	} else {
		c.note.Show()
	}
}

// setCoverage shows how much of the library the column's space covers
// ("" hides it).
func (c *column) setCoverage(s string) {
	if c.cover.Text == s {
		return
	}
	c.cover.SetText(s)
	if s == "" {
		c.cover.Hide()
	} else {
		c.cover.Show()
	}
}

// setTileWidth resizes the tiles (the size slider).
func (c *column) setTileWidth(w float32) {
	if w == c.geo.w {
		return
	}
	c.geo = newTileGeometry(w, c.geo.chips)
	for _, t := range c.tiles {
		t.setGeometry(c.geo)
	}
	c.list.Layout = layout.NewGridWrapLayout(c.geo.size())
	c.list.Refresh()
}

// visible is how many tiles are wholly in view: the grid's columns times
// the rows that fit the scrolled area, at most the tiles shown.
func (c *column) visible() int {
	area, cell, pad := c.scroll.Size(), c.geo.size(), theme.Padding()
	cols := int((area.Width + pad) / (cell.Width + pad))
	rows := int((area.Height + pad) / (cell.Height + pad))
	return min(max(cols, 1)*rows, c.shown)
}

// setExtra puts a control beside the title (the analogies toggle) and a
// line under the caption (what it does).
func (c *column) setExtra(side, below fyne.CanvasObject) {
	c.side.Objects = nil
	if side != nil {
		c.side.Objects = []fyne.CanvasObject{side}
	}
	c.side.Refresh()
	c.extra.Objects = []fyne.CanvasObject{below}
	c.extra.Refresh()
}
