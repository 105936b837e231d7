package ui

import (
	"fmt"
	"image/color"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"relview/engine"
)

// Tile widths of the neighbour grids (the thumbnail's width, in Fyne
// units): the size slider's range and default.
const (
	minTileWidth     = 96
	maxTileWidth     = 256
	defaultTileWidth = 120
	maxChips         = 2  // why chips per tile, side by side on one line
	chipGap          = 13 // a chip's padding and the gap after it
)

// Colours of the strength bar and the chips.
var (
	barTrack   = color.NRGBA{R: 0x80, G: 0x80, B: 0x80, A: 0x40}
	barColours = map[string]color.NRGBA{
		strengthStrong: {R: 0x2e, G: 0xa0, B: 0x4f, A: 0xff},
		strengthFair:   {R: 0xd8, G: 0xa0, B: 0x20, A: 0xff},
		strengthWeak:   {R: 0xb0, G: 0x50, B: 0x40, A: 0xff},
	}
	chipColour  = color.NRGBA{R: 0x40, G: 0x70, B: 0xc0, A: 0x38}
	badgeColour = color.NRGBA{R: 0x10, G: 0x10, B: 0x10, A: 0xb0}
)

// tileFitter shortens the tiles' texts (caption size).
var tileFitter = sync.OnceValue(func() *nameFitter {
	return newNameFitter(theme.CaptionTextSize(), fyne.TextStyle{})
})

// tileGeometry is the layout of a tile of thumbnail width w: the
// thumbnail (4:3), the strength bar, the score line, the name and, in the
// relational column, a line of up to chips why chips.
type tileGeometry struct {
	w, thumbH, line float32
	chips           int
}

// chipLines is 1 when the tile has room for chips.
func (g tileGeometry) chipLines() int { return min(g.chips, 1) }

func newTileGeometry(w float32, chips int) tileGeometry {
	line := fyne.MeasureText("Ag", theme.CaptionTextSize(), fyne.TextStyle{}).Height + 2
	return tileGeometry{w: w, thumbH: w * 3 / 4, line: line, chips: chips}
}

// size is the cell of the grid.
func (g tileGeometry) size() fyne.Size {
	return fyne.NewSize(g.w, g.thumbH+6+float32(2+g.chipLines())*g.line)
}

// neighbourTile is one neighbour in a column's grid: its thumbnail with the
// rank, a strength bar on the library's scale, the score in words, the
// name, and (relational column) chips naming the relations it shares with
// the query. A stack of near-duplicates shows one tile with their count.
// Tapping it makes it the query.
type neighbourTile struct {
	widget.BaseWidget
	thumb     *thumbView
	rankBg    *canvas.Rectangle
	rank      *canvas.Text
	track     *canvas.Rectangle
	bar       *canvas.Rectangle
	score     *canvas.Text
	name      *canvas.Text
	chipBg    []*canvas.Rectangle
	chips     []*canvas.Text
	stackBg   *canvas.Rectangle
	stack     *canvas.Text // "+2 alike" on a stack
	geo       tileGeometry
	hit       hit
	fill      float32 // of the bar, 0..1
	onTap     func(hit)
	onStack   func(hit) // tap on the stack badge
	onHover   func(t *neighbourTile, in bool)
	hasHit    bool
	full      string   // the name before shortening
	chipTexts []string // before shortening
}

func newNeighbourTile(geo tileGeometry, onTap, onStack func(hit)) *neighbourTile {
	fg := theme.Color(theme.ColorNameForeground)
	caption := func(c color.Color) *canvas.Text {
		t := canvas.NewText("", c)
		t.TextSize = theme.CaptionTextSize()
		return t
	}
	t := &neighbourTile{thumb: newThumbView(fyne.NewSize(geo.w, geo.thumbH)), geo: geo, onTap: onTap, onStack: onStack}
	t.rankBg = canvas.NewRectangle(badgeColour)
	t.rankBg.CornerRadius = 3
	t.rank = caption(color.White)
	t.rank.TextStyle = fyne.TextStyle{Bold: true}
	t.track = canvas.NewRectangle(barTrack)
	t.bar = canvas.NewRectangle(barColours[strengthWeak])
	t.score = caption(fg)
	t.name = caption(fg)
	for range maxChips {
		bg := canvas.NewRectangle(chipColour)
		bg.CornerRadius = 6
		t.chipBg = append(t.chipBg, bg)
		t.chips = append(t.chips, caption(fg))
	}
	t.stackBg = canvas.NewRectangle(badgeColour)
	t.stackBg.CornerRadius = 3
	t.stack = caption(color.White)
	t.ExtendBaseWidget(t)
	return t
}

