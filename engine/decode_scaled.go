package engine

import (
	"fmt"
	"image"
	"os"
)

// ScaledSide is the smallest side DecodeScaled keeps: the encoders' 224²
// input and the gallery thumbnail need no more.
const ScaledSide = 256

// fastJPEG, when not nil, decodes a JPEG at a reduced scale no smaller than
// minSide on either side (EXIF orientation applied) and returns the image
// with the full, oriented size of the photo; ok is false when it cannot (the
// pure-Go decoder then gets the file). It is set by the libjpeg-turbo build
// (turbo.go, cgo) unless $RELVIEW_JPEG is "go".
var fastJPEG func(data []byte, minSide int) (img image.Image, w, h int, ok bool)

// useFastJPEG says whether DecodeScaled may use libjpeg-turbo.
func useFastJPEG() bool { return fastJPEG != nil && os.Getenv("RELVIEW_JPEG") != "go" }

// JPEGDecoder names the JPEG decoder DecodeScaled uses.
func JPEGDecoder() string {
	if useFastJPEG() {
		return "libjpeg-turbo (DCT-scaled)"
	}
	return "Go image/jpeg"
}

// DecodeScaled decodes an image file's bytes for the encoders and returns
// the image, reduced so its shorter side stays >= ScaledSide, with the
// photo's full (oriented) pixel size. It is the one path from bytes to the
// pixels that vectors are made of: indexing, a query file and compare all
// take it, so the same file always gives the same vectors.
func DecodeScaled(data []byte) (image.Image, int, int, error) {
	if len(data) >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF && useFastJPEG() {
		if img, w, h, ok := fastJPEG(data, ScaledSide); ok {
			return img, w, h, nil
		}
	}
	var w, h int
	img, err := decodeWithin(data, func(full image.Image) image.Image {
		w, h = full.Bounds().Dx(), full.Bounds().Dy()
		return shrinkTo(full, ScaledSide)
	})
	if err != nil {
		return nil, 0, 0, err
	}
	return img, w, h, nil
}

// DecodeFileScaled is DecodeScaled for a file (see DecodeFile for the
// checks on the file itself).
func DecodeFileScaled(path string) (image.Image, error) {
	data, err := readImageFile(path)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", path, err)
	}
	img, _, _, err := DecodeScaled(data)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", path, err)
	}
	return img, nil
}

// shrinkTo reduces a large decoded image by an integer factor so its
// shorter side stays >= minSide: the thumbnail and the encoders then work on
// about 0.25 MP instead of the full photo (Shrink: an area average, computed
// in YCbCr for JPEGs).
func shrinkTo(img image.Image, minSide int) image.Image {
	b := img.Bounds()
	f := min(b.Dx(), b.Dy()) / minSide
	if f < 2 {
		return img
	}
	return Shrink(img, f, f)
}
