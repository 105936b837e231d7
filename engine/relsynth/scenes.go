package relsynth

import (
	"image"
	"image/color"
	"math"
	"math/rand/v2"

	"github.com/disintegration/imaging"
)

// makeBands: 3–6 horizontal strata from different photos with wavy borders.
func makeBands(r *rand.Rand, src []image.Image) *image.NRGBA {
	w, h := randSize(r)
	n := ui(r, 3, 6)
	photos := pick(r, src, n)
	// band heights
	wts := make([]float64, n)
	var tot float64
	for i := range wts {
		wts[i] = uf(r, 0.4, 1.6)
		tot += wts[i]
	}
	base := make([]float64, n+1)
	for i := range n {
		base[i+1] = base[i] + wts[i]/tot*float64(h)
	}
	// n-1 wavy borders
	bounds := make([][]float64, n)
	for k := 1; k < n; k++ {
		gap := math.Min(base[k]-base[k-1], base[k+1]-base[k])
		c := make([]float64, w)
		for x := range c {
			c[x] = base[k]
		}
		addTo(c, profile(r, w, uf(r, 60, 260), gap*uf(r, 0.05, 0.25)))
		addTo(c, profile(r, w, uf(r, 12, 50), gap*uf(r, 0, 0.08)))
		if chance(r, 0.4) { // ragged (trees, rocks)
			addTo(c, profile(r, w, uf(r, 2, 6), uf(r, 0.5, 3)))
		}
		tilt := uf(r, -0.05, 0.05) * float64(h)
		for x := range c {
			c[x] += tilt * (float64(x)/float64(w) - 0.5)
		}
		bounds[k] = c
	}
	out := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range n {
		top, bot := 0, h
		if i > 0 {
			lo := math.Inf(1)
			for _, v := range bounds[i] {
				lo = math.Min(lo, v)
			}
			top = clampI(int(lo)-4, 0, h-1)
		}
		if i < n-1 {
			hi := math.Inf(-1)
			for _, v := range bounds[i+1] {
				hi = math.Max(hi, v)
			}
			bot = clampI(int(hi)+5, top+1, h)
		}
		layer := bandContent(r, photos[i], w, bot-top)
		feather := uf(r, 0.7, 3)
		for y := top; y < bot; y++ {
			for x := range w {
				a := 1.0
				if i > 0 {
					a = smoothstep((float64(y)+0.5-bounds[i][x])/feather + 0.5)
				}
				if a <= 0 {
					continue
				}
				si := layer.PixOffset(x, y-top)
				di := out.PixOffset(x, y)
				for c := range 3 {
					out.Pix[di+c] = clamp8(float64(out.Pix[di+c])*(1-a) + float64(layer.Pix[si+c])*a)
				}
				out.Pix[di+3] = 255
			}
		}
	}
	return out
}

// bandContent is a w×h stratum: a horizontally stretched or tiled strip of
// src, a blurred strip, or a gradient in src's colours.
func bandContent(r *rand.Rand, src image.Image, w, h int) *image.NRGBA {
	var out *image.NRGBA
	switch p := r.Float64(); {
	case p < 0.45:
		sx := uf(r, 1.5, 4)
		out = randView(r, src, max(8, iround(float64(w)/sx)), h, 1, 2.5)
		out = imaging.Resize(out, w, h, imaging.Linear)
	case p < 0.7:
		// several crops of the same photo side by side, cross-faded
		k := ui(r, 2, 4)
		fade := ui(r, 16, 48)
		tw := (w+(k-1)*fade)/k + 1
		out = image.NewNRGBA(image.Rect(0, 0, w, h))
		sx := uf(r, 1, 2.5)
		for i := range k {
			t := randView(r, src, max(8, iround(float64(tw)/sx)), h, 1.2, 3)
			t = imaging.Resize(t, tw, h, imaging.Linear)
			x0 := i * (tw - fade)
			if i > 0 {
				for y := range h {
					for x := range fade {
						t.Pix[t.PixOffset(x, y)+3] = clamp8(255 * smoothstep((float64(x)+0.5)/float64(fade)))
					}
				}
			}
			over(out, t, x0, 0)
		}
	case p < 0.87:
		sx := uf(r, 1.5, 4)
		out = randView(r, src, max(8, iround(float64(w)/sx)), h, 1, 2)
		out = blur(imaging.Resize(out, w, h, imaging.Linear), uf(r, 2, 7))
	default:
		m := meanColour(randView(r, src, 32, 32, 1, 2))
		c1 := color.NRGBA{clamp8(m[0] * uf(r, 0.6, 1.4)), clamp8(m[1] * uf(r, 0.6, 1.4)), clamp8(m[2] * uf(r, 0.6, 1.4)), 255}
		c2 := randColour(r, 0, 0.6, 0.2, 1)
		out = gradient(w, h, []color.NRGBA{c1, c2}, math.Pi/2+uf(r, -0.3, 0.3))
		addNoise(r, out, uf(r, 2, 6), false)
	}
	jitterTone(r, out, 0.15)
	return out
}

