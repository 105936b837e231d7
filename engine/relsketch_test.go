package engine

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The count sketch must keep cosines (what search ranks by) close: pairs of
// descriptor-length vectors with known cosines keep them within a few
// hundredths after sketching.
func TestSketchKeepsCosines(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	gauss := func() []float32 {
		v := make([]float32, relDescLen)
		for i := range v {
			v[i] = float32(r.NormFloat64())
		}
		return v
	}
	var worst float64
	for trial := 0; trial < 40; trial++ {
		a, noise := gauss(), gauss()
		mix := float32(trial) / 40 // cosines from 1 down to ~0
		b := make([]float32, relDescLen)
		for i := range b {
			b[i] = (1-mix)*a[i] + mix*noise[i]
		}
		want := float64(Cosine(a, b))
		got := float64(Cosine(sketchRelational(a), sketchRelational(b)))
		worst = math.Max(worst, math.Abs(got-want))
	}
	t.Logf("largest cosine error over 40 pairs: %.3f", worst)
	if worst > 0.08 {
		t.Errorf("sketch changes a cosine by %.3f, want <= 0.08 (expected error ~1/sqrt(%d))", worst, RelationalDim)
	}
	// Fixed: the same input gives the same output in every process.
	a := gauss()
	if Cosine(sketchRelational(a), sketchRelational(a)) < 0.99999 {
		t.Error("sketch is not deterministic")
	}
}
