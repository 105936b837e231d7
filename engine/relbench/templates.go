package relbench

import (
	"image"
	"image/color"
	"math"
	"math/rand/v2"

	"github.com/disintegration/imaging"
)

// Template is one relational layout. Make composes a new image from the main
// photo (and, where UsesOther, a secondary photo) drawing every random choice
// from r; it must not modify main or other, and its output has both sides in
// [MinSide, MaxSide]. other must be non-nil when UsesOther is set.
type Template struct {
	Name        string
	Description string
	Make        func(r *rand.Rand, main, other image.Image) *image.NRGBA
	// SingleCanvas is true when the result is one continuous picture without
	// panels or gutters (reflection, nesting, mirror_scene, inset).
	SingleCanvas bool
	// UsesOther is true when the template shows a second photo.
	UsesOther bool
}

// Template names.
const (
	TReflection  = "reflection"
	TOddOneOut   = "odd_one_out"
	TNesting     = "nesting"
	TBeforeAfter = "before_after"
	TRotational  = "rotational_symmetry"
	TStages      = "stages"
	TMirrorScene = "mirror_scene"
	TInset       = "inset"
)

// Templates returns the relational templates, in a fixed order.
func Templates() []Template {
	return []Template{
		{Name: TReflection, SingleCanvas: true, Make: makeReflection,
			Description: "a photo above its vertically mirrored, darkened, blurred and tinted copy (a lake reflection); split at 40-60% height"},
		{Name: TOddOneOut, UsesOther: true, Make: makeOddOneOut,
			Description: "a 3x3, 4x4, 3x4 or 4x3 grid of one repeated crop with a single tile from another photo"},
		{Name: TNesting, SingleCanvas: true, Make: makeNesting,
			Description: "a photo with a 25-45% copy of itself near its centre, sometimes recursively twice"},
		{Name: TBeforeAfter, Make: makeBeforeAfter,
			Description: "the same crop twice side by side, one side re-toned (grayscale, sepia, warm, cool or desaturated)"},
		{Name: TRotational, Make: makeRotational,
			Description: "a 2x2 of one tile turned by 0, 90, 180 and 270 degrees around the centre"},
		{Name: TStages, Make: makeStages,
			Description: "a strip of four ever-closer crops of one photo (a zoom sequence), left to right"},
		{Name: TMirrorScene, SingleCanvas: true, Make: makeMirrorScene,
			Description: "the left half of a photo and its left-right mirror image on the right, no gutter"},
		{Name: TInset, SingleCanvas: true, UsesOther: true, Make: makeInset,
			Description: "a photo with a small (15-25%) bordered picture-in-picture of another photo in a corner"},
	}
}

// makeReflection: scene above its reflection, like a lake.
func makeReflection(r *rand.Rand, main, _ image.Image) *image.NRGBA {
	w, h := randSize(r)
	ht := iround(uniform(r, 0.4, 0.6) * float64(h))
	hb := h - ht
	top := randView(r, main, w, ht, 1, 1.5)

	// The mirrored scene, squashed or stretched to the water's height.
	refl := imaging.Resize(imaging.FlipV(top), w, hb, imaging.Linear)
	refl = imaging.Blur(refl, uniform(r, 0.6, 2.5))

	dark := uniform(r, 0.45, 0.8)  // darkening at the waterline
	fade := uniform(r, 0, 0.35)    // extra darkening towards the bottom
	alpha := uniform(r, 0.05, 0.3) // water tint strength
	tints := []color.NRGBA{{30, 60, 90, 255}, {30, 70, 60, 255}, {70, 60, 40, 255}, {20, 30, 50, 255}}
	tint := tints[r.IntN(len(tints))]
	amp := uniform(r, 0, 3) // ripple, in pixels
	period := uniform(r, 5, 18)
	phase := uniform(r, 0, 2*math.Pi)

	out := imaging.New(w, h, color.Black)
	place(out, top, 0, 0)
	for y := 0; y < hb; y++ {
		k := dark * (1 - fade*float64(y)/float64(hb))
		dx := iround(amp * math.Sin(2*math.Pi*float64(y)/period+phase))
		for x := 0; x < w; x++ {
			sx := min(max(x+dx, 0), w-1)
			si := refl.PixOffset(sx, y)
			di := out.PixOffset(x, ht+y)
			tc := [3]uint8{tint.R, tint.G, tint.B}
			for c := 0; c < 3; c++ {
				v := float64(refl.Pix[si+c]) * k
				out.Pix[di+c] = clamp8(v*(1-alpha) + float64(tc[c])*alpha)
			}
			out.Pix[di+3] = 255
		}
	}
	return out
}

