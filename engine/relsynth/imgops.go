package relsynth

import (
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"relview/engine/relbench"

	"github.com/disintegration/imaging"
)

// Output limits for every generated image.
const (
	MinSide   = 320
	MaxSide   = 640
	MinAspect = 0.6 // width / height
	MaxAspect = 1.7
)

// ui returns an integer in [lo, hi].
func ui(r *rand.Rand, lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + r.IntN(hi-lo+1)
}

// uf returns a float in [lo, hi).
func uf(r *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }

func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

func sign(r *rand.Rand) float64 {
	if r.IntN(2) == 0 {
		return -1
	}
	return 1
}

func iround(x float64) int { return int(math.Round(x)) }

func clampF(x, lo, hi float64) float64 {
	if hi < lo {
		return lo
	}
	return math.Max(lo, math.Min(hi, x))
}

func clampI(x, lo, hi int) int {
	if hi < lo {
		return lo
	}
	return max(lo, min(hi, x))
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

func smoothstep(t float64) float64 {
	t = clampF(t, 0, 1)
	return t * t * (3 - 2*t)
}

// randSize draws an output size: both sides in [MinSide, MaxSide] and the
// aspect (width/height) in [MinAspect, MaxAspect], log-uniform.
func randSize(r *rand.Rand) (int, int) {
	for {
		a := math.Exp(uf(r, math.Log(MinAspect), math.Log(MaxAspect)))
		if r.IntN(2) == 0 {
			w := ui(r, MinSide, MaxSide)
			h := iround(float64(w) / a)
			if h >= MinSide && h <= MaxSide {
				return w, h
			}
		} else {
			h := ui(r, MinSide, MaxSide)
			w := iround(float64(h) * a)
			if w >= MinSide && w <= MaxSide {
				return w, h
			}
		}
	}
}

// pick returns k photos of src in random order, distinct while k ≤ len(src).
func pick(r *rand.Rand, src []image.Image, k int) []image.Image {
	out := make([]image.Image, 0, k)
	for len(out) < k {
		for _, i := range r.Perm(len(src)) {
			if len(out) == k {
				break
			}
			out = append(out, src[i])
		}
	}
	return out
}

// view renders a crop of src as a w×h image (relbench.View, bilinear).
func view(src image.Image, w, h int, cx, cy, zoom float64) *image.NRGBA {
	return relbench.View(src, w, h, cx, cy, zoom, imaging.Linear)
}

// randView is view with a random centre and a zoom in [zlo, zhi).
func randView(r *rand.Rand, src image.Image, w, h int, zlo, zhi float64) *image.NRGBA {
	return view(src, w, h, uf(r, 0.2, 0.8), uf(r, 0.2, 0.8), uf(r, zlo, zhi))
}

// subject is a w×h crop meant as a "thing": the most detailed of a few
// random zoomed-in crops.
func subject(r *rand.Rand, src image.Image, w, h int) *image.NRGBA {
	var best *image.NRGBA
	bs := -1.0
	for range 3 {
		c := view(src, w, h, uf(r, 0.2, 0.8), uf(r, 0.2, 0.8), uf(r, 1.2, 3))
		if s := lumaStd(c); s > bs {
			best, bs = c, s
		}
	}
	return best
}

func luma(p []uint8) float64 {
	return 0.299*float64(p[0]) + 0.587*float64(p[1]) + 0.114*float64(p[2])
}

// lumaStd is the standard deviation of the luminance (subsampled).
func lumaStd(img *image.NRGBA) float64 {
	b := img.Bounds()
	var n, s, ss float64
	step := max(1, min(b.Dx(), b.Dy())/64)
	for y := b.Min.Y; y < b.Max.Y; y += step {
		for x := b.Min.X; x < b.Max.X; x += step {
			i := img.PixOffset(x, y)
			l := luma(img.Pix[i : i+3])
			s += l
			ss += l * l
			n++
		}
	}
	if n == 0 {
		return 0
	}
	m := s / n
	return math.Sqrt(math.Max(ss/n-m*m, 0))
}

// lumaMean is the mean luminance of img (subsampled).
func lumaMean(img *image.NRGBA) float64 {
	m := meanColour(img)
	return 0.299*m[0] + 0.587*m[1] + 0.114*m[2]
}

// meanColour is the average colour of img (subsampled).
func meanColour(img *image.NRGBA) [3]float64 {
	b := img.Bounds()
	var n float64
	var s [3]float64
	step := max(1, min(b.Dx(), b.Dy())/32)
	for y := b.Min.Y; y < b.Max.Y; y += step {
		for x := b.Min.X; x < b.Max.X; x += step {
			i := img.PixOffset(x, y)
			for c := range 3 {
				s[c] += float64(img.Pix[i+c])
			}
			n++
		}
	}
	for c := range 3 {
		s[c] /= math.Max(n, 1)
	}
	return s
}

// blur is a Gaussian blur; large sigmas go through a smaller copy.
func blur(img *image.NRGBA, sigma float64) *image.NRGBA {
	if sigma <= 0.2 {
		return img
	}
	if sigma <= 4 {
		return imaging.Blur(img, sigma)
	}
	b := img.Bounds()
	f := sigma / 3
	sw, sh := max(2, iround(float64(b.Dx())/f)), max(2, iround(float64(b.Dy())/f))
	s := imaging.Resize(img, sw, sh, imaging.Box)
	s = imaging.Blur(s, 2.5)
	return imaging.Blur(imaging.Resize(s, b.Dx(), b.Dy(), imaging.Linear), 1.2)
}

// washed is a w×h heavily blurred crop of src: only its broad colours stay.
func washed(r *rand.Rand, src image.Image, w, h int) *image.NRGBA {
	small := ui(r, 4, 14)
	s := randView(r, src, small*w/max(w, h)+1, small*h/max(w, h)+1, 1, 2)
	s = imaging.Resize(s, s.Bounds().Dx()*6, s.Bounds().Dy()*6, imaging.CatmullRom)
	s = imaging.Blur(s, 3)
	return imaging.Blur(imaging.Resize(s, w, h, imaging.Linear), 1.5)
}

// hsv converts hue (degrees), saturation and value in [0,1] to a colour.
func hsv(h, s, v float64) color.NRGBA {
	h = math.Mod(h, 360)
	if h < 0 {
		h += 360
	}
	c := v * s
	x := c * (1 - math.Abs(math.Mod(h/60, 2)-1))
	m := v - c
	var rr, gg, bb float64
	switch {
	case h < 60:
		rr, gg, bb = c, x, 0
	case h < 120:
		rr, gg, bb = x, c, 0
	case h < 180:
		rr, gg, bb = 0, c, x
	case h < 240:
		rr, gg, bb = 0, x, c
	case h < 300:
		rr, gg, bb = x, 0, c
	default:
		rr, gg, bb = c, 0, x
	}
	return color.NRGBA{clamp8((rr + m) * 255), clamp8((gg + m) * 255), clamp8((bb + m) * 255), 255}
}

// randColour is a random colour with saturation and value in the given ranges.
func randColour(r *rand.Rand, slo, shi, vlo, vhi float64) color.NRGBA {
	return hsv(uf(r, 0, 360), uf(r, slo, shi), uf(r, vlo, vhi))
}

// gradient fills w×h with colour stops along direction angle (radians).
func gradient(w, h int, stops []color.NRGBA, angle float64) *image.NRGBA {
	out := image.NewNRGBA(image.Rect(0, 0, w, h))
	ca, sa := math.Cos(angle), math.Sin(angle)
	// projection range over the corners
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, p := range [][2]float64{{0, 0}, {float64(w), 0}, {0, float64(h)}, {float64(w), float64(h)}} {
		d := p[0]*ca + p[1]*sa
		lo, hi = math.Min(lo, d), math.Max(hi, d)
	}
	n := len(stops)
	const nl = 1024
	var lut [nl][3]uint8
	for j := range nl {
		t := float64(j) / (nl - 1) * float64(n-1)
		k := max(0, min(int(t), n-2))
		f := smoothstep(t - float64(k))
		a := stops[k]
		b := stops[min(k+1, n-1)]
		lut[j] = [3]uint8{clamp8(float64(a.R)*(1-f) + float64(b.R)*f),
			clamp8(float64(a.G)*(1-f) + float64(b.G)*f), clamp8(float64(a.B)*(1-f) + float64(b.B)*f)}
	}
	sc := (nl - 1) / (hi - lo)
	for y := range h {
		for x := range w {
			j := clampI(int(((float64(x)*ca+float64(y)*sa)-lo)*sc+0.5), 0, nl-1)
			i := out.PixOffset(x, y)
			c := lut[j]
			out.Pix[i], out.Pix[i+1], out.Pix[i+2], out.Pix[i+3] = c[0], c[1], c[2], 255
		}
	}
	return out
}

// normTable holds fixed standard normal samples, for cheap noise.
var normTable = func() []float32 {
	r := rand.New(rand.NewPCG(1, 2))
	t := make([]float32, 1<<16)
	for i := range t {
		t[i] = float32(r.NormFloat64())
	}
	return t
}()

// addNoise adds Gaussian noise of the given sigma (monochrome or per channel).
func addNoise(r *rand.Rand, img *image.NRGBA, sigma float64, mono bool) {
	if sigma <= 0 {
		return
	}
	s := float32(sigma)
	add := func(v uint8, n float32) uint8 {
		x := float32(v) + n*s
		if x <= 0 {
			return 0
		}
		if x >= 255 {
			return 255
		}
		return uint8(x + 0.5)
	}
	var bits uint64
	left := 0
	next := func() float32 {
		if left == 0 {
			bits, left = r.Uint64(), 4
		}
		v := normTable[bits&0xffff]
		bits >>= 16
		left--
		return v
	}
	for i := 0; i < len(img.Pix); i += 4 {
		if mono {
			n := next()
			img.Pix[i] = add(img.Pix[i], n)
			img.Pix[i+1] = add(img.Pix[i+1], n)
			img.Pix[i+2] = add(img.Pix[i+2], n)
		} else {
			img.Pix[i] = add(img.Pix[i], next())
			img.Pix[i+1] = add(img.Pix[i+1], next())
			img.Pix[i+2] = add(img.Pix[i+2], next())
		}
	}
}

// toneMap applies per-channel lookup tables built from gain, offset and gamma.
func toneMap(img *image.NRGBA, gain, off [3]float64, gamma float64) {
	var lut [3][256]uint8
	for c := range 3 {
		for v := range 256 {
			x := math.Pow(float64(v)/255, gamma) * 255
			lut[c][v] = clamp8(x*gain[c] + off[c])
		}
	}
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i] = lut[0][img.Pix[i]]
		img.Pix[i+1] = lut[1][img.Pix[i+1]]
		img.Pix[i+2] = lut[2][img.Pix[i+2]]
	}
}

