//go:build research

package engine

import (
	"math"
	"sort"
	"strings"
)

// Building blocks of the descriptor variants scored by TestRelSearch.

type fm struct {
	c, h, w int
	d       []float32
}

func getFM(o map[string]tensorOut, name string) fm {
	t := o[name]
	return fm{int(t.Shape[1]), int(t.Shape[2]), int(t.Shape[3]), t.Data}
}

// cellsOf average-pools m to g×g cells (adaptive bins), optionally subtracts
// the mean cell, and unit-normalises each cell.
func cellsOf(m fm, g int, centre bool) [][]float64 {
	cells := make([][]float64, g*g)
	for gy := 0; gy < g; gy++ {
		y0, y1 := gy*m.h/g, ((gy+1)*m.h+g-1)/g
		for gx := 0; gx < g; gx++ {
			x0, x1 := gx*m.w/g, ((gx+1)*m.w+g-1)/g
			v := make([]float64, m.c)
			k := float64((y1 - y0) * (x1 - x0))
			for ch := 0; ch < m.c; ch++ {
				base := ch * m.h * m.w
				s := 0.0
				for y := y0; y < y1; y++ {
					for x := x0; x < x1; x++ {
						s += float64(m.d[base+y*m.w+x])
					}
				}
				v[ch] = s / k
			}
			cells[gy*g+gx] = v
		}
	}
	if centre {
		mean := make([]float64, m.c)
		for _, v := range cells {
			for ch, x := range v {
				mean[ch] += x / float64(len(cells))
			}
		}
		for _, v := range cells {
			for ch := range v {
				v[ch] -= mean[ch]
			}
		}
	}
	for _, v := range cells {
		unit64(v)
	}
	return cells
}

func unit64(v []float64) {
	n := 0.0
	for _, x := range v {
		n += x * x
	}
	if n > 0 {
		n = 1 / math.Sqrt(n)
		for i := range v {
			v[i] *= n
		}
	}
}

func ssmOf(cells [][]float64) [][]float64 {
	n := len(cells)
	s := make([][]float64, n)
	for i := range s {
		s[i] = make([]float64, n)
	}
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			d := 0.0
			for k, x := range cells[i] {
				d += x * cells[j][k]
			}
			s[i][j], s[j][i] = d, d
		}
	}
	return s
}

// group element: lr, ud, transpose.
type gel struct{ lr, ud, tr bool }

var (
	gID = []gel{{}}
	gD2 = []gel{{}, {lr: true}, {ud: true}, {lr: true, ud: true}}
	gD4 = []gel{{}, {lr: true}, {ud: true}, {lr: true, ud: true}, {tr: true}, {lr: true, tr: true}, {ud: true, tr: true}, {lr: true, ud: true, tr: true}}
)

func (e gel) apply(i, g int) int {
	y, x := i/g, i%g
	if e.tr {
		y, x = x, y
	}
	if e.lr {
		x = g - 1 - x
	}
	if e.ud {
		y = g - 1 - y
	}
	return y*g + x
}

// triOf: upper triangle of S averaged over a flip group.
func triOf(s [][]float64, g int, grp []gel) []float64 {
	n := g * g
	out := make([]float64, 0, n*(n-1)/2)
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			v := 0.0
			for _, e := range grp {
				v += s[e.apply(i, g)][e.apply(j, g)]
			}
			out = append(out, v/float64(len(grp)))
		}
	}
	return out
}

// offsetsOf: mean similarity of cell pairs by offset (dy ≥ 0, |dx|), a
// translation-invariant autocorrelation, LR-flip averaged.
func offsetsOf(s [][]float64, g int) []float64 {
	out := []float64{}
	for dy := 0; dy < g; dy++ {
		for dx := 0; dx < g; dx++ {
			if dy == 0 && dx == 0 {
				continue
			}
			sum, k := 0.0, 0
			for y := 0; y+dy < g; y++ {
				for x := 0; x < g; x++ {
					for _, sx := range []int{dx, -dx} {
						if x+sx < 0 || x+sx >= g || (dx == 0 && sx < 0) {
							continue
						}
						sum += s[y*g+x][(y+dy)*g+x+sx]
						k++
					}
				}
			}
			out = append(out, sum/float64(k))
		}
	}
	return out
}