type tileRenderer struct {
	t       *neighbourTile
	objects []fyne.CanvasObject
}

func (t *neighbourTile) CreateRenderer() fyne.WidgetRenderer {
	objs := []fyne.CanvasObject{t.thumb.stack, t.rankBg, t.rank, t.stackBg, t.stack, t.track, t.bar, t.score, t.name}
	for i := range t.chips {
		objs = append(objs, t.chipBg[i], t.chips[i])
	}
	return &tileRenderer{t: t, objects: objs}
}

func (r *tileRenderer) Layout(fyne.Size) {
	t, g := r.t, r.t.geo
	pad := float32(3)
	t.thumb.stack.Move(fyne.NewPos(0, 0))
	t.thumb.stack.Resize(fyne.NewSize(g.w, g.thumbH))
	rs := t.rank.MinSize()
	t.rankBg.Move(fyne.NewPos(pad, pad))
	t.rankBg.Resize(fyne.NewSize(rs.Width+2*pad, rs.Height))
	t.rank.Move(fyne.NewPos(2*pad, pad))
	ss := t.stack.MinSize()
	t.stackBg.Move(fyne.NewPos(g.w-ss.Width-3*pad, pad))
	t.stackBg.Resize(fyne.NewSize(ss.Width+2*pad, ss.Height))
	t.stack.Move(fyne.NewPos(g.w-ss.Width-2*pad, pad))
	y := g.thumbH + 2
	t.track.Move(fyne.NewPos(0, y))
	t.track.Resize(fyne.NewSize(g.w, 4))
	t.bar.Move(fyne.NewPos(0, y))
	t.bar.Resize(fyne.NewSize(g.w*t.fill, 4))
	y += 6
	for _, o := range []*canvas.Text{t.score, t.name} {
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(g.w, g.line))
		y += g.line
	}
	x := float32(0)
	for i, c := range t.chips {
		if !c.Visible() {
			continue
		}
		cs := c.MinSize()
		t.chipBg[i].Move(fyne.NewPos(x, y+1))
		t.chipBg[i].Resize(fyne.NewSize(cs.Width+2*pad+4, g.line-2))
		c.Move(fyne.NewPos(x+pad+2, y))
		x += cs.Width + chipGap
	}
}

func (r *tileRenderer) MinSize() fyne.Size           { return r.t.geo.size() }
func (r *tileRenderer) Refresh()                     { r.Layout(r.t.Size()); canvas.Refresh(r.t) }
func (r *tileRenderer) Objects() []fyne.CanvasObject { return r.objects }
func (r *tileRenderer) Destroy()                     {}

// setGeometry changes the tile's size (the size slider).
func (t *neighbourTile) setGeometry(g tileGeometry) {
	t.geo = g
	t.thumb.img.SetMinSize(fyne.NewSize(g.w, g.thumbH))
	t.fitTexts()
	t.Refresh()
}

// setHit shows h at rank (1 = best).
func (t *neighbourTile) setHit(h hit, rank int, l *thumbLoader) {
	t.hit, t.hasHit = h, true
	t.rank.Text = fmt.Sprintf("#%d", rank)
	t.full = baseName(h.Image.Path)
	word, top := strengthWord(h.Strength), topPercent(h.Strength)
	switch {
	case h.HasBoth && top != "":
		t.score.Text = fmt.Sprintf("rel %s · vis %.2f", top, h.Visual)
	case h.HasBoth:
		t.score.Text = fmt.Sprintf("rel %.3f · vis %.3f", h.Relational, h.Visual)
	case top != "":
		t.score.Text = word + " · " + top
	default:
		t.score.Text = fmt.Sprintf("%.3f", h.Score)
	}
	t.fill = strengthFill(h.Strength)
	t.bar.FillColor = barColours[word]
	if h.Strength < 0 {
		t.bar.FillColor = barTrack
	}
	t.chipTexts = t.chipTexts[:0]
	for _, r := range h.Why {
		t.chipTexts = append(t.chipTexts, engine.RelationLabel(r.Relation))
	}
	if n := len(h.Stack); n > 0 {
		t.stack.Text = fmt.Sprintf("+%d alike", n)
	} else {
		t.stack.Text = ""
	}
	t.fitTexts()
	t.thumb.set(h.Image, l)
	t.Refresh()
}

