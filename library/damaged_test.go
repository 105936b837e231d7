package library

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"testing"

	"relview/engine"
)

// TestDamagedVectorIsFoundAndReencoded: a vector blob damaged in the catalog
// (NaN, or cut short) is left out of searches with a note, refused by
// export with the photo's name, and encoded again by the next index. Before,
// index said "unchanged", export stopped on "json: unsupported value: NaN",
// and the photo silently dropped out of the search.
func TestDamagedVectorIsFoundAndReencoded(t *testing.T) {
	folder, cache, lib := indexedSample(t)
	nan := firstPath(t, folder, "coins.png")
	short := firstPath(t, folder, "kite.jpg")
	imNaN, err := lib.Lookup(nan)
	must(t, err)
	imShort, err := lib.Lookup(short)
	must(t, err)
	must(t, lib.Close())

	// Damage two blobs behind relview's back.
	db, err := openCatalog(lib.CatalogPath())
	must(t, err)
	var blob []byte
	must(t, db.QueryRow(`SELECT data FROM vectors WHERE image_id = ? AND space = ?`, imNaN.ID, engine.Visual).Scan(&blob))
	binary.LittleEndian.PutUint32(blob[40:], math.Float32bits(float32(math.NaN())))
	_, err = db.Exec(`UPDATE vectors SET data = ? WHERE image_id = ? AND space = ?`, blob, imNaN.ID, engine.Visual)
	must(t, err)
	_, err = db.Exec(`UPDATE vectors SET data = substr(data, 1, 100) WHERE image_id = ? AND space = ?`, imShort.ID, engine.Relational)
	must(t, err)
	must(t, db.Close())

	ro := openLib(t, folder, cache, Options{ReadOnly: true})
	for _, c := range []struct{ path, space string }{{nan, engine.Visual}, {short, engine.Relational}} {
		for _, h := range allNeighbours(t, ro, firstPath(t, folder, "astronaut.png"), c.space) {
			if h.Path == c.path {
				t.Errorf("%s: %s, whose vector is damaged, was searched", c.space, c.path)
			}
		}
	}
	if d := ro.DamagedVectors(); d[engine.Visual] != 1 || d[engine.Relational] != 1 {
		t.Errorf("damaged vectors found %v, want one per space", d)
	}
	if note := ro.DamagedNote(); !strings.Contains(note, "relview index") {
		t.Errorf("note %q does not say what to do", note)
	}
	err = ro.Export("", func(Image, map[string][]float32) error { return nil })
	if !errors.Is(err, errDamagedVector) || !strings.Contains(err.Error(), nan) {
		t.Errorf("export of a damaged catalog: %v, want a damaged-vector error naming %s", err, nan)
	}

	// The next index drops and re-encodes both.
	lib = openLib(t, folder, cache, Options{})
	sum, err := lib.Index(context.Background(), nil)
	must(t, err)
	if sum.Repaired != 2 {
		t.Errorf("index repaired %d damaged vectors, want 2 (summary %+v)", sum.Repaired, sum)
	}
	must(t, lib.Close())
	ro = openLib(t, folder, cache, Options{ReadOnly: true})
	must(t, ro.Export("", func(im Image, v map[string][]float32) error {
		if len(v) != 2 {
			t.Errorf("%s exported with spaces %d after the repair", im.Path, len(v))
		}
		return nil
	}))
	found := false
	for _, h := range allNeighbours(t, ro, firstPath(t, folder, "astronaut.png"), engine.Visual) {
		found = found || h.Path == nan
	}
	if !found {
		t.Errorf("%s is not searched after the repair", nan)
	}
	if d := ro.DamagedVectors(); len(d) != 0 {
		t.Errorf("damaged vectors after the repair: %v", d)
	}
}