// skyColours returns the stops of a sky gradient (top to bottom).
func skyColours(r *rand.Rand) []color.NRGBA {
	switch r.IntN(5) {
	case 0: // sunset
		return []color.NRGBA{hsv(uf(r, 200, 270), uf(r, 0.4, 0.8), uf(r, 0.3, 0.6)),
			hsv(uf(r, 0, 35), uf(r, 0.5, 0.9), uf(r, 0.8, 1)), hsv(uf(r, 30, 55), uf(r, 0.5, 0.9), 1)}
	case 1: // daylight
		return []color.NRGBA{hsv(uf(r, 195, 225), uf(r, 0.5, 0.85), uf(r, 0.7, 0.95)),
			hsv(uf(r, 190, 215), uf(r, 0.05, 0.3), 1)}
	case 2: // dusk
		return []color.NRGBA{hsv(uf(r, 240, 290), uf(r, 0.4, 0.7), uf(r, 0.35, 0.6)),
			hsv(uf(r, 300, 350), uf(r, 0.3, 0.6), uf(r, 0.75, 1)), hsv(uf(r, 20, 50), uf(r, 0.3, 0.7), 1)}
	case 3: // overcast / fog
		return []color.NRGBA{hsv(uf(r, 0, 360), uf(r, 0, 0.1), uf(r, 0.65, 0.85)), hsv(uf(r, 0, 360), uf(r, 0, 0.08), uf(r, 0.85, 1))}
	default: // golden
		return []color.NRGBA{hsv(uf(r, 30, 50), uf(r, 0.4, 0.8), uf(r, 0.75, 0.95)), hsv(uf(r, 40, 60), uf(r, 0.2, 0.5), 1)}
	}
}

// sky is a bright w×h backdrop: a gradient (maybe with a sun glow) or a
// brightened, blurred photo crop.
func sky(r *rand.Rand, src image.Image, w, h int) *image.NRGBA {
	var out *image.NRGBA
	if chance(r, 0.65) {
		out = gradient(w, h, skyColours(r), math.Pi/2+uf(r, -0.25, 0.25))
		if chance(r, 0.4) { // sun glow
			cx, cy := uf(r, 0.1, 0.9)*float64(w), uf(r, 0.3, 0.9)*float64(h)
			rad := uf(r, 0.1, 0.4) * float64(max(w, h))
			sc := hsv(uf(r, 30, 60), uf(r, 0.1, 0.5), 1)
			for y := range h {
				for x := range w {
					d := math.Hypot(float64(x)-cx, float64(y)-cy) / rad
					a := math.Exp(-d * d)
					i := out.PixOffset(x, y)
					out.Pix[i] = clamp8(float64(out.Pix[i])*(1-a) + float64(sc.R)*a)
					out.Pix[i+1] = clamp8(float64(out.Pix[i+1])*(1-a) + float64(sc.G)*a)
					out.Pix[i+2] = clamp8(float64(out.Pix[i+2])*(1-a) + float64(sc.B)*a)
				}
			}
		}
	} else {
		out = blur(randView(r, src, w, h, 1, 2), uf(r, 3, 12))
		k := uf(r, 0.25, 0.55)
		tint := skyColours(r)
		t := tint[len(tint)-1]
		toneMap(out, [3]float64{k, k, k}, [3]float64{(1 - k) * float64(t.R), (1 - k) * float64(t.G), (1 - k) * float64(t.B)}, 1)
	}
	addNoise(r, out, uf(r, 0.5, 3), true)
	return out
}

