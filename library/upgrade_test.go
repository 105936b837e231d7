package library

import (
	"context"
	"testing"

	"relview/engine"
)

// A catalog of the previous release (relational vectors of the built-in
// encoder v3, no objects) is converted in place by the next refresh: no
// photo is encoded again for its columns, the relational vectors are the
// current encoder's, and the second pass finds every photo's objects (v3's
// were objects v1's).
func TestUpgradeV3CatalogWithoutPhotos(t *testing.T) {
	folder := sampleFolder(t)
	n := len(samples(t))
	cache := t.TempDir()
	lib := openLib(t, folder, cache, Options{BatchSize: 4})
	if _, err := lib.Index(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	want := blobs(t, lib, engine.Relational)
	visual := blobs(t, lib, engine.Visual)
	// What v3 left: its model name on the relational vectors (their object
	// slots are zero here, so the same bytes serve: the conversion's
	// arithmetic is engine.TestUpgradeRelationalV3's) and no objects.
	const v3 = "builtin-relational-v3 (approximation of relsim)"
	if !engine.CanUpgradeRelational(v3) {
		t.Fatalf("%q is not upgradable", v3)
	}
	_, err := lib.db.Exec(`UPDATE vectors SET model = ? WHERE space = ?`, v3, engine.Relational)
	must(t, err)
	_, err = lib.db.Exec(`DELETE FROM vectors WHERE space = ?`, engine.Objects)
	must(t, err)
	lib.Close()

	lib = openLib(t, folder, cache, Options{BatchSize: 4})
	var ph phasesOf
	sum, err := lib.Index(context.Background(), ph.add)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Upgraded != n || sum.Indexed != 0 || sum.Reembed != 0 || sum.Related != n || sum.Unchanged != n {
		t.Errorf("summary %+v: want %d upgraded and their objects found, no column encoded", sum, n)
	}
	if u := ph.last[PhaseUpgrade]; u.Done != n || u.Total != n || ph.seq[0] != PhaseUpgrade {
		t.Errorf("phases %v, last upgrade event %+v", ph.seq, u)
	}
	got := blobs(t, lib, engine.Relational)
	if len(got) != n {
		t.Fatalf("%d relational vectors after the upgrade, want %d", len(got), n)
	}
	for id, b := range want {
		a, err1 := decodeVector(b, engine.RelationalDim)
		c, err2 := decodeVector(got[id], engine.RelationalDim)
		if err1 != nil || err2 != nil || engine.Cosine(a, c) < 0.99999 {
			t.Errorf("image %d: upgraded relational vector differs (%v %v)", id, err1, err2)
		}
	}
	if !equalBlobs(visual, blobs(t, lib, engine.Visual)) {
		t.Error("visual vectors were rewritten")
	}
	for _, sp := range []string{engine.Relational, engine.Objects} {
		if c := coverage(t, lib, sp); c.Have != n {
			t.Errorf("%s coverage %+v after the upgrade", sp, c)
		}
	}
	var old int
	must(t, lib.db.QueryRow(`SELECT count(*) FROM vectors WHERE model = ?`, v3).Scan(&old))
	if old != 0 {
		t.Errorf("%d v3 vectors left", old)
	}
	ims, _ := lib.Images()
	if hits, err := lib.NeighboursByID(ims[0].ID, engine.Relational, 3); err != nil || len(hits) != 3 {
		t.Errorf("relational neighbours after the upgrade: %d, %v", len(hits), err)
	}
	// Nothing left to upgrade: the next run does nothing.
	if sum, err := lib.Index(context.Background(), nil); err != nil || sum.Upgraded != 0 || sum.Indexed != 0 {
		t.Errorf("next run %+v, %v", sum, err)
	}
}
