package library

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/disintegration/imaging"
)

// withEXIFDate returns the JPEG jpg with an EXIF APP1 segment, right after
// its SOI marker, whose Exif IFD says the photo was taken at when
// ("YYYY:MM:DD HH:MM:SS", DateTimeOriginal, big-endian TIFF).
func withEXIFDate(jpg []byte, when string) []byte {
	be := binary.BigEndian
	t := []byte("MM\x00\x2a\x00\x00\x00\x08")
	t = be.AppendUint16(t, 1) // IFD0 at 8: one entry, the Exif IFD pointer
	t = be.AppendUint16(t, 0x8769)
	t = be.AppendUint16(t, 4) // LONG
	t = be.AppendUint32(t, 1)
	t = be.AppendUint32(t, 26)
	t = be.AppendUint32(t, 0) // no next IFD
	t = be.AppendUint16(t, 1) // Exif IFD at 26: DateTimeOriginal
	t = be.AppendUint16(t, 0x9003)
	t = be.AppendUint16(t, 2) // ASCII
	t = be.AppendUint32(t, 20)
	t = be.AppendUint32(t, 44)
	t = be.AppendUint32(t, 0)
	t = append(t, when+"\x00"...)
	seg := append([]byte("Exif\x00\x00"), t...)
	out := append([]byte{}, jpg[:2]...) // SOI
	out = append(out, 0xFF, 0xE1)
	out = be.AppendUint16(out, uint16(len(seg)+2))
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

// writeDatedJPEG writes a small JPEG of a sample photo at path, with an
// EXIF capture date when when is not "".
func writeDatedJPEG(t *testing.T, path, sample, when string) {
	t.Helper()
	var buf bytes.Buffer
	must(t, jpeg.Encode(&buf, imaging.Resize(openSample(t, sample), 96, 0, imaging.Box), &jpeg.Options{Quality: 90}))
	data := buf.Bytes()
	if when != "" {
		data = withEXIFDate(data, when)
	}
	must(t, os.MkdirAll(filepath.Dir(path), 0o755))
	must(t, os.WriteFile(path, data, 0o644))
}

// exifTime is the time an EXIF date string means (local time: EXIF stores
// no zone).
func exifTime(t *testing.T, when string) time.Time {
	t.Helper()
	d, err := time.ParseInLocation("2006:01:02 15:04:05", when, time.Local)
	must(t, err)
	return d
}

// datedFolder is a folder of four JPEGs, three of them with EXIF dates
// (path -> date; "" for none).
func datedFolder(t *testing.T) (string, map[string]string) {
	t.Helper()
	dir := t.TempDir()
	want := map[string]string{
		"a.jpg":        "2019:07:14 18:30:05",
		"b.jpg":        "2001:02:03 04:05:06",
		"sub/c.jpg":    "1987:12:31 23:59:59",
		"no-exif.jpg":  "",
		"sub/png.png":  "", // a PNG: no EXIF read
		"also-no.jpeg": "",
	}
	from := map[string]string{"a.jpg": "chelsea.png", "b.jpg": "coffee.png", "sub/c.jpg": "brick.png", "no-exif.jpg": "rocket.jpg", "also-no.jpeg": "astronaut.png"}
	for rel, when := range want {
		if rel == "sub/png.png" {
			copyFile(t, filepath.Join(samplePhotos, "coins.png"), filepath.Join(dir, "sub", "png.png"))
			continue
		}
		writeDatedJPEG(t, filepath.Join(dir, filepath.FromSlash(rel)), from[rel], when)
	}
	return dir, want
}

// checkTaken checks every catalogued file's Taken against want (through
// Lookup and Images) and that its column is not NULL.
func checkTaken(t *testing.T, lib *Library, want map[string]string) {
	t.Helper()
	all, err := lib.Images()
	must(t, err)
	byPath := map[string]Image{}
	for _, im := range all {
		byPath[im.Path] = im
	}
	for rel, when := range want {
		im, err := lib.Lookup(rel)
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			continue
		}
		if im.Status != StatusIndexed {
			t.Errorf("%s: %s (%s)", rel, im.Status, im.Reason)
		}
		var w time.Time
		if when != "" {
			w = exifTime(t, when)
		}
		if !im.Taken.Equal(w) || !byPath[rel].Taken.Equal(w) {
			t.Errorf("%s: taken %v (Images: %v), want %v", rel, im.Taken, byPath[rel].Taken, w)
		}
		var col sql.NullInt64
		must(t, lib.db.QueryRow(`SELECT taken FROM images WHERE path = ?`, rel).Scan(&col))
		if !col.Valid || (when == "" && col.Int64 != 0) {
			t.Errorf("%s: taken column %+v", rel, col)
		}
	}
}