// makeSilhouette: near-black shapes (skyline, ridge, trees, branches)
// against a bright sky.
func makeSilhouette(r *rand.Rand, src []image.Image) *image.NRGBA {
	w, h := randSize(r)
	out := sky(r, src[r.IntN(len(src))], w, h)
	mask := make([]float64, w*h)
	fw, fh := float64(w), float64(h)
	target := uf(r, 0.15, 0.6)
	mode := r.Float64()
	var cov float64
	if mode >= 0.65 { // branches from a side or the top
		drawBranches(r, mask, w, h)
		for _, v := range mask {
			cov += v
		}
		cov /= fw * fh
	}
	if mode < 0.85 || cov < 0.15 {
		// optional far, hazy ridge first
		if chance(r, 0.35) {
			far := ridge(r, w, h, uf(r, 0.3, 0.6))
			k := uf(r, 0.35, 0.65)
			dc := color.NRGBA{clamp8(uf(r, 5, 40)), clamp8(uf(r, 5, 40)), clamp8(uf(r, 10, 50)), 255}
			paintProfile(out, far, dc, k)
		}
		want := math.Max(target-cov, 0.08)
		top := ridge(r, w, h, want)
		for x := range w {
			for y := max(0, int(top[x])-1); y < h; y++ {
				a := clampF(float64(y)+0.5-top[x], 0, 1)
				i := y*w + x
				mask[i] = math.Max(mask[i], a)
			}
		}
		if chance(r, 0.35) { // broad-leaved trees standing on the ridge
			for range ui(r, 1, 7) {
				x := uf(r, 0, fw)
				base := top[clampI(int(x), 0, w-1)] + 3
				th := uf(r, 0.04, 0.2) * fh
				cr := uf(r, 0.04, 0.14) * math.Min(fw, fh)
				tw := uf(r, 0.008, 0.02) * fw
				cy := base - th - cr*0.5
				capsule(mask, w, h, x, base, x+r.NormFloat64()*cr*0.2, cy, tw, tw*0.5)
				for range ui(r, 4, 10) {
					ellipseMask(mask, w, h, x+r.NormFloat64()*cr*0.6, cy+r.NormFloat64()*cr*0.4,
						cr*uf(r, 0.3, 0.6), cr*uf(r, 0.25, 0.5))
				}
			}
		}
	}
	dark := [3]float64{uf(r, 0, 22), uf(r, 0, 22), uf(r, 0, 28)}
	for y := range h {
		for x := range w {
			a := mask[y*w+x]
			if a <= 0 {
				continue
			}
			i := out.PixOffset(x, y)
			for c := range 3 {
				out.Pix[i+c] = clamp8(float64(out.Pix[i+c])*(1-a) + dark[c]*a)
			}
		}
	}
	return out
}

// paintProfile darkens everything below the profile toward colour c by k.
func paintProfile(img *image.NRGBA, top []float64, c color.NRGBA, k float64) {
	b := img.Bounds()
	for x := range b.Dx() {
		for y := max(0, int(top[x])-1); y < b.Dy(); y++ {
			a := clampF(float64(y)+0.5-top[x], 0, 1) * k
			i := img.PixOffset(x, y)
			img.Pix[i] = clamp8(float64(img.Pix[i])*(1-a) + float64(c.R)*a)
			img.Pix[i+1] = clamp8(float64(img.Pix[i+1])*(1-a) + float64(c.G)*a)
			img.Pix[i+2] = clamp8(float64(img.Pix[i+2])*(1-a) + float64(c.B)*a)
		}
	}
}

