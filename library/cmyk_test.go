package library

import (
	"bytes"
	"image"
	"image/jpeg"
	"math"
	"testing"

	"github.com/disintegration/imaging"
	"relview/engine"
)

// withOrientation inserts an EXIF block with the given orientation after the
// SOI marker of a JPEG.
func withOrientation(jpg []byte, o uint16) []byte {
	tiff := []byte{'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, byte(o >> 8), byte(o), 0, 0, 0, 0, 0, 0, 0, 0}
	seg := append([]byte("Exif\x00\x00"), tiff...)
	app1 := []byte{0xFF, 0xE1, byte((len(seg) + 2) >> 8), byte(len(seg) + 2)}
	out := append([]byte{}, jpg[:2]...)
	out = append(out, app1...)
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

func TestDecodeForIndexMatchesGo(t *testing.T) {
	t.Logf("JPEG decoder: %s", JPEGDecoder())
	eng := testEngine(t)
	src := imaging.Resize(openSample(t, "motorcycle_left.png"), 2400, 0, imaging.Linear)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, src, &jpeg.Options{Quality: 92}); err != nil {
		t.Fatal(err)
	}
	for _, o := range []uint16{1, 3, 6, 8} {
		data := withOrientation(buf.Bytes(), o)
		if got := jpegOrientation(data); got != int(o) {
			t.Fatalf("orientation %d read as %d", o, got)
		}
		fast, w, h, err := decodeForIndex(data, "jpeg")
		if err != nil {
			t.Fatal(err)
		}
		ref, err := engine.DecodeBytes(data)
		if err != nil {
			t.Fatal(err)
		}
		rb := ref.Bounds()
		if w != rb.Dx() || h != rb.Dy() {
			t.Errorf("orientation %d: size %dx%d, Go decoder %dx%d", o, w, h, rb.Dx(), rb.Dy())
		}
		fb := fast.Bounds()
		if (fb.Dx() > fb.Dy()) != (rb.Dx() > rb.Dy()) || min(fb.Dx(), fb.Dy()) < indexSide {
			t.Errorf("orientation %d: decoded %v for a %v photo", o, fb, rb)
		}
		a, err := eng.Encode(fast)
		if err != nil {
			t.Fatal(err)
		}
		b, err := eng.Encode(ref)
		if err != nil {
			t.Fatal(err)
		}
		for _, sp := range []string{engine.Visual, engine.Relational} {
			if c := engine.Cosine(a[sp], b[sp]); c < 0.97 {
				t.Errorf("orientation %d: %s vectors of the two decoders differ: cosine %.4f", o, sp, c)
			}
		}
	}
}

func TestCMYKJPEGDecodes(t *testing.T) {
	data, err := cmykJPEG(openSample(t, "astronaut.png"))
	if err != nil {
		t.Skipf("cannot write a CMYK JPEG here: %v", err)
	}
	img, w, h, err := decodeForIndex(data, "jpeg")
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

func TestShrinkForIndex(t *testing.T) {
	src := imaging.Resize(openSample(t, "chelsea.png"), 2000, 1330, imaging.Linear)
	var buf bytes.Buffer
	must(t, jpeg.Encode(&buf, src, &jpeg.Options{Quality: 95}))
	full, err := engine.DecodeBytes(buf.Bytes())
	must(t, err)
	if _, ok := full.(*image.YCbCr); !ok {
		t.Fatalf("Go decoded a JPEG as %T", full)
	}
	small := shrinkForIndex(full, indexSide)
	b := small.Bounds()
	if b.Dx() != 2000/5 || b.Dy() != 1330/5 {
		t.Fatalf("shrunk to %v, want 400x266 (factor 5)", b)
	}
	// Same picture: compare with imaging's resize of the original.
	ref := imaging.Resize(src, b.Dx(), b.Dy(), imaging.Box)
	var diff float64
	for i := range ref.Pix {
		d := float64(ref.Pix[i]) - float64(small.(*image.NRGBA).Pix[i])
		diff += d * d
	}
	if rms := math.Sqrt(diff / float64(len(ref.Pix))); rms > 12 {
		t.Errorf("shrunk image differs from a box resize: RMS %.1f", rms)
	}
	if shrinkForIndex(small, indexSide) != small {
		t.Errorf("a small image was shrunk again")
	}
}
