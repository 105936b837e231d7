package relsynth

import (
	"image"
	"math"
	"math/rand/v2"

	"github.com/disintegration/imaging"
)

// makeRadial: parts radiating from or circling one centre near the middle.
func makeRadial(r *rand.Rand, src []image.Image) *image.NRGBA {
	w, h := randSize(r)
	fw, fh := float64(w), float64(h)
	cx := fw * (0.5 + sign(r)*uf(r, 0.03, 0.2))
	cy := fh * (0.5 + sign(r)*uf(r, 0.03, 0.2))
	ph := pick(r, src, 3)
	out := image.NewNRGBA(image.Rect(0, 0, w, h))
	rot := uf(r, 0, 2*math.Pi)
	switch p := r.Float64(); {
	case p < 0.35: // kaleidoscope
		n := ui(r, 6, 24)
		s := ui(r, 160, 320)
		tex := subject(r, ph[0], s, s)
		ox, oy := uf(r, 0.2, 0.8)*float64(s), uf(r, 0.2, 0.8)*float64(s)
		k := uf(r, 0.4, 1.2)
		wedge := 2 * math.Pi / float64(n)
		tr := uf(r, 0, 2*math.Pi)
		for y := range h {
			for x := range w {
				dx, dy := float64(x)+0.5-cx, float64(y)+0.5-cy
				th := math.Atan2(dy, dx) - rot
				rho := math.Hypot(dx, dy) * k
				th = math.Mod(th, wedge)
				if th < 0 {
					th += wedge
				}
				if th > wedge/2 {
					th = wedge - th
				}
				cr, cg, cb := sample(tex, ox+rho*math.Cos(th+tr), oy+rho*math.Sin(th+tr))
				setPix(out, x, y, cr, cg, cb)
			}
		}
	case p < 0.6: // flower / petals on a background
		bg := background(r, ph[1], w, h, true)
		n := ui(r, 5, 16)
		R := uf(r, 0.3, 0.65) * math.Min(fw, fh)
		pw := uf(r, 1, 4)
		a0 := uf(r, 0.15, 0.45)
		s := 256
		tex := subject(r, ph[0], s, s)
		core := randView(r, ph[2], s, s, 1.5, 3)
		coreR := R * uf(r, 0.12, 0.3)
		layers := ui(r, 1, 2)
		for y := range h {
			for x := range w {
				dx, dy := float64(x)+0.5-cx, float64(y)+0.5-cy
				th := math.Atan2(dy, dx) - rot
				rho := math.Hypot(dx, dy)
				br, bgc, bb := sample(bg, float64(x)+0.5, float64(y)+0.5)
				c := [3]float64{br, bgc, bb}
				for l := layers - 1; l >= 0; l-- {
					rl := R * (1 - 0.35*float64(l))
					tl := th + float64(l)*math.Pi/float64(n)
					edge := rl * (a0 + (1-a0)*math.Pow(math.Abs(math.Cos(float64(n)*tl/2)), pw))
					a := clampF(edge-rho+0.5, 0, 1)
					if a > 0 {
						u := math.Mod(tl*float64(n)/(2*math.Pi), 1)
						tr, tg, tb := sample(tex, u*float64(s)*0.8+float64(l)*40, rho/rl*float64(s))
						shade := 0.75 + 0.25*rho/rl - 0.15*float64(l)
						c = [3]float64{c[0]*(1-a) + tr*shade*a, c[1]*(1-a) + tg*shade*a, c[2]*(1-a) + tb*shade*a}
					}
				}
				if a := clampF(coreR-rho+0.5, 0, 1); a > 0 {
					tr, tg, tb := sample(core, float64(s)/2+dx, float64(s)/2+dy)
					c = [3]float64{c[0]*(1-a) + tr*a, c[1]*(1-a) + tg*a, c[2]*(1-a) + tb*a}
				}
				setPix(out, x, y, c[0], c[1], c[2])
			}
		}
	case p < 0.85: // polar warp of a photo strip: angle → x, radius → y
		sw, sh := ui(r, 240, 480), ui(r, 80, 200)
		strip := subject(r, ph[0], sw, sh)
		reps := float64(ui(r, 2, 5))
		Rm := uf(r, 0.3, 0.8) * math.Max(fw, fh)
		g := uf(r, 0.7, 1.5)
		inv := chance(r, 0.5)
		for y := range h {
			for x := range w {
				dx, dy := float64(x)+0.5-cx, float64(y)+0.5-cy
				th := math.Atan2(dy, dx) - rot
				u := math.Mod(th/(2*math.Pi)*reps+2, 1) * 2 * float64(sw) // mirrored: seamless
				v := math.Pow(math.Hypot(dx, dy)/Rm, g) * float64(sh)
				if inv {
					v = float64(sh) - v
				}
				cr, cg, cb := sample(strip, u, v)
				setPix(out, x, y, cr, cg, cb)
			}
		}
	default: // concentric rings alternating between two textures / tones
		t1 := randView(r, ph[0], w, h, 1, 1.6)
		t2 := randView(r, ph[1], w, h, 1, 1.6)
		if chance(r, 0.5) {
			t2 = imaging.Clone(t1)
			k := uf(r, 0.3, 0.6)
			toneMap(t2, [3]float64{k, k * uf(r, 0.8, 1.2), k * uf(r, 0.8, 1.2)}, [3]float64{}, 1)
		}
		rw := uf(r, 0.03, 0.1) * math.Min(fw, fh)
		grow := uf(r, 0, 0.8)
		wob := profile(r, 361, uf(r, 10, 60), uf(r, 0, 0.15))
		for y := range h {
			for x := range w {
				dx, dy := float64(x)+0.5-cx, float64(y)+0.5-cy
				rho := math.Hypot(dx, dy)
				deg := int((math.Atan2(dy, dx) + math.Pi) / (2 * math.Pi) * 360)
				q := rho / rw
				q = q / (1 + grow*q/20)
				q += wob[deg%361]
				a := smoothstep(0.5 + 0.5*math.Sin(2*math.Pi*q)*rw/3)
				i := out.PixOffset(x, y)
				for c := range 3 {
					out.Pix[i+c] = clamp8(float64(t1.Pix[i+c])*(1-a) + float64(t2.Pix[i+c])*a)
				}
				out.Pix[i+3] = 255
			}
		}
	}
	return out
}