// vectorState is every stored vector and every space's generation: what a
// run that rewrites no vector leaves as it was.
func vectorState(t *testing.T, lib *Library) (map[string][]byte, map[string]int64) {
	t.Helper()
	vecs := map[string][]byte{}
	rows, err := lib.db.Query(`SELECT i.path, v.space, v.model, v.data FROM vectors v JOIN images i ON i.id = v.image_id`)
	must(t, err)
	for rows.Next() {
		var p, sp, model string
		var data []byte
		must(t, rows.Scan(&p, &sp, &model, &data))
		vecs[p+"\x00"+sp+"\x00"+model] = data
	}
	must(t, rows.Err())
	rows.Close()
	gens := map[string]int64{}
	rows, err = lib.db.Query(`SELECT space, gen FROM space_gen`)
	must(t, err)
	defer rows.Close()
	for rows.Next() {
		var sp string
		var g int64
		must(t, rows.Scan(&sp, &g))
		gens[sp] = g
	}
	must(t, rows.Err())
	return vecs, gens
}

func sameVectorState(t *testing.T, lib *Library, vecs map[string][]byte, gens map[string]int64) {
	t.Helper()
	v2, g2 := vectorState(t, lib)
	if len(v2) != len(vecs) {
		t.Errorf("%d vectors, were %d", len(v2), len(vecs))
	}
	for k, b := range vecs {
		if !bytes.Equal(v2[k], b) {
			t.Errorf("vector %q rewritten", k)
		}
	}
	for sp, g := range gens {
		if g2[sp] != g {
			t.Errorf("space %s: generation %d, was %d (vectors written)", sp, g2[sp], g)
		}
	}
}

// TestIndexReadsCaptureTime: indexing stores each file's EXIF capture date
// (DateTimeOriginal) with its row; a file without one gets 0 (known: none),
// and Image.Taken is zero.
func TestIndexReadsCaptureTime(t *testing.T) {
	dir, want := datedFolder(t)
	lib := openLib(t, dir, t.TempDir(), Options{})
	sum, err := lib.Index(context.Background(), nil)
	must(t, err)
	if sum.Indexed != len(want) || sum.DatesRead != 0 || sum.Failed != 0 {
		t.Fatalf("summary %+v", sum)
	}
	checkTaken(t, lib, want)
	// Export carries the date too.
	seen := 0
	must(t, lib.Export("", func(im Image, _ map[string][]float32) error {
		if w := want[im.Path]; w != "" {
			seen++
			if !im.Taken.Equal(exifTime(t, w)) {
				t.Errorf("export %s: taken %v", im.Path, im.Taken)
			}
		}
		return nil
	}))
	if seen != 3 {
		t.Errorf("export showed %d dated photos", seen)
	}
	// A second run reads nothing.
	sum, err = lib.Index(context.Background(), nil)
	must(t, err)
	if sum.Unchanged != len(want) || sum.DatesRead != 0 {
		t.Errorf("second run %+v", sum)
	}
}

// TestBackfillTaken: rows without a capture date (taken NULL, as a catalog
// from before schema 5 has them) get it from the next refresh, which reads
// only the files' heads: nothing is decoded or encoded, no vector written.
func TestBackfillTaken(t *testing.T) {
	dir, want := datedFolder(t)
	lib := openLib(t, dir, t.TempDir(), Options{})
	_, err := lib.Index(context.Background(), nil)
	must(t, err)
	_, err = lib.db.Exec(`UPDATE images SET taken = NULL`)
	must(t, err)
	for rel := range want {
		if im, err := lib.Lookup(rel); err != nil || !im.Taken.IsZero() {
			t.Fatalf("%s before the backfill: %+v, %v", rel, im, err)
		}
	}
	vecs, gens := vectorState(t, lib)
	var total int
	sum, err := lib.Index(context.Background(), func(p Progress) {
		if p.Phase == PhaseIndex {
			total = p.Total
		}
	})
	must(t, err)
	if sum.Indexed != 0 || sum.DatesRead != len(want) || sum.Unchanged != 0 || sum.Failed != 0 || total != len(want) {
		t.Fatalf("backfill summary %+v (progress total %d)", sum, total)
	}
	checkTaken(t, lib, want)
	sameVectorState(t, lib, vecs, gens)
	sum, err = lib.Index(context.Background(), nil)
	must(t, err)
	if sum.DatesRead != 0 || sum.Unchanged != len(want) {
		t.Errorf("run after the backfill %+v", sum)
	}
}

