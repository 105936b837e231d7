package ui

import (
	"math"

	"relview/engine"
	"relview/library"
)

// variantThreshold is the visual cosine at or above which two photos are
// variants of one another (crops, flips, copies, edits, bursts). Measured
// with tools/variantthreshold on the sample library (50 photos, 7 edits
// each: 90 % crops, 75 % crops, mirror flips, brightness and contrast
// edits, a third-size copy, a JPEG q40 copy): at 0.75 it takes 92.9 % of
// the 350 variants and 1 of the 1,225 pairs of distinct photos (two
// compositions of one photo); at 0.70, 96.9 % and still that 1.
const variantThreshold = 0.75

// vectorSource is a Source that can give stored vectors (*library.Library
// can); without it nothing is stacked.
type vectorSource interface {
	Vector(id int64, space string) ([]float32, error)
}

// objectsSource is a Source that can give the photos' object relations
// (engine.Objects) for naming relations (*library.Library can).
type objectsSource interface {
	ObjectsOf(ids []int64) map[int64][]float32
}

// cosine is the cosine similarity of a and b (0 when either is empty or
// they differ in length).
func cosine(a, b []float32) float32 {
	if len(a) == 0 || len(a) != len(b) {
		return 0
	}
	var ab, aa, bb float64
	for i := range a {
		x, y := float64(a[i]), float64(b[i])
		ab += x * y
		aa += x * x
		bb += y * y
	}
	if aa == 0 || bb == 0 {
		return 0
	}
	return float32(ab / math.Sqrt(aa*bb))
}

// visualVectors fetches the visual vectors of ids from src (nil entries
// where unknown); nil when src cannot give vectors.
func visualVectors(src Source, ids []int64) map[int64][]float32 {
	vs, ok := src.(vectorSource)
	if !ok {
		return nil
	}
	out := make(map[int64][]float32, len(ids))
	for _, id := range ids {
		if _, done := out[id]; done {
			continue
		}
		v, err := vs.Vector(id, engine.Visual)
		if err != nil {
			v = nil // not indexed in the visual space yet: never stacked
		}
		out[id] = v
	}
	return out
}

// stackHits makes a column of at most k tiles from hits (best first): a hit
// that is a variant of the query (visual cosine to q at or above
// variantThreshold) is left out and returned in ofQuery; a hit that is a
// variant of a tile already kept joins that tile's Stack. vecs holds the
// visual vectors (nil: no stacking, the first k hits are kept).
func stackHits(hits []hit, q []float32, vecs map[int64][]float32, k int) (kept []hit, ofQuery []library.Image) {
	if vecs == nil || q == nil {
		return hits[:min(k, len(hits))], nil
	}
	for _, h := range hits {
		v := vecs[h.Image.ID]
		if v == nil {
			if len(kept) < k {
				kept = append(kept, h)
			}
			continue
		}
		if cosine(q, v) >= variantThreshold {
			ofQuery = append(ofQuery, h.Image)
			continue
		}
		joined := false
		for i := range kept {
			if w := vecs[kept[i].Image.ID]; w != nil && cosine(v, w) >= variantThreshold {
				kept[i].Stack = append(kept[i].Stack, h.Image)
				joined = true
				break
			}
		}
		if !joined && len(kept) < k {
			kept = append(kept, h)
		}
	}
	return kept, ofQuery
}

// mergeImages appends to a the images of b not in it, by id.
func mergeImages(a, b []library.Image) []library.Image {
	seen := make(map[int64]bool, len(a))
	for _, im := range a {
		seen[im.ID] = true
	}
	for _, im := range b {
		if !seen[im.ID] {
			seen[im.ID] = true
			a = append(a, im)
		}
	}
	return a
}
