//go:build research

package engine

import (
	"math"
)

// Cue blocks for the descriptor search, using the production cues
// (relcues.go) standardised by their statistics over real photo views.

var cueStats struct{ mean, std []float64 }

func setCueStats(views []map[string]tensorOut) {
	var all [][]float64
	for _, o := range views {
		c := relationalCues(o["input"].Data)
		all = append(all, c[:])
	}
	d := len(all[0])
	cueStats.mean, cueStats.std = make([]float64, d), make([]float64, d)
	for _, v := range all {
		for i, x := range v {
			cueStats.mean[i] += x / float64(len(all))
		}
	}
	for _, v := range all {
		for i, x := range v {
			cueStats.std[i] += (x - cueStats.mean[i]) * (x - cueStats.mean[i]) / float64(len(all))
		}
	}
	for i := range cueStats.std {
		cueStats.std[i] = math.Sqrt(cueStats.std[i]) + 1e-6
	}
}

// cueTau: -Inf keeps z-scores two-sided; otherwise max(z-tau, 0)
// (RELVIEW_TAU).
var cueTau = 0.0

// cueW are the per-cue weights (RELVIEW_CUEW=a,b,...).
var cueW = []float64{0.6, 1.5, 0.6, 0.6, 1.2, 1.2, 1}

// bCues: standardised cues, not unit-normalised: weight w per standard
// deviation (times cueW).
func bCues(mask []bool, w float64) block {
	return block{-w, func(o map[string]tensorOut) []float64 {
		c := relationalCues(o["input"].Data)
		var out []float64
		for i, x := range c {
			if mask == nil || mask[i] {
				z := (x - cueStats.mean[i]) / cueStats.std[i]
				if !math.IsInf(cueTau, -1) {
					z = max(z-cueTau, 0)
				}
				out = append(out, z*cueW[i])
			}
		}
		return out
	}}
}
