//go:build cgo && !windows

// Package cmykjpeg writes CMYK JPEG files (four components, Adobe marker),
// which Go's encoder cannot, for the library's tests of hostile and unusual
// files. It uses libjpeg-turbo.
package cmykjpeg

/*
#cgo LDFLAGS: -lturbojpeg
#include <stdlib.h>
#include <turbojpeg.h>
*/
import "C"

import (
	"errors"
	"fmt"
	"image"
	"unsafe"
)

// Encode writes img as a CMYK JPEG of the given quality.
func Encode(img image.Image, quality int) ([]byte, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w == 0 || h == 0 {
		return nil, errors.New("cmykjpeg: empty image")
	}
	pix := make([]byte, 4*w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			c, m, yy, k := rgbToCMYK(uint8(r>>8), uint8(g>>8), uint8(bl>>8))
			// Adobe (Photoshop) CMYK JPEGs store inverted values, and decoders
			// (Go's included) expect that.
			copy(pix[4*(y*w+x):], []byte{255 - c, 255 - m, 255 - yy, 255 - k})
		}
	}
	hd := C.tjInitCompress()
	if hd == nil {
		return nil, errors.New("cmykjpeg: tjInitCompress failed")
	}
	defer C.tjDestroy(hd)
	var out *C.uchar
	var size C.ulong
	if C.tjCompress2(hd, (*C.uchar)(unsafe.Pointer(&pix[0])), C.int(w), C.int(4*w), C.int(h), C.TJPF_CMYK,
		&out, &size, C.TJSAMP_444, C.int(quality), 0) != 0 {
		return nil, fmt.Errorf("cmykjpeg: %s", C.GoString(C.tjGetErrorStr2(hd)))
	}
	defer C.tjFree(out)
	return C.GoBytes(unsafe.Pointer(out), C.int(size)), nil
}

func rgbToCMYK(r, g, b uint8) (uint8, uint8, uint8, uint8) {
	mx := max(r, g, b)
	if mx == 0 {
		return 0, 0, 0, 255
	}
	c := (uint32(mx-r) * 255) / uint32(mx)
	m := (uint32(mx-g) * 255) / uint32(mx)
	y := (uint32(mx-b) * 255) / uint32(mx)
	return uint8(c), uint8(m), uint8(y), 255 - mx
}
