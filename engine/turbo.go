//go:build cgo && !purego && !windows

package engine

/*
#cgo LDFLAGS: -lturbojpeg
#include <stdlib.h>
#include <turbojpeg.h>
*/
import "C"

import (
	"image"
	"unsafe"
)

// libjpeg-turbo decodes a JPEG at 1/2, 1/4 or 1/8 scale straight from the DCT
// coefficients: a 12 MP photo at 1/8 costs a fraction of a full decode (see
// docs/benchmarks.md). Build with -tags purego (or CGO_ENABLED=0)
// for the pure-Go decoder only. Windows builds always use the pure-Go decoder:
// Debian has no mingw build of libjpeg-turbo (README, "Windows").
func init() { fastJPEG, fastJPEGEncode = turboDecode, turboEncode }

func turboDecode(data []byte, minSide int) (image.Image, int, int, bool) {
	if len(data) == 0 {
		return nil, 0, 0, false
	}
	h := C.tjInitDecompress()
	if h == nil {
		return nil, 0, 0, false
	}
	defer C.tjDestroy(h)
	src := (*C.uchar)(unsafe.Pointer(&data[0]))
	var w, ht, subsamp, cs C.int
	if C.tjDecompressHeader3(h, src, C.ulong(len(data)), &w, &ht, &subsamp, &cs) != 0 {
		return nil, 0, 0, false
	}
	if w <= 0 || ht <= 0 || int64(w)*int64(ht) > MaxImagePixels || cs == C.TJCS_CMYK || cs == C.TJCS_YCCK {
		return nil, 0, 0, false // the Go decoder refuses or handles these
	}
	// The smallest scale that keeps both sides >= minSide.
	var n C.int
	sf := C.tjGetScalingFactors(&n)
	factors := unsafe.Slice(sf, int(n))
	sw, sh := int(w), int(ht)
	for _, f := range factors {
		fw := (int(w)*int(f.num) + int(f.denom) - 1) / int(f.denom)
		fh := (int(ht)*int(f.num) + int(f.denom) - 1) / int(f.denom)
		if int(f.num) > int(f.denom) || fw < minSide || fh < minSide {
			continue
		}
		if fw*fh < sw*sh {
			sw, sh = fw, fh
		}
	}
	img := image.NewNRGBA(image.Rect(0, 0, sw, sh))
	if C.tjDecompress2(h, src, C.ulong(len(data)), (*C.uchar)(unsafe.Pointer(&img.Pix[0])),
		C.int(sw), C.int(img.Stride), C.int(sh), C.TJPF_RGBA, 0) != 0 {
		// Errors and warnings (a truncated file) go to the Go decoder, whose
		// verdict is the same whichever decoder the build has.
		return nil, 0, 0, false
	}
	fw, fh := int(w), int(ht)
	o := Orientation(data)
	if o >= 5 {
		fw, fh = fh, fw
	}
	return orient(img, o), fw, fh, true
}

// turboEncode compresses img's pixels (alpha ignored) as a 4:2:0 JPEG.
func turboEncode(img *image.NRGBA, quality int) ([]byte, bool) {
	b := img.Bounds()
	if b.Empty() || len(img.Pix) == 0 {
		return nil, false
	}
	h := C.tjInitCompress()
	if h == nil {
		return nil, false
	}
	defer C.tjDestroy(h)
	var out *C.uchar
	var size C.ulong
	if C.tjCompress2(h, (*C.uchar)(unsafe.Pointer(&img.Pix[0])), C.int(b.Dx()), C.int(img.Stride), C.int(b.Dy()),
		C.TJPF_RGBA, &out, &size, C.TJSAMP_420, C.int(quality), 0) != 0 {
		if out != nil {
			C.tjFree(out)
		}
		return nil, false
	}
	defer C.tjFree(out)
	return C.GoBytes(unsafe.Pointer(out), C.int(size)), true
}
