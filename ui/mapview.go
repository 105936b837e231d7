package ui

import (
	"fmt"
	"image/color"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"relview/library"
)

// simMap is the similarity map of the query: every photo a dot, visual
// similarity on x, relational similarity on y, with the top-left region
// (relationally close, visually far) shaded. Hovering a dot names it;
// tapping it makes it the query.
type simMap struct {
	widget.BaseWidget
	points []library.ScatterPoint
	// ranges of the axes (from the data, with a margin)
	x0, x1, y0, y1 float32
	hover          int // index into points, -1: none
	onTap          func(id int64)
	onHover        func(id int64) // -1: none
}

func newSimMap(onTap func(int64), onHover func(int64)) *simMap {
	m := &simMap{hover: -1, onTap: onTap, onHover: onHover, x0: -1, x1: 1, y0: -1, y1: 1}
	m.ExtendBaseWidget(m)
	return m
}

// setPoints shows a new scatter (UI thread).
func (m *simMap) setPoints(ps []library.ScatterPoint) {
	m.points = ps
	m.hover = -1
	m.x0, m.x1, m.y0, m.y1 = axisRange(ps, func(p library.ScatterPoint) float32 { return p.Visual }, func(p library.ScatterPoint) float32 { return p.Relational })
	m.Refresh()
}

// axisRange is the data's range on both axes, widened by 5%, never empty.
func axisRange(ps []library.ScatterPoint, fx, fy func(library.ScatterPoint) float32) (x0, x1, y0, y1 float32) {
	x0, y0 = float32(math.Inf(1)), float32(math.Inf(1))
	x1, y1 = float32(math.Inf(-1)), float32(math.Inf(-1))
	for _, p := range ps {
		x, y := fx(p), fy(p)
		x0, x1 = min(x0, x), max(x1, x)
		y0, y1 = min(y0, y), max(y1, y)
	}
	if len(ps) == 0 {
		return -1, 1, -1, 1
	}
	widen := func(a, b float32) (float32, float32) {
		if b-a < 1e-3 {
			a, b = a-0.05, b+0.05
		}
		m := (b - a) * 0.05
		return a - m, b + m
	}
	x0, x1 = widen(x0, x1)
	y0, y1 = widen(y0, y1)
	return
}

// pos is where point p sits in a widget of size s.
func (m *simMap) pos(p library.ScatterPoint, s fyne.Size) fyne.Position {
	const inset = 24
	w, h := s.Width-2*inset, s.Height-2*inset
	x := inset + w*(p.Visual-m.x0)/(m.x1-m.x0)
	y := inset + h*(1-(p.Relational-m.y0)/(m.y1-m.y0))
	return fyne.NewPos(x, y)
}

// nearest is the index of the point within 10 units of at, or -1.
func (m *simMap) nearest(at fyne.Position) int {
	best, bestD := -1, float32(100)
	s := m.Size()
	for i, p := range m.points {
		q := m.pos(p, s)
		d := (q.X-at.X)*(q.X-at.X) + (q.Y-at.Y)*(q.Y-at.Y)
		if d < bestD {
			best, bestD = i, d
		}
	}
	return best
}

// Tapped makes the nearest photo the query.
func (m *simMap) Tapped(ev *fyne.PointEvent) {
	if i := m.nearest(ev.Position); i >= 0 && m.onTap != nil {
		m.onTap(m.points[i].ID)
	}
}

func (m *simMap) MouseIn(ev *desktop.MouseEvent) { m.MouseMoved(ev) }

func (m *simMap) MouseMoved(ev *desktop.MouseEvent) {
	i := m.nearest(ev.Position)
	if i == m.hover {
		return
	}
	m.hover = i
	m.Refresh()
	if m.onHover != nil {
		if i >= 0 {
			m.onHover(m.points[i].ID)
		} else {
			m.onHover(-1)
		}
	}
}

func (m *simMap) MouseOut() {
	if m.hover >= 0 {
		m.hover = -1
		m.Refresh()
		if m.onHover != nil {
			m.onHover(-1)
		}
	}
}

func (m *simMap) MinSize() fyne.Size { return fyne.NewSize(240, 140) }

func (m *simMap) CreateRenderer() fyne.WidgetRenderer {
	r := &mapRenderer{m: m,
		bg:     canvas.NewRectangle(color.Transparent),
		region: canvas.NewRectangle(color.NRGBA{0xf2, 0x9e, 0x4c, 0x30}),
		xAxis:  canvas.NewLine(theme.Color(theme.ColorNameForeground)),
		yAxis:  canvas.NewLine(theme.Color(theme.ColorNameForeground)),
		xLabel: canvas.NewText("visual similarity →", theme.Color(theme.ColorNameForeground)),
		yLabel: canvas.NewText("↑ relational similarity", theme.Color(theme.ColorNameForeground)),
		rLabel: canvas.NewText("relational, not visual", color.NRGBA{0xc0, 0x60, 0x10, 0xff}),
	}
	r.bg.StrokeColor = theme.Color(theme.ColorNameSeparator)
	r.bg.StrokeWidth = 1
	for _, t := range []*canvas.Text{r.xLabel, r.yLabel, r.rLabel} {
		t.TextSize = theme.CaptionTextSize()
	}
	return r
}