// jitterTone changes brightness and colour balance a little (strength ~0.1).
func jitterTone(r *rand.Rand, img *image.NRGBA, s float64) {
	g := 1 + uf(r, -s, s)
	toneMap(img, [3]float64{g * (1 + uf(r, -s, s)/2), g * (1 + uf(r, -s, s)/2), g * (1 + uf(r, -s, s)/2)},
		[3]float64{}, 1+uf(r, -s, s))
}

// Mask shapes for items.
const (
	shapeRect = iota
	shapeRound
	shapeEllipse
	nShapes
)

// setMask writes a soft-edged alpha of the given shape into img (in place).
// feather is the soft edge in pixels.
func setMask(img *image.NRGBA, shape int, feather float64) {
	b := img.Bounds()
	w, h := float64(b.Dx()), float64(b.Dy())
	feather = math.Max(feather, 0.7)
	rad := 0.2 * math.Min(w, h)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			px, py := float64(x-b.Min.X)+0.5, float64(y-b.Min.Y)+0.5
			var d float64 // signed distance to the edge, positive inside
			switch shape {
			case shapeEllipse:
				nx, ny := (px-w/2)/(w/2), (py-h/2)/(h/2)
				rr := math.Sqrt(nx*nx + ny*ny)
				d = (1 - rr) * math.Min(w, h) / 2
			case shapeRound:
				qx := math.Abs(px-w/2) - (w/2 - rad)
				qy := math.Abs(py-h/2) - (h/2 - rad)
				out := math.Hypot(math.Max(qx, 0), math.Max(qy, 0)) + math.Min(math.Max(qx, qy), 0)
				d = rad - out
			default:
				d = math.Min(math.Min(px, w-px), math.Min(py, h-py))
			}
			i := img.PixOffset(x, y)
			img.Pix[i+3] = clamp8(255 * smoothstep(d/feather))
		}
	}
}

