package ui

import (
	"fmt"
	"math"
	"sort"

	"relview/engine"
	"relview/library"
)

// A match's strength is the percentile of its score among the scores of a
// sample of all pairs of photos in the library, per space: a neighbour at
// 0.995 scores higher than 99.5 % of pairs, whatever the encoder's scale,
// so the bar and the word mean the same from photo to photo.

// Strength words.
const (
	strengthStrong = "strong"
	strengthFair   = "fair"
	strengthWeak   = "weak"
)

// Percentiles of the words: strong is the top 1 % of all pairs, fair the
// next 4 %.
const (
	strongAt = 0.99
	fairAt   = 0.95
)

// calibrationQueries is how many photos' scores to all others make the
// sample (24 × the library's size pairs).
const calibrationQueries = 24

// calibration holds, per space, a sorted sample of the scores of pairs of
// distinct photos of one library. It is made once per library (and again
// when the library has grown by a quarter) and never changed: the query
// work reads it from other goroutines.
type calibration struct {
	scores map[string][]float32
	photos int // indexed photos when it was made
}

// sampleCalibration scores up to calibrationQueries photos, spread evenly
// over ids, against every photo of the library in both spaces.
func sampleCalibration(src Source, ids []int64) (*calibration, error) {
	c := &calibration{scores: map[string][]float32{}, photos: len(ids)}
	if len(ids) < 2 {
		return c, nil
	}
	n := min(calibrationQueries, len(ids))
	for i := range n {
		id := ids[i*len(ids)/n]
		pts, err := src.Scatter(id)
		if err != nil {
			if library.IsNotIndexed(err) {
				continue
			}
			return nil, fmt.Errorf("calibrating match strength: %w", err)
		}
		for _, p := range pts {
			if p.ID == id {
				continue
			}
			c.scores[engine.Relational] = append(c.scores[engine.Relational], p.Relational)
			c.scores[engine.Visual] = append(c.scores[engine.Visual], p.Visual)
		}
	}
	for _, s := range c.scores {
		sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	}
	return c, nil
}

// percentile is the fraction of the sampled pairs of space scoring below
// score; −1 when there is no sample (nil calibration, or a space without
// one).
func (c *calibration) percentile(space string, score float32) float64 {
	if c == nil {
		return -1
	}
	s := c.scores[space]
	if len(s) == 0 {
		return -1
	}
	i := sort.Search(len(s), func(i int) bool { return s[i] >= score })
	return float64(i) / float64(len(s))
}

// strengthWord words a percentile ("" unknown).
func strengthWord(p float64) string {
	switch {
	case p < 0:
		return ""
	case p >= strongAt:
		return strengthStrong
	case p >= fairAt:
		return strengthFair
	default:
		return strengthWeak
	}
}

// topPercent is "top 0.4%" for percentile 0.996 ("" unknown).
func topPercent(p float64) string {
	if p < 0 {
		return ""
	}
	top := 100 * (1 - p)
	switch {
	case top < 0.1:
		return "top 0.1%"
	case top < 10:
		return fmt.Sprintf("top %.1f%%", top)
	default:
		return fmt.Sprintf("top %.0f%%", top)
	}
}

// strengthFill is the bar's length for a percentile, on a log scale of the
// share of pairs above: top 10 % a third, top 1 % two thirds, top 0.1 %
// full.
func strengthFill(p float64) float32 {
	if p < 0 {
		return 0
	}
	top := max(1-p, 1e-4)
	return float32(min(max(-math.Log10(top)/3, 0.04), 1))
}

// withStrength sets the Strength of hits from their scores in space.
func withStrength(hits []hit, space string, c *calibration) []hit {
	for i := range hits {
		hits[i].Strength = c.percentile(space, hits[i].Score)
	}
	return hits
}
