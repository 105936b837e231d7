package relbench

import (
	"image"
	"image/color"
	"image/draw"
	"math"
	"math/rand/v2"

	"github.com/disintegration/imaging"
)

// Output side limits for every composite.
const (
	MinSide = 384
	MaxSide = 640
)

// uniformInt returns an integer in [lo, hi].
func uniformInt(r *rand.Rand, lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + r.IntN(hi-lo+1)
}

// uniform returns a float in [lo, hi).
func uniform(r *rand.Rand, lo, hi float64) float64 {
	return lo + (hi-lo)*r.Float64()
}

// randSize draws a canvas size with both sides in [MinSide, MaxSide].
func randSize(r *rand.Rand) (int, int) {
	return uniformInt(r, MinSide, MaxSide), uniformInt(r, MinSide, MaxSide)
}

func iround(x float64) int { return int(math.Round(x)) }

func clampF(x, lo, hi float64) float64 {
	if hi < lo {
		return lo
	}
	return math.Max(lo, math.Min(hi, x))
}

// view is View with Lanczos resampling.
func view(src image.Image, w, h int, cx, cy, zoom float64) *image.NRGBA {
	return View(src, w, h, cx, cy, zoom, imaging.Lanczos)
}

// View renders a crop of src as a w×h image. The crop has the aspect of w×h;
// at zoom 1 it is the largest such region of src, at zoom z its sides are 1/z
// of that. (cx, cy) in [0,1] is the wanted centre relative to src; the crop is
// shifted as needed to stay inside src.
func View(src image.Image, w, h int, cx, cy, zoom float64, filter imaging.ResampleFilter) *image.NRGBA {
	w, h = max(w, 1), max(h, 1)
	b := src.Bounds()
	sw, sh := float64(b.Dx()), float64(b.Dy())
	a := float64(w) / float64(h)
	rw, rh := sw, sw/a
	if rh > sh {
		rh, rw = sh, sh*a
	}
	zoom = math.Max(zoom, 1)
	rw, rh = math.Max(rw/zoom, 1), math.Max(rh/zoom, 1)
	x0 := clampF(cx*sw-rw/2, 0, sw-rw)
	y0 := clampF(cy*sh-rh/2, 0, sh-rh)
	x1, y1 := iround(x0), iround(y0)
	x2, y2 := max(iround(x0+rw), x1+1), max(iround(y0+rh), y1+1)
	rect := image.Rect(b.Min.X+x1, b.Min.Y+y1, b.Min.X+x2, b.Min.Y+y2).Intersect(b)
	return imaging.Resize(imaging.Crop(src, rect), w, h, filter)
}

// randView is view with a random centre near the middle and a random zoom in
// [zlo, zhi).
func randView(r *rand.Rand, src image.Image, w, h int, zlo, zhi float64) *image.NRGBA {
	return view(src, w, h, uniform(r, 0.3, 0.7), uniform(r, 0.3, 0.7), uniform(r, zlo, zhi))
}

// place copies src onto dst with its top-left corner at (x, y).
func place(dst *image.NRGBA, src image.Image, x, y int) {
	sb := src.Bounds()
	draw.Draw(dst, image.Rect(x, y, x+sb.Dx(), y+sb.Dy()), src, sb.Min, draw.Src)
}

// fillRect paints r (clipped to dst) with c.
func fillRect(dst *image.NRGBA, r image.Rectangle, c color.NRGBA) {
	draw.Draw(dst, r.Intersect(dst.Bounds()), image.NewUniform(c), image.Point{}, draw.Src)
}

// randLineColour picks a colour for gutters and borders: white, black, a gray
// or a random colour.
func randLineColour(r *rand.Rand) color.NRGBA {
	switch p := r.Float64(); {
	case p < 0.3:
		return color.NRGBA{255, 255, 255, 255}
	case p < 0.55:
		return color.NRGBA{0, 0, 0, 255}
	case p < 0.8:
		g := uint8(uniformInt(r, 64, 192))
		return color.NRGBA{g, g, g, 255}
	default:
		return color.NRGBA{uint8(r.IntN(256)), uint8(r.IntN(256)), uint8(r.IntN(256)), 255}
	}
}

// gutter is the separation style of a multi-panel composite.
type gutter struct {
	width  int // between panels, 0 = panels abut
	margin int // around the grid (0 or width)
	col    color.NRGBA
}

func randGutter(r *rand.Rand) gutter {
	g := gutter{col: randLineColour(r)}
	if r.Float64() >= 0.2 {
		g.width = uniformInt(r, 1, 12)
		if r.IntN(2) == 0 {
			g.margin = g.width
		}
	}
	return g
}

