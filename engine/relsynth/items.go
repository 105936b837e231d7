package relsynth

import (
	"image"
	"image/color"
	"math"
	"math/rand/v2"

	"github.com/disintegration/imaging"
)

// item is a w×h subject crop of src with a soft mask of a random shape.
func item(r *rand.Rand, src image.Image, w, h, shape int) *image.NRGBA {
	it := subject(r, src, max(w, 4), max(h, 4))
	setMask(it, shape, uf(r, 0.7, math.Max(1, 0.12*float64(min(w, h)))))
	return it
}

// randShape picks an item shape, ellipses and rounded ones most often.
func randShape(r *rand.Rand) int {
	switch p := r.Float64(); {
	case p < 0.25:
		return shapeRect
	case p < 0.6:
		return shapeRound
	default:
		return shapeEllipse
	}
}

// variant is a copy of it slightly rescaled (±sj), rotated (±rj degrees) and
// re-toned (±tj).
func variant(r *rand.Rand, it *image.NRGBA, sj, rj, tj float64) *image.NRGBA {
	b := it.Bounds()
	var out *image.NRGBA
	if sj > 0 {
		s := 1 + uf(r, -sj, sj)
		out = imaging.Resize(it, max(2, iround(float64(b.Dx())*s)), max(2, iround(float64(b.Dy())*s)), imaging.Linear)
	} else {
		out = imaging.Clone(it)
	}
	if tj > 0 {
		jitterTone(r, out, tj)
	}
	if rj > 0 {
		out = imaging.Rotate(out, uf(r, -rj, rj), color.Transparent)
	}
	return out
}

// overC composites it centred at (cx, cy).
func overC(dst, it *image.NRGBA, cx, cy float64) {
	b := it.Bounds()
	over(dst, it, iround(cx-float64(b.Dx())/2), iround(cy-float64(b.Dy())/2))
}

// itemSize returns w×h with area frac of the frame and aspect asp.
func itemSize(fw, fh, frac, asp float64) (int, int) {
	a := frac * fw * fh
	iw := math.Sqrt(a * asp)
	ih := a / iw
	if iw > 0.95*fw {
		iw, ih = 0.95*fw, a/(0.95*fw)
	}
	if ih > 0.95*fh {
		ih, iw = 0.95*fh, a/(0.95*fh)
	}
	return max(4, iround(iw)), max(4, iround(ih))
}

func logUniform(r *rand.Rand, lo, hi float64) float64 {
	return math.Exp(uf(r, math.Log(lo), math.Log(hi)))
}

// ground is a large empty backdrop: flat colour with noise, a smooth
// gradient (sky, fog, field) or a strongly blurred photo.
func ground(r *rand.Rand, src image.Image, w, h int) *image.NRGBA {
	var out *image.NRGBA
	switch p := r.Float64(); {
	case p < 0.3:
		out = imaging.New(w, h, randColour(r, 0, 0.8, 0.1, 0.95))
		v := gradient(w, h, []color.NRGBA{{255, 255, 255, 255}, {0, 0, 0, 255}}, uf(r, 0, 2*math.Pi))
		out = blend(out, v, uf(r, 0, 0.12))
	case p < 0.45:
		out = gradient(w, h, skyColours(r), math.Pi/2+uf(r, -0.2, 0.2))
	case p < 0.6: // field / sand / fog
		hue := []float64{90, 40, 30, 200, 0}[r.IntN(5)] + uf(r, -15, 15)
		out = gradient(w, h, []color.NRGBA{hsv(hue, uf(r, 0.1, 0.6), uf(r, 0.3, 0.9)), hsv(hue+uf(r, -20, 20), uf(r, 0.1, 0.6), uf(r, 0.3, 0.9))},
			math.Pi/2+uf(r, -0.3, 0.3))
	default:
		out = washed(r, src, w, h)
	}
	addNoise(r, out, uf(r, 1, 6), chance(r, 0.5))
	return out
}