// ridge is a skyline profile (the y of the top of the dark ground at each
// x) covering about frac of the frame: a random-walk ridge, maybe with trees,
// buildings or poles on it.
func ridge(r *rand.Rand, w, h int, frac float64) []float64 {
	fh := float64(h)
	top := make([]float64, w)
	addTo(top, profile(r, w, uf(r, 80, 400), fh*uf(r, 0.02, 0.12)))
	addTo(top, profile(r, w, uf(r, 15, 60), fh*uf(r, 0.005, 0.03)))
	addTo(top, profile(r, w, uf(r, 2, 5), uf(r, 0, 1.5)))
	tilt := uf(r, -0.15, 0.15) * fh
	for x := range top {
		top[x] += tilt * float64(x) / float64(w)
	}
	switch p := r.Float64(); {
	case p < 0.3: // conifers
		for range ui(r, 3, 40) {
			cx := uf(r, 0, float64(w))
			ht := uf(r, 0.05, 0.3) * fh
			hw := ht * uf(r, 0.15, 0.35)
			for x := max(0, int(cx-hw)); x < min(w, int(cx+hw)+1); x++ {
				d := math.Abs(float64(x)-cx) / hw
				t := ht*(1-d) + r.NormFloat64()*ht*0.03
				top[x] = math.Min(top[x], -t)
			}
		}
	case p < 0.4: // plain ridge
	case p < 0.7: // buildings
		x := -ui(r, 0, 40)
		for x < w {
			bw := ui(r, max(8, w/40), max(10, w/6))
			bh := uf(r, 0.03, 0.35) * fh
			spire := chance(r, 0.1)
			for xx := max(0, x); xx < min(w, x+bw); xx++ {
				t := bh
				if spire {
					d := math.Abs(float64(xx-x)-float64(bw)/2) / (float64(bw) / 2)
					t += bh * 0.5 * math.Max(0, 1-3*d)
				}
				top[xx] = math.Min(top[xx], -t)
			}
			x += bw + ui(r, 0, w/30)
		}
	case p < 0.85: // poles
		for range ui(r, 1, 6) {
			cx := ui(r, 0, w-1)
			ht := uf(r, 0.1, 0.4) * fh
			for xx := max(0, cx-1); xx < min(w, cx+ui(r, 1, 3)); xx++ {
				top[xx] = math.Min(top[xx], -ht)
			}
		}
	}
	// shift so that the covered area is about frac
	lo, hi := -2*fh, 2*fh
	for range 30 {
		mid := (lo + hi) / 2
		var a float64
		for _, t := range top {
			a += clampF(fh-(t+mid), 0, fh)
		}
		if a/(float64(w)*fh) > frac {
			lo = mid
		} else {
			hi = mid
		}
	}
	s := (lo + hi) / 2
	for x := range top {
		top[x] += s
	}
	return top
}

