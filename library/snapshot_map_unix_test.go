//go:build unix

package library

import (
	"context"
	"os"
	"testing"

	"relview/engine"
	"relview/engine/vecstore"
)

// A library whose int8 snapshot is mapped keeps answering rightly when the
// file is truncated under it (another process, a disk tool): the fault is
// caught, the store reloaded from the catalog, the answer the same.
func TestMappedSnapshotTruncatedUnderLibrary(t *testing.T) {
	saved := searchStore
	searchStore = quantStore
	defer func() { searchStore = saved }()
	folder := sampleFolder(t)
	cache := t.TempDir()
	lib := openLib(t, folder, cache, Options{})
	if _, err := lib.Index(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	ro := openLib(t, folder, cache, Options{ReadOnly: true})
	want := allNeighbours(t, ro, "motorcycle_left.png", engine.Visual)
	if storeFrom(ro, engine.Visual) != fromSnapshot {
		t.Fatalf("loaded from %q, want the snapshot", storeFrom(ro, engine.Visual))
	}
	ro.storesMu.Lock()
	q, _ := ro.stores[engine.Visual].idx.(*vecstore.Quantized)
	ro.storesMu.Unlock()
	if q == nil || !q.Mapped() {
		t.Skip("snapshot not mapped on this system")
	}
	must(t, os.Truncate(ro.snapshotPath(engine.Visual), 0))
	got := allNeighbours(t, ro, "motorcycle_left.png", engine.Visual)
	if !q.Broken() {
		t.Fatal("the truncated mapping was not noticed")
	}
	if from := storeFrom(ro, engine.Visual); from != fromCatalog {
		t.Fatalf("after the fault the store came from %q, want the catalog", from)
	}
	sameHits(t, "after truncation", got, want)
	// The reload rewrote a sound snapshot.
	ro2 := openLib(t, folder, cache, Options{ReadOnly: true})
	sameHits(t, "reopened", allNeighbours(t, ro2, "motorcycle_left.png", engine.Visual), want)
	if from := storeFrom(ro2, engine.Visual); from != fromSnapshot {
		t.Errorf("reopened: loaded from %q", from)
	}
}
