package ui

import (
	"fmt"
	"image"
	"image/color"
	"relview/engine"
	"strings"
	"sync"

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
	t.cancel = l.load(im, func(img image.Image) {
		if t.id == id && t.key == key {
			t.show(img)
		}
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
	// No Fyne truncation: it shapes the text anew, font set-up included,
	// on every SetText, which made scrolling a large gallery cost ~3.6 ms
	// per page on the UI thread (BenchmarkGalleryScroll100k); setName
	// shortens the name with cached glyph widths instead.
	c.name.Alignment = fyne.TextAlignCenter
	c.name.SizeName = theme.SizeNameCaptionText
	c.ExtendBaseWidget(c)
	return c
}

// setName shows a file name, shortened in the middle to fit the cell.
func (c *galleryCell) setName(name string) {
	limit := galleryThumb.Width - 2*theme.InnerPadding()
	c.name.SetText(galleryNames().fit(name, limit))
}

// galleryNames shortens the gallery's names. It is made on first use: the
// theme's text size needs the running app (at package init it would log an
// error in every relview command).
var galleryNames = sync.OnceValue(func() *nameFitter {
	return newNameFitter(theme.CaptionTextSize(), fyne.TextStyle{})
})

// nameFitter shortens text to a width by the advance of each rune, measured
// once per rune (kerning is ignored, so it keeps a small margin).
type nameFitter struct {
	size   float32
	style  fyne.TextStyle
	mu     sync.Mutex
	widths map[rune]float32
}

func newNameFitter(size float32, style fyne.TextStyle) *nameFitter {
	return &nameFitter{size: size, style: style, widths: map[rune]float32{}}
}

func (f *nameFitter) width(r rune) float32 {
	w, ok := f.widths[r]
	if !ok {
		w = fyne.MeasureText(string(r), f.size, f.style).Width
		f.widths[r] = w
	}
	return w
}

// fit returns s if it fits in limit, else its start and end around "…"
// (the end carries the number and extension that tell photos apart).
func (f *nameFitter) fit(s string, limit float32) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	limit *= 0.95
	runes := []rune(s)
	total := float32(0)
	for _, r := range runes {
		total += f.width(r)
	}
	if total <= limit {
		return s
	}
	budget := limit - f.width('…')
	// Take runes from the end for up to half the budget, then from the start.
	tail := len(runes)
	used := float32(0)
	for tail > 0 && used+f.width(runes[tail-1]) <= budget/2 {
		tail--
		used += f.width(runes[tail])
	}
	head := 0
	for head < tail && used+f.width(runes[head]) <= budget {
		used += f.width(runes[head])
		head++
	}
	return string(runes[:head]) + "…" + string(runes[tail:])
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
	why    *widget.Label // the relations shared with the query, if any
	hit    hit
	onTap  func(hit)
	hasHit bool
}

func newNeighbourTile(onTap func(hit)) *neighbourTile {
	t := &neighbourTile{thumb: newThumbView(neighbourThumb), name: widget.NewLabel(""), onTap: onTap}
	t.score = canvas.NewText("", theme.Color(theme.ColorNameForeground))
	t.score.TextSize = theme.CaptionTextSize()
	t.name.Truncation = fyne.TextTruncateEllipsis
	t.why = widget.NewLabel("")
	t.why.Truncation = fyne.TextTruncateEllipsis
	t.why.SizeName = theme.SizeNameCaptionText
	t.why.TextStyle = fyne.TextStyle{Italic: true}
	t.why.Hide()
	t.ExtendBaseWidget(t)
	return t
}

func (t *neighbourTile) CreateRenderer() fyne.WidgetRenderer {
	pad := theme.InnerPadding()
	score := container.New(layout.NewCustomPaddedLayout(0, 0, pad, 0), t.score)
	text := container.New(layout.NewCustomPaddedVBoxLayout(0), t.name, score, t.why)
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
	if w := whyText(h.Why); w != "" {
		t.why.SetText(w)
		t.why.Show()
	} else {
		t.why.Hide()
	}
	t.thumb.set(h.Image, l)
}

// whyText is one line naming the relations a neighbour shares with the
// query: "shares: horizontal strata, mirror symmetry".
func whyText(why []engine.Relation) string {
	if len(why) == 0 {
		return ""
	}
	names := make([]string, len(why))
	for i, r := range why {
		names[i] = r.Relation
	}
	return "shares: " + strings.Join(names, ", ")
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
