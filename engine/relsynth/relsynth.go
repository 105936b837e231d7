// Package relsynth generates synthetic training images, each showing one
// photographic relation among its parts (layered bands, silhouette, figure
// on ground, repetition, ...), built from arbitrary real source photos.
//
// Every generator draws all its choices (content, scale, colours, position,
// aspect, size) from the given *rand.Rand, so output is deterministic for a
// seed, and it varies them widely so that no constant artefact identifies
// the relation.
package relsynth

import (
	"image"
	"math/rand/v2"
)

// Generator makes images of one relation.
type Generator struct {
	Name string // the relation
	// Make draws a new image from src (≥ 8 photos, picked at random). It
	// does not modify src. Both sides are in [MinSide, MaxSide] and the
	// aspect (width/height) in [MinAspect, MaxAspect].
	Make func(r *rand.Rand, src []image.Image) *image.NRGBA
}

// Generators returns one generator per relation, in a fixed order.
func Generators() []Generator {
	gs := []struct {
		name string
		f    func(*rand.Rand, []image.Image) *image.NRGBA
	}{
		{"layered-bands", makeBands},
		{"silhouette", makeSilhouette},
		{"figure-on-ground", makeFigure},
		{"repetition", makeRepetition},
		{"radial", makeRadial},
		{"symmetry", makeSymmetry},
		{"leading-lines", makeLeadingLines},
		{"reflection", makeReflection},
		{"pair", makePair},
		{"formation", makeFormation},
		{"odd-one-out", makeOddOneOut},
		{"frame-in-frame", makeFrameInFrame},
		{"plain", makePlain},
	}
	out := make([]Generator, len(gs))
	for i, g := range gs {
		f := g.f
		out[i] = Generator{Name: g.name, Make: func(r *rand.Rand, src []image.Image) *image.NRGBA {
			return finish(r, f(r, src))
		}}
	}
	return out
}
