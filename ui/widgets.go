package ui

import (
	"fmt"
	"image"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"relview/library"
)

// Sizes of the views, in Fyne units.
var (
	galleryThumb   = fyne.NewSize(132, 110)
	neighbourThumb = fyne.NewSize(72, 54)
	previewMin     = fyne.NewSize(320, 200)
)

// placeholderColour fills a thumbnail that has not loaded yet.
var placeholderColour = color.NRGBA{R: 0x80, G: 0x80, B: 0x80, A: 0x30}

// thumbView shows one photo's thumbnail, loading it in the background and
// cancelling the load when it is given another photo first.
type thumbView struct {
	img    *canvas.Image
	bg     *canvas.Rectangle
	id     int64  // the photo shown (-1: none)
	key    string // its thumbnail's key (content hash): ids repeat across libraries
	cancel func()
	stack  *fyne.Container
}

func newThumbView(min fyne.Size) *thumbView {
	t := &thumbView{img: canvas.NewImageFromImage(nil), bg: canvas.NewRectangle(placeholderColour), id: -1}
	t.img.FillMode = canvas.ImageFillContain
	t.img.ScaleMode = canvas.ImageScaleFastest
	t.img.SetMinSize(min)
	t.stack = container.NewStack(t.bg, t.img)
	return t
}

// set shows im, from the loader's memory at once or after a background load.
// It runs on the UI thread.
func (t *thumbView) set(im library.Image, l *thumbLoader) {
	key := thumbKey(im)
	if t.key == key && t.id == im.ID && t.img.Image != nil {
		return
	}
	if t.cancel != nil {
		t.cancel()
		t.cancel = nil
	}
	t.id, t.key = im.ID, key
	if l == nil {
		t.show(nil)
		return
	}
	if img, ok := l.cached(im); ok {
		t.show(img)
		return
	}
	t.show(nil)
	id := im.ID
	t.cancel = l.load(im, func(img image.Image, err error) {
		if err != nil {
			return
		}
		fyne.Do(func() {
			if t.id == id && t.key == key {
				t.show(img)
			}
		})
	})
}

func (t *thumbView) show(img image.Image) {
	t.img.Image = img
	if img == nil {
		t.bg.FillColor = placeholderColour
	} else {
		t.bg.FillColor = color.Transparent
	}
	t.bg.Refresh()
	t.img.Refresh()
}

// clear forgets the photo (and cancels its load).
func (t *thumbView) clear() {
	if t.cancel != nil {
		t.cancel()
		t.cancel = nil
	}
	t.id, t.key = -1, ""
	t.show(nil)
}

// galleryCell is one cell of the gallery: thumbnail and file name.
type galleryCell struct {
	widget.BaseWidget
	thumb *thumbView
	name  *widget.Label
}

func newGalleryCell() *galleryCell {
	c := &galleryCell{thumb: newThumbView(galleryThumb), name: widget.NewLabel("")}
	c.name.Truncation = fyne.TextTruncateEllipsis
	c.name.Alignment = fyne.TextAlignCenter
	c.name.SizeName = theme.SizeNameCaptionText
	c.ExtendBaseWidget(c)
	return c
}

func (c *galleryCell) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewBorder(nil, c.name, nil, nil, c.thumb.stack))
}

// neighbourTile is one neighbour in a column: thumbnail, name and score;
// tapping it makes it the query.
type neighbourTile struct {
	widget.BaseWidget
	thumb  *thumbView
	name   *widget.Label
	score  *canvas.Text
	hit    hit
	onTap  func(hit)
	hasHit bool
}

func newNeighbourTile(onTap func(hit)) *neighbourTile {
	t := &neighbourTile{thumb: newThumbView(neighbourThumb), name: widget.NewLabel(""), onTap: onTap}
	t.score = canvas.NewText("", theme.Color(theme.ColorNameForeground))
	t.score.TextSize = theme.CaptionTextSize()
	t.name.Truncation = fyne.TextTruncateEllipsis
	t.ExtendBaseWidget(t)
	return t
}

func (t *neighbourTile) CreateRenderer() fyne.WidgetRenderer {
	pad := theme.InnerPadding()
	score := container.New(layout.NewCustomPaddedLayout(0, 0, pad, 0), t.score)
	text := container.New(layout.NewCustomPaddedVBoxLayout(0), t.name, score)
	return widget.NewSimpleRenderer(container.NewBorder(nil, nil, t.thumb.stack, nil, text))
}

func (t *neighbourTile) setHit(h hit, rank int, l *thumbLoader) {
	t.hit, t.hasHit = h, true
	t.name.SetText(baseName(h.Image.Path))
	if h.HasBoth {
		t.score.Text = fmt.Sprintf("#%d  %.3f   (rel %.3f · vis %.3f)", rank, h.Score, h.Relational, h.Visual)
	} else {
		t.score.Text = fmt.Sprintf("#%d  %.3f", rank, h.Score)
	}
	t.score.Refresh()
	t.thumb.set(h.Image, l)
}

// Tapped makes the neighbour the query.
func (t *neighbourTile) Tapped(*fyne.PointEvent) {
	if t.hasHit && t.onTap != nil {
		t.onTap(t.hit)
	}
}

// Cursor shows a hand over a tile.
func (t *neighbourTile) Cursor() desktop.Cursor { return desktop.PointerCursor }

var (
	_ fyne.Tappable      = (*neighbourTile)(nil)
	_ desktop.Cursorable = (*neighbourTile)(nil)
)
