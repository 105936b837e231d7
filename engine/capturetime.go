package engine

import (
	"strings"
	"time"
)

// CaptureTime reads when a JPEG or TIFF photo was taken from its EXIF
// block: DateTimeOriginal (0x9003) of the Exif IFD, else DateTime (0x0132)
// of IFD0, read as local time (EXIF stores no zone). ok is false when the
// file has neither.
func CaptureTime(data []byte) (time.Time, bool) {
	b, ok := parseTIFF(exifBlock(data))
	if !ok {
		return time.Time{}, false
	}
	date := func(off int, tag uint16) (time.Time, bool) {
		typ, count, value, ok := b.entry(off, tag)
		if !ok || typ != 2 || count < 19 { // ASCII "YYYY:MM:DD HH:MM:SS\0"
			return time.Time{}, false
		}
		at := int(b.bo.Uint32(value))
		if at < 0 || at+19 > len(b.t) {
			return time.Time{}, false
		}
		s := strings.TrimRight(string(b.t[at:at+19]), "\x00 ")
		d, err := time.ParseInLocation("2006:01:02 15:04:05", s, time.Local)
		if err != nil || d.Year() < 1900 {
			return time.Time{}, false
		}
		return d, true
	}
	ifd0 := b.ifd0()
	if typ, _, value, ok := b.entry(ifd0, 0x8769); ok && (typ == 4 || typ == 13) {
		if d, ok := date(int(b.bo.Uint32(value)), 0x9003); ok {
			return d, true
		}
	}
	return date(ifd0, 0x0132)
}
