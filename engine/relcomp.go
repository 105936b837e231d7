package engine

import (
	"math"
	"sort"
)

// Composition measures of real photographs (relational encoder v3): raw
// numbers read off the 224² input picture, each about one relation that
// photographers name — strata, a silhouette against the sky, one figure on
// empty ground, repetition, lines converging on a point, radial structure,
// mirror symmetry, a reflection. relations.go turns them into named
// strengths.

// gradField is a Sobel gradient of the luminance on an n×n grid.
type gradField struct {
	n      int
	gx, gy []float64
	mag    []float64
	mean   float64 // mean magnitude
}

func sobel(t []float64, n int) gradField {
	g := gradField{n: n, gx: make([]float64, n*n), gy: make([]float64, n*n), mag: make([]float64, n*n)}
	at := func(x, y int) float64 { return t[min(max(y, 0), n-1)*n+min(max(x, 0), n-1)] }
	var s float64
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			dx := (at(x+1, y-1) + 2*at(x+1, y) + at(x+1, y+1)) - (at(x-1, y-1) + 2*at(x-1, y) + at(x-1, y+1))
			dy := (at(x-1, y+1) + 2*at(x, y+1) + at(x+1, y+1)) - (at(x-1, y-1) + 2*at(x, y-1) + at(x+1, y-1))
			i := y*n + x
			g.gx[i], g.gy[i] = dx, dy
			g.mag[i] = math.Hypot(dx, dy)
			s += g.mag[i]
		}
	}
	g.mean = s / float64(n*n)
	return g
}

// colourGrid box-averages the NHWC 224² input to n×n cells of RGB.
func colourGrid(in []float32, n int) [][3]float64 {
	const S = BuiltinSize
	out := make([][3]float64, n*n)
	f := S / n
	for y := 0; y < S; y++ {
		for x := 0; x < S; x++ {
			c := &out[(y/f)*n+x/f]
			p := in[(y*S+x)*3:]
			c[0] += float64(p[0])
			c[1] += float64(p[1])
			c[2] += float64(p[2])
		}
	}
	k := float64(f * f)
	for i := range out {
		for c := range 3 {
			out[i][c] /= k
		}
	}
	return out
}

// bandScore is the share of the colour variance that row means explain:
// high for horizontal strata.
func bandScore(c [][3]float64, n int) float64 {
	var mean [3]float64
	for _, v := range c {
		for k := range 3 {
			mean[k] += v[k] / float64(n*n)
		}
	}
	var total, vr float64
	for y := 0; y < n; y++ {
		var rm [3]float64
		for x := 0; x < n; x++ {
			for k := range 3 {
				d := c[y*n+x][k] - mean[k]
				total += d * d
				rm[k] += c[y*n+x][k] / float64(n)
			}
		}
		for k := range 3 {
			vr += float64(n) * (rm[k] - mean[k]) * (rm[k] - mean[k])
		}
	}
	if total < 1e-9 {
		return 0
	}
	return vr / total
}

// quantile of a copy of v.
func quantile(v []float64, q float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	return s[min(int(q*float64(len(s))), len(s)-1)]
}

// silhouetteFlatness is how flat (detail-less) the dark cells are relative
// to the picture's mean detail, when the picture has both dark cells and
// bright ones: dark shapes cut out against a bright sky.
func silhouetteFlatness(t []float64, g gradField) float64 {
	hi := quantile(t, 0.95) + 1e-3
	var nd, nb int
	var ed float64
	for i, v := range t {
		switch {
		case v < 0.3*hi && v < 0.3:
			nd++
			ed += g.mag[i]
		case v > 0.55*hi:
			nb++
		}
	}
	if nd == 0 || nb == 0 {
		return 0
	}
	return 1 - min(ed/float64(nd)/(g.mean+1e-6), 1)
}

