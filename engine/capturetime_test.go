package engine

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"
)

// exifDatedJPEG is a JPEG header with an EXIF block holding DateTime in IFD0
// and, when original is not "", DateTimeOriginal in the Exif IFD.
func exifDatedJPEG(bo binary.ByteOrder, dateTime, original string) []byte {
	var t bytes.Buffer
	if bo == binary.LittleEndian {
		t.WriteString("II")
	} else {
		t.WriteString("MM")
	}
	w := func(v any) { binary.Write(&t, bo, v) }
	w(uint16(42))
	w(uint32(8))
	// IFD0 at 8: DateTime, ExifIFD pointer; strings after.
	entries := uint16(1)
	if original != "" {
		entries = 2
	}
	ifd0End := 8 + 2 + 12*int(entries) + 4
	exifIFD := ifd0End
	exifEnd := exifIFD + 2 + 12 + 4
	str0 := exifEnd
	str1 := str0 + 20
	w(entries)
	w(uint16(0x0132))
	w(uint16(2))
	w(uint32(20))
	w(uint32(str0))
	if original != "" {
		w(uint16(0x8769))
		w(uint16(4))
		w(uint32(1))
		w(uint32(exifIFD))
	}
	w(uint32(0))
	w(uint16(1))
	w(uint16(0x9003))
	w(uint16(2))
	w(uint32(20))
	w(uint32(str1))
	w(uint32(0))
	t.WriteString(dateTime + "\x00")
	t.WriteString(original + "\x00")
	seg := append([]byte("Exif\x00\x00"), t.Bytes()...)
	out := []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 'J', 'F'} // a short APP0 first
	out = append(out, 0xFF, 0xE1)
	out = binary.BigEndian.AppendUint16(out, uint16(len(seg)+2))
	out = append(out, seg...)
	return append(out, 0xFF, 0xDA, 0, 2)
}

func TestCaptureTime(t *testing.T) {
	want := time.Date(2019, 7, 14, 18, 30, 5, 0, time.Local)
	for _, bo := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		got, ok := CaptureTime(exifDatedJPEG(bo, "2024:01:02 03:04:05", "2019:07:14 18:30:05"))
		if !ok || !got.Equal(want) {
			t.Errorf("%v: DateTimeOriginal read as %v %v", bo, got, ok)
		}
	}
	// Without DateTimeOriginal: DateTime.
	got, ok := CaptureTime(exifDatedJPEG(binary.BigEndian, "2024:01:02 03:04:05", ""))
	if !ok || !got.Equal(time.Date(2024, 1, 2, 3, 4, 5, 0, time.Local)) {
		t.Errorf("DateTime read as %v %v", got, ok)
	}
	for _, bad := range [][]byte{nil, []byte("not a jpeg"), {0xFF, 0xD8, 0xFF, 0xDA, 0, 2}, exifDatedJPEG(binary.LittleEndian, "0000:00:00 00:00:00", "")} {
		if _, ok := CaptureTime(bad); ok {
			t.Errorf("a date from %q", bad)
		}
	}
}
