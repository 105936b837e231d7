package engine

import (
	"testing"

	"relview/engine/realbench"
)

// Floors of the built-in relational encoder on the real-photo benchmark's
// dev set (bench/realrel, docs/relational.md). They guard what v3 reaches
// today (0.291 against the visual space's 0.276 and v2's 0.242); the
// issue's target — relational mAP ≥ 0.50 and ≥ 1.5× the visual space's,
// every group above chance — is NOT met yet, and the test says so in its
// log rather than pretending.
const (
	realFloorMAP       = 0.28 // relational mAP on dev
	realFloorVsVisual  = 1.0  // relational mAP / visual mAP
	realTargetMAP      = 0.50 // the target, reported only
	realTargetVsVisual = 1.5
)

func TestRealPhotoBenchmark(t *testing.T) {
	photos, dir := realPhotos(t)
	e := engineForTest(t)
	res, err := realbench.Run(photos, dir, 5, func(path string) (map[string][]float32, error) {
		return e.EncodeFile(path)
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	rel, vis := res[Relational], res[Visual]
	t.Logf("dev set, %d photos:\n%s", len(photos), realbench.Table([]string{Relational, Visual}, res))
	if rel.MAP < realFloorMAP {
		t.Errorf("relational mAP %.3f < floor %.2f", rel.MAP, realFloorMAP)
	}
	if rel.MAP < realFloorVsVisual*vis.MAP {
		t.Errorf("relational mAP %.3f < %.2f × visual %.3f", rel.MAP, realFloorVsVisual, vis.MAP)
	}
	if rel.MAP < realTargetMAP || rel.MAP < realTargetVsVisual*vis.MAP {
		t.Logf("not yet at the target: relational mAP %.3f (want ≥ %.2f and ≥ %.1f× visual %.3f)", rel.MAP, realTargetMAP, realTargetVsVisual, vis.MAP)
	}
	for _, g := range rel.Groups {
		if rel.GroupN[g] >= 2 && rel.GroupAP[g] <= rel.GroupRand[g] {
			t.Logf("group %s: AP %.3f at or below chance %.3f", g, rel.GroupAP[g], rel.GroupRand[g])
		}
	}
}
