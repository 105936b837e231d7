package engine

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func encodeJPEG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pngHeaderOnly is a PNG signature and IHDR chunk claiming w×h pixels, with
// no image data: a decoder that trusts it would allocate w*h*4 bytes.
func pngHeaderOnly(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // 8-bit RGBA
	chunk := append([]byte("IHDR"), ihdr...)
	binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	b.Write(chunk)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

func TestDecodeBadInput(t *testing.T) {
	dir := t.TempDir()
	good := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := range good.Pix {
		good.Pix[i] = uint8(i * 7)
	}
	jpg := encodeJPEG(t, good)
	random := make([]byte, 4096)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(r.UintN(256))
	}
	cases := []struct {
		name, file string
		want       string
	}{
		{"directory", dir, "is a directory"},
		{"missing", filepath.Join(dir, "nope.jpg"), ""}, // the OS's words: checked with fs.ErrNotExist
		{"empty", writeFile(t, dir, "empty.jpg", nil), "empty file"},
		{"random bytes", writeFile(t, dir, "random.jpg", random), "unknown format"},
		{"truncated jpeg", writeFile(t, dir, "trunc.jpg", jpg[:len(jpg)/2]), "not a supported image"},
		{"huge png header", writeFile(t, dir, "huge.png", pngHeaderOnly(60000, 60000)), "exceeds"},
		{"text", writeFile(t, dir, "notes.png", []byte("hello, not a picture")), "unknown format"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			img, err := DecodeFile(c.file)
			if err == nil {
				t.Fatalf("decoded %v, want an error", img.Bounds())
			}
			if c.want == "" && !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("error %q: want one wrapping fs.ErrNotExist", err)
			}
			if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.file) {
				t.Errorf("error %q: want it to name %s and say %q", err, c.file, c.want)
			}
		})
	}
}

// exifJPEG inserts an APP1 Exif segment with the given orientation tag.
func exifJPEG(jpg []byte, orientation uint16) []byte {
	var tiff bytes.Buffer
	tiff.WriteString("MM\x00\x2a")
	binary.Write(&tiff, binary.BigEndian, uint32(8)) // IFD0 offset
	binary.Write(&tiff, binary.BigEndian, uint16(1)) // one entry
	binary.Write(&tiff, binary.BigEndian, uint16(0x0112))
	binary.Write(&tiff, binary.BigEndian, uint16(3)) // SHORT
	binary.Write(&tiff, binary.BigEndian, uint32(1))
	binary.Write(&tiff, binary.BigEndian, orientation)
	binary.Write(&tiff, binary.BigEndian, uint16(0))
	binary.Write(&tiff, binary.BigEndian, uint32(0)) // no next IFD
	payload := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	seg := []byte{0xFF, 0xE1, byte((len(payload) + 2) >> 8), byte(len(payload) + 2)}
	seg = append(seg, payload...)
	out := append([]byte{}, jpg[:2]...) // SOI
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

func TestDecodeAppliesEXIFOrientation(t *testing.T) {
	// A 60×30 image, left half red and right half blue; orientation 6 means
	// "rotate 90° clockwise to display": the result is 30×60, red on top.
	src := image.NewRGBA(image.Rect(0, 0, 60, 30))
	for y := 0; y < 30; y++ {
		for x := 0; x < 60; x++ {
			c := color.RGBA{255, 0, 0, 255}
			if x >= 30 {
				c = color.RGBA{0, 0, 255, 255}
			}
			src.Set(x, y, c)
		}
	}
	p := writeFile(t, t.TempDir(), "rot.jpg", exifJPEG(encodeJPEG(t, src), 6))
	img, err := DecodeFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 30 || b.Dy() != 60 {
		t.Fatalf("size %dx%d, want 30x60 after orientation 6", b.Dx(), b.Dy())
	}
	r, _, bl, _ := img.At(15, 5).RGBA()
	if r < bl {
		t.Errorf("top pixel r=%d b=%d: want red on top after rotation", r>>8, bl>>8)
	}
}

func TestDecodeFormats(t *testing.T) {
	dir := t.TempDir()
	img := image.NewNRGBA(image.Rect(0, 0, 40, 20))
	var pb bytes.Buffer
	if err := png.Encode(&pb, img); err != nil {
		t.Fatal(err)
	}
	// Content is sniffed, not trusted from the extension.
	p := writeFile(t, dir, "actually-png.jpg", pb.Bytes())
	got, err := DecodeFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if got.Bounds().Dx() != 40 {
		t.Errorf("width %d, want 40", got.Bounds().Dx())
	}
}