// detailMap is the mean gradient magnitude per cell of an m×m grid.
func detailMap(g gradField, m int) []float64 {
	out := make([]float64, m*m)
	f := g.n / m
	for y := 0; y < m*f; y++ {
		for x := 0; x < m*f; x++ {
			out[(y/f)*m+x/f] += g.mag[y*g.n+x]
		}
	}
	for i := range out {
		out[i] /= float64(f * f)
	}
	return out
}

// concentration is the share of the picture's saliency (detail plus colour
// distance to the median colour) held by its most salient 15 % of cells.
func concentration(dm []float64, c [][3]float64) float64 {
	med := medianColour(c)
	dmax := quantile(dm, 0.98) + 1e-6
	sal := make([]float64, len(dm))
	var total float64
	for i := range dm {
		d := colourDist(c[i], med)
		sal[i] = min(dm[i]/dmax, 1) + 2*d
		total += sal[i]
	}
	if total < 1e-9 {
		return 0
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(sal)))
	var s float64
	for _, x := range sal[:len(sal)*15/100] {
		s += x
	}
	return s / total
}

func sq(x float64) float64 { return x * x }

// evenness is 1 minus the coefficient of variation of the detail map (clamped
// at 0): high when detail fills the whole picture evenly.
func evenness(dm []float64) float64 {
	var m, v float64
	for _, x := range dm {
		m += x
	}
	m /= float64(len(dm))
	for _, x := range dm {
		v += sq(x - m)
	}
	if m < 1e-9 {
		return 0
	}
	return max(1-math.Sqrt(v/float64(len(dm)))/m, 0)
}

// orientHist is a histogram of gradient orientations (signed, 12 bins) per
// cell of an m×m grid, magnitude-weighted.
func orientHist(g gradField, m int) [][12]float64 {
	out := make([][12]float64, m*m)
	f := g.n / m
	for y := 0; y < m*f; y++ {
		for x := 0; x < m*f; x++ {
			i := y*g.n + x
			a := math.Atan2(g.gy[i], g.gx[i])
			b := int((a+math.Pi)/(2*math.Pi)*12) % 12
			out[(y/f)*m+x/f][b] += g.mag[i]
		}
	}
	return out
}

// mirrorBin maps an orientation bin to its mirror image about a vertical
// axis (θ → π−θ) or a horizontal one (θ → −θ).
func mirrorBin(b int, vertical bool) int {
	// bin b covers angles (b+0.5)/12·2π − π.
	if vertical {
		return (18 - 1 - b + 12) % 12
	}
	return (12 - 1 - b + 12) % 12
}

