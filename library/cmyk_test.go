package library

import (
	"image"
	"testing"

	"relview/engine"
)

func TestCMYKJPEGDecodes(t *testing.T) {
	data, err := cmykJPEG(openSample(t, "astronaut.png"))
	if err != nil {
		t.Skipf("cannot write a CMYK JPEG here: %v", err)
	}
	img, w, h, err := engine.DecodeScaled(data)
	if err != nil || w != 512 || h != 512 {
		t.Fatalf("CMYK JPEG: %v, %dx%d", err, w, h)
	}
	if full, err := engine.DecodeBytes(data); err != nil {
		t.Fatal(err)
	} else if _, ok := full.(*image.CMYK); !ok {
		t.Errorf("the Go decoder read the CMYK JPEG as %T", full)
	}
	// It looks like the photo it was made from.
	eng := testEngine(t)
	a, err := eng.Encode(img)
	if err != nil {
		t.Fatal(err)
	}
	b, err := eng.Encode(openSample(t, "astronaut.png"))
	if err != nil {
		t.Fatal(err)
	}
	if c := engine.Cosine(a[engine.Visual], b[engine.Visual]); c < 0.9 {
		t.Errorf("CMYK JPEG of the astronaut: visual cosine %.3f to the original", c)
	}
}
