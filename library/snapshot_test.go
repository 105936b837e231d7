package library

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"relview/engine"
	"relview/engine/vecstore"
)

// readSnapshotIDs reads a snapshot file's header and ids (sorted).
func readSnapshotIDs(t *testing.T, path string) (snapHeader, []int64) {
	t.Helper()
	info, ids, err := vecstore.ReadSnapshotIDs(path)
	if err != nil {
		t.Fatal(err)
	}
	h, err := parseHeader(info)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return h, ids
}

// catalogIDs lists the image ids with a vector in space (sorted).
func catalogIDs(t *testing.T, lib *Library, space string) []int64 {
	t.Helper()
	var ids []int64
	for id := range blobs(t, lib, space) {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// storeFrom says where lib's store of space was loaded from ("" if not yet).
func storeFrom(lib *Library, space string) string {
	lib.storesMu.Lock()
	defer lib.storesMu.Unlock()
	if s := lib.stores[space]; s != nil {
		return s.from
	}
	return ""
}

// withStore runs f once per store kind the library can use.
func withStore(t *testing.T, f func(t *testing.T)) {
	for _, k := range []storeKind{flatStore, quantStore} {
		t.Run(k.name, func(t *testing.T) {
			saved := searchStore
			searchStore = k
			defer func() { searchStore = saved }()
			f(t)
		})
	}
}

// allNeighbours returns every other image's id and score for the image at
// path, in the order of the search.
func allNeighbours(t *testing.T, lib *Library, path, space string) []Neighbour {
	t.Helper()
	hits, err := lib.Neighbours(path, space, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return hits
}

// sameHits checks two result lists name the same images with the same
// scores (both come from stores of the same kind holding the same vectors).
func sameHits(t *testing.T, what string, got, want []Neighbour) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d hits, want %d", what, len(got), len(want))
	}
	for i := range got {
		if got[i].ID != want[i].ID || math.Abs(float64(got[i].Score-want[i].Score)) > 1e-6 {
			t.Fatalf("%s: hit %d is %d (%.6f), want %d (%.6f)", what, i, got[i].ID, got[i].Score, want[i].ID, want[i].Score)
		}
	}
}

func TestSnapshotWrittenByIndexAndUsedOnOpen(t *testing.T) {
	withStore(t, func(t *testing.T) {
		folder := sampleFolder(t)
		cache := t.TempDir()
		lib := openLib(t, folder, cache, Options{})
		if _, err := lib.Index(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		for _, sp := range []string{engine.Visual, engine.Relational} {
			p := lib.snapshotPath(sp)
			if filepath.Dir(p) != lib.CacheFolder() {
				t.Errorf("snapshot %s not in the cache folder %s", p, lib.CacheFolder())
			}
			h, ids := readSnapshotIDs(t, p)
			if h.Space != sp || h.enc != searchStore.enc {
				t.Errorf("%s: header %+v", p, h)
			}
			if want := catalogIDs(t, lib, sp); !equalIDs(ids, want) {
				t.Errorf("%s: ids %v, catalog %v", sp, ids, want)
			}
		}
		// The reference answers come from a store loaded from the catalog.
		ref := openLib(t, folder, cache, Options{ReadOnly: true})
		must(t, os.Remove(ref.snapshotPath(engine.Visual)))
		want := allNeighbours(t, ref, "motorcycle_left.png", engine.Visual)
		if storeFrom(ref, engine.Visual) != fromCatalog {
			t.Fatalf("store without a snapshot loaded from %q", storeFrom(ref, engine.Visual))
		}
		// ... which rewrote the snapshot: the next open uses it.
		ro := openLib(t, folder, cache, Options{ReadOnly: true})
		got := allNeighbours(t, ro, "motorcycle_left.png", engine.Visual)
		if storeFrom(ro, engine.Visual) != fromSnapshot {
			t.Fatalf("store loaded from %q, want the snapshot", storeFrom(ro, engine.Visual))
		}
		sameHits(t, "from the snapshot", got, want)
		// The photo folder holds no snapshot.
		if m, _ := filepath.Glob(filepath.Join(folder, "index-*")); len(m) > 0 {
			t.Errorf("snapshot written into the photo folder: %v", m)
		}
	})
}

func TestSnapshotFallsBackToCatalog(t *testing.T) {
	withStore(t, func(t *testing.T) {
		folder := sampleFolder(t)
		cache := t.TempDir()
		lib := openLib(t, folder, cache, Options{})
		if _, err := lib.Index(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		path := lib.snapshotPath(engine.Visual)
		good, err := os.ReadFile(path)
		must(t, err)
		ref := openLib(t, folder, cache, Options{ReadOnly: true})
		want := allNeighbours(t, ref, "sub/motorcycle_right.png", engine.Visual)
		if storeFrom(ref, engine.Visual) != fromSnapshot {
			t.Fatalf("fresh snapshot not used: %q", storeFrom(ref, engine.Visual))
		}

		// Another library's catalog, to make a snapshot of the wrong catalog.
		other := t.TempDir()
		copyFile(t, filepath.Join(samplePhotos, "dog.jpg"), filepath.Join(other, "dog.jpg"))
		olib := openLib(t, other, cache, Options{})
		if _, err := olib.Index(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		foreign, err := os.ReadFile(olib.snapshotPath(engine.Visual))
		must(t, err)

		flip := func(off int) []byte {
			b := append([]byte(nil), good...)
			b[off] ^= 0x40
			return b
		}
		for _, c := range []struct {
			name string
			data []byte
		}{
			{"truncated", good[:len(good)-100]},
			{"header only", good[:60]},
			{"empty", nil},
			{"random bytes", []byte("this is not a snapshot at all, just some bytes of text ........")},
			{"flipped byte in the header", flip(30)},
			{"flipped byte in the vectors", flip(len(good) / 2)},
			{"flipped byte in the ids", flip(len(good) - 3)},
			{"made from another catalog", foreign},
			{"format version 1", func() []byte { b := append([]byte(nil), good...); b[8] = 1; return b }()},
			{"longer", append(append([]byte(nil), good...), 0, 0, 0, 0)},
		} {
			t.Run(c.name, func(t *testing.T) {
				must(t, os.WriteFile(path, c.data, 0o644))
				ro := openLib(t, folder, cache, Options{ReadOnly: true})
				got := allNeighbours(t, ro, "sub/motorcycle_right.png", engine.Visual)
				if from := storeFrom(ro, engine.Visual); from != fromCatalog {
					t.Fatalf("loaded from %q, want the catalog", from)
				}
				sameHits(t, c.name, got, want)
				// The fallback rewrote a sound snapshot.
				ro2 := openLib(t, folder, cache, Options{ReadOnly: true})
				sameHits(t, c.name+", reopened", allNeighbours(t, ro2, "sub/motorcycle_right.png", engine.Visual), want)
				if from := storeFrom(ro2, engine.Visual); from != fromSnapshot {
					t.Errorf("after the fallback the next open loaded from %q", from)
				}
			})
		}

		// Stale: the catalog changes behind the snapshot's back (another
		// writer, a crash before the rewrite). A sound but stale snapshot must
		// not be used.
		t.Run("stale", func(t *testing.T) {
			must(t, os.WriteFile(path, good, 0o644))
			gone, err := lib.Lookup("sub/eagle.jpg")
			must(t, err)
			if _, err := lib.db.Exec(`DELETE FROM images WHERE id = ?`, gone.ID); err != nil {
				t.Fatal(err)
			}
			ro := openLib(t, folder, cache, Options{ReadOnly: true})
			got := allNeighbours(t, ro, "sub/motorcycle_right.png", engine.Visual)
			if from := storeFrom(ro, engine.Visual); from != fromCatalog {
				t.Fatalf("stale snapshot: loaded from %q", from)
			}
			if len(got) != len(want)-1 {
				t.Fatalf("%d hits, want %d", len(got), len(want)-1)
			}
			for _, h := range got {
				if h.ID == gone.ID {
					t.Errorf("the deleted image %d is still a neighbour", gone.ID)
				}
			}
			// A changed vector (same row count, same ids) is stale too.
			must(t, os.WriteFile(path, mustRead(t, ro.snapshotPath(engine.Visual)), 0o644))
			if _, err := lib.db.Exec(`UPDATE vectors SET data = ? WHERE image_id = (SELECT id FROM images WHERE path = 'motorcycle_left.png') AND space = 'visual'`, encodeVector(mustVector(t, lib, "sub/motorcycle_right.png"))); err != nil {
				t.Fatal(err)
			}
			ro2 := openLib(t, folder, cache, Options{ReadOnly: true})
			got = allNeighbours(t, ro2, "sub/motorcycle_right.png", engine.Visual)
			if from := storeFrom(ro2, engine.Visual); from != fromCatalog {
				t.Fatalf("snapshot stale after an UPDATE: loaded from %q", from)
			}
			if got[0].Path != "motorcycle_left.png" || got[0].Score < 0.99 {
				t.Errorf("the changed vector is not seen: top hit %s %.4f", got[0].Path, got[0].Score)
			}
		})
	})
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	must(t, err)
	return b
}

// mustVector is the catalog's (float32) vector of the image at path.
func mustVector(t *testing.T, lib *Library, path string) []float32 {
	t.Helper()
	var b []byte
	must(t, lib.db.QueryRow(`SELECT data FROM vectors v JOIN images i ON i.id = v.image_id WHERE i.path = ? AND v.space = 'visual'`, path).Scan(&b))
	v, err := decodeVector(b, len(b)/4)
	must(t, err)
	return v
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestSnapshotFollowsChanges(t *testing.T) {
	folder := sampleFolder(t)
	cache := t.TempDir()
	lib := openLib(t, folder, cache, Options{})
	if _, err := lib.Index(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	gone, err := lib.Lookup("sub/eagle.jpg")
	must(t, err)
	h0, _ := readSnapshotIDs(t, lib.snapshotPath(engine.Visual))

	// A full run with a deletion and a new image rewrites both snapshots.
	must(t, os.Remove(filepath.Join(folder, "sub", "eagle.jpg")))
	writeJPEG(t, filepath.Join(folder, "kite.jpg"), openSample(t, "scream.jpg"), 90)
	if _, err := lib.Index(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	added, err := lib.Lookup("kite.jpg")
	must(t, err)
	for _, sp := range []string{engine.Visual, engine.Relational} {
		h, ids := readSnapshotIDs(t, lib.snapshotPath(sp))
		if want := catalogIDs(t, lib, sp); !equalIDs(ids, want) {
			t.Errorf("%s snapshot after the run: ids %v, catalog %v", sp, ids, want)
		}
		if i := sort.Search(len(ids), func(i int) bool { return ids[i] >= gone.ID }); i < len(ids) && ids[i] == gone.ID {
			t.Errorf("%s snapshot still holds the deleted image %d", sp, gone.ID)
		}
		if i := sort.Search(len(ids), func(i int) bool { return ids[i] >= added.ID }); i == len(ids) || ids[i] != added.ID {
			t.Errorf("%s snapshot lacks the new image %d", sp, added.ID)
		}
		if !lib.snapshotCurrent(sp, h.Model, h.dim) {
			t.Errorf("%s snapshot not current after the run", sp)
		}
	}
	if h1, _ := readSnapshotIDs(t, lib.snapshotPath(engine.Visual)); h1.Gen == h0.Gen {
		t.Errorf("generation did not move: %d", h1.Gen)
	}

	// A watch-style refresh (scoped) leaves the snapshot stale; Close
	// rewrites it.
	must(t, os.Remove(filepath.Join(folder, "kite.jpg")))
	if _, err := lib.refresh(context.Background(), []string{"kite.jpg"}, nil); err != nil {
		t.Fatal(err)
	}
	h, _ := readSnapshotIDs(t, lib.snapshotPath(engine.Visual))
	if lib.snapshotCurrent(engine.Visual, h.Model, h.dim) {
		t.Fatalf("a scoped refresh that removed an image left the snapshot current")
	}
	must(t, lib.Close())
	lib2 := openLib(t, folder, cache, Options{ReadOnly: true})
	if !lib2.snapshotCurrent(engine.Visual, h.Model, h.dim) {
		t.Errorf("Close did not rewrite the stale snapshot")
	}
	if _, ids := readSnapshotIDs(t, lib2.snapshotPath(engine.Visual)); !equalIDs(ids, catalogIDs(t, lib2, engine.Visual)) {
		t.Errorf("snapshot written on Close: ids %v, catalog %v", ids, catalogIDs(t, lib2, engine.Visual))
	}
}

// quantScoreTol is how far a quantized store's score may be from the exact
// cosine.
const quantScoreTol = 0.01

// TestQuantizedScoresNearExact checks the compact store's scores against
// exact cosines of the catalog's float32 vectors: the int8 codes cost at most
// about 0.01 of score.
func TestQuantizedScoresNearExact(t *testing.T) {
	saved := searchStore
	searchStore = quantStore
	defer func() { searchStore = saved }()
	folder := sampleFolder(t)
	lib := openLib(t, folder, t.TempDir(), Options{})
	if _, err := lib.Index(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	for _, sp := range []string{engine.Visual, engine.Relational} {
		vecs := map[int64][]float32{}
		for id, b := range blobs(t, lib, sp) {
			v, err := decodeVector(b, len(b)/4)
			must(t, err)
			vecs[id] = v
		}
		im, err := lib.Lookup("motorcycle_left.png")
		must(t, err)
		hits, err := lib.NeighboursByID(im.ID, sp, 100)
		must(t, err)
		if len(hits) != len(vecs)-1 {
			t.Fatalf("%s: %d hits, want %d", sp, len(hits), len(vecs)-1)
		}
		for _, h := range hits {
			exact := engine.Cosine(vecs[im.ID], vecs[h.ID])
			if d := math.Abs(float64(h.Score - exact)); d > quantScoreTol {
				t.Errorf("%s: %s scores %.4f, exact cosine %.4f (|Δ| %.4f > %.2f)", sp, h.Path, h.Score, exact, d, quantScoreTol)
			}
		}
	}
}
