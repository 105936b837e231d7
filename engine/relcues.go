package engine

import "math"

// Relational cues read from the network's input (the 224² picture): a few
// classical symmetry and self-similarity scores, each one number, that the
// coarse feature grids miss because CNN features are not flip-equivariant
// and a 7×7 or 14×14 grid is too coarse for a small framed picture.
//
//	0 mirror     left half vs the mirrored right half (high-passed, 56²)
//	1 reflection rows below a horizontal axis vs the rows above it, read
//	             backwards at a few squash ratios (a reflection in water)
//	2 turn180    the picture vs itself turned half a turn
//	3 turn90     the picture vs itself turned a quarter turn
//	4 nesting    the whole picture shrunk vs the best window near the centre
//	5 frame      a thin rectangular boundary near a corner (picture-in-picture)
//	6 centre     a thin rectangular boundary around the centre
//
// Each is a normalised cross-correlation (NCC) or an edge ratio; the
// descriptor standardises them by their statistics over real photos.
const relCueCount = 7

// lumGrid box-averages the luminance of the NHWC 224² input to n×n
// (n divides 224, so every cell has the same number of pixels).
func lumGrid(in []float32, n int) []float64 {
	const S = BuiltinSize
	out := make([]float64, n*n)
	f := S / n
	for y := 0; y < S; y++ {
		row := out[(y/f)*n : (y/f)*n+n]
		p := in[y*S*3 : (y+1)*S*3]
		for x := 0; x < S; x++ {
			row[x/f] += 0.299*float64(p[3*x]) + 0.587*float64(p[3*x+1]) + 0.114*float64(p[3*x+2])
		}
	}
	k := float64(f * f)
	for i := range out {
		out[i] /= k
	}
	return out
}

// halve box-averages an n×n grid to n/2×n/2.
func halve(t []float64, n int) []float64 {
	m := n / 2
	out := make([]float64, m*m)
	for y := 0; y < m; y++ {
		for x := 0; x < m; x++ {
			out[y*m+x] = (t[2*y*n+2*x] + t[2*y*n+2*x+1] + t[(2*y+1)*n+2*x] + t[(2*y+1)*n+2*x+1]) / 4
		}
	}
	return out
}

func ncc(a, b []float64) float64 {
	var ma, mb float64
	for i := range a {
		ma += a[i]
		mb += b[i]
	}
	ma /= float64(len(a))
	mb /= float64(len(b))
	var sab, saa, sbb float64
	for i := range a {
		da, db := a[i]-ma, b[i]-mb
		sab += da * db
		saa += da * da
		sbb += db * db
	}
	if saa <= 1e-12 || sbb <= 1e-12 {
		return 0
	}
	return sab / math.Sqrt(saa*sbb)
}

// relationalCues computes the seven cues from the input tensor.
func relationalCues(in []float32) [relCueCount]float64 {
	t112 := lumGrid(in, 112)
	t56 := halve(t112, 112)
	t28 := halve(t56, 56)
	t32 := lumGrid(in, 32)
	var c [relCueCount]float64
	c[0] = mirrorScore(highPass(t56, 56), 56)
	c[1] = reflectionScore(t32, 32)
	c[2], c[3] = turnScores(t32, 32)
	c[4] = nestingScore(t28, 28)
	c[5], c[6] = frameScores(t112, 112)
	return c
}

// highPass is t minus its 3×3 box blur (edges clamped): exact mirror copies
// keep their fine detail, while the broad left-right balance of ordinary
// photos does not count.
func highPass(t []float64, n int) []float64 {
	out := make([]float64, n*n)
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			s, k := 0.0, 0.0
			for yy := max(y-1, 0); yy <= min(y+1, n-1); yy++ {
				for xx := max(x-1, 0); xx <= min(x+1, n-1); xx++ {
					s += t[yy*n+xx]
					k++
				}
			}
			out[y*n+x] = t[y*n+x] - s/k
		}
	}
	return out
}

// mirrorScore is the best NCC, over vertical axes within a cell of the
// centre, of the left half with the mirrored right half.
func mirrorScore(t []float64, n int) float64 {
	best := -1.0
	l := make([]float64, 0, n*n/2)
	r := make([]float64, 0, n*n/2)
	for a := n/2 - 1; a <= n/2+1; a++ {
		l, r = l[:0], r[:0]
		for y := 0; y < n; y++ {
			for d := 0; a-1-d >= 0 && a+d < n; d++ {
				l = append(l, t[y*n+a-1-d])
				r = append(r, t[y*n+a+d])
			}
		}
		best = max(best, ncc(l, r))
	}
	return best
}

// reflectionScore is the best NCC of the 8 rows below a horizontal axis
// (between 37% and 63% of the height) with the rows above it read upwards,
// at squash ratios from 0.7 to 1.4.
func reflectionScore(t []float64, n int) float64 {
	const band = 8
	best := -1.0
	var a1, b1 []float64
	for a := n * 3 / 8; a <= n*5/8; a++ {
		for _, r := range []float64{0.7, 0.85, 1, 1.2, 1.4} {
			a1, b1 = a1[:0], b1[:0]
			for d := 0; d < band && a+d < n; d++ {
				ys := a - 1 - int(float64(d)*r+0.5)
				if ys < 0 {
					break
				}
				a1 = append(a1, t[ys*n:ys*n+n]...)
				b1 = append(b1, t[(a+d)*n:(a+d)*n+n]...)
			}
			if len(a1) > n {
				best = max(best, ncc(a1, b1))
			}
		}
	}
	return best
}

