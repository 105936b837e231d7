package library

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"relview/engine"
)

// copyCatalog copies catalog.db and its WAL/SHM files (those that exist)
// from the cache folder src to dst, removing dst's that src lacks.
func copyCatalog(t *testing.T, src, dst string) {
	t.Helper()
	for _, name := range []string{"catalog.db", "catalog.db-wal", "catalog.db-shm"} {
		b, err := os.ReadFile(filepath.Join(src, name))
		if os.IsNotExist(err) {
			if err := os.Remove(filepath.Join(dst, name)); err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			continue
		}
		must(t, err)
		must(t, os.WriteFile(filepath.Join(dst, name), b, 0o644))
	}
}

// TestSnapshotAfterCatalogRollback: a catalog restored from a backup (or one
// that lost its WAL) and then written again must not meet a snapshot of the
// state it lost. Before the generation was a random token it counted up to
// the same number and the old snapshot answered with the lost vectors.
func TestSnapshotAfterCatalogRollback(t *testing.T) {
	folder := sampleFolder(t)
	cache := t.TempDir()
	backup := t.TempDir()
	ctx := context.Background()

	lib := openLib(t, folder, cache, Options{})
	_, err := lib.Index(ctx, nil)
	must(t, err)
	dir := lib.CacheFolder()
	must(t, lib.Close())
	copyCatalog(t, dir, backup) // the state the catalog will fall back to

	// State B: new.jpg is a copy of scream.jpg; both snapshots written.
	newPath := filepath.Join(folder, "new.jpg")
	copyFile(t, filepath.Join(samplePhotos, "scream.jpg"), newPath)
	lib = openLib(t, folder, cache, Options{})
	_, err = lib.Index(ctx, nil)
	must(t, err)
	must(t, lib.Close())

	// The catalog loses state B; new.jpg is now another photo, indexed
	// with the same number of writes as B had.
	copyCatalog(t, backup, dir)
	must(t, os.Remove(newPath))
	copyFile(t, filepath.Join(samplePhotos, "coins.png"), newPath)
	lib = openLib(t, folder, cache, Options{})
	_, err = lib.Index(ctx, nil)
	must(t, err)
	must(t, lib.Close())

	query := "scream.jpg"
	if _, err := os.Stat(filepath.Join(folder, query)); err != nil {
		query = "sub/scream.jpg"
	}
	for _, sp := range []string{engine.Visual, engine.Relational} {
		ro := openLib(t, folder, cache, Options{ReadOnly: true})
		got := allNeighbours(t, ro, query, sp)
		ref := openLib(t, folder, cache, Options{ReadOnly: true})
		must(t, os.Remove(ref.snapshotPath(sp)))
		want := allNeighbours(t, ref, query, sp)
		if storeFrom(ref, sp) != fromCatalog {
			t.Fatalf("%s: reference store loaded from %q", sp, storeFrom(ref, sp))
		}
		sameHits(t, sp+" after the rollback", got, want)
		if len(got) > 0 && got[0].Path == "new.jpg" && got[0].Score > 0.99 {
			t.Errorf("%s: %s's first neighbour is new.jpg at %.3f: the lost copy of it", sp, query, got[0].Score)
		}
	}
}