// makeOddOneOut: a grid of one repeated tile with one tile from another photo.
func makeOddOneOut(r *rand.Rand, main, other image.Image) *image.NRGBA {
	cols, rows := 3, 3
	switch p := r.Float64(); {
	case p < 0.2:
		cols, rows = 4, 4
	case p < 0.3:
		cols, rows = 4, 3
	case p < 0.4:
		cols, rows = 3, 4
	}
	w, h := randSize(r)
	g := randGutter(r)
	cells, tw, th := gridCells(w, h, cols, rows, g)
	tile := randView(r, main, tw, th, 1, 2)
	odd := view(other, tw, th, uniform(r, 0.2, 0.8), uniform(r, 0.2, 0.8), uniform(r, 1, 2))
	oddAt := r.IntN(len(cells))
	out := imaging.New(w, h, g.col)
	for i, c := range cells {
		if i == oddAt {
			place(out, odd, c.Min.X, c.Min.Y)
		} else {
			place(out, tile, c.Min.X, c.Min.Y)
		}
	}
	return out
}

// makeNesting: a picture holding a shrunken copy of itself (Droste effect).
func makeNesting(r *rand.Rand, main, _ image.Image) *image.NRGBA {
	w, h := randSize(r)
	bg := randView(r, main, w, h, 1, 1.4)
	f := uniform(r, 0.25, 0.45)
	iw, ih := iround(f*float64(w)), iround(f*float64(h))
	x := (w-iw)/2 + iround(uniform(r, -0.1, 0.1)*float64(w))
	y := (h-ih)/2 + iround(uniform(r, -0.1, 0.1)*float64(h))
	x, y = min(max(x, 4), w-iw-4), min(max(y, 4), h-ih-4)
	depth := 1 + r.IntN(2)
	// The copy is set off from its surroundings either by a thin frame or
	// by a soft drop shadow, so that it stays visible on busy photos.
	bw := 0
	var bcol color.NRGBA
	shadow := 0
	if r.Float64() < 0.7 {
		bw = uniformInt(r, 1, 3)
		bcol = randLineColour(r)
	} else {
		shadow = uniformInt(r, 2, 5)
	}
	frame := bg
	for d := 0; d < depth; d++ {
		small := imaging.Resize(frame, iw, ih, imaging.Lanczos)
		next := imaging.Clone(bg)
		if bw > 0 {
			fillRect(next, image.Rect(x-bw, y-bw, x+iw+bw, y+ih+bw), bcol)
		}
		if shadow > 0 {
			darken(next, image.Rect(x+shadow, y+shadow, x+iw+shadow, y+ih+shadow), 0.45)
		}
		place(next, small, x, y)
		frame = next
	}
	return frame
}

// makeBeforeAfter: the same crop twice, one side re-toned.
func makeBeforeAfter(r *rand.Rand, main, _ image.Image) *image.NRGBA {
	w, h := randSize(r)
	g := randGutter(r)
	cells, tw, th := gridCells(w, h, 2, 1, g)
	p := randView(r, main, tw, th, 1, 1.6)
	toned := retone(r, p, isGray(p))
	out := imaging.New(w, h, g.col)
	if r.IntN(2) == 0 {
		place(out, p, cells[0].Min.X, cells[0].Min.Y)
		place(out, toned, cells[1].Min.X, cells[1].Min.Y)
	} else {
		place(out, toned, cells[0].Min.X, cells[0].Min.Y)
		place(out, p, cells[1].Min.X, cells[1].Min.Y)
	}
	return out
}