// makeFigure: one small subject on a large empty ground.
func makeFigure(r *rand.Rand, src []image.Image) *image.NRGBA {
	w, h := randSize(r)
	fw, fh := float64(w), float64(h)
	ph := pick(r, src, 2)
	out := ground(r, ph[1], w, h)
	iw, ih := itemSize(fw, fh, uf(r, 0.02, 0.12), logUniform(r, 0.5, 2))
	it := item(r, ph[0], iw, ih, randShape(r))
	x := iround(uf(r, 0.03, 0.97) * float64(w-iw))
	y := iround(uf(r, 0.03, 0.97) * float64(h-ih))
	if chance(r, 0.35) {
		shadow(out, it, x+ui(r, -8, 8), y+ui(r, 2, 10), uf(r, 2, 8), uf(r, 0.2, 0.5))
	}
	over(out, it, x, y)
	return out
}

// gridDims picks cols×rows for about the frame's aspect with cols*rows in
// [lo, hi].
func gridDims(r *rand.Rand, fw, fh float64, lo, hi int) (int, int) {
	n := ui(r, lo, hi)
	cols := max(2, iround(math.Sqrt(float64(n)*fw/fh)*uf(r, 0.85, 1.15)))
	rows := max(2, iround(float64(n)/float64(cols)))
	for cols*rows > hi {
		if cols > rows {
			cols--
		} else {
			rows--
		}
	}
	for cols*rows < lo {
		if float64(cols)*fh < float64(rows)*fw {
			cols++
		} else {
			rows++
		}
	}
	return cols, rows
}

// makeRepetition: many similar items filling the frame, no main subject.
func makeRepetition(r *rand.Rand, src []image.Image) *image.NRGBA {
	w, h := randSize(r)
	fw, fh := float64(w), float64(h)
	ph := pick(r, src, 3)
	two := chance(r, 0.3)
	switch mode := r.IntN(4); mode {
	case 0, 1: // grid or brick rows of items
		cols, rows := gridDims(r, fw, fh, 12, 80)
		cw, ch := fw/float64(cols), fh/float64(rows)
		fill := uf(r, 0.7, 1)
		iw, ih := max(4, iround(cw*fill)), max(4, iround(ch*fill))
		shape := randShape(r)
		a := item(r, ph[0], iw, ih, shape)
		b := a
		if two {
			b = item(r, ph[1], iw, ih, shape)
		}
		out := background(r, ph[2], w, h, false)
		if chance(r, 0.5) {
			out = washed(r, ph[0], w, h)
			k := uf(r, 0.3, 0.8)
			toneMap(out, [3]float64{k, k, k}, [3]float64{}, 1)
		}
		sj, rj := uf(r, 0, 0.12), uf(r, 0, 12)
		jit := uf(r, 0, 0.12)
		for row := -1; row <= rows; row++ {
			off := 0.0
			if mode == 1 && row%2 != 0 {
				off = cw / 2
			}
			for col := -1; col <= cols; col++ {
				if (row < 0 || row >= rows || col < 0 || col >= cols) && (mode == 0 || row < 0 || row >= rows) {
					continue
				}
				src := a
				if two && (row+col)%2 != 0 {
					src = b
				}
				it := variant(r, src, sj, rj, 0.08)
				overC(out, it, (float64(col)+0.5)*cw+off+r.NormFloat64()*jit*cw, (float64(row)+0.5)*ch+r.NormFloat64()*jit*ch)
			}
		}
		return out
	case 2: // dense scatter
		n := ui(r, 30, 80)
		s := math.Sqrt(fw*fh/float64(n)) * uf(r, 1, 1.5)
		asp := logUniform(r, 0.6, 1.6)
		iw, ih := max(4, iround(s*math.Sqrt(asp))), max(4, iround(s/math.Sqrt(asp)))
		shape := randShape(r)
		a := item(r, ph[0], iw, ih, shape)
		b := a
		if two {
			b = item(r, ph[1], iw, ih, shape)
		}
		out := washed(r, ph[0], w, h)
		k := uf(r, 0.4, 0.9)
		toneMap(out, [3]float64{k, k, k}, [3]float64{}, 1)
		sj := uf(r, 0.05, 0.2)
		rj := []float64{0, 15, 180}[r.IntN(3)]
		for i := range n {
			src := a
			if two && i%2 == 1 {
				src = b
			}
			it := variant(r, src, sj, rj, 0.1)
			overC(out, it, uf(r, -0.05, 1.05)*fw, uf(r, -0.05, 1.05)*fh)
		}
		return out
	default: // a tiled texture of repeated cells
		cols, rows := gridDims(r, fw, fh, 12, 80)
		cw, ch := (w+cols-1)/cols, (h+rows-1)/rows
		t := randView(r, ph[0], cw, ch, 1, 3)
		var t2 *image.NRGBA
		if two {
			t2 = randView(r, ph[1], cw, ch, 1, 3)
		}
		mirror := chance(r, 0.4)
		grout := 0
		if chance(r, 0.5) {
			grout = ui(r, 1, max(1, min(cw, ch)/10))
		}
		gc := randColour(r, 0, 0.3, 0.05, 0.95)
		out := imaging.New(w, h, gc)
		for row := range rows {
			for col := range cols {
				c := t
				if two && (row+col)%2 == 1 {
					c = t2
				}
				if mirror && col%2 == 1 {
					c = imaging.FlipH(c)
				}
				if mirror && row%2 == 1 {
					c = imaging.FlipV(c)
				}
				c = imaging.Clone(c)
				jitterTone(r, c, 0.06)
				if grout > 0 {
					c = imaging.Crop(c, image.Rect(grout, grout, cw, ch))
				}
				over(out, c, col*cw+grout, row*ch+grout)
			}
		}
		return out
	}
}

