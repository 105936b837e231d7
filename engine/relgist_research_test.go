//go:build research

package engine

// TestExploreGist: a GIST-like block (oriented gradient energy in 8
// orientations at 128², 64² and 32², pooled on a RELVIEW_GRID² grid,
// centred on the calib photos) alone, mixed into the relational vector, and
// mixed with the visual vector as well (the ceiling of a blend):
//
//	RELVIEW_EXPLORE=1 RELVIEW_GRID=4 go test -tags research ./engine -run TestExploreGist -v

import (
	"math"
	"os"
	"testing"

	"relview/engine/realbench"
)

// gistLike: oriented gradient energy at 3 scales, pooled on a g×g grid.
func gistLike(path string, g int) ([]float32, error) {
	img, err := DecodeFile(path)
	if err != nil {
		return nil, err
	}
	var out []float32
	for _, n := range []int{128, 64, 32} {
		f := FitImage(img, n, n, Stretch)
		l := make([]float64, n*n)
		mu := 0.0
		for i := range l {
			p := f.Pix[4*i : 4*i+3]
			l[i] = (0.299*float64(p[0]) + 0.587*float64(p[1]) + 0.114*float64(p[2])) / 255
			mu += l[i]
		}
		mu /= float64(n * n)
		sd := 0.0
		for i := range l {
			sd += (l[i] - mu) * (l[i] - mu)
		}
		sd = math.Sqrt(sd/float64(n*n)) + 0.02
		for i := range l {
			l[i] = (l[i] - mu) / sd
		}
		block := make([]float32, g*g*8)
		for y := 1; y < n-1; y++ {
			for x := 1; x < n-1; x++ {
				gx := l[y*n+x+1] - l[y*n+x-1]
				gy := l[(y+1)*n+x] - l[(y-1)*n+x]
				mag := math.Hypot(gx, gy)
				th := math.Atan2(gy, gx)
				if th < 0 {
					th += math.Pi
				}
				b := th / math.Pi * 8
				b0 := int(b) % 8
				fr := b - math.Floor(b)
				b1 := (b0 + 1) % 8
				cell := (y*g/n)*g + x*g/n
				block[cell*8+b0] += float32(mag * (1 - fr))
				block[cell*8+b1] += float32(mag * fr)
			}
		}
		for i := range block {
			block[i] = float32(math.Sqrt(float64(block[i])))
		}
		Normalize(block)
		out = append(out, block...)
	}
	return out, nil
}

func TestExploreGist(t *testing.T) {
	if os.Getenv("RELVIEW_EXPLORE") == "" {
		t.Skip()
	}
	e := engineForTest(t)
	dir := realPhotosDir()
	g := int(envFloat("RELVIEW_GRID", 4))
	calib, _ := realbench.LoadLabels(realLabels(), "calib")
	var mean []float64
	for _, p := range calib {
		v, err := gistLike(p.File(dir), g)
		if err != nil {
			t.Fatal(err)
		}
		if mean == nil {
			mean = make([]float64, len(v))
		}
		for k := range v {
			mean[k] += float64(v[k]) / float64(len(calib))
		}
	}
	for _, name := range []string{"dev", "held"} {
		photos, _ := realbench.LoadLabels(realLabels(), name)
		var gs, rel, vis [][]float32
		for _, p := range photos {
			v, err := gistLike(p.File(dir), g)
			if err != nil {
				t.Fatal(err)
			}
			for k := range v {
				v[k] -= float32(mean[k])
			}
			Normalize(v)
			gs = append(gs, v)
			r, err := e.EncodeFile(p.File(dir))
			if err != nil {
				t.Fatal(err)
			}
			rel = append(rel, r[Relational])
			vis = append(vis, r[Visual])
		}
		r, _ := realbench.Evaluate(photos, gs, 5)
		t.Logf("%s gist alone %.3f", name, r.MAP)
		for _, gr := range r.Groups {
			t.Logf("   %-18s %.3f", gr, r.GroupAP[gr])
		}
		for _, w := range [][3]float64{{0.7, 0.3, 0}, {0.5, 0.5, 0}, {0.6, 0.2, 0.2}, {0.5, 0.3, 0.2}, {0.4, 0.4, 0.2}, {0.5, 0.25, 0.25}, {0.4, 0.3, 0.3}} {
			out := make([][]float32, len(photos))
			for i := range photos {
				x := []float32{}
				for j, blk := range [][]float32{rel[i], vis[i], gs[i]} {
					for _, f := range blk {
						x = append(x, f*float32(math.Sqrt(w[j])))
					}
				}
				out[i] = x
			}
			r, _ := realbench.Evaluate(photos, out, 5)
			t.Logf("%s rel+vis+gist %v %.3f", name, w, r.MAP)
		}
		for _, gm := range []float64{0.1, 0.2, 0.3, 0.5} {
			out := make([][]float32, len(photos))
			for i := range photos {
				x := []float32{}
				for _, f := range rel[i] {
					x = append(x, f*float32(math.Sqrt(1-gm)))
				}
				for _, f := range gs[i] {
					x = append(x, f*float32(math.Sqrt(gm)))
				}
				out[i] = x
			}
			r, _ := realbench.Evaluate(photos, out, 5)
			t.Logf("%s rel+gist γ %.1f %.3f", name, gm, r.MAP)
		}
	}
}
