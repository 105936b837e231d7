package engine

import (
	"math"
	"slices"
)

// Upgrading stored vectors without the photos: when a new version of the
// built-in relational encoder only rearranges what an earlier one stored, a
// library converts its catalog in place instead of decoding and encoding
// every photo again (at 100k photos, seconds instead of half an hour).

// relationalV3Name is the name v3 of the built-in relational encoder gave
// its vectors.
const relationalV3Name = "builtin-relational-v3 (approximation of relsim)"

// UpgradableRelationalModels names the earlier encoders whose vectors
// UpgradeRelational converts.
func UpgradableRelationalModels() []string { return []string{relationalV3Name} }

// CanUpgradeRelational reports whether UpgradeRelational converts vectors
// of the named encoder.
func CanUpgradeRelational(model string) bool {
	return slices.Contains(UpgradableRelationalModels(), model)
}

// UpgradeRelational turns a stored vector of an earlier built-in relational
// encoder into the current encoder's vector, without the photo. v3 → v3.1:
// v3's vector held the object relations at a weight of 0.05 in its profile
// block; their slots are zeroed and the vector is normalised again — what
// v3.1 computes from the photo, up to float rounding. The object relations
// v3 held are not kept: they were v1's (engine.ObjectsModelName is v2, which
// counts an object scored under two classes once), so the second indexing
// pass finds the photo's objects again. ok is false for another model or a
// vector that cannot be v3's.
func UpgradeRelational(model string, v []float32) (rel []float32, ok bool) {
	if !CanUpgradeRelational(model) || len(v) != RelationalDim {
		return nil, false
	}
	for _, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return nil, false
		}
	}
	rel = append([]float32(nil), v...)
	for i := range objMeasureCount {
		rel[relSketchDim+relCompCount+i] = 0
	}
	var n float64
	for _, x := range rel[:relSketchDim] {
		n += float64(x) * float64(x)
	}
	if n <= 0 || !Normalize(rel) {
		return nil, false
	}
	return rel, true
}