// makeSymmetry: a subject mirrored about a vertical axis near the centre.
func makeSymmetry(r *rand.Rand, src []image.Image) *image.NRGBA {
	w, h := randSize(r)
	fw, fh := float64(w), float64(h)
	ph := pick(r, src, 2)
	if chance(r, 0.5) { // the whole frame
		a := iround(fw * (0.5 + uf(r, -0.08, 0.08)))
		m := max(a, w-a)
		L := randView(r, ph[0], m, h, 1, 2.2)
		out := mirrorHalf(r, L, w, h, a)
		return out
	}
	// a mirrored subject on a background
	out := background(r, ph[1], w, h, chance(r, 0.3))
	sh := iround(fh * uf(r, 0.5, 0.92))
	sw := iround(math.Min(fw*0.85, float64(sh)*uf(r, 0.5, 1.4)))
	ax := fw * (0.5 + uf(r, -0.08, 0.08))
	half := sw / 2
	L := subject(r, ph[0], half, sh)
	item := mirrorHalf(r, L, 2*half, sh, half)
	setMask(item, r.IntN(nShapes), uf(r, 1, 0.15*float64(half)))
	y := iround(uf(r, 0, 1) * float64(h-sh))
	if chance(r, 0.4) {
		shadow(out, item, iround(ax)-half+ui(r, -6, 6), y+ui(r, 2, 10), uf(r, 3, 10), uf(r, 0.3, 0.6))
	}
	over(out, item, iround(ax)-half, y)
	return out
}