func histCos(a, b [12]float64, mirror int) float64 {
	var d, na, nb float64
	for k := range 12 {
		bk := k
		if mirror == 1 {
			bk = mirrorBin(k, true)
		} else if mirror == 2 {
			bk = mirrorBin(k, false)
		}
		d += a[k] * b[bk]
		na += a[k] * a[k]
		nb += b[k] * b[k]
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return d / math.Sqrt(na*nb)
}

// mirrorGain accumulates, over pairs of cells facing each other across an
// axis, how much more alike they are with one's orientation histogram
// mirrored (mirror: 1 about a vertical axis, 2 a horizontal one) than as
// they are, weighted by the weaker cell's edge energy.
type mirrorGain struct{ s, p, k float64 }

func (g *mirrorGain) add(u, v [12]float64, mirror int) {
	w := min(histSum(u), histSum(v))
	g.s += w * histCos(u, v, mirror)
	g.p += w * histCos(u, v, 0)
	g.k += w
}

func (g *mirrorGain) value() float64 {
	if g.k == 0 {
		return -1
	}
	return (g.s - g.p) / g.k
}

// mirrorHOG compares cells left of a vertical axis with the mirrored cells
// right of it (orientation histograms mirrored too), minus the same
// comparison without mirroring the histograms: a texture that looks alike
// everywhere gains nothing. Axis within two cells of the centre.
func mirrorHOG(h [][12]float64, m int) float64 {
	best := -1.0
	for a := m/2 - 2; a <= m/2+2; a++ {
		var g mirrorGain
		for y := 0; y < m; y++ {
			for d := 0; a-1-d >= 0 && a+d < m; d++ {
				g.add(h[y*m+a-1-d], h[y*m+a+d], 1)
			}
		}
		best = max(best, g.value())
	}
	return best
}

// reflectHOG is mirrorHOG about a horizontal axis between 35% and 65% of the
// height, over the rows within a quarter of the height of the axis.
func reflectHOG(h [][12]float64, m int) float64 {
	best := -1.0
	for a := m * 35 / 100; a <= m*65/100; a++ {
		var g mirrorGain
		for d := 0; d < m/4 && a-1-d >= 0 && a+d < m; d++ {
			for x := 0; x < m; x++ {
				g.add(h[(a-1-d)*m+x], h[(a+d)*m+x], 2)
			}
		}
		best = max(best, g.value())
	}
	return best
}

// medianColour is the per-channel median of the cells' colours.
func medianColour(c [][3]float64) [3]float64 {
	var med [3]float64
	ch := make([]float64, len(c))
	for k := range 3 {
		for i := range c {
			ch[i] = c[i][k]
		}
		med[k] = quantile(ch, 0.5)
	}
	return med
}

// colourDist is the Euclidean distance of two RGB colours.
func colourDist(a, b [3]float64) float64 {
	return math.Sqrt(sq(a[0]-b[0]) + sq(a[1]-b[1]) + sq(a[2]-b[2]))
}

func histSum(h [12]float64) float64 {
	var s float64
	for _, x := range h {
		s += x
	}
	return s
}

// emptiness is the share of cells that are both flat (detail under 15% of
// the picture's strong detail) and close in colour to the picture's median:
// the empty ground a small figure stands on.
func emptiness(dm []float64, c [][3]float64) float64 {
	med := medianColour(c)
	dmax := quantile(dm, 0.98) + 1e-6
	n := 0
	for i := range dm {
		d := colourDist(c[i], med)
		if dm[i] < 0.15*dmax && d < 0.1 {
			n++
		}
	}
	return float64(n) / float64(len(dm))
}

// polarOrder is the best, over centres in the middle of the picture, of the
// magnitude-weighted mean cos 4φ of strong edges (φ between the gradient and
// the line to the centre): 1 when every edge runs along or across the
// radius (petals, spokes, rings), 0 for random edges.
func polarOrder(g gradField) float64 {
	n := g.n
	thr := 1.5 * g.mean
	type px struct{ x, y, gx, gy, w float64 }
	var pts []px
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			i := y*n + x
			if g.mag[i] > thr {
				pts = append(pts, px{float64(x), float64(y), g.gx[i] / g.mag[i], g.gy[i] / g.mag[i], g.mag[i]})
			}
		}
	}
	if len(pts) < 20 {
		return 0
	}
	score := -2.0
	const steps = 9
	for sy := 0; sy < steps; sy++ {
		for sx := 0; sx < steps; sx++ {
			ox := (0.25 + 0.5*float64(sx)/(steps-1)) * float64(n)
			oy := (0.25 + 0.5*float64(sy)/(steps-1)) * float64(n)
			var sc, sw float64
			for _, p := range pts {
				dx, dy := p.x-ox, p.y-oy
				r2 := dx*dx + dy*dy
				if r2 < sq(0.04*float64(n)) {
					continue
				}
				c := (p.gx*dx + p.gy*dy)
				c2 := 2*c*c/r2 - 1
				sc += p.w * (2*c2*c2 - 1) // cos 4φ
				sw += p.w
			}
			if sw > 0 {
				score = max(score, sc/sw)
			}
		}
	}
	return score
}

// houghLines finds straight lines: every strong edge pixel votes for the
// line through it along its edge (θ from its gradient, 64 bins; ρ 1 cell).
// Lines with at least minVotes pixels are kept, strongest first, after a
// 3×3 non-maximum suppression.
type houghLine struct{ theta, rho, votes float64 }