// makePair: two comparable subjects side by side on a common background.
func makePair(r *rand.Rand, src []image.Image) *image.NRGBA {
	w, h := randSize(r)
	fw, fh := float64(w), float64(h)
	ph := pick(r, src, 3)
	out := background(r, ph[2], w, h, true)
	f1 := uf(r, 0.08, 0.3)
	f2 := clampF(f1*uf(r, 0.75, 1.33), 0.08, 0.3)
	asp := logUniform(r, 0.55, 1.6)
	vertical := fh > fw*1.15 && chance(r, 0.5)
	w1, h1 := itemSize(fw, fh, f1, asp)
	w2, h2 := itemSize(fw, fh, f2, asp*uf(r, 0.85, 1.18))
	gap := uf(r, 0.02, 0.15)
	// shrink to fit side by side (or one above the other)
	if vertical {
		if s := 0.95 * fh / (float64(h1+h2) + gap*fh); s < 1 {
			w1, h1, w2, h2 = iround(float64(w1)*s), iround(float64(h1)*s), iround(float64(w2)*s), iround(float64(h2)*s)
		}
	} else if s := 0.95 * fw / (float64(w1+w2) + gap*fw); s < 1 {
		w1, h1, w2, h2 = iround(float64(w1)*s), iround(float64(h1)*s), iround(float64(w2)*s), iround(float64(h2)*s)
	}
	shape := randShape(r)
	a := item(r, ph[0], w1, h1, shape)
	var b *image.NRGBA
	switch p := r.Float64(); {
	case p < 0.3: // the same subject facing itself
		b = imaging.Resize(imaging.FlipH(a), w2, h2, imaging.Linear)
		jitterTone(r, b, 0.08)
	case p < 0.6: // another crop of the same photo
		b = item(r, ph[0], w2, h2, shape)
	default:
		if chance(r, 0.3) {
			shape = randShape(r)
		}
		b = item(r, ph[1], w2, h2, shape)
	}
	sh := chance(r, 0.35)
	put := func(it *image.NRGBA, x, y int) {
		if sh {
			shadow(out, it, x+4, y+6, 5, 0.35)
		}
		over(out, it, x, y)
	}
	if vertical {
		total := float64(h1+h2) + gap*fh
		y0 := uf(r, 0.02, 0.98) * math.Max(0, fh-total)
		cx := fw * uf(r, 0.35, 0.65)
		x1 := clampI(iround(cx-float64(w1)/2+r.NormFloat64()*0.03*fw), 0, w-w1)
		x2 := clampI(iround(cx-float64(w2)/2+r.NormFloat64()*0.03*fw), 0, w-w2)
		put(a, x1, iround(y0))
		put(b, x2, iround(y0+float64(h1)+gap*fh))
		return out
	}
	total := float64(w1+w2) + gap*fw
	x0 := uf(r, 0.02, 0.98) * math.Max(0, fw-total)
	cy := fh * uf(r, 0.35, 0.65)
	y1 := clampI(iround(cy-float64(h1)/2+r.NormFloat64()*0.04*fh), 0, h-h1)
	y2 := clampI(iround(cy-float64(h2)/2+r.NormFloat64()*0.04*fh), 0, h-h2)
	if chance(r, 0.5) {
		a, b = b, a
		w1, w2 = w2, w1
		y1, y2 = clampI(y2, 0, h-a.Bounds().Dy()), clampI(y1, 0, h-b.Bounds().Dy())
	}
	put(a, iround(x0), y1)
	put(b, iround(x0+float64(w1)+gap*fw), y2)
	return out
}