// fitTexts shortens the name and chips to the tile's width.
func (t *neighbourTile) fitTexts() {
	f := tileFitter()
	t.name.Text = f.fit(t.full, t.geo.w)
	t.score.Text = f.fit(t.score.Text, t.geo.w)
	// The chips share the line. When the second does not fit whole beside
	// the first, the first takes the line whole, followed by "+1" when that
	// fits too (the hover preview names them all): a label cut to
	// "figure …round" says less than the whole one alone.
	n := min(len(t.chipTexts), t.geo.chips)
	texts := append([]string(nil), t.chipTexts[:n]...)
	width := func(s string) float32 {
		return fyne.MeasureText(s, theme.CaptionTextSize(), fyne.TextStyle{}).Width + chipGap
	}
	if n == 2 && width(texts[0])+width(texts[1]) > t.geo.w {
		more := fmt.Sprintf("+%d", len(t.chipTexts)-1)
		switch {
		case width(texts[0])+width(more) <= t.geo.w:
			texts[1] = more
		case width(texts[0]) <= t.geo.w:
			texts, n = texts[:1], 1
		default:
			texts[1] = more
			texts[0] = f.fit(texts[0], t.geo.w-width(more)-chipGap)
		}
	} else if n == 1 {
		texts[0] = f.fit(texts[0], t.geo.w-chipGap)
	}
	for i, c := range t.chips {
		if i >= n {
			c.Text = ""
			c.Hide()
			t.chipBg[i].Hide()
			continue
		}
		c.Text = texts[i]
		c.Show()
		t.chipBg[i].Show()
	}
	show := func(o fyne.CanvasObject, on bool) {
		if on {
			o.Show()
		} else {
			o.Hide()
		}
	}
	show(t.stack, t.stack.Text != "")
	show(t.stackBg, t.stack.Text != "")
}

// chipLabels are the why chips shown (tests).
func (t *neighbourTile) chipLabels() []string {
	var out []string
	for _, c := range t.chips {
		if c.Visible() && c.Text != "" {
			out = append(out, c.Text)
		}
	}
	return out
}

// clear forgets the hit.
func (t *neighbourTile) clear() {
	t.thumb.clear()
	t.hasHit = false
}

// Tapped makes the neighbour the query; on the stack badge it opens the
// stack.
func (t *neighbourTile) Tapped(ev *fyne.PointEvent) {
	if !t.hasHit {
		return
	}
	if len(t.hit.Stack) > 0 && t.onStack != nil && t.stackBg.Visible() {
		p, s := t.stackBg.Position(), t.stackBg.Size()
		if ev != nil && ev.Position.X >= p.X && ev.Position.Y <= p.Y+s.Height+4 {
			t.onStack(t.hit)
			return
		}
	}
	if t.onTap != nil {
		t.onTap(t.hit)
	}
}

// Cursor shows a hand over a tile.
func (t *neighbourTile) Cursor() desktop.Cursor { return desktop.PointerCursor }

// MouseIn shows a larger preview of the photo beside the tile.
func (t *neighbourTile) MouseIn(*desktop.MouseEvent) {
	if t.hasHit && t.onHover != nil {
		t.onHover(t, true)
	}
}

// MouseMoved does nothing: the preview stays while the pointer is in.
func (t *neighbourTile) MouseMoved(*desktop.MouseEvent) {}

// MouseOut hides the preview.
func (t *neighbourTile) MouseOut() {
	if t.onHover != nil {
		t.onHover(t, false)
	}
}

var (
	_ fyne.Tappable      = (*neighbourTile)(nil)
	_ desktop.Cursorable = (*neighbourTile)(nil)
	_ desktop.Hoverable  = (*neighbourTile)(nil)
)

// whyNames are the names of the relations in why.
func whyNames(why []engine.Relation) []string {
	out := make([]string, len(why))
	for i, r := range why {
		out[i] = r.Relation
	}
	return out
}
