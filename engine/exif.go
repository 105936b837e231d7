package engine

import (
	"bytes"
	"encoding/binary"
)

// One reader of EXIF for every use (orientation, capture time): the TIFF
// block of a JPEG's first EXIF APP1 segment, or a TIFF file itself, and the
// entries of its IFDs.

// exifBlock returns the TIFF (EXIF) block of a JPEG or TIFF file's bytes, or
// nil. In a JPEG the first APP1 segment that holds EXIF counts, wherever it
// is (XMP, also APP1, may come first); none is read after the start of scan.
func exifBlock(data []byte) []byte {
	switch {
	case len(data) >= 4 && data[0] == 0xFF && data[1] == 0xD8:
		return jpegExif(data)
	case bytes.HasPrefix(data, []byte("II*\x00")), bytes.HasPrefix(data, []byte("MM\x00*")):
		return data
	}
	return nil
}

// jpegExif walks a JPEG's marker segments up to the start of scan.
func jpegExif(data []byte) []byte {
	p := 2
	for p+4 <= len(data) {
		if data[p] != 0xFF {
			return nil
		}
		marker := data[p+1]
		switch {
		case marker == 0xFF: // fill byte
			p++
			continue
		case marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01:
			p += 2
			continue
		case marker == 0xDA || marker == 0xD9:
			return nil
		}
		n := int(binary.BigEndian.Uint16(data[p+2:]))
		if n < 2 || p+2+n > len(data) {
			return nil
		}
		seg := data[p+4 : p+2+n]
		if marker == 0xE1 && len(seg) >= 14 && string(seg[:6]) == "Exif\x00\x00" {
			return seg[6:]
		}
		p += 2 + n
	}
	return nil
}

// tiffBlock is a TIFF (EXIF) block with its byte order.
type tiffBlock struct {
	t  []byte
	bo binary.ByteOrder
}

// parseTIFF checks a TIFF header; ok is false for anything else.
func parseTIFF(t []byte) (tiffBlock, bool) {
	if len(t) < 8 {
		return tiffBlock{}, false
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return tiffBlock{}, false
	}
	if bo.Uint16(t[2:]) != 42 {
		return tiffBlock{}, false
	}
	return tiffBlock{t, bo}, true
}

// ifd0 is the offset of the first IFD.
func (b tiffBlock) ifd0() int { return int(b.bo.Uint32(b.t[4:])) }

// entry finds tag in the IFD at off: its type, count and 4-byte value field.
func (b tiffBlock) entry(off int, tag uint16) (typ uint16, count uint32, value []byte, ok bool) {
	if off < 8 || off+2 > len(b.t) {
		return 0, 0, nil, false
	}
	n := int(b.bo.Uint16(b.t[off:]))
	for i := 0; i < n; i++ {
		e := off + 2 + 12*i
		if e+12 > len(b.t) {
			return 0, 0, nil, false
		}
		if b.bo.Uint16(b.t[e:]) == tag {
			return b.bo.Uint16(b.t[e+2:]), b.bo.Uint32(b.t[e+4:]), b.t[e+8 : e+12], true
		}
	}
	return 0, 0, nil, false
}
