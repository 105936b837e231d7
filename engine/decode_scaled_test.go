package engine

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/disintegration/imaging"
)

// exifTIFF is a one-entry TIFF (EXIF) block holding an orientation, stored
// as SHORT (type 3) or LONG (type 4), in byte order bo.
func exifTIFF(bo binary.ByteOrder, o uint32, typ uint16) []byte {
	t := make([]byte, 8+2+12+4)
	if bo == binary.BigEndian {
		copy(t, "MM")
	} else {
		copy(t, "II")
	}
	bo.PutUint16(t[2:], 42)
	bo.PutUint32(t[4:], 8)
	bo.PutUint16(t[8:], 1)
	bo.PutUint16(t[10:], 0x0112)
	bo.PutUint16(t[12:], typ)
	bo.PutUint32(t[14:], 1)
	if typ == 3 {
		bo.PutUint16(t[18:], uint16(o))
	} else {
		bo.PutUint32(t[18:], o)
	}
	return t
}

// app1 is a JPEG APP1 segment with the payload.
func app1(payload []byte) []byte {
	return append([]byte{0xFF, 0xE1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}, payload...)
}

// withSegments inserts segments after a JPEG's SOI marker.
func withSegments(jpg []byte, segs ...[]byte) []byte {
	out := append([]byte{}, jpg[:2]...)
	for _, s := range segs {
		out = append(out, s...)
	}
	return append(out, jpg[2:]...)
}

// withOrientation inserts an EXIF block with the given orientation.
func withOrientation(jpg []byte, o uint16) []byte {
	return withSegments(jpg, app1(append([]byte("Exif\x00\x00"), exifTIFF(binary.BigEndian, uint32(o), 3)...)))
}

func testJPEG(t *testing.T, name string, width int) []byte {
	t.Helper()
	src, err := imaging.Open(photo(name))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, imaging.Resize(src, width, 0, imaging.Linear), &jpeg.Options{Quality: 92}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDecodeScaledMatchesFullDecode(t *testing.T) {
	t.Logf("JPEG decoder: %s", JPEGDecoder())
	eng := engineForTest(t)
	plain := testJPEG(t, "motorcycle_left.png", 2400)
	for _, o := range []uint16{1, 3, 6, 8} {
		data := withOrientation(plain, o)
		if got := Orientation(data); got != int(o) {
			t.Fatalf("orientation %d read as %d", o, got)
		}
		fast, w, h, err := DecodeScaled(data)
		if err != nil {
			t.Fatal(err)
		}
		ref, err := DecodeBytes(data)
		if err != nil {
			t.Fatal(err)
		}
		rb := ref.Bounds()
		if w != rb.Dx() || h != rb.Dy() {
			t.Errorf("orientation %d: size %dx%d, full decode %dx%d", o, w, h, rb.Dx(), rb.Dy())
		}
		fb := fast.Bounds()
		if (fb.Dx() > fb.Dy()) != (rb.Dx() > rb.Dy()) || min(fb.Dx(), fb.Dy()) < ScaledSide {
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
		for _, sp := range []string{Visual, Relational} {
			if c := Cosine(a[sp], b[sp]); c < 0.97 {
				t.Errorf("orientation %d: %s vectors of the scaled and the full decode differ: cosine %.4f", o, sp, c)
			}
		}
	}
}

// TestOrientationOneReading: XMP before EXIF, the tag stored as LONG, little-
// endian EXIF and a TIFF file are all read, and the scaled (index) and the
// full (preview) decodes turn the photo the same way. Before one reader
// served both, a JPEG with XMP first was turned when indexed and not when
// compared.
func TestOrientationOneReading(t *testing.T) {
	plain := testJPEG(t, "motorcycle_left.png", 600) // landscape
	xmp := app1([]byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta/>"))
	exif := func(bo binary.ByteOrder, typ uint16) []byte {
		return app1(append([]byte("Exif\x00\x00"), exifTIFF(bo, 6, typ)...))
	}
	cases := map[string][]byte{
		"EXIF SHORT":           withSegments(plain, exif(binary.BigEndian, 3)),
		"EXIF LONG":            withSegments(plain, exif(binary.BigEndian, 4)),
		"EXIF little-endian":   withSegments(plain, exif(binary.LittleEndian, 3)),
		"XMP before EXIF":      withSegments(plain, xmp, exif(binary.BigEndian, 3)),
		"XMP before EXIF LONG": withSegments(plain, xmp, exif(binary.LittleEndian, 4)),
	}
	for name, data := range cases {
		if o := Orientation(data); o != 6 {
			t.Errorf("%s: orientation %d, want 6", name, o)
			continue
		}
		full, err := DecodeBytes(data)
		if err != nil {
			t.Fatal(err)
		}
		scaled, w, h, err := DecodeScaled(data)
		if err != nil {
			t.Fatal(err)
		}
		fb, sb := full.Bounds(), scaled.Bounds()
		if fb.Dx() >= fb.Dy() || sb.Dx() >= sb.Dy() || w >= h {
			t.Errorf("%s: orientation 6 should make the landscape photo portrait: full %v, scaled %v (%dx%d)", name, fb, sb, w, h)
		}
	}
	if o := Orientation(plain); o != 0 {
		t.Errorf("a JPEG without EXIF: orientation %d", o)
	}
	// A TIFF file's own orientation tag.
	tiff := exifTIFF(binary.LittleEndian, 8, 3)
	if o := Orientation(tiff); o != 8 {
		t.Errorf("TIFF: orientation %d, want 8", o)
	}
	// Bytes that end inside the block are not read past.
	for n := 0; n < len(tiff); n++ {
		_ = Orientation(tiff[:n])
	}
}

// TestEncodeFileMatchesDecodeScaled: a file encoded as a query gives exactly
// the vectors indexing made of its bytes (the same decode path), for a JPEG
// and a PNG.
func TestEncodeFileMatchesDecodeScaled(t *testing.T) {
	eng := engineForTest(t)
	dir := t.TempDir()
	jpg := filepath.Join(dir, "a.jpg")
	if err := os.WriteFile(jpg, withOrientation(testJPEG(t, "chelsea.png", 1200), 6), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{jpg, photo("astronaut.png")} {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		img, _, _, err := DecodeScaled(data)
		if err != nil {
			t.Fatal(err)
		}
		want, err := eng.Encode(img)
		if err != nil {
			t.Fatal(err)
		}
		got, err := eng.EncodeFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, sp := range []string{Visual, Relational} {
			if c := Cosine(got[sp], want[sp]); c < 0.99999 {
				t.Errorf("%s %s: EncodeFile and the indexing decode differ: cosine %.6f", filepath.Base(path), sp, c)
			}
		}
	}
}

func TestShrinkTo(t *testing.T) {
	src := imaging.Resize(imaging.Clone(mustOpen(t, photo("chelsea.png"))), 2000, 1330, imaging.Linear)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, src, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	full, err := DecodeBytes(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := full.(*image.YCbCr); !ok {
		t.Fatalf("Go decoded a JPEG as %T", full)
	}
	small := shrinkTo(full, ScaledSide)
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
	if shrinkTo(small, ScaledSide) != small {
		t.Errorf("a small image was shrunk again")
	}
}

func mustOpen(t *testing.T, path string) image.Image {
	t.Helper()
	img, err := imaging.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return img
}
