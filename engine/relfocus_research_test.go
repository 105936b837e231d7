//go:build research

package engine

// TestExploreRelationFocus: the cosine plus λ times the database photo's
// strengths in the relations the query shows above κ times their "why"
// level (a query-weighted profile score, computable at search time from
// stored vectors):
//
//	RELVIEW_EXPLORE=1 go test -tags research ./engine -run TestExploreRelationFocus -v

import (
	"fmt"
	"math"
	"os"
	"testing"

	"relview/engine/realbench"
)

func TestExploreRelationFocus(t *testing.T) {
	if os.Getenv("RELVIEW_EXPLORE") == "" {
		t.Skip()
	}
	e := engineForTest(t)
	dir := realPhotosDir()
	for _, name := range []string{"dev", "held"} {
		photos, _ := realbench.LoadLabels(realLabels(), name)
		rel := make([][]float32, len(photos))
		profs := make([][relationCount]float64, len(photos))
		for i, p := range photos {
			v, err := e.EncodeFile(p.File(dir))
			if err != nil {
				t.Fatal(err)
			}
			rel[i] = v[Relational]
			profs[i], _ = profileOf(v[Relational], v[Objects])
		}
		type scheme struct {
			name string
			f    func(q, d int) float64
		}
		cos := func(q, d int) float64 {
			s := 0.0
			for c, x := range rel[q] {
				s += float64(x) * float64(rel[d][c])
			}
			return s
		}
		weights := func(q int, kappa float64, objs bool) []float64 {
			a := make([]float64, relationCount)
			sum := 0.0
			for k := range a {
				if !objs && k >= relCompCount && k < relMeasureCount {
					continue
				}
				a[k] = math.Max(profs[q][k]-kappa*relWhyLevel[k], 0)
				sum += a[k]
			}
			if sum > 0 {
				for k := range a {
					a[k] /= sum
				}
			}
			return a
		}
		focus := func(q, d int, kappa float64, objs bool) float64 {
			a := weights(q, kappa, objs)
			s := 0.0
			for k := range a {
				s += a[k] * math.Min(profs[d][k], relProfileCap) / relProfileCap
			}
			return s
		}
		var schemes []scheme
		schemes = append(schemes, scheme{"cosine", cos})
		for _, kappa := range []float64{0, 0.5, 1} {
			for _, objs := range []bool{false, true} {
				for _, lam := range []float64{0.1, 0.2, 0.4, 1, 10} {
					kappa, objs, lam := kappa, objs, lam
					schemes = append(schemes, scheme{
						name: "", f: func(q, d int) float64 { return cos(q, d) + lam*focus(q, d, kappa, objs) },
					})
					schemes[len(schemes)-1].name = fmtScheme(kappa, objs, lam)
				}
			}
		}
		for _, s := range schemes {
			mAP, gAP := scoredMAP(photos, func(q int) []float64 {
				out := make([]float64, len(photos))
				for d := range photos {
					out[d] = s.f(q, d)
				}
				return out
			})
			line := ""
			if s.name == "cosine" || os.Getenv("RELVIEW_GROUPS") != "" {
				for _, g := range []string{"figure-on-ground", "layered-bands", "leading-lines", "pair", "radial", "repetition", "silhouette", "symmetry"} {
					if ap, ok := gAP[g]; ok {
						line += " " + g[:4] + "=" + ftoa(ap)
					}
				}
			}
			t.Logf("%-5s %-30s mAP %.3f%s", name, s.name, mAP, line)
		}
	}
}

func ftoa(x float64) string { return fmt.Sprintf("%.2f", x) }

func fmtScheme(kappa float64, objs bool, lam float64) string {
	return fmt.Sprintf("κ %.1f objs %v λ %.1f", kappa, objs, lam)
}