// drawBranches paints tapering branches (and leaf clumps) into mask.
func drawBranches(r *rand.Rand, mask []float64, w, h int) {
	fw, fh := float64(w), float64(h)
	var x, y, ang float64
	switch r.IntN(3) {
	case 0: // from the left
		x, y, ang = -5, uf(r, 0.1, 0.8)*fh, uf(r, -0.6, 0.3)
	case 1: // from the right
		x, y, ang = fw+5, uf(r, 0.1, 0.8)*fh, math.Pi+uf(r, -0.3, 0.6)
	default: // from the top
		x, y, ang = uf(r, 0.1, 0.9)*fw, -5, math.Pi/2+uf(r, -0.6, 0.6)
	}
	length := uf(r, 0.3, 0.6) * math.Max(fw, fh)
	thick := uf(r, 0.02, 0.05) * math.Min(fw, fh)
	leaves := chance(r, 0.5)
	var grow func(x, y, ang, length, thick float64, depth int)
	grow = func(x, y, ang, length, thick float64, depth int) {
		steps := ui(r, 3, 6)
		for s := range steps {
			ang += r.NormFloat64() * 0.15
			l := length / float64(steps)
			nx, ny := x+math.Cos(ang)*l, y+math.Sin(ang)*l
			t2 := thick * (1 - 0.5*float64(s+1)/float64(steps))
			capsule(mask, w, h, x, y, nx, ny, thick/2, t2/2)
			if depth < 4 && chance(r, 0.45) {
				grow(nx, ny, ang+sign(r)*uf(r, 0.4, 1.1), length*uf(r, 0.35, 0.65), t2*0.7, depth+1)
			}
			x, y, thick = nx, ny, t2
		}
		if leaves && depth >= 2 {
			for range ui(r, 2, 8) {
				ellipseMask(mask, w, h, x+r.NormFloat64()*length*0.1, y+r.NormFloat64()*length*0.1, uf(r, 3, 12), uf(r, 2, 7))
			}
		}
		if depth < 4 {
			grow(x, y, ang+sign(r)*uf(r, 0.2, 0.6), length*uf(r, 0.4, 0.7), thick*0.7, depth+1)
		}
	}
	grow(x, y, ang, length, thick, 0)
}

// capsule paints an anti-aliased tapered line segment into mask.
func capsule(mask []float64, w, h int, x0, y0, x1, y1, r0, r1 float64) {
	rm := math.Max(r0, r1) + 1
	minX, maxX := max(0, int(math.Min(x0, x1)-rm)), min(w-1, int(math.Max(x0, x1)+rm))
	minY, maxY := max(0, int(math.Min(y0, y1)-rm)), min(h-1, int(math.Max(y0, y1)+rm))
	dx, dy := x1-x0, y1-y0
	l2 := dx*dx + dy*dy + 1e-9
	for y := minY; y <= maxY; y++ {
		for x := minX; x <= maxX; x++ {
			px, py := float64(x)+0.5-x0, float64(y)+0.5-y0
			t := clampF((px*dx+py*dy)/l2, 0, 1)
			d := math.Hypot(px-t*dx, py-t*dy)
			rr := r0 + (r1-r0)*t
			a := clampF(rr-d+0.5, 0, 1)
			i := y*w + x
			mask[i] = math.Max(mask[i], a)
		}
	}
}

// ellipseMask paints an anti-aliased filled ellipse into mask.
func ellipseMask(mask []float64, w, h int, cx, cy, rx, ry float64) {
	for y := max(0, int(cy-ry-1)); y <= min(h-1, int(cy+ry+1)); y++ {
		for x := max(0, int(cx-rx-1)); x <= min(w-1, int(cx+rx+1)); x++ {
			nx, ny := (float64(x)+0.5-cx)/rx, (float64(y)+0.5-cy)/ry
			d := (1 - math.Sqrt(nx*nx+ny*ny)) * math.Min(rx, ry)
			a := clampF(d+0.5, 0, 1)
			i := y*w + x
			mask[i] = math.Max(mask[i], a)
		}
	}
}