// over composites src (with its alpha) onto dst with src's top-left at (x, y).
func over(dst, src *image.NRGBA, x, y int) {
	overA(dst, src, x, y, 1)
}

// overA is over with the source alpha scaled by k.
func overA(dst, src *image.NRGBA, x, y int, k float64) {
	sb := src.Bounds()
	db := dst.Bounds()
	for sy := sb.Min.Y; sy < sb.Max.Y; sy++ {
		dy := y + sy - sb.Min.Y
		if dy < db.Min.Y || dy >= db.Max.Y {
			continue
		}
		for sx := sb.Min.X; sx < sb.Max.X; sx++ {
			dx := x + sx - sb.Min.X
			if dx < db.Min.X || dx >= db.Max.X {
				continue
			}
			si := src.PixOffset(sx, sy)
			a := float64(src.Pix[si+3]) / 255 * k
			if a <= 0 {
				continue
			}
			di := dst.PixOffset(dx, dy)
			for c := range 3 {
				dst.Pix[di+c] = clamp8(float64(dst.Pix[di+c])*(1-a) + float64(src.Pix[si+c])*a)
			}
			dst.Pix[di+3] = clamp8(255*a + float64(dst.Pix[di+3])*(1-a))
		}
	}
}

// shadow darkens dst under a blurred copy of src's alpha placed at (x, y).
func shadow(dst, src *image.NRGBA, x, y int, sigma, k float64) {
	b := src.Bounds()
	pad := iround(2 * sigma)
	m := image.NewNRGBA(image.Rect(0, 0, b.Dx()+2*pad, b.Dy()+2*pad))
	for yy := 0; yy < b.Dy(); yy++ {
		for xx := 0; xx < b.Dx(); xx++ {
			m.Pix[m.PixOffset(xx+pad, yy+pad)+3] = src.Pix[src.PixOffset(b.Min.X+xx, b.Min.Y+yy)+3]
		}
	}
	m = imaging.Blur(m, sigma)
	overA(dst, m, x-pad, y-pad, k)
}