// TestMigrateSchema4Taken: a real schema-4 catalog (no taken column) opens
// as schema 5 with every date unknown, and the next Index reads them all
// without writing a vector.
func TestMigrateSchema4Taken(t *testing.T) {
	dir, want := datedFolder(t)
	cache := t.TempDir()
	lib := openLib(t, dir, cache, Options{})
	_, err := lib.Index(context.Background(), nil)
	must(t, err)
	path := lib.CatalogPath()
	must(t, lib.Close())

	// Back to schema 4: the column dropped, the version set back.
	old, err := sql.Open("sqlite", "file:"+path)
	must(t, err)
	_, err = old.Exec(`ALTER TABLE images DROP COLUMN taken; PRAGMA user_version = 4`)
	must(t, err)
	must(t, old.Close())

	lib = openLib(t, dir, cache, Options{})
	st, err := lib.Status()
	must(t, err)
	if st.Schema != schemaVersion || schemaVersion != 5 {
		t.Fatalf("schema %d after opening, want %d", st.Schema, schemaVersion)
	}
	var unknown int
	must(t, lib.db.QueryRow(`SELECT count(*) FROM images WHERE taken IS NULL`).Scan(&unknown))
	if unknown != len(want) {
		t.Fatalf("%d rows with taken NULL after the migration, want %d", unknown, len(want))
	}
	vecs, gens := vectorState(t, lib)
	sum, err := lib.Index(context.Background(), nil)
	must(t, err)
	if sum.Indexed != 0 || sum.DatesRead != len(want) || sum.Failed != 0 || sum.Removed != 0 {
		t.Fatalf("first run on the migrated catalog %+v", sum)
	}
	checkTaken(t, lib, want)
	sameVectorState(t, lib, vecs, gens)
}

// TestTakenFollowsMovesCopiesTouches: a moved file keeps its row's date, a
// copy gets it (also from a row whose date is not read yet), a touched file
// keeps it.
func TestTakenFollowsMovesCopiesTouches(t *testing.T) {
	dir, want := datedFolder(t)
	lib := openLib(t, dir, t.TempDir(), Options{})
	_, err := lib.Index(context.Background(), nil)
	must(t, err)
	// b.jpg's date is unknown (a row from an older catalog): its copy
	// takes the date from its own bytes, and b.jpg gets its own.
	_, err = lib.db.Exec(`UPDATE images SET taken = NULL WHERE path = 'b.jpg'`)
	must(t, err)
	must(t, os.Rename(filepath.Join(dir, "a.jpg"), filepath.Join(dir, "sub", "moved a.jpg")))
	copyFile(t, filepath.Join(dir, "b.jpg"), filepath.Join(dir, "copy of b.jpg"))
	copyFile(t, filepath.Join(dir, "sub", "c.jpg"), filepath.Join(dir, "copy of c.jpg"))
	later := time.Now().Add(time.Hour)
	must(t, os.Chtimes(filepath.Join(dir, "sub", "c.jpg"), later, later))
	sum, err := lib.Index(context.Background(), nil)
	must(t, err)
	if sum.Moved != 1 || sum.Copied != 2 || sum.Touched != 1 || sum.Indexed != 0 || sum.DatesRead != 1 {
		t.Fatalf("summary %+v", sum)
	}
	want["sub/moved a.jpg"] = want["a.jpg"]
	delete(want, "a.jpg")
	want["copy of b.jpg"] = want["b.jpg"]
	want["copy of c.jpg"] = want["sub/c.jpg"]
	checkTaken(t, lib, want)
}