// makeRotational: a 2×2 of one tile turned by quarter turns about the centre,
// so that the whole picture has four-fold rotational symmetry.
func makeRotational(r *rand.Rand, main, _ image.Image) *image.NRGBA {
	w := uniformInt(r, MinSide, MaxSide)
	h := uniformInt(r, max(MinSide, iround(0.8*float64(w))), min(MaxSide, iround(1.25*float64(w))))
	g := randGutter(r)
	// Keep the grid exactly centred (even leftovers) so that the picture
	// maps onto itself under the turn.
	w, h = evenLeftover(w, g.width), evenLeftover(h, g.width)
	cells, tw, th := gridCells(w, h, 2, 2, g)
	s := max(tw, th)
	t := randView(r, main, s, s, 1, 2)
	// Start from a random quarter turn so that the tile's top (often the
	// bright sky) does not always face outwards; one quadrant still shows
	// the photo upright.
	switch r.IntN(4) {
	case 1:
		t = imaging.Rotate90(t)
	case 2:
		t = imaging.Rotate180(t)
	case 3:
		t = imaging.Rotate270(t)
	}
	// Turning the picture 90° clockwise about its centre carries the top-left
	// quadrant to the top-right one, and so on (imaging.Rotate90 is
	// counter-clockwise).
	tiles := []*image.NRGBA{t, imaging.Rotate270(t), imaging.Rotate90(t), imaging.Rotate180(t)}
	out := imaging.New(w, h, g.col)
	for i, c := range cells { // row-major: TL, TR, BL, BR
		tile := tiles[i]
		if tw != s || th != s {
			tile = imaging.Resize(tile, tw, th, imaging.Lanczos)
		}
		place(out, tile, c.Min.X, c.Min.Y)
	}
	return out
}

// makeStages: four ever-closer crops around one focal point, left to right.
func makeStages(r *rand.Rand, main, _ image.Image) *image.NRGBA {
	w := uniformInt(r, 512, MaxSide)
	h := uniformInt(r, MinSide, min(520, w))
	g := randGutter(r)
	cells, tw, th := gridCells(w, h, 4, 1, g)
	fx, fy := uniform(r, 0.3, 0.7), uniform(r, 0.3, 0.7)
	z := uniform(r, 1, 1.2)
	ratio := uniform(r, 1.3, 1.55)
	out := imaging.New(w, h, g.col)
	for _, c := range cells {
		place(out, view(main, tw, th, fx, fy, z), c.Min.X, c.Min.Y)
		z *= ratio
	}
	return out
}

// makeMirrorScene: left half of a photo and its mirror image, one canvas.
func makeMirrorScene(r *rand.Rand, main, _ image.Image) *image.NRGBA {
	w, h := randSize(r)
	hw := (w + 1) / 2
	left := randView(r, main, hw, h, 1, 1.5)
	out := imaging.New(w, h, color.Black)
	place(out, left, 0, 0)
	for y := 0; y < h; y++ {
		for x := hw; x < w; x++ {
			si := left.PixOffset(w-1-x, y)
			di := out.PixOffset(x, y)
			copy(out.Pix[di:di+4], left.Pix[si:si+4])
		}
	}
	return out
}

// makeInset: a photo with a small bordered picture of another photo in a corner.
func makeInset(r *rand.Rand, main, other image.Image) *image.NRGBA {
	w, h := randSize(r)
	out := randView(r, main, w, h, 1, 1.4)
	f := uniform(r, 0.15, 0.25)
	a := uniform(r, 0.75, 1.35) // inset aspect w/h
	iw := iround(f * float64(w))
	ih := min(iround(float64(iw)/a), iround(0.3*float64(h)))
	m := iround(uniform(r, 0.02, 0.06) * float64(min(w, h)))
	bw := uniformInt(r, 1, 4)
	bcol := randLineColour(r)
	corner := r.IntN(4)
	x, y := m+bw, m+bw
	if corner&1 == 1 {
		x = w - m - bw - iw
	}
	if corner&2 == 2 {
		y = h - m - bw - ih
	}
	pip := view(other, iw, ih, uniform(r, 0.3, 0.7), uniform(r, 0.3, 0.7), uniform(r, 1, 1.5))
	fillRect(out, image.Rect(x-bw, y-bw, x+iw+bw, y+ih+bw), bcol)
	place(out, pip, x, y)
	return out
}

// evenLeftover nudges a side of a 2-cell layout so that the side minus the
// gutter is even, i.e. the two cells and the margins split it exactly.
func evenLeftover(side, gutter int) int {
	if (side-gutter)%2 == 0 {
		return side
	}
	if side < MaxSide {
		return side + 1
	}
	return side - 1
}
