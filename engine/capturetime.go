package engine

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"strings"
	"time"
)

// captureHeader is how much of a file CaptureTimeOfFile reads: the EXIF
// block of a JPEG sits in its first segments.
const captureHeader = 256 << 10

// CaptureTimeOfFile is CaptureTime of the start of the file at path.
func CaptureTimeOfFile(path string) (time.Time, bool) {
	f, err := os.Open(path)
	if err != nil {
		return time.Time{}, false
	}
	defer f.Close()
	buf := make([]byte, captureHeader)
	n, err := io.ReadFull(f, buf)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return time.Time{}, false
	}
	return CaptureTime(buf[:n])
}

// CaptureTime reads when a JPEG or TIFF photo was taken from its EXIF
// block: DateTimeOriginal (0x9003) of the Exif IFD, else DateTime (0x0132)
// of IFD0, read as local time (EXIF stores no zone). ok is false when the
// file has neither.
func CaptureTime(data []byte) (t time.Time, ok bool) {
	var tiff []byte
	switch {
	case len(data) >= 4 && data[0] == 0xFF && data[1] == 0xD8:
		tiff = jpegExif(data)
	case bytes.HasPrefix(data, []byte("II*\x00")), bytes.HasPrefix(data, []byte("MM\x00*")):
		tiff = data
	}
	if tiff == nil {
		return time.Time{}, false
	}
	return tiffCaptureTime(tiff)
}

// jpegExif is the TIFF block of a JPEG's first EXIF APP1 segment (nil:
// none before the start of scan).
func jpegExif(data []byte) []byte {
	p := 2
	for p+4 <= len(data) {
		if data[p] != 0xFF {
			return nil
		}
		marker := data[p+1]
		switch {
		case marker == 0xFF:
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

// tiffCaptureTime reads the dates of a TIFF (EXIF) block.
func tiffCaptureTime(t []byte) (time.Time, bool) {
	if len(t) < 8 {
		return time.Time{}, false
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return time.Time{}, false
	}
	if bo.Uint16(t[2:]) != 42 {
		return time.Time{}, false
	}
	// entry finds tag in the IFD at off: its type, count and value field.
	entry := func(off int, tag uint16) (typ uint16, count uint32, value []byte, ok bool) {
		if off < 8 || off+2 > len(t) {
			return 0, 0, nil, false
		}
		n := int(bo.Uint16(t[off:]))
		for i := 0; i < n; i++ {
			e := off + 2 + 12*i
			if e+12 > len(t) {
				return 0, 0, nil, false
			}
			if bo.Uint16(t[e:]) == tag {
				return bo.Uint16(t[e+2:]), bo.Uint32(t[e+4:]), t[e+8 : e+12], true
			}
		}
		return 0, 0, nil, false
	}
	date := func(off int, tag uint16) (time.Time, bool) {
		typ, count, value, ok := entry(off, tag)
		if !ok || typ != 2 || count < 19 { // ASCII "YYYY:MM:DD HH:MM:SS\0"
			return time.Time{}, false
		}
		at := int(bo.Uint32(value))
		if at < 0 || at+19 > len(t) {
			return time.Time{}, false
		}
		s := strings.TrimRight(string(t[at:at+19]), "\x00 ")
		d, err := time.ParseInLocation("2006:01:02 15:04:05", s, time.Local)
		if err != nil || d.Year() < 1900 {
			return time.Time{}, false
		}
		return d, true
	}
	ifd0 := int(bo.Uint32(t[4:]))
	if typ, _, value, ok := entry(ifd0, 0x8769); ok && (typ == 4 || typ == 13) {
		if d, ok := date(int(bo.Uint32(value)), 0x9003); ok {
			return d, true
		}
	}
	return date(ifd0, 0x0132)
}