// makeReflection: a scene above a horizontal axis and its darker, bluer,
// blurred and rippled mirror image below.
func makeReflection(r *rand.Rand, src []image.Image) *image.NRGBA {
	w, h := randSize(r)
	ht := iround(uf(r, 0.35, 0.65) * float64(h))
	hb := h - ht
	top := randView(r, src[r.IntN(len(src))], w, ht, 1, 1.8)
	var refl *image.NRGBA
	if hb <= ht {
		refl = imaging.FlipV(imaging.Crop(top, image.Rect(0, ht-hb, w, ht)))
	} else {
		refl = imaging.Resize(imaging.FlipV(top), w, hb, imaging.Linear)
	}
	refl = imaging.Blur(refl, uf(r, 0.8, 3))
	dark := uf(r, 0.45, 0.85)
	fade := uf(r, 0, 0.4)
	alpha := uf(r, 0.08, 0.35)
	tints := []color.NRGBA{{25, 50, 90, 255}, {30, 70, 80, 255}, {40, 60, 50, 255}, {15, 25, 50, 255}, {60, 70, 90, 255}}
	tint := tints[r.IntN(len(tints))]
	amp := uf(r, 1, 6)
	period := uf(r, 3, 14)
	period2 := uf(r, 10, 40)
	phase, phase2 := uf(r, 0, 2*math.Pi), uf(r, 0, 2*math.Pi)
	streaks := chance(r, 0.4)
	out := image.NewNRGBA(image.Rect(0, 0, w, h))
	over(out, top, 0, 0)
	for y := range hb {
		fy := float64(y) / float64(hb)
		k := dark * (1 - fade*fy)
		a := amp * (0.3 + fy*1.5)
		dx := a * (math.Sin(2*math.Pi*float64(y)/(period*(1+fy))+phase) + 0.5*math.Sin(2*math.Pi*float64(y)/period2+phase2))
		bright := 0.0
		if streaks && math.Sin(float64(y)*0.7+phase2)*math.Sin(float64(y)*0.13+phase) > 0.8 {
			bright = 20
		}
		for x := range w {
			cr, cg, cb := sample(refl, float64(x)+0.5+dx, float64(y)+0.5)
			cs := [3]float64{cr, cg, cb}
			tc := [3]float64{float64(tint.R), float64(tint.G), float64(tint.B)}
			i := out.PixOffset(x, ht+y)
			for c := range 3 {
				out.Pix[i+c] = clamp8(cs[c]*k*(1-alpha) + tc[c]*alpha + bright)
			}
			out.Pix[i+3] = 255
		}
	}
	if chance(r, 0.35) { // a thin dark shoreline at the axis
		t := ui(r, 1, 4)
		for y := max(0, ht-t); y < min(h, ht+t/2+1); y++ {
			for x := range w {
				i := out.PixOffset(x, y)
				for c := range 3 {
					out.Pix[i+c] = clamp8(float64(out.Pix[i+c]) * 0.5)
				}
			}
		}
	}
	return out
}

// makePlain: an ordinary photo, a random crop, sometimes flipped.
func makePlain(r *rand.Rand, src []image.Image) *image.NRGBA {
	w, h := randSize(r)
	p := src[r.IntN(len(src))]
	out := view(p, w, h, uf(r, 0, 1), uf(r, 0, 1), 1/uf(r, 0.4, 1))
	if chance(r, 0.5) {
		out = imaging.FlipH(out)
	}
	return out
}

