package engine

import "math"

// The relational descriptor has relDescLen values (most of them the 14×14
// self-similarity block). Stored as is, 100k photos would take 2 GB of
// memory; a count sketch (a very sparse random projection: every value is
// added, with a pseudo-random sign, to relSketchHashes of the RelationalDim
// outputs) keeps inner products unbiased with an error of about
// 1/sqrt(RelationalDim) of the vectors' norms, at a cost of a few
// microseconds. docs/relational.md compares the benchmark before and after.
const relSketchHashes = 4

// relSketch maps each descriptor position to its output bins and signs; it
// is fixed (seeded) so every relview computes the same vectors.
var relSketch = func() (t [relDescLen][relSketchHashes]int32) {
	state := uint64(0x9e3779b97f4a7c15)
	next := func() uint64 { // splitmix64
		state += 0x9e3779b97f4a7c15
		z := state
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
		z = (z ^ (z >> 27)) * 0x94d049bb133111eb
		return z ^ (z >> 31)
	}
	for i := range t {
		for h := range t[i] {
			r := next()
			bin := int32(r % relSketchDim)
			if r>>63 == 1 {
				bin = -bin - 1 // negative: subtract into bin -bin-1
			}
			t[i][h] = bin
		}
	}
	return t
}()

// sketchRelational projects a relDescLen descriptor to relSketchDim values
// and unit-normalises them.
func sketchRelational(d []float32) []float32 {
	out := make([]float32, relSketchDim)
	scale := float32(1 / math.Sqrt(relSketchHashes))
	for i, x := range d[:relDescLen] {
		v := x * scale
		for _, b := range relSketch[i] {
			if b < 0 {
				out[-b-1] -= v
			} else {
				out[b] += v
			}
		}
	}
	if !Normalize(out) {
		out[0] = 1
	}
	return out
}