// axisOf: reflection profiles. ud[s] is the mean similarity of cells
// mirrored about the horizontal line y = s/2 (same column), UD-flip
// averaged; lr likewise about vertical lines; pt about points (180°
// rotation), D2 averaged.
func axisOf(s [][]float64, g int) (ud, lr, pt []float64) {
	m := 2*g - 1
	udS, udK := make([]float64, m), make([]float64, m)
	lrS, lrK := make([]float64, m), make([]float64, m)
	ptS, ptK := make([]float64, m*m), make([]float64, m*m)
	for y1 := 0; y1 < g; y1++ {
		for x1 := 0; x1 < g; x1++ {
			for y2 := 0; y2 < g; y2++ {
				for x2 := 0; x2 < g; x2++ {
					i, j := y1*g+x1, y2*g+x2
					if i >= j {
						continue
					}
					v := s[i][j]
					if x1 == x2 {
						udS[y1+y2] += v
						udK[y1+y2]++
					}
					if y1 == y2 {
						lrS[x1+x2] += v
						lrK[x1+x2]++
					}
					ptS[(y1+y2)*m+x1+x2] += v
					ptK[(y1+y2)*m+x1+x2]++
				}
			}
		}
	}
	div := func(a, k []float64) {
		for i := range a {
			if k[i] > 0 {
				a[i] /= k[i]
			}
		}
	}
	div(udS, udK)
	div(lrS, lrK)
	div(ptS, ptK)
	for i := 1; i < m-1; i++ {
		ud = append(ud, (udS[i]+udS[m-1-i])/2)
		lr = append(lr, (lrS[i]+lrS[m-1-i])/2)
	}
	for sy := 1; sy < m-1; sy++ {
		for sx := 1; sx < m-1; sx++ {
			a := ptS[sy*m+sx] + ptS[(m-1-sy)*m+sx] + ptS[sy*m+m-1-sx] + ptS[(m-1-sy)*m+m-1-sx]
			pt = append(pt, a/4)
		}
	}
	return
}

// rowsOf: sorted mean similarity of each cell to all others.
func rowsOf(s [][]float64) []float64 {
	n := len(s)
	r := make([]float64, n)
	for i := range s {
		for j, v := range s[i] {
			if j != i {
				r[i] += v / float64(n-1)
			}
		}
	}
	sort.Float64s(r)
	return r
}

// histOf: soft histogram of the off-diagonal similarities in [-1,1].
func histOf(s [][]float64, bins int) []float64 {
	h := make([]float64, bins)
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			p := (s[i][j] + 1) / 2 * float64(bins-1)
			p = min(max(p, 0), float64(bins-1))
			k := int(p)
			f := p - float64(k)
			h[k] += 1 - f
			if k+1 < bins {
				h[k+1] += f
			}
		}
	}
	for i := range h {
		h[i] = math.Sqrt(h[i])
	}
	return h
}

// nestOf: how well the whole map, shrunk to k×k, matches a k×k window of
// the map (best window), for a few k: a Droste copy.
func nestOf(m fm, ks []int) []float64 {
	full := cellsOf(m, m.h, true)
	out := []float64{}
	for _, k := range ks {
		small := cellsOf(m, k, true)
		best := -1.0
		for oy := 0; oy+k <= m.h; oy++ {
			for ox := 0; ox+k <= m.w; ox++ {
				s := 0.0
				for y := 0; y < k; y++ {
					for x := 0; x < k; x++ {
						a, b := small[y*k+x], full[(oy+y)*m.w+ox+x]
						for c := range a {
							s += a[c] * b[c]
						}
					}
				}
				best = max(best, s/float64(k*k))
			}
		}
		out = append(out, best)
	}
	return out
}