// mirrorHalf builds a w×h image whose columns left of a come from L (L's
// right edge at a) and whose right part mirrors them, with mild asymmetric
// lighting and a slight vertical shift so that it is not pixel-exact.
func mirrorHalf(r *rand.Rand, L *image.NRGBA, w, h, a int) *image.NRGBA {
	m := L.Bounds().Dx()
	out := image.NewNRGBA(image.Rect(0, 0, w, h))
	shift := ui(r, -2, 2)
	gainR := 1 + uf(r, -0.1, 0.1)
	light := uf(r, -0.15, 0.15) // left-right lighting slope
	for y := range h {
		for x := range w {
			j, yy, k := x-a+m, y, 1.0
			if x >= a {
				j = (2*a - 1 - x) - a + m
				yy = clampI(y+shift, 0, h-1)
				k = gainR
			}
			j = clampI(j, 0, m-1)
			k *= 1 + light*(float64(x)/float64(w)-0.5)
			si := L.PixOffset(j, yy)
			di := out.PixOffset(x, y)
			for c := range 3 {
				out.Pix[di+c] = clamp8(float64(L.Pix[si+c]) * k)
			}
			out.Pix[di+3] = 255
		}
	}
	return out
}

// stripeCov is the fraction of [t-fp/2, t+fp/2] covered by stripes of width
// lw repeating every period s (box-filtered, so it does not alias).
func stripeCov(t, fp, s, lw float64) float64 {
	fp = math.Max(fp, 1e-6)
	cum := func(u float64) float64 {
		k := math.Floor(u / s)
		return k*lw + math.Min(u-k*s, lw)
	}
	return (cum(t+fp/2) - cum(t-fp/2)) / fp
}