// makeFrameInFrame: a scene seen through an opening in a dark or textured
// foreground surround.
func makeFrameInFrame(r *rand.Rand, src []image.Image) *image.NRGBA {
	w, h := randSize(r)
	ph := pick(r, src, 2)
	fw, fh := float64(w), float64(h)
	out := randView(r, ph[0], w, h, 1, 1.8)
	if chance(r, 0.5) {
		toneMap(out, [3]float64{1.15, 1.15, 1.15}, [3]float64{10, 10, 10}, 0.9)
	}
	// the surround
	var sur *image.NRGBA
	switch p := r.Float64(); {
	case p < 0.4:
		sur = randView(r, ph[1], w, h, 1, 2)
		k := uf(r, 0.15, 0.5)
		toneMap(sur, [3]float64{k, k, k}, [3]float64{}, 1)
		sur = blur(sur, uf(r, 0, 2))
	case p < 0.7:
		c := randColour(r, 0, 0.5, 0.02, 0.15)
		sur = imaging.New(w, h, c)
		addNoise(r, sur, uf(r, 2, 6), true)
	default: // a wall-like surface: the photo flattened and dimmed
		sur = randView(r, ph[1], w, h, 1.5, 3)
		jitterTone(r, sur, 0.2)
		m := meanColour(sur)
		k := uf(r, 0.3, 0.6)
		c := uf(r, 0.35, 0.7) // contrast kept
		toneMap(sur, [3]float64{k * c, k * c, k * c}, [3]float64{k * (1 - c) * m[0], k * (1 - c) * m[1], k * (1 - c) * m[2]}, 1)
	}
	// keep the surround clearly darker than the view through it
	lin, lsur := lumaMean(out), lumaMean(sur)
	if lin < 90 {
		k := 90 / math.Max(lin, 1)
		toneMap(out, [3]float64{k, k, k}, [3]float64{}, 1)
		lin = 90
	}
	if ratio := uf(r, 0.3, 0.7); lsur > ratio*lin {
		k := ratio * lin / lsur
		toneMap(sur, [3]float64{k, k, k}, [3]float64{}, 1)
	}
	// the opening
	area := uf(r, 0.25, 0.6)
	asp := uf(r, 0.5, 1.6) * math.Sqrt(fw/fh)
	ow := math.Sqrt(area*fw*fh*asp) * 1.05
	oh := area * fw * fh / ow
	ow, oh = math.Min(ow, fw*0.9), math.Min(oh, fh*0.92)
	cx := fw/2 + uf(r, -0.5, 0.5)*(fw-ow)*0.8
	cy := fh/2 + uf(r, -0.5, 0.5)*(fh-oh)*0.8
	shape := r.IntN(4) // 0 rect, 1 arch, 2 ellipse, 3 rounded
	rad := math.Min(ow, oh) * uf(r, 0.05, 0.2)
	bars := 0
	if shape != 2 && chance(r, 0.25) {
		bars = ui(r, 1, 2)
	}
	barW := uf(r, 0.01, 0.03) * math.Min(fw, fh)
	rim := uf(r, 3, 0.06*math.Min(fw, fh))
	rimK := uf(r, -0.6, 0.6) // rim lighter (>0) or darker (<0)
	x0, y0 := cx-ow/2, cy-oh/2
	for y := range h {
		for x := range w {
			px, py := float64(x)+0.5, float64(y)+0.5
			var d float64 // inside distance to the opening's edge
			switch shape {
			case 1: // arch: rectangle with a semicircular top
				rr := ow / 2
				if py < y0+rr {
					d = rr - math.Hypot(px-cx, py-(y0+rr))
				} else {
					d = math.Min(rr-math.Abs(px-cx), y0+oh-py)
				}
			case 2:
				nx, ny := (px-cx)/(ow/2), (py-cy)/(oh/2)
				d = (1 - math.Sqrt(nx*nx+ny*ny)) * math.Min(ow, oh) / 2
			case 3:
				qx := math.Abs(px-cx) - (ow/2 - rad)
				qy := math.Abs(py-cy) - (oh/2 - rad)
				d = rad - (math.Hypot(math.Max(qx, 0), math.Max(qy, 0)) + math.Min(math.Max(qx, qy), 0))
			default:
				d = math.Min(math.Min(px-x0, x0+ow-px), math.Min(py-y0, y0+oh-py))
			}
			if bars > 0 {
				bd := math.Abs(px - cx)
				if bars == 2 {
					bd = math.Min(bd, math.Abs(py-cy))
				}
				d = math.Min(d, bd-barW/2)
			}
			a := smoothstep(0.5 - d/1.2) // surround coverage
			i := out.PixOffset(x, y)
			if a <= 0 {
				// inner shadow near the edge
				if d < rim*0.6 {
					k := 1 - 0.35*(1-d/(rim*0.6))
					for c := range 3 {
						out.Pix[i+c] = clamp8(float64(out.Pix[i+c]) * k)
					}
				}
				continue
			}
			k := 1.0
			if -d < rim { // bevel around the opening
				t := 1 + d/rim
				k = 1 + rimK*t
			}
			for c := range 3 {
				v := float64(sur.Pix[i+c]) * k
				out.Pix[i+c] = clamp8(float64(out.Pix[i+c])*(1-a) + v*a)
			}
		}
	}
	return out
}
