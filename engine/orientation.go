package engine

import (
	"image"

	"github.com/disintegration/imaging"
)

// Orientation reads the EXIF orientation (1..8) of a JPEG or TIFF file's
// bytes, or 0 when there is none. Every decode in relview (indexing, a query
// file, compare, the preview) turns a photo by this one reading, so a photo
// and its byte-identical copy always face the same way. The tag may be
// stored as SHORT or as LONG (see exifBlock for which EXIF block counts).
func Orientation(data []byte) int {
	b, ok := parseTIFF(exifBlock(data))
	if !ok {
		return 0
	}
	typ, _, value, ok := b.entry(b.ifd0(), 0x0112)
	if !ok {
		return 0
	}
	var v int
	switch typ {
	case 3: // SHORT
		v = int(b.bo.Uint16(value))
	case 4: // LONG
		v = int(b.bo.Uint32(value))
	}
	if v >= 1 && v <= 8 {
		return v
	}
	return 0
}

// orient applies an EXIF orientation to a decoded image.
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
