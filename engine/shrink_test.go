package engine

import (
	"image"
	"image/color"
	"image/draw"
	"testing"

	"github.com/disintegration/imaging"
)

// shrink must agree with a reference area average (imaging's Box resize at
// an exact integer factor) for every source type it special-cases.
func TestShrinkMatchesAreaAverage(t *testing.T) {
	src, err := DecodeFile(photo("kite.jpg")) // *image.YCbCr 4:2:0
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := src.(*image.YCbCr); !ok {
		t.Fatalf("kite.jpg decoded to %T, want *image.YCbCr", src)
	}
	gray := image.NewGray(image.Rect(0, 0, 300, 200))
	for i := range gray.Pix {
		gray.Pix[i] = uint8(i * 13)
	}
	cases := map[string]image.Image{"ycbcr": src, "nrgba": imaging.Clone(src), "gray": gray, "paletted": toPaletted(gray)}
	for name, dst := range map[string]draw.Image{
		"nrgba64": image.NewNRGBA64(src.Bounds()), "rgba64": image.NewRGBA64(src.Bounds()), "rgba": image.NewRGBA(src.Bounds()),
	} {
		draw.Draw(dst, dst.Bounds(), src, src.Bounds().Min, draw.Src)
		cases[name] = dst
	}
	for name, img := range cases {
		const fx, fy = 4, 3
		b := img.Bounds()
		got := Shrink(img, fx, fy)
		want := imaging.Resize(imaging.Crop(img, image.Rect(0, 0, b.Dx()/fx*fx, b.Dy()/fy*fy)), b.Dx()/fx, b.Dy()/fy, imaging.Box)
		if got.Bounds() != want.Bounds() {
			t.Fatalf("%s: bounds %v, want %v", name, got.Bounds(), want.Bounds())
		}
		var worst int
		for i := range got.Pix {
			d := int(got.Pix[i]) - int(want.Pix[i])
			worst = max(worst, d, -d)
		}
		// YCbCr is averaged before conversion to RGB: a few levels of rounding.
		if worst > 6 {
			t.Errorf("%s: max channel difference %d from the area average", name, worst)
		}
	}
}

func toPaletted(g *image.Gray) *image.Paletted {
	pal := make(color.Palette, 256)
	for i := range pal {
		pal[i] = color.Gray{uint8(i)}
	}
	p := image.NewPaletted(g.Rect, pal)
	copy(p.Pix, g.Pix)
	return p
}
