//go:build research

package engine

// TestExploreQueryExpansion: average query expansion (the query plus its n
// nearest, weighted by similarity^a) in both columns:
//
//	RELVIEW_EXPLORE=1 go test -tags research ./engine -run TestExploreQueryExpansion -v

import (
	"fmt"
	"math"
	"os"
	"sort"
	"testing"

	"relview/engine/realbench"
)

func TestExploreQueryExpansion(t *testing.T) {
	if os.Getenv("RELVIEW_EXPLORE") == "" {
		t.Skip()
	}
	e := engineForTest(t)
	dir := realPhotosDir()
	for _, name := range []string{"dev", "held"} {
		photos, _ := realbench.LoadLabels(realLabels(), name)
		vecs := map[string][][]float32{}
		for _, p := range photos {
			v, err := e.EncodeFile(p.File(dir))
			if err != nil {
				t.Fatal(err)
			}
			vecs["relational"] = append(vecs["relational"], v[Relational])
			vecs["visual"] = append(vecs["visual"], v[Visual])
		}
		for _, space := range []string{"relational", "visual"} {
			V := vecs[space]
			dot := func(a, b []float32) float64 {
				s := 0.0
				for i := range a {
					s += float64(a[i]) * float64(b[i])
				}
				return s
			}
			for _, n := range []int{0, 1, 2, 3, 5} {
				for _, a := range []float64{0, 1, 3} {
					if n == 0 && a > 0 {
						continue
					}
					mAP, _ := scoredMAP(photos, func(q int) []float64 {
						type sc struct {
							i int
							s float64
						}
						var first []sc
						for d := range photos {
							if d != q {
								first = append(first, sc{d, dot(V[q], V[d])})
							}
						}
						sort.Slice(first, func(i, j int) bool { return first[i].s > first[j].s })
						qe := append([]float32(nil), V[q]...)
						for _, f := range first[:n] {
							w := math.Pow(math.Max(f.s, 0), a)
							for i := range qe {
								qe[i] += float32(w) * V[f.i][i]
							}
						}
						out := make([]float64, len(photos))
						for d := range photos {
							out[d] = dot(qe, V[d])
						}
						return out
					})
					t.Logf("%s %-10s %s mAP %.3f", name, space, fmt.Sprintf("n %d a %.0f", n, a), mAP)
				}
			}
		}
	}
}