// TestTakenUnreadableStaysUnknown: a file whose head cannot be read for its
// date keeps its row as it was (indexed, date unknown, retried next run);
// it is not a failure.
func TestTakenUnreadableStaysUnknown(t *testing.T) {
	dir, _ := datedFolder(t)
	lib := openLib(t, dir, t.TempDir(), Options{})
	_, err := lib.Index(context.Background(), nil)
	must(t, err)
	_, err = lib.db.Exec(`UPDATE images SET taken = NULL WHERE path = 'a.jpg'`)
	must(t, err)
	p, err := lib.plan(context.Background(), nil)
	must(t, err)
	var j *job
	for i := range p.jobs {
		if p.jobs[i].entry.Rel == "a.jpg" && p.jobs[i].kind == jobDate {
			j = &p.jobs[i]
		}
	}
	if j == nil || len(p.jobs) != 1 {
		t.Fatalf("plan: %+v", p.jobs)
	}
	// Gone between the scan and the read (as unreadable as it gets for root).
	must(t, os.Remove(filepath.Join(dir, "a.jpg")))
	r := lib.processBatch([]job{*j}, &claimer{}, nil)[0]
	if r.kind != resDateSkip {
		t.Fatalf("result kind %d, want resDateSkip", r.kind)
	}
	w := &writer{l: lib, batch: 1, progress: func(Progress) {}}
	w.count(r)
	must(t, w.commit([]result{r}))
	var sum Summary
	w.tally(&sum)
	if sum.DatesRead != 0 || sum.Failed != 0 {
		t.Errorf("summary %+v", sum)
	}
	var status, reason string
	var taken sql.NullInt64
	must(t, lib.db.QueryRow(`SELECT status, reason, taken FROM images WHERE path = 'a.jpg'`).Scan(&status, &reason, &taken))
	if status != StatusIndexed || reason != "" || taken.Valid {
		t.Errorf("row after an unreadable date: %s %q %+v", status, reason, taken)
	}
	if _, err := readTaken(dir); err == nil {
		t.Errorf("a folder's date read without an error")
	}
}

// tiffDatedAtEnd is an uncompressed 8-bit grey TIFF of w×h whose only IFD,
// with its DateTime (0x0132) when, comes after the pixels, as libtiff
// writes them: for a big picture, past the head a date job reads.
func tiffDatedAtEnd(w, h int, when string) []byte {
	le := binary.LittleEndian
	out := []byte("II\x2a\x00")
	pix := 8
	ifd := pix + w*h
	out = le.AppendUint32(out, uint32(ifd))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			out = append(out, byte((x*7+y*3)%256))
		}
	}
	const entries = 9
	date := ifd + 2 + entries*12 + 4
	out = le.AppendUint16(out, entries)
	entry := func(tag, typ uint16, count, value uint32) {
		out = le.AppendUint16(out, tag)
		out = le.AppendUint16(out, typ)
		out = le.AppendUint32(out, count)
		out = le.AppendUint32(out, value)
	}
	entry(0x0100, 4, 1, uint32(w))     // ImageWidth
	entry(0x0101, 4, 1, uint32(h))     // ImageLength
	entry(0x0102, 3, 1, 8)             // BitsPerSample
	entry(0x0103, 3, 1, 1)             // Compression: none
	entry(0x0106, 3, 1, 1)             // PhotometricInterpretation: BlackIsZero
	entry(0x0111, 4, 1, uint32(pix))   // StripOffsets
	entry(0x0116, 4, 1, uint32(h))     // RowsPerStrip
	entry(0x0117, 4, 1, uint32(w*h))   // StripByteCounts
	entry(0x0132, 2, 20, uint32(date)) // DateTime
	out = le.AppendUint32(out, 0)      // no next IFD
	return append(out, when+"\x00"...)
}

// A TIFF whose IFD lies after its pixels, beyond the head a date job reads,
// gets its capture date on the backfill too (the job then reads it whole,
// as indexing does), not "undated".
func TestBackfillTakenTIFFDatedAtTheEnd(t *testing.T) {
	dir := t.TempDir()
	const when = "2011:05:06 07:08:09"
	data := tiffDatedAtEnd(640, 480, when)
	if len(data) <= takenHead {
		t.Fatalf("the TIFF is %d bytes: want more than the %d a date job reads first", len(data), takenHead)
	}
	must(t, os.WriteFile(filepath.Join(dir, "scan.tif"), data, 0o644))
	want := map[string]string{"scan.tif": when}
	lib := openLib(t, dir, t.TempDir(), Options{})
	sum, err := lib.Index(context.Background(), nil)
	must(t, err)
	if sum.Indexed != 1 {
		t.Fatalf("index %+v", sum)
	}
	checkTaken(t, lib, want)
	_, err = lib.db.Exec(`UPDATE images SET taken = NULL`)
	must(t, err)
	sum, err = lib.Index(context.Background(), nil)
	must(t, err)
	if sum.DatesRead != 1 || sum.Indexed != 0 {
		t.Fatalf("backfill %+v", sum)
	}
	checkTaken(t, lib, want)
}
