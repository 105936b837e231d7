package engine

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
)

// fastJPEGEncode, when not nil, encodes opaque RGBA pixels as a JPEG with
// libjpeg-turbo (turbo.go).
var fastJPEGEncode func(img *image.NRGBA, quality int) ([]byte, bool)

// EncodeJPEG encodes an opaque image as a baseline JPEG (4:2:0) at quality
// 1..100: with libjpeg-turbo where the build has it — the library writes a
// thumbnail for every photo it indexes, and image/jpeg takes several times
// as long — else (Windows, purego builds, RELVIEW_JPEG=go) with image/jpeg.
// Alpha is ignored: flatten a transparent image first.
func EncodeJPEG(img *image.NRGBA, quality int) ([]byte, error) {
	b := img.Bounds()
	if b.Empty() {
		return nil, fmt.Errorf("encode JPEG: empty image")
	}
	if fastJPEGEncode != nil && useFastJPEG() {
		if out, ok := fastJPEGEncode(img, quality); ok {
			return out, nil
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		return nil, fmt.Errorf("encode JPEG: %w", err)
	}
	return buf.Bytes(), nil
}