// makeFormation: 3–9 alike subjects in an ordered line, row, V or arc.
func makeFormation(r *rand.Rand, src []image.Image) *image.NRGBA {
	w, h := randSize(r)
	fw, fh := float64(w), float64(h)
	ph := pick(r, src, 2)
	out := background(r, ph[1], w, h, true)
	n := ui(r, 3, 9)
	pts := make([][2]float64, n)
	switch r.IntN(5) {
	case 0, 1: // straight line at an angle (mostly near horizontal)
		th := r.NormFloat64() * 0.35
		if chance(r, 0.2) {
			th = math.Pi/2 + r.NormFloat64()*0.2
		}
		for i := range pts {
			t := float64(i)
			pts[i] = [2]float64{t * math.Cos(th), t * math.Sin(th)}
		}
	case 2: // V
		half := uf(r, 0.3, 1)
		dir := uf(r, 0, 2*math.Pi)
		for i := range pts {
			k := float64((i + 1) / 2)
			s := 1.0
			if i%2 == 1 {
				s = -1
			}
			a := dir + s*half
			pts[i] = [2]float64{k * math.Cos(a), k * math.Sin(a)}
		}
	case 3: // arc
		span := uf(r, 1, 3.5)
		start := uf(r, 0, 2*math.Pi)
		R := float64(n-1) / span
		for i := range pts {
			a := start + span*float64(i)/float64(max(1, n-1))
			pts[i] = [2]float64{R * math.Cos(a), R * math.Sin(a)}
		}
	default: // gentle wave row
		amp := uf(r, 0.1, 0.5)
		ph0 := uf(r, 0, 6)
		for i := range pts {
			pts[i] = [2]float64{float64(i), amp * math.Sin(float64(i)*0.9+ph0)}
		}
	}
	// fit into the frame
	m := uf(r, 0.09, 0.16) * math.Min(fw, fh)
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range pts {
		minX, maxX = math.Min(minX, p[0]), math.Max(maxX, p[0])
		minY, maxY = math.Min(minY, p[1]), math.Max(maxY, p[1])
	}
	bw, bh := math.Max(maxX-minX, 1e-3), math.Max(maxY-minY, 1e-3)
	sc := math.Min((fw-2*m)/bw, (fh-2*m)/bh) * uf(r, 0.8, 1)
	ox := m + uf(r, 0, 1)*(fw-2*m-bw*sc)
	oy := m + uf(r, 0, 1)*(fh-2*m-bh*sc)
	spacing := math.Inf(1)
	for i := 1; i < n; i++ {
		spacing = math.Min(spacing, math.Hypot(pts[i][0]-pts[i-1][0], pts[i][1]-pts[i-1][1])*sc)
	}
	s := math.Min(math.Min(spacing*uf(r, 0.6, 0.9), 2*m), 0.3*math.Min(fw, fh))
	asp := logUniform(r, 0.6, 1.6)
	iw, ih := max(6, iround(s*math.Sqrt(asp))), max(6, iround(s/math.Sqrt(asp)))
	if math.Max(float64(iw), float64(ih)) > 2*m {
		k := 2 * m / math.Max(float64(iw), float64(ih))
		iw, ih = max(6, iround(float64(iw)*k)), max(6, iround(float64(ih)*k))
	}
	it := item(r, ph[0], iw, ih, randShape(r))
	sh := chance(r, 0.3)
	for _, p := range pts {
		v := variant(r, it, 0.08, 6, 0.08)
		x, y := ox+(p[0]-minX)*sc, oy+(p[1]-minY)*sc
		if sh {
			b := v.Bounds()
			shadow(out, v, iround(x-float64(b.Dx())/2)+3, iround(y-float64(b.Dy())/2)+5, 4, 0.35)
		}
		overC(out, v, x, y)
	}
	return out
}

