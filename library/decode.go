package library

import (
	"encoding/binary"
	"image"
	"os"

	"github.com/disintegration/imaging"
	"relview/engine"
)

// indexSide is the smallest side a decoded image needs for indexing: the
// encoders' 224² input and the gallery thumbnail. A JPEG decoder that can
// scale while decoding (DCT scaling) may stop there.
const indexSide = 256

// fastJPEG, when not nil, decodes a JPEG at a reduced scale no smaller than
// minSide on either side (EXIF orientation applied) and returns the image
// with the full, oriented size of the photo; ok is false when it cannot (the
// pure-Go decoder then gets the file). It is set by the libjpeg-turbo build
// (turbo.go, cgo) unless $RELVIEW_JPEG is "go".
var fastJPEG func(data []byte, minSide int) (img image.Image, w, h int, ok bool)

// JPEGDecoder names the JPEG decoder indexing uses.
func JPEGDecoder() string {
	if fastJPEG != nil && os.Getenv("RELVIEW_JPEG") != "go" {
		return "libjpeg-turbo (DCT-scaled)"
	}
	return "Go image/jpeg"
}

// decodeForIndex decodes a file's bytes for indexing and returns the image
// (possibly reduced) with the photo's full pixel size.
func decodeForIndex(data []byte, format string) (image.Image, int, int, error) {
	if format == "jpeg" && fastJPEG != nil && os.Getenv("RELVIEW_JPEG") != "go" {
		if img, w, h, ok := fastJPEG(data, indexSide); ok {
			return img, w, h, nil
		}
	}
	img, err := engine.DecodeBytes(data)
	if err != nil {
		return nil, 0, 0, err
	}
	b := img.Bounds()
	return shrinkForIndex(img, indexSide), b.Dx(), b.Dy(), nil
}

// jpegOrientation reads the EXIF orientation (1..8) of a JPEG, or 0.
func jpegOrientation(data []byte) int {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return 0
	}
	p := 2
	for p+4 <= len(data) {
		if data[p] != 0xFF {
			return 0
		}
		marker := data[p+1]
		if marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01 || marker == 0xFF {
			p += 2
			if marker == 0xFF {
				p--
			}
			continue
		}
		if marker == 0xDA || marker == 0xD9 { // start of scan: no EXIF after it
			return 0
		}
		n := int(binary.BigEndian.Uint16(data[p+2:]))
		if n < 2 || p+2+n > len(data) {
			return 0
		}
		seg := data[p+4 : p+2+n]
		if marker == 0xE1 && len(seg) >= 14 && string(seg[:6]) == "Exif\x00\x00" {
			return tiffOrientation(seg[6:])
		}
		p += 2 + n
	}
	return 0
}

// tiffOrientation finds tag 0x0112 in IFD0 of a TIFF (EXIF) block.
func tiffOrientation(t []byte) int {
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 0
	}
	if bo.Uint16(t[2:]) != 42 {
		return 0
	}
	off := int(bo.Uint32(t[4:]))
	if off < 8 || off+2 > len(t) {
		return 0
	}
	count := int(bo.Uint16(t[off:]))
	for i := 0; i < count; i++ {
		e := off + 2 + 12*i
		if e+12 > len(t) {
			return 0
		}
		if bo.Uint16(t[e:]) == 0x0112 && bo.Uint16(t[e+2:]) == 3 { // SHORT
			v := int(bo.Uint16(t[e+8:]))
			if v >= 1 && v <= 8 {
				return v
			}
			return 0
		}
	}
	return 0
}

// orient applies an EXIF orientation, as imaging's AutoOrientation does.
func orient(img image.Image, o int) image.Image {
	switch o {
	case 2:
		return imaging.FlipH(img)
	case 3:
		return imaging.Rotate180(img)
	case 4:
		return imaging.FlipV(img)
	case 5:
		return imaging.Transpose(img)
	case 6:
		return imaging.Rotate270(img)
	case 7:
		return imaging.Transverse(img)
	case 8:
		return imaging.Rotate90(img)
	}
	return img
}

// shrinkForIndex reduces a large decoded image by an integer factor so its
// shorter side stays >= minSide: the thumbnail and the encoders then work on
// about 0.25 MP instead of the full photo (engine.Shrink: an area average,
// computed in YCbCr for JPEGs).
func shrinkForIndex(img image.Image, minSide int) image.Image {
	b := img.Bounds()
	f := min(b.Dx(), b.Dy()) / minSide
	if f < 2 {
		return img
	}
	return engine.Shrink(img, f, f)
}