// mirrorIdx folds i into [0, n) by mirroring at the edges.
func mirrorIdx(i, n int) int {
	if n <= 1 {
		return 0
	}
	p := 2 * n
	i %= p
	if i < 0 {
		i += p
	}
	if i >= n {
		i = p - 1 - i
	}
	return i
}

// sample returns img's colour at (x, y) (pixel units, bilinear, mirrored
// outside).
func sample(img *image.NRGBA, x, y float64) (float64, float64, float64) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	x -= 0.5
	y -= 0.5
	fx, fy := math.Floor(x), math.Floor(y)
	tx, ty := x-fx, y-fy
	x0, y0 := mirrorIdx(int(fx), w), mirrorIdx(int(fy), h)
	x1, y1 := mirrorIdx(int(fx)+1, w), mirrorIdx(int(fy)+1, h)
	i00 := y0*img.Stride + x0*4
	i10 := y0*img.Stride + x1*4
	i01 := y1*img.Stride + x0*4
	i11 := y1*img.Stride + x1*4
	p := img.Pix
	var o [3]float64
	for c := range 3 {
		a := float64(p[i00+c])*(1-tx) + float64(p[i10+c])*tx
		bb := float64(p[i01+c])*(1-tx) + float64(p[i11+c])*tx
		o[c] = a*(1-ty) + bb*ty
	}
	return o[0], o[1], o[2]
}

