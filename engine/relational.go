package engine

import (
	"fmt"
	"math"
)

// RelationalEncoderName names the built-in relational encoder everywhere it
// is shown: it is a structural approximation of relsim, not relsim.
const RelationalEncoderName = "builtin-structural (approximation of relsim)"

// The backbone outputs the relational descriptor is computed from.
var relationalInputs = []string{"block_12"}

const (
	relGrid       = 7 // cells per side after pooling the 14×14 map
	relCells      = relGrid * relGrid
	RelationalDim = relCells * (relCells - 1) / 2
)

// relationalDescriptor is a self-similarity descriptor (Shechtman & Irani
// 2007) of the stride-16 feature map: which regions resemble which, not what
// they look like. Steps: pool to 7×7 cells, subtract the image's mean cell,
// unit-normalise each cell, take the cell-by-cell cosine matrix, average it
// over left-right and up-down flips (so a layout and its mirror agree), keep
// the upper triangle.
func relationalDescriptor(out map[string]tensorOut) ([]float32, error) {
	t, ok := out["block_12"]
	if !ok || len(t.Shape) != 4 {
		return nil, fmt.Errorf("backbone output block_12 missing or not 4-d")
	}
	c, h, w := int(t.Shape[1]), int(t.Shape[2]), int(t.Shape[3])
	if h != 2*relGrid || w != 2*relGrid {
		return nil, fmt.Errorf("block_12 is %dx%d, want %dx%d", h, w, 2*relGrid, 2*relGrid)
	}
	cells := make([][]float64, relCells)
	mean := make([]float64, c)
	for gy := 0; gy < relGrid; gy++ {
		for gx := 0; gx < relGrid; gx++ {
			v := make([]float64, c)
			for ch := 0; ch < c; ch++ {
				base := ch * h * w
				s := 0.0
				for dy := 0; dy < 2; dy++ {
					for dx := 0; dx < 2; dx++ {
						s += float64(t.Data[base+(2*gy+dy)*w+2*gx+dx])
					}
				}
				v[ch] = s / 4
				mean[ch] += v[ch] / relCells
			}
			cells[gy*relGrid+gx] = v
		}
	}
	for _, v := range cells {
		n := 0.0
		for ch := range v {
			v[ch] -= mean[ch]
			n += v[ch] * v[ch]
		}
		if n > 0 {
			n = 1 / math.Sqrt(n)
			for ch := range v {
				v[ch] *= n
			}
		}
	}
	sim := make([]float64, relCells*relCells)
	for i := 0; i < relCells; i++ {
		for j := i; j < relCells; j++ {
			d := 0.0
			for ch, x := range cells[i] {
				d += x * cells[j][ch]
			}
			sim[i*relCells+j], sim[j*relCells+i] = d, d
		}
	}
	flip := func(i int, lr, ud bool) int {
		y, x := i/relGrid, i%relGrid
		if lr {
			x = relGrid - 1 - x
		}
		if ud {
			y = relGrid - 1 - y
		}
		return y*relGrid + x
	}
	desc := make([]float32, 0, RelationalDim)
	for i := 0; i < relCells; i++ {
		for j := i + 1; j < relCells; j++ {
			s := 0.0
			for _, f := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
				s += sim[flip(i, f[0], f[1])*relCells+flip(j, f[0], f[1])]
			}
			desc = append(desc, float32(s/4))
		}
	}
	if !Normalize(desc) {
		// A blank image has no structure: give every such image the same
		// vector rather than failing it.
		for i := range desc {
			desc[i] = float32(1 / math.Sqrt(float64(len(desc))))
		}
	}
	return desc, nil
}
