package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// column is one side of the neighbours view: a title, a caption naming the
// encoder that fills the space, and the k neighbours.
type column struct {
	title   *widget.Label
	caption *widget.Label
	cover   *widget.Label // how much of the library the space covers, while incomplete
	note    *widget.Label
	list    *fyne.Container
	tiles   []*neighbourTile
	onTap   func(hit)
	content fyne.CanvasObject
	shown   int
	extra   *fyne.Container // controls under the caption
	scroll  *container.Scroll
}

func newColumn(title string, onTap func(hit)) *column {
	c := &column{
		title:   widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		caption: widget.NewLabel(""),
		cover:   widget.NewLabel(""),
		note:    widget.NewLabel(""),
		list:    container.NewVBox(),
		onTap:   onTap,
	}
	c.caption.Wrapping = fyne.TextWrapWord
	c.caption.TextStyle = fyne.TextStyle{Italic: true}
	c.caption.SizeName = theme.SizeNameCaptionText
	c.note.Wrapping = fyne.TextWrapWord
	c.note.Hide()
	c.cover.Truncation = fyne.TextTruncateEllipsis
	c.cover.Hide()
	c.extra = container.NewVBox()
	head := container.NewVBox(c.title, c.caption, c.cover, c.extra, widget.NewSeparator(), c.note)
	c.scroll = container.NewVScroll(c.list)
	c.content = container.NewBorder(head, nil, nil, nil, c.scroll)
	return c
}

// setHits shows hits (best first), reusing the tiles.
func (c *column) setHits(hits []hit, l *thumbLoader) {
	for len(c.tiles) < len(hits) {
		t := newNeighbourTile(c.onTap)
		c.tiles = append(c.tiles, t)
	}
	c.list.RemoveAll()
	for i, h := range hits {
		c.tiles[i].setHit(h, i+1, l)
		c.list.Add(c.tiles[i])
	}
	for _, t := range c.tiles[len(hits):] {
		t.thumb.clear()
		t.hasHit = false
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

// setExtra puts a control under the caption (the analogies toggle).
func (c *column) setExtra(o fyne.CanvasObject) {
	c.extra.Objects = []fyne.CanvasObject{o}
	c.extra.Refresh()
}
