//go:build research

package engine

import (
	"relview/engine/realbench"
	"relview/engine/relbench"
)

// scoredMAP is the real-photo benchmark's mAP (realbench.Evaluate) for
// any scoring: scores(q) gives photo q's score against every photo (its
// own is ignored). Queries without a group, or alone in theirs, are left
// out, as there. It also returns the mean AP per group.
func scoredMAP(photos []realbench.Photo, scores func(q int) []float64) (float64, map[string]float64) {
	groupN := map[string]int{}
	for _, p := range photos {
		groupN[p.Group]++
	}
	sum, n := 0.0, 0
	gAP, gN := map[string]float64{}, map[string]int{}
	for q, qp := range photos {
		if qp.Group == realbench.None || groupN[qp.Group] < 2 {
			continue
		}
		all := scores(q)
		var sc []float64
		var hit []bool
		for d, dp := range photos {
			if d != q {
				sc = append(sc, all[d])
				hit = append(hit, dp.Group == qp.Group)
			}
		}
		ap := relbench.AveragePrecision(sc, hit)
		sum += ap
		n++
		gAP[qp.Group] += ap
		gN[qp.Group]++
	}
	for g := range gAP {
		gAP[g] /= float64(gN[g])
	}
	return sum / float64(max(n, 1)), gAP
}
