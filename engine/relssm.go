package engine

import (
	"math"
	"sync"
)

// Self-similarity of a backbone feature map: which cells of the image
// resemble which, independent of what they look like.

// poolCells average-pools an NCHW map (batch 1) of c×h×w to g×g cells
// (adaptive bins), subtracts the image's mean cell and unit-normalises each
// cell. The result is g*g rows of c values.
func poolCells(data []float32, c, h, w, g int) [][]float32 {
	cells := make([][]float32, g*g)
	flat := make([]float32, g*g*c)
	mean := make([]float64, c)
	for gy := 0; gy < g; gy++ {
		y0, y1 := gy*h/g, ((gy+1)*h+g-1)/g
		for gx := 0; gx < g; gx++ {
			x0, x1 := gx*w/g, ((gx+1)*w+g-1)/g
			v := flat[(gy*g+gx)*c : (gy*g+gx+1)*c]
			k := float32((y1 - y0) * (x1 - x0))
			for ch := 0; ch < c; ch++ {
				base := ch * h * w
				var s float32
				for y := y0; y < y1; y++ {
					for _, x := range data[base+y*w+x0 : base+y*w+x1] {
						s += x
					}
				}
				v[ch] = s / k
				mean[ch] += float64(v[ch])
			}
			cells[gy*g+gx] = v
		}
	}
	for ch := range mean {
		mean[ch] /= float64(g * g)
	}
	for _, v := range cells {
		var n float64
		for ch := range v {
			v[ch] -= float32(mean[ch])
			n += float64(v[ch]) * float64(v[ch])
		}
		if n > 0 {
			inv := float32(1 / math.Sqrt(n))
			for ch := range v {
				v[ch] *= inv
			}
		}
	}
	return cells
}

// selfSimilarity is the cosine matrix of the cells (row-major, n×n).
func selfSimilarity(cells [][]float32) []float32 {
	n := len(cells)
	s := make([]float32, n*n)
	for i := 0; i < n; i++ {
		a := cells[i]
		for j := i; j < n; j++ {
			b := cells[j][:len(a)]
			var d float32
			for k, x := range a {
				d += x * b[k]
			}
			s[i*n+j], s[j*n+i] = d, d
		}
	}
	return s
}

// flipOrbits lists, for a g×g grid, the cell pairs {i<j} grouped by their
// orbit under the left-right and up-down flips of the grid. Averaging the
// self-similarity matrix over the flips makes every pair of an orbit equal;
// keeping one value per orbit, scaled by the square root of the orbit's
// size, gives exactly the same cosines at a quarter of the length.
type flipOrbits struct {
	pairs [][][2]int // per orbit, its pairs
	scale []float32  // sqrt(len(pairs))
}

var orbitCache sync.Map // g → *flipOrbits

func orbitsFor(g int) *flipOrbits {
	if o, ok := orbitCache.Load(g); ok {
		return o.(*flipOrbits)
	}
	flip := func(i int, lr, ud bool) int {
		y, x := i/g, i%g
		if lr {
			x = g - 1 - x
		}
		if ud {
			y = g - 1 - y
		}
		return y*g + x
	}
	n := g * g
	seen := make(map[[2]int]bool)
	o := &flipOrbits{}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			if seen[[2]int{i, j}] {
				continue
			}
			var orbit [][2]int
			for _, f := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
				a, b := flip(i, f[0], f[1]), flip(j, f[0], f[1])
				if a > b {
					a, b = b, a
				}
				p := [2]int{a, b}
				if !seen[p] {
					seen[p] = true
					orbit = append(orbit, p)
				}
			}
			o.pairs = append(o.pairs, orbit)
			o.scale = append(o.scale, float32(math.Sqrt(float64(len(orbit)))))
		}
	}
	v, _ := orbitCache.LoadOrStore(g, o)
	return v.(*flipOrbits)
}

// orbitLen is the length of flipSymmetricSSM's output for a g×g grid.
func orbitLen(g int) int { return len(orbitsFor(g).pairs) }

// flipSymmetricSSM appends to dst the self-similarity matrix averaged over
// left-right and up-down flips, one value per orbit (see flipOrbits), unit
// normalised.
func flipSymmetricSSM(dst []float32, s []float32, g int) []float32 {
	o := orbitsFor(g)
	n := g * g
	start := len(dst)
	for k, orbit := range o.pairs {
		var v float32
		for _, p := range orbit {
			v += s[p[0]*n+p[1]]
		}
		dst = append(dst, v/float32(len(orbit))*o.scale[k])
	}
	Normalize(dst[start:])
	return dst
}