func zscore(v []float64) []float64 {
	m := 0.0
	for _, x := range v {
		m += x
	}
	m /= float64(len(v))
	s := 0.0
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = x - m
		s += out[i] * out[i]
	}
	if s > 0 {
		s = 1 / math.Sqrt(s)
		for i := range out {
			out[i] *= s
		}
	}
	return out
}

type block struct {
	w float64
	f func(o map[string]tensorOut) []float64
}

// combine concatenates blocks, each unit-normalised then weighted.
func combine(name string, blocks ...block) variant {
	return variant{name, func(o map[string]tensorOut) []float32 {
		var out []float32
		for _, b := range blocks {
			v := append([]float64(nil), b.f(o)...)
			w := b.w
			if w < 0 { // raw block
				w = -w
			} else {
				unit64(v)
			}
			for _, x := range v {
				out = append(out, float32(x*w))
			}
		}
		return out
	}}
}

// ssmFor is the centred-cell SSM of one layer on a g×g grid.
func ssmFor(o map[string]tensorOut, layer string, g int, centre bool) [][]float64 {
	return ssmOf(cellsOf(getFM(o, layer), g, centre))
}

func bTri(layer string, g int, grp []gel, z bool, w float64) block {
	return block{w, func(o map[string]tensorOut) []float64 {
		v := triOf(ssmFor(o, layer, g, true), g, grp)
		if z {
			v = zscore(v)
		}
		return v
	}}
}

func bOff(layer string, g int, z bool, w float64) block {
	return block{w, func(o map[string]tensorOut) []float64 {
		v := offsetsOf(ssmFor(o, layer, g, true), g)
		if z {
			v = zscore(v)
		}
		return v
	}}
}

func bAxis(layer string, g int, which string, z bool, w float64) block {
	return block{w, func(o map[string]tensorOut) []float64 {
		ud, lr, pt := axisOf(ssmFor(o, layer, g, true), g)
		var v []float64
		if strings.Contains(which, "u") {
			v = append(v, ud...)
		}
		if strings.Contains(which, "l") {
			v = append(v, lr...)
		}
		if strings.Contains(which, "p") {
			v = append(v, pt...)
		}
		if z {
			v = zscore(v)
		}
		return v
	}}
}

func bRows(layer string, g int, z bool, w float64) block {
	return block{w, func(o map[string]tensorOut) []float64 {
		v := rowsOf(ssmFor(o, layer, g, true))
		if z {
			v = zscore(v)
		}
		return v
	}}
}

func bHist(layer string, g, bins int, w float64) block {
	return block{w, func(o map[string]tensorOut) []float64 {
		return zscore(histOf(ssmFor(o, layer, g, true), bins))
	}}
}

func bNest(layer string, ks []int, w float64) block {
	return block{w, func(o map[string]tensorOut) []float64 {
		return zscore(nestOf(getFM(o, layer), ks))
	}}
}

// searchVariants are the variants TestRelSearch scores; edit to explore.
// The defaults (cueTau 0, cueW in relsearch_pix_test.go) reproduce the final
// descriptor's choices; RELVIEW_RELBENCH_CENTRE=1 adds the centred rows.
func searchVariants() []variant {
	g7 := bTri("block_12", 7, gD2, false, 1)
	g14 := bTri("block_12", 14, gD2, false, 1)
	return []variant{
		{"v0", relV0},
		combine("b12 g14 D2", g14),
		combine("b12 g7+g14", g7, g14),
		combine("cues only", bCues(nil, 1)),
		combine("g7+g14 + cues*0.20", g7, g14, bCues(nil, 0.2*1.41)),
		combine("g7+g14+off + cues*0.20", g7, g14, bOff("block_12", 14, false, 0.7), bCues(nil, 0.2*1.6)),
	}
}

// relV0 is the shipped v0 descriptor (block_12 pooled to 7×7, centred
// cells, cosine SSM averaged over flips, upper triangle).
var relV0 = combine("v0", bTri("block_12", 7, gD2, false, 1)).f