// setPix writes an opaque colour.
func setPix(img *image.NRGBA, x, y int, rr, gg, bb float64) {
	i := img.PixOffset(x, y)
	img.Pix[i] = clamp8(rr)
	img.Pix[i+1] = clamp8(gg)
	img.Pix[i+2] = clamp8(bb)
	img.Pix[i+3] = 255
}

// profile is a smooth random curve of length n (mean ~0): control points every
// spacing pixels with Gaussian values of sd amp, cosine-interpolated.
func profile(r *rand.Rand, n int, spacing, amp float64) []float64 {
	spacing = math.Max(spacing, 1)
	k := int(float64(n)/spacing) + 3
	cp := make([]float64, k)
	for i := range cp {
		cp[i] = r.NormFloat64() * amp
	}
	off := uf(r, 0, spacing)
	out := make([]float64, n)
	for x := range n {
		t := (float64(x) + off) / spacing
		i := int(t)
		f := t - float64(i)
		f = (1 - math.Cos(f*math.Pi)) / 2
		out[x] = cp[i]*(1-f) + cp[i+1]*f
	}
	return out
}

// addTo adds b to a element-wise.
func addTo(a, b []float64) {
	for i := range a {
		a[i] += b[i]
	}
}

// background is a w×h backdrop for placed items: a blurred photo, a
// gradient, a flat colour or a softened real scene.
func background(r *rand.Rand, src image.Image, w, h int, allowScene bool) *image.NRGBA {
	var out *image.NRGBA
	p := r.Float64()
	switch {
	case p < 0.3:
		out = washed(r, src, w, h)
	case p < 0.55:
		c1 := randColour(r, 0, 0.7, 0.1, 0.95)
		c2 := hsv(uf(r, 0, 360), uf(r, 0, 0.6), clampF(float64(c1.G)/255+uf(r, -0.3, 0.3), 0.05, 1))
		out = gradient(w, h, []color.NRGBA{c1, c2}, uf(r, 0, 2*math.Pi))
	case p < 0.75 || !allowScene:
		out = imaging.New(w, h, randColour(r, 0, 0.8, 0.05, 0.95))
		// a gentle light falloff so it is not perfectly flat
		v := gradient(w, h, []color.NRGBA{{255, 255, 255, 255}, {0, 0, 0, 255}}, uf(r, 0, 2*math.Pi))
		out = blend(out, v, uf(r, 0, 0.15))
	default:
		// a real scene, out of focus and subdued
		out = blur(randView(r, src, w, h, 1, 1.6), uf(r, 7, 16))
		k := uf(r, 0.4, 0.7)
		toneMap(out, [3]float64{k * uf(r, 0.9, 1.1), k * uf(r, 0.9, 1.1), k * uf(r, 0.9, 1.1)}, [3]float64{30 * (1 - k), 30 * (1 - k), 30 * (1 - k)}, 1)
	}
	addNoise(r, out, uf(r, 1, 5), chance(r, 0.5))
	return out
}

// blend mixes b into a by t (same sizes), in place on a copy of a.
func blend(a, b *image.NRGBA, t float64) *image.NRGBA {
	out := imaging.Clone(a)
	for i := range out.Pix {
		out.Pix[i] = clamp8(float64(a.Pix[i])*(1-t) + float64(b.Pix[i])*t)
	}
	return out
}

// finish applies camera-like variation shared by every generator: exposure,
// white balance, contrast, sometimes a slight blur, and sensor noise.
func finish(r *rand.Rand, img *image.NRGBA) *image.NRGBA {
	g := uf(r, 0.85, 1.15)
	c := uf(r, 0.85, 1.15)
	var gain, off [3]float64
	for i := range 3 {
		gain[i] = g * c * (1 + uf(r, -0.06, 0.06))
		off[i] = 128 * (1 - c)
	}
	toneMap(img, gain, off, uf(r, 0.85, 1.15))
	if chance(r, 0.25) {
		img = imaging.Blur(img, uf(r, 0.3, 0.9))
	}
	addNoise(r, img, uf(r, 0, 4), chance(r, 0.6))
	return img
}