func houghLines(g gradField, minVotes float64) []houghLine {
	n := g.n
	const nt = 64
	nr := 2*int(math.Ceil(math.Sqrt2*float64(n))) + 1
	off := nr / 2
	acc := make([]float64, nt*nr)
	thr := 1.5 * g.mean
	c := float64(n) / 2
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			i := y*n + x
			if g.mag[i] <= thr {
				continue
			}
			th := math.Atan2(g.gy[i], g.gx[i]) // normal direction
			if th < 0 {
				th += math.Pi
			}
			tb := int(th/math.Pi*nt) % nt
			for _, b := range []int{tb - 1, tb, tb + 1} {
				bb := (b + nt) % nt
				t := (float64(bb) + 0.5) * math.Pi / nt
				r := (float64(x)-c)*math.Cos(t) + (float64(y)-c)*math.Sin(t)
				ri := int(math.Round(r)) + off
				if ri >= 0 && ri < nr {
					acc[bb*nr+ri] += 1
				}
			}
		}
	}
	var out []houghLine
	for t := 0; t < nt; t++ {
		for r := 1; r < nr-1; r++ {
			v := acc[t*nr+r]
			if v < minVotes {
				continue
			}
			peak := true
			for dt := -1; dt <= 1 && peak; dt++ {
				tt := (t + dt + nt) % nt
				for dr := -1; dr <= 1; dr++ {
					if (dt != 0 || dr != 0) && acc[tt*nr+r+dr] > v {
						peak = false
						break
					}
				}
			}
			if peak {
				out = append(out, houghLine{(float64(t) + 0.5) * math.Pi / nt, float64(r - off), v})
			}
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].votes > out[b].votes })
	return out
}

// vanishing scores lines converging on one point: among the strongest
// oblique lines (more than 10° from horizontal and vertical), the largest
// vote share that passes within 3% of the side of one point, the point
// taken among the lines' pairwise intersections inside the picture or
// just outside it, scaled down when fewer than four lines pass there.
func vanishing(g gradField) float64 {
	n := float64(g.n)
	ls := houghLines(g, 0.15*n)
	var obl []houghLine
	var total float64
	for _, l := range ls {
		d := math.Mod(l.theta, math.Pi/2)
		if d < 10*math.Pi/180 || d > 80*math.Pi/180 {
			continue
		}
		obl = append(obl, l)
		total += l.votes
		if len(obl) == 24 {
			break
		}
	}
	if len(obl) < 3 {
		return 0
	}
	var share float64
	var count int
	for i := range obl {
		for j := i + 1; j < len(obl); j++ {
			a, b := obl[i], obl[j]
			det := math.Cos(a.theta)*math.Sin(b.theta) - math.Sin(a.theta)*math.Cos(b.theta)
			if math.Abs(det) < 0.1 {
				continue
			}
			x := (a.rho*math.Sin(b.theta) - b.rho*math.Sin(a.theta)) / det
			y := (b.rho*math.Cos(a.theta) - a.rho*math.Cos(b.theta)) / det
			if math.Abs(x) > 0.6*n || math.Abs(y) > 0.6*n {
				continue
			}
			var s float64
			k := 0
			for _, l := range obl {
				if math.Abs(x*math.Cos(l.theta)+y*math.Sin(l.theta)-l.rho) < 0.03*n {
					s += l.votes
					k++
				}
			}
			if s/total > share {
				share, count = s/total, k
			}
		}
	}
	return share * min(float64(count)/4, 1)
}

// twins is the mean, over the cells of a unit-normalised feature grid, of
// each cell's best cosine with a cell at least two cells away: high when
// the picture's parts repeat.
func twins(cells [][]float32, g int) float64 {
	var s float64
	for i, a := range cells {
		best := float32(-1)
		for j, b := range cells {
			if max(abs(i/g-j/g), abs(i%g-j%g)) < 2 {
				continue
			}
			var d float32
			for k, x := range a {
				d += x * b[k]
			}
			best = max(best, d)
		}
		s += float64(best)
	}
	return s / float64(len(cells))
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