// turnScores are the NCCs of the picture with itself turned by 180° and 90°.
func turnScores(t []float64, n int) (half, quarter float64) {
	r180 := make([]float64, n*n)
	r90 := make([]float64, n*n)
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			r180[(n-1-y)*n+n-1-x] = t[y*n+x]
			r90[x*n+n-1-y] = t[y*n+x]
		}
	}
	return ncc(t, r180), ncc(t, r90)
}

// nestingScore is the best NCC of the whole picture shrunk to k×k (k from a
// quarter to a half of the side) with a k×k window whose centre lies in the
// middle half of the picture: a copy of the picture nested inside itself.
func nestingScore(t []float64, n int) float64 {
	best := -1.0
	win := make([]float64, 0, n*n)
	for k := n / 4; k <= n/2-1; k++ {
		s := boxResize(t, n, k)
		for oy := 0; oy+k <= n; oy++ {
			for ox := 0; ox+k <= n; ox++ {
				cy, cx := float64(oy)+float64(k)/2, float64(ox)+float64(k)/2
				if math.Abs(cy-float64(n)/2) > float64(n)/4 || math.Abs(cx-float64(n)/2) > float64(n)/4 {
					continue
				}
				win = win[:0]
				for y := 0; y < k; y++ {
					win = append(win, t[(oy+y)*n+ox:(oy+y)*n+ox+k]...)
				}
				best = max(best, ncc(s, win))
			}
		}
	}
	return best
}

// boxResize box-resamples an n×n grid to k×k (k ≤ n).
func boxResize(t []float64, n, k int) []float64 {
	out := make([]float64, k*k)
	for y := 0; y < k; y++ {
		y0, y1 := y*n/k, (y+1)*n/k
		for x := 0; x < k; x++ {
			x0, x1 := x*n/k, (x+1)*n/k
			s := 0.0
			for yy := y0; yy < y1; yy++ {
				for xx := x0; xx < x1; xx++ {
					s += t[yy*n+xx]
				}
			}
			out[y*k+x] = s / float64((y1-y0)*(x1-x0))
		}
	}
	return out
}

// frameScores measure thin rectangular boundaries: the strength of a
// window's weakest side (mean luminance step across it) relative to the
// picture's mean step, maximised over windows of 11–36% of the side near a
// corner (corner) and over windows of 21–50% around the centre (centre).
func frameScores(t []float64, n int) (corner, centre float64) {
	ex := make([]float64, n*n) // |step| to the right
	ey := make([]float64, n*n) // |step| downwards
	mean := 0.0
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			if x+1 < n {
				ex[y*n+x] = math.Abs(t[y*n+x+1] - t[y*n+x])
			}
			if y+1 < n {
				ey[y*n+x] = math.Abs(t[(y+1)*n+x] - t[y*n+x])
			}
			mean += ex[y*n+x] + ey[y*n+x]
		}
	}
	mean = mean/float64(2*n*n) + 1e-3
	// Running sums along each line of the steps, after a max over ±1 cell
	// across the line (a frame may fall between cells).
	cx := make([]float64, (n+1)*n)
	ry := make([]float64, n*(n+1))
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			m := ex[y*n+x]
			if x > 0 {
				m = max(m, ex[y*n+x-1])
			}
			if x+1 < n {
				m = max(m, ex[y*n+x+1])
			}
			cx[(y+1)*n+x] = cx[y*n+x] + m
			m = ey[y*n+x]
			if y > 0 {
				m = max(m, ey[(y-1)*n+x])
			}
			if y+1 < n {
				m = max(m, ey[(y+1)*n+x])
			}
			ry[y*(n+1)+x+1] = ry[y*(n+1)+x] + m
		}
	}
	vert := func(x, y0, y1 int) float64 { return (cx[y1*n+x] - cx[y0*n+x]) / float64(y1-y0) }
	horz := func(y, x0, x1 int) float64 { return (ry[y*(n+1)+x1] - ry[y*(n+1)+x0]) / float64(x1-x0) }
	// rect is the weakest side's strength, or 0 as soon as a side is no
	// stronger than bound (the best so far).
	rect := func(x0, y0, x1, y1 int, bound float64) float64 {
		bound *= mean
		l := vert(max(x0-1, 0), y0, y1)
		if l <= bound {
			return 0
		}
		r := vert(min(x1-1, n-1), y0, y1)
		if r <= bound {
			return 0
		}
		tp := horz(max(y0-1, 0), x0, x1)
		if tp <= bound {
			return 0
		}
		b := horz(min(y1-1, n-1), x0, x1)
		return min(l, r, tp, b) / mean
	}
	for c := 0; c < 4; c++ {
		for mx := 1; mx <= 12; mx++ {
			for my := 1; my <= 12; my++ {
				for w := 12; w <= 40; w += 2 {
					for h := 12; h <= 40; h += 2 {
						x0, y0 := mx, my
						if c&1 == 1 {
							x0 = n - mx - w
						}
						if c&2 == 2 {
							y0 = n - my - h
						}
						corner = max(corner, rect(x0, y0, x0+w, y0+h, corner))
					}
				}
			}
		}
	}
	for w := 24; w <= 56; w += 2 {
		for h := 24; h <= 56; h += 2 {
			for dx := -12; dx <= 12; dx += 2 {
				for dy := -12; dy <= 12; dy += 2 {
					x0, y0 := (n-w)/2+dx, (n-h)/2+dy
					centre = max(centre, rect(x0, y0, x0+w, y0+h, centre))
				}
			}
		}
	}
	return corner, centre
}
