package engine

import (
	"image"
	"math"
)

// Panel layouts (objects v2): a picture made of panels — two side by side
// (before and after), a strip (stages), a grid (a contact sheet, one odd
// tile) — shows straight seams that cross it whole: a step in brightness,
// or a thin gutter line, along one column (or row) in most rows (or
// columns), where the steps beside it are small. Photos rarely have one:
// an edge of a building is straight but seldom crosses the whole frame.
// The measures are read off a small grey copy of the picture (2.2 ms,
// BenchmarkPanelMeasures); they ride with the object relations in the
// Objects space (the second indexing pass), so the relational vector is
// unchanged.

const (
	panelMeasureCount = 3
	panelSide         = 192  // the grey copy's side
	panelStep         = 0.03 // the least brightness step (or line) a seam row has
	panelSeamShare    = 0.55 // the share of rows (columns) a seam steps in (0.45 found more panels in composites but twice the real photos with none: a road sign's edges)
	panelMargin       = 0.06 // seams this close to the border are margins
	panelMerge        = 12   // seams closer than this (px) are one gutter's two sides
)

// panelMeasures are 1 or 0: two panels side by side, a strip of three or
// more panels in one direction, a grid of panels in both.
func panelMeasures(img image.Image) [panelMeasureCount]float64 {
	var m [panelMeasureCount]float64
	if img == nil || img.Bounds().Empty() {
		return m
	}
	g := FitImage(img, panelSide, panelSide, Stretch)
	n := panelSide
	lum := make([]float64, n*n)
	for i := range lum {
		p := g.Pix[4*i : 4*i+3]
		lum[i] = (0.299*float64(p[0]) + 0.587*float64(p[1]) + 0.114*float64(p[2])) / 255
	}
	at := func(x, y int) float64 { return lum[y*n+x] }
	vertical := seams(n, func(x, y int) float64 { return at(x, y) })
	horizontal := seams(n, func(x, y int) float64 { return at(y, x) })
	nv, nh := len(vertical), len(horizontal)
	switch {
	case nv == 1 && nh == 0 && math.Abs(vertical[0]-0.5) < 0.2:
		m[0] = 1
	case (nv >= 2 && nh == 0) || (nh >= 2 && nv == 0):
		m[1] = 1
	case nv >= 1 && nh >= 1:
		m[2] = 1
	}
	return m
}

// seams finds the vertical seams of an n×n picture read through at(x, y):
// columns that, in at least panelSeamShare of the rows, show a step in
// brightness (across two pixels, as a resize smears a seam over two) or a
// thin line (a narrow gutter, lighter or darker than both sides), at least
// panelStep and twice the steps just beside it. An object's edge is seldom
// straight across the whole picture. It returns their positions (0..1)
// away from the margins, a gutter's two sides merged into one.
func seams(n int, at func(x, y int) float64) []float64 {
	var out []float64
	last := -panelMerge - 1
	for x := 4; x < n-4; x++ {
		if f := float64(x) / float64(n); f < panelMargin || f > 1-panelMargin {
			continue
		}
		hits := 0
		for y := 0; y < n; y++ {
			l2, l1, c, r1, r2 := at(x-3, y), at(x-1, y), at(x, y), at(x+1, y), at(x+3, y)
			beside := max(math.Abs(l1-l2), math.Abs(r2-r1))
			step := math.Abs(r1 - l1)
			line := min(math.Abs(c-l1), math.Abs(c-r1))
			if (c-l1)*(c-r1) <= 0 {
				line = 0 // not lighter or darker than both sides
			}
			if max(step, line) >= panelStep && max(step, line) >= 2*beside {
				hits++
			}
		}
		if float64(hits) < panelSeamShare*float64(n) {
			continue
		}
		if x-last > panelMerge {
			out = append(out, float64(x)/float64(n))
		}
		last = x
	}
	return out
}
