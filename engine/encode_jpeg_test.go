package engine

import (
	"bytes"
	"image"
	"image/jpeg"
	"math"
	"testing"

	"github.com/disintegration/imaging"
)

// EncodeJPEG writes a JPEG that decodes back to the picture, with either
// encoder (libjpeg-turbo where built in, image/jpeg with RELVIEW_JPEG=go),
// for an odd-sized sub-image whose rows do not start at the buffer's start.
func TestEncodeJPEGRoundTrip(t *testing.T) {
	src, err := DecodeFile(photo("chelsea.png"))
	if err != nil {
		t.Fatal(err)
	}
	full := imaging.Resize(src, 301, 199, imaging.Linear)
	sub := full.SubImage(image.Rect(3, 5, 256, 190)).(*image.NRGBA)
	for _, c := range []struct{ name, env string }{{"default", ""}, {"go", "go"}} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("RELVIEW_JPEG", c.env)
			data, err := EncodeJPEG(sub, 85)
			if err != nil {
				t.Fatal(err)
			}
			got, err := jpeg.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			if got.Bounds().Dx() != 253 || got.Bounds().Dy() != 185 {
				t.Fatalf("decoded %v, want 253×185", got.Bounds())
			}
			var sum float64
			for y := 0; y < 185; y++ {
				for x := 0; x < 253; x++ {
					r1, g1, b1, _ := sub.At(3+x, 5+y).RGBA()
					r2, g2, b2, _ := got.At(x, y).RGBA()
					sum += math.Abs(float64(r1>>8)-float64(r2>>8)) + math.Abs(float64(g1>>8)-float64(g2>>8)) + math.Abs(float64(b1>>8)-float64(b2>>8))
				}
			}
			if mae := sum / (3 * 253 * 185); mae > 4 {
				t.Errorf("mean absolute error %.2f levels, want ≤ 4 (a shifted or garbled picture)", mae)
			}
		})
	}
	if _, err := EncodeJPEG(image.NewNRGBA(image.Rect(0, 0, 0, 0)), 85); err == nil {
		t.Error("an empty image was encoded")
	}
}