// gridCells lays out cols×rows equal cells on a w×h canvas with gutter g.
// The grid is centred; rounding leftovers become extra margin. Cells are
// returned row-major with their common size.
func gridCells(w, h, cols, rows int, g gutter) (cells []image.Rectangle, tw, th int) {
	tw = (w - 2*g.margin - (cols-1)*g.width) / cols
	th = (h - 2*g.margin - (rows-1)*g.width) / rows
	gw := cols*tw + (cols-1)*g.width
	gh := rows*th + (rows-1)*g.width
	x0, y0 := (w-gw)/2, (h-gh)/2
	for row := 0; row < rows; row++ {
		for col := 0; col < cols; col++ {
			x := x0 + col*(tw+g.width)
			y := y0 + row*(th+g.width)
			cells = append(cells, image.Rect(x, y, x+tw, y+th))
		}
	}
	return cells, tw, th
}

// isGray reports whether img has (almost) no colour.
func isGray(img *image.NRGBA) bool {
	b := img.Bounds()
	var n, sum int
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			i := img.PixOffset(x, y)
			p := img.Pix[i : i+3]
			d := absInt(int(p[0])-int(p[1])) + absInt(int(p[1])-int(p[2]))
			sum += d
			n++
		}
	}
	return n == 0 || float64(sum)/float64(n) < 3
}

func absInt(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func clamp8(x float64) uint8 {
	if x <= 0 {
		return 0
	}
	if x >= 255 {
		return 255
	}
	return uint8(x + 0.5)
}

// mix blends a toward b by t (0 = a, 1 = b); both must have the same size.
func mix(a, b *image.NRGBA, t float64) *image.NRGBA {
	out := imaging.Clone(a)
	for i := range out.Pix {
		out.Pix[i] = clamp8(float64(a.Pix[i])*(1-t) + float64(b.Pix[i])*t)
	}
	return out
}

// Tones used by before_after.
var (
	toneNames     = []string{"grayscale", "sepia", "warm", "cool", "desaturated"}
	grayToneNames = []string{"sepia", "warm", "cool"} // visible on gray photos
)

// retone applies a random re-toning to img; gray sources only get tones that
// change a gray picture.
func retone(r *rand.Rand, img *image.NRGBA, gray bool) *image.NRGBA {
	names := toneNames
	if gray {
		names = grayToneNames
	}
	var out *image.NRGBA
	switch names[r.IntN(len(names))] {
	case "grayscale":
		out = imaging.Grayscale(img)
	case "sepia":
		out = imaging.AdjustFunc(img, func(c color.NRGBA) color.NRGBA {
			rr, gg, bb := float64(c.R), float64(c.G), float64(c.B)
			return color.NRGBA{
				clamp8(0.393*rr + 0.769*gg + 0.189*bb),
				clamp8(0.349*rr + 0.686*gg + 0.168*bb),
				clamp8(0.272*rr + 0.534*gg + 0.131*bb),
				c.A,
			}
		})
	case "warm":
		k := uniform(r, 0.8, 1.2)
		out = imaging.AdjustFunc(img, func(c color.NRGBA) color.NRGBA {
			return color.NRGBA{
				clamp8(float64(c.R)*(1+0.15*k) + 18*k),
				clamp8(float64(c.G)*(1+0.03*k) + 5*k),
				clamp8(float64(c.B) * (1 - 0.25*k)),
				c.A,
			}
		})
	case "cool":
		k := uniform(r, 0.8, 1.2)
		out = imaging.AdjustFunc(img, func(c color.NRGBA) color.NRGBA {
			return color.NRGBA{
				clamp8(float64(c.R) * (1 - 0.22*k)),
				clamp8(float64(c.G)*(1+0.02*k) + 4*k),
				clamp8(float64(c.B)*(1+0.15*k) + 20*k),
				c.A,
			}
		})
	default: // desaturated, a little faded
		out = imaging.AdjustSaturation(img, -uniform(r, 55, 85))
		out = imaging.AdjustContrast(out, -uniform(r, 0, 20))
	}
	return mix(img, out, uniform(r, 0.75, 1))
}

// darken scales the colour of the pixels in r (clipped to img) by k.
func darken(img *image.NRGBA, r image.Rectangle, k float64) {
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			i := img.PixOffset(x, y)
			for c := 0; c < 3; c++ {
				img.Pix[i+c] = clamp8(float64(img.Pix[i+c]) * k)
			}
		}
	}
}
