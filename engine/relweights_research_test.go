//go:build research

package engine

import (
	"math"
	"os"
	"testing"

	"relview/engine/realbench"
)

// TestExploreProfileWeights: learn a weight per profile slot (and the v2
// part's) by coordinate ascent on the dev set's mAP, then score held with
// the learnt weights. RELVIEW_EXPLORE=1 go test -tags research ./engine
// -run TestExploreProfileWeights -v
func TestExploreProfileWeights(t *testing.T) {
	if os.Getenv("RELVIEW_EXPLORE") == "" {
		t.Skip("set RELVIEW_EXPLORE=1")
	}
	dir := realPhotosDir()
	e := engineForTest(t)
	type set struct {
		photos []realbench.Photo
		sketch [][]float32
		prof   [][relationCount]float64
		vis    [][]float32
	}
	load := func(name string) set {
		photos, err := realbench.LoadLabels(realLabels(), name)
		if err != nil {
			t.Fatal(err)
		}
		s := set{photos: photos}
		for _, p := range photos {
			v, err := e.EncodeFile(p.File(dir))
			if err != nil {
				t.Fatal(err)
			}
			r := v[Relational]
			pr, ok := profileOf(r, nil)
			if !ok {
				t.Fatal("no profile")
			}
			sk := append([]float32(nil), r[:relSketchDim]...)
			Normalize(sk)
			s.sketch = append(s.sketch, sk)
			s.prof = append(s.prof, pr)
			s.vis = append(s.vis, v[Visual])
		}
		return s
	}
	dev, held := load("dev"), load("held")
	build := func(s set, a float64, w []float64) [][]float32 {
		out := make([][]float32, len(s.photos))
		for i := range s.photos {
			v := make([]float32, 0, relSketchDim+relationCount)
			sa := math.Sqrt(a)
			for _, x := range s.sketch[i] {
				v = append(v, float32(float64(x)*sa))
			}
			for k, x := range s.prof[i] {
				v = append(v, float32(math.Sqrt(w[k])*x/relProfileScale))
			}
			out[i] = v
		}
		return out
	}
	score := func(s set, a float64, w []float64) float64 {
		r, err := realbench.Evaluate(s.photos, build(s, a, w), 5)
		if err != nil {
			t.Fatal(err)
		}
		return r.MAP
	}
	// Start: v3 (α = 0.5, weight 1 for composition slots, 0.05² … as
	// slotWeight gives, squared since w multiplies inside the square root).
	a := 1 - relAlpha
	w := make([]float64, relationCount)
	for k := range w {
		w[k] = relAlpha * slotWeight(k) * slotWeight(k)
	}
	t.Logf("start: dev %.3f held %.3f", score(dev, a, w), score(held, a, w))
	best := score(dev, a, w)
	factors := []float64{0, 0.25, 0.5, 2, 4}
	for round := 0; round < 3; round++ {
		for k := -1; k < relationCount; k++ {
			for _, f := range factors {
				na, nw := a, append([]float64(nil), w...)
				if k < 0 {
					na = a * f
					if na == 0 {
						continue
					}
				} else {
					nw[k] = w[k] * f
					if w[k] == 0 && f > 0 {
						nw[k] = 0.02
					}
				}
				if s := score(dev, na, nw); s > best+1e-4 {
					best, a, w = s, na, nw
				}
			}
		}
		t.Logf("round %d: dev %.3f held %.3f (a %.3f)", round, best, score(held, a, w), a)
	}
	names := relationNames
	for k := range w {
		t.Logf("  %-40s %.3f", names[k], w[k])
	}
}
