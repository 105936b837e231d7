// Command icon draws relview's application icon, assets/icon.png: two
// panels side by side, each a large shape holding a small one in the same
// place, in different colours and shapes — the same relation, different
// looks.
//
//	go run ./tools/icon [-o assets/icon.png]
package main

import (
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
)

const size = 256

func main() {
	out := flag.String("o", "assets/icon.png", "output PNG")
	flag.Parse()
	img := draw()
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "icon:", err)
		os.Exit(1)
	}
	if err := png.Encode(f, img); err != nil {
		fmt.Fprintln(os.Stderr, "icon:", err)
		os.Exit(1)
	}
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "icon:", err)
		os.Exit(1)
	}
}

// cover is the fraction (0..1) of pixel (x, y) that a shape covers, sampled
// 4×4 for smooth edges.
func cover(x, y int, inside func(fx, fy float64) bool) float64 {
	n := 0
	for sy := 0; sy < 4; sy++ {
		for sx := 0; sx < 4; sx++ {
			if inside(float64(x)+(float64(sx)+0.5)/4, float64(y)+(float64(sy)+0.5)/4) {
				n++
			}
		}
	}
	return float64(n) / 16
}

func blend(img *image.NRGBA, x, y int, c color.NRGBA, a float64) {
	if a <= 0 {
		return
	}
	p := img.NRGBAAt(x, y)
	srcA := a * float64(c.A) / 255
	dstA := float64(p.A) / 255
	outA := srcA + dstA*(1-srcA)
	mixc := func(s, d uint8) uint8 {
		if outA == 0 {
			return 0
		}
		return uint8(math.Round((float64(s)*srcA + float64(d)*dstA*(1-srcA)) / outA))
	}
	img.SetNRGBA(x, y, color.NRGBA{mixc(c.R, p.R), mixc(c.G, p.G), mixc(c.B, p.B), uint8(math.Round(outA * 255))})
}

func paint(img *image.NRGBA, c color.NRGBA, inside func(fx, fy float64) bool) {
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			blend(img, x, y, c, cover(x, y, inside))
		}
	}
}

func roundRect(x0, y0, x1, y1, r float64) func(fx, fy float64) bool {
	return func(fx, fy float64) bool {
		if fx < x0 || fx > x1 || fy < y0 || fy > y1 {
			return false
		}
		cx := math.Max(x0+r, math.Min(fx, x1-r))
		cy := math.Max(y0+r, math.Min(fy, y1-r))
		return (fx-cx)*(fx-cx)+(fy-cy)*(fy-cy) <= r*r
	}
}

func circle(cx, cy, r float64) func(fx, fy float64) bool {
	return func(fx, fy float64) bool { return (fx-cx)*(fx-cx)+(fy-cy)*(fy-cy) <= r*r }
}

func draw() *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	paint(img, color.NRGBA{0x23, 0x2a, 0x3a, 0xff}, roundRect(8, 8, 248, 248, 44))
	// Left panel: a warm disc with a small disc low and to the right.
	paint(img, color.NRGBA{0xf2, 0x9e, 0x4c, 0xff}, circle(78, 128, 52))
	paint(img, color.NRGBA{0x7a, 0x2e, 0x12, 0xff}, circle(96, 148, 18))
	// Right panel: a cool square with a small square in the same place.
	paint(img, color.NRGBA{0x5c, 0xc8, 0xd8, 0xff}, roundRect(134, 78, 234, 178, 10))
	paint(img, color.NRGBA{0x12, 0x4a, 0x6a, 0xff}, roundRect(186, 134, 218, 166, 4))
	// A bar under both: the shared relation.
	paint(img, color.NRGBA{0xe8, 0xe8, 0xf0, 0xff}, roundRect(40, 200, 216, 212, 6))
	return img
}