// makeLeadingLines: planes in perspective (floor, road, rails, corridor,
// street) whose lines converge on a vanishing point.
func makeLeadingLines(r *rand.Rand, src []image.Image) *image.NRGBA {
	w, h := randSize(r)
	fw, fh := float64(w), float64(h)
	vx, vy := fw*uf(r, 0.25, 0.75), fh*uf(r, 0.25, 0.75)
	ph := pick(r, src, 4)
	f := uf(r, 0.6, 1.4) * math.Max(fw, fh) // focal length in px
	mode := r.IntN(4)                       // 0 floor/road, 1 rails, 2 corridor, 3 street
	// textures
	ts := 256
	floorTex := randView(r, ph[0], ts, ts, 1, 2)
	wallTex := randView(r, ph[1], ts, ts, 1, 2)
	floorBlur := blur(floorTex, 8)
	wallBlur := blur(wallTex, 8)
	texScale := uf(r, 40, 120) // texture px per world unit
	skyImg := sky(r, ph[2], w, h)
	fogC := meanColour(skyImg)
	if mode == 2 {
		m := meanColour(wallTex)
		k := uf(r, 0.2, 0.8)
		fogC = [3]float64{m[0] * k, m[1] * k, m[2] * k}
	}
	fogD := uf(r, 15, 60)
	halfW := uf(r, 0.8, 3)    // corridor/street half width
	ceilH := uf(r, 1.2, 3)    // corridor ceiling height above the eye
	wallTop := uf(r, 1, 8)    // street wall height above the eye
	plank := uf(r, 0.15, 0.6) // floor seam spacing (lateral)
	cross := uf(r, 0.3, 2)    // seam spacing along depth
	lineW := uf(r, 0.02, 0.08)
	lineDark := uf(r, 0.3, 0.7)
	crossOn := chance(r, 0.5)
	wallLines := uf(r, 0.2, 1)
	roadW := uf(r, 0.8, 2.5)
	lane := chance(r, 0.6)
	if mode == 0 && chance(r, 0.4) {
		toneMap(floorTex, [3]float64{0.5, 0.5, 0.5}, [3]float64{}, 1)
		toneMap(floorBlur, [3]float64{0.5, 0.5, 0.5}, [3]float64{}, 1)
	}
	// offsets keep the texture's mirror seams off the centre line
	offU, offV := uf(r, 0, 2*float64(ts)), uf(r, 0, 2*float64(ts))
	texAt := func(sharp, soft *image.NRGBA, u, v, fp float64) [3]float64 {
		u, v = u*texScale+offU, v*texScale+offV
		a1, a2, a3 := sample(sharp, u, v)
		t := clampF(fp*texScale/3, 0, 1)
		if t > 0 {
			b1, b2, b3 := sample(soft, u, v)
			a1, a2, a3 = a1*(1-t)+b1*t, a2*(1-t)+b2*t, a3*(1-t)+b3*t
		}
		return [3]float64{a1, a2, a3}
	}
	out := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			dx, dy := (float64(x)+0.5-vx)/f, (float64(y)+0.5-vy)/f
			// distance along the view to each plane
			Z := math.Inf(1)
			plane := -1 // 0 floor, 1 ceiling, 2 wall
			if dy > 0 {
				Z, plane = 1/dy, 0
			}
			if mode == 2 && dy < 0 && ceilH/-dy < Z {
				Z, plane = ceilH/-dy, 1
			}
			if (mode == 2 || mode == 3) && dx != 0 && halfW/math.Abs(dx) < Z {
				z := halfW / math.Abs(dx)
				if mode == 2 || -dy*z < wallTop {
					Z, plane = z, 2
				}
			}
			var c [3]float64
			if plane < 0 {
				cr, cg, cb := sample(skyImg, float64(x)+0.5, float64(y)+0.5)
				setPix(out, x, y, cr, cg, cb)
				continue
			}
			fp := Z / f // world units per pixel (across)
			switch plane {
			case 0, 1:
				X := dx * Z
				c = texAt(floorTex, floorBlur, X, Z, fp)
				switch mode {
				case 1: // rails on gravel with sleepers
					sl := stripeCov(Z, fp*Z, 0.6, 0.25) * clampF(1.2-math.Abs(X)/1.2, 0, 1)
					for i := range 3 {
						c[i] = c[i]*(1-sl) + 70*sl
					}
					rl := stripeCov(X+0.75, fp, 1.5, 0.07)
					if math.Abs(X) > 1.5 {
						rl = 0
					}
					for i := range 3 {
						c[i] = c[i]*(1-rl) + 200*rl
					}
				case 0: // road: road surface in the middle, lines
					if math.Abs(X) < roadW {
						for i := range 3 {
							c[i] *= 0.6
						}
						e := stripeCov(X+roadW-0.05, fp, 2*roadW-0.1, 0.1)
						if lane {
							lc := stripeCov(X+0.05, fp, 1e9, 0.1) * stripeCov(Z, fp*Z, 3, 1.5)
							e = math.Max(e, lc)
						}
						for i := range 3 {
							c[i] = c[i]*(1-e) + 230*e
						}
					}
				default: // planks / tiles
					l := stripeCov(X, fp, plank, lineW*plank)
					if crossOn {
						l = math.Max(l, stripeCov(Z, fp*Z, cross, lineW*cross))
					}
					for i := range 3 {
						c[i] *= 1 - lineDark*l
					}
				}
			case 2:
				Y := -dy * Z
				c = texAt(wallTex, wallBlur, Y, Z, fp)
				l := stripeCov(Y, fp, wallLines, 0.04)
				if mode == 3 {
					l = math.Max(l, stripeCov(Z, fp*Z, wallLines*3, 0.1))
				}
				side := 0.75
				if dx > 0 {
					side = 1
				}
				for i := range 3 {
					c[i] *= side * (1 - 0.5*l)
				}
			}
			fog := 1 - math.Exp(-Z/fogD)
			for i := range 3 {
				c[i] = c[i]*(1-fog) + fogC[i]*fog
			}
			setPix(out, x, y, c[0], c[1], c[2])
		}
	}
	return out
}
