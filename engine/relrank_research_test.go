//go:build research

package engine

// TestExploreRelationRanking: every photo of a set ranked by one relation's
// strength, scored (AP) against the label group that relation names:
//
//	RELVIEW_EXPLORE=1 go test -tags research ./engine -run TestExploreRelationRanking -v

import (
	"os"
	"sort"
	"testing"

	"relview/engine/realbench"
)

func TestExploreRelationRanking(t *testing.T) {
	if os.Getenv("RELVIEW_EXPLORE") == "" {
		t.Skip()
	}
	e := engineForTest(t)
	dir := realPhotosDir()
	want := map[string]string{
		"horizontal strata":                  "layered-bands",
		"dark shapes against a bright sky":   "silhouette",
		"small figure on empty ground":       "figure-on-ground",
		"parts that repeat across the frame": "repetition",
		"mirror symmetry (left-right)":       "symmetry",
		"radial structure around a centre":   "radial",
		"lines converging on a point":        "leading-lines",
		"two subjects of similar size":       "pair",
		"several alike objects":              "repetition",
		"one small figure":                   "figure-on-ground",
		"reflection about a horizontal line": "reflection",
	}
	for _, name := range []string{"dev", "held", "dev+held"} {
		var photos []realbench.Photo
		if name == "dev+held" {
			a, _ := realbench.LoadLabels(realLabels(), "dev")
			b, _ := realbench.LoadLabels(realLabels(), "held")
			photos = append(a, b...)
		} else {
			photos, _ = realbench.LoadLabels(realLabels(), name)
		}
		profs := make([][relationCount]float64, len(photos))
		for i, p := range photos {
			v, err := e.EncodeFile(p.File(dir))
			if err != nil {
				t.Fatal(err)
			}
			pr, _ := profileOf(v[Relational], v[Objects])
			profs[i] = pr
		}
		for k, rn := range relationNames {
			g, ok := want[rn]
			if !ok {
				continue
			}
			idx := make([]int, len(photos))
			for i := range idx {
				idx[i] = i
			}
			sort.SliceStable(idx, func(a, b int) bool { return profs[idx[a]][k] > profs[idx[b]][k] })
			hits, ap, n := 0, 0.0, 0
			for _, p := range photos {
				if p.Group == g {
					n++
				}
			}
			if n == 0 {
				continue
			}
			named, namedHits := 0, 0
			for r, i := range idx {
				if profs[i][k] > relWhyLevel[k] {
					named++
					if photos[i].Group == g {
						namedHits++
					}
				}
				if photos[i].Group == g {
					hits++
					ap += float64(hits) / float64(r+1)
				}
			}
			ap /= float64(n)
			t.Logf("%-8s %-36s -> %-16s n=%2d of %3d  AP %.3f (chance %.3f)  named %3d, of them %2d in group", name, rn, g, n, len(photos), ap, float64(n)/float64(len(photos)), named, namedHits)
		}
	}
}