// makeOddOneOut: many alike items and exactly one that differs.
func makeOddOneOut(r *rand.Rand, src []image.Image) *image.NRGBA {
	w, h := randSize(r)
	fw, fh := float64(w), float64(h)
	ph := pick(r, src, 3)
	out := background(r, ph[2], w, h, false)
	var pos [][2]float64
	var s float64
	if chance(r, 0.55) { // grid
		cols, rows := gridDims(r, fw, fh, 6, 30)
		cw, ch := fw/float64(cols), fh/float64(rows)
		s = math.Min(cw, ch) * uf(r, 0.6, 0.85)
		jit := uf(r, 0, 0.06)
		for row := range rows {
			for col := range cols {
				pos = append(pos, [2]float64{(float64(col)+0.5)*cw + r.NormFloat64()*jit*cw, (float64(row)+0.5)*ch + r.NormFloat64()*jit*ch})
			}
		}
	} else { // scatter without overlaps
		n := ui(r, 6, 30)
		s = math.Sqrt(fw*fh/float64(n)) * uf(r, 0.4, 0.6)
		for tries := 0; len(pos) < n && tries < 3000; tries++ {
			p := [2]float64{uf(r, s*0.6, fw-s*0.6), uf(r, s*0.6, fh-s*0.6)}
			ok := true
			for _, q := range pos {
				if math.Hypot(p[0]-q[0], p[1]-q[1]) < s*1.15 {
					ok = false
					break
				}
			}
			if ok {
				pos = append(pos, p)
			}
		}
	}
	asp := logUniform(r, 0.7, 1.4)
	iw, ih := max(6, iround(s*math.Sqrt(asp))), max(6, iround(s/math.Sqrt(asp)))
	shape := randShape(r)
	it := item(r, ph[0], iw, ih, shape)
	var odd *image.NRGBA
	switch p := r.Float64(); {
	case p < 0.4: // another photo
		odd = item(r, ph[1], iw, ih, shape)
	case p < 0.75: // a strong colour change
		odd = imaging.Clone(it)
		c := randColour(r, 0.7, 1, 0.8, 1)
		swap := r.IntN(3)
		for i := 0; i < len(odd.Pix); i += 4 {
			l := luma(odd.Pix[i:i+3]) / 128
			v := [3]float64{float64(odd.Pix[i]), float64(odd.Pix[i+1]), float64(odd.Pix[i+2])}
			v = [3]float64{v[(0+swap)%3], v[(1+swap)%3], v[(2+swap)%3]}
			cc := [3]float64{float64(c.R), float64(c.G), float64(c.B)}
			for k := range 3 {
				odd.Pix[i+k] = clamp8(0.35*v[k] + 0.65*cc[k]*l)
			}
		}
	default: // a different size
		k := uf(r, 1.5, 1.9)
		if chance(r, 0.4) {
			k = uf(r, 0.45, 0.6)
		}
		odd = imaging.Resize(it, iround(float64(iw)*k), iround(float64(ih)*k), imaging.Linear)
	}
	oddAt := r.IntN(len(pos))
	for i, p := range pos {
		v := variant(r, it, 0.05, 4, 0.06)
		if i == oddAt {
			v = variant(r, odd, 0.05, 4, 0.06)
		}
		overC(out, v, p[0], p[1])
	}
	return out
}