type mapRenderer struct {
	m                      *simMap
	bg, region             *canvas.Rectangle
	xAxis, yAxis           *canvas.Line
	xLabel, yLabel, rLabel *canvas.Text
	dots                   []*canvas.Circle
}

func (r *mapRenderer) Layout(s fyne.Size) {
	r.bg.Resize(s)
	const inset = 24
	// The top-left quarter of the data's range: relational above the middle,
	// visual below it.
	mid := r.m.pos(library.ScatterPoint{Visual: (r.m.x0 + r.m.x1) / 2, Relational: (r.m.y0 + r.m.y1) / 2}, s)
	r.region.Move(fyne.NewPos(inset, inset))
	r.region.Resize(fyne.NewSize(mid.X-inset, mid.Y-inset))
	r.rLabel.Move(fyne.NewPos(inset+4, inset+2))
	r.xAxis.Position1, r.xAxis.Position2 = fyne.NewPos(inset, s.Height-inset), fyne.NewPos(s.Width-inset, s.Height-inset)
	r.yAxis.Position1, r.yAxis.Position2 = fyne.NewPos(inset, inset), fyne.NewPos(inset, s.Height-inset)
	r.xLabel.Move(fyne.NewPos(s.Width-inset-r.xLabel.MinSize().Width, s.Height-inset+2))
	r.yLabel.Move(fyne.NewPos(inset+4, inset-r.yLabel.MinSize().Height-2))
	for i, p := range r.m.points {
		if i >= len(r.dots) {
			break
		}
		d := r.dots[i]
		rad := float32(4)
		if i == r.m.hover {
			rad = 7
		}
		c := r.m.pos(p, s)
		d.Move(fyne.NewPos(c.X-rad, c.Y-rad))
		d.Resize(fyne.NewSize(2*rad, 2*rad))
	}
}

func (r *mapRenderer) MinSize() fyne.Size { return r.m.MinSize() }

func (r *mapRenderer) Refresh() {
	for len(r.dots) < len(r.m.points) {
		r.dots = append(r.dots, canvas.NewCircle(color.Black))
	}
	r.dots = r.dots[:len(r.m.points)]
	fg := theme.Color(theme.ColorNamePrimary)
	for i, d := range r.dots {
		d.FillColor = fg
		if i == r.m.hover {
			d.FillColor = color.NRGBA{0xd0, 0x50, 0x10, 0xff}
		}
	}
	r.Layout(r.m.Size())
	for _, o := range r.Objects() {
		o.Refresh()
	}
}

func (r *mapRenderer) Objects() []fyne.CanvasObject {
	objs := []fyne.CanvasObject{r.bg, r.region, r.xAxis, r.yAxis, r.xLabel, r.yLabel, r.rLabel}
	for _, d := range r.dots {
		objs = append(objs, d)
	}
	return objs
}

func (r *mapRenderer) Destroy() {}

var (
	_ fyne.Tappable     = (*simMap)(nil)
	_ desktop.Hoverable = (*simMap)(nil)
)

// mapView is the similarity map tab: the map, a line about the photo under
// the pointer and its thumbnail. It runs on the UI thread.
type mapView struct {
	simMap  *simMap
	info    *widget.Label
	thumb   *thumbView
	content fyne.CanvasObject
}

const mapHint = "Every photo of the library as a dot. Hover a dot to see it, click it to make it the query."

func newMapView(onTap func(int64), onHover func(int64)) *mapView {
	v := &mapView{simMap: newSimMap(onTap, onHover), info: widget.NewLabel(mapHint), thumb: newThumbView(neighbourThumb)}
	v.info.Wrapping = fyne.TextWrapWord
	v.content = container.NewBorder(nil, container.NewBorder(nil, nil, v.thumb.stack, nil, v.info), nil, nil, v.simMap)
	return v
}

// setPoints shows a query's scatter (nil: none).
func (v *mapView) setPoints(ps []library.ScatterPoint) { v.simMap.setPoints(ps) }

// setError says why the map is empty.
func (v *mapView) setError(err error) {
	v.simMap.setPoints(nil)
	v.info.SetText(queryError(err))
}

// hover names the photo under the pointer and shows its thumbnail
// (ok false: none).
func (v *mapView) hover(im library.Image, ok bool, l *thumbLoader) {
	if !ok {
		v.thumb.clear()
		return
	}
	for _, p := range v.simMap.points {
		if p.ID == im.ID {
			v.info.SetText(fmt.Sprintf("%s\nrelational %.3f · visual %.3f", im.Path, p.Relational, p.Visual))
		}
	}
	v.thumb.set(im, l)
}
