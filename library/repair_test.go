package library

import (
	"context"
	"database/sql"
	"errors"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"relview/engine"
)

// TestDamagedCatalogIsRebuilt: a catalog file damaged three ways (random
// bytes, cut in half, a garbled page of the images table) no longer gives
// "malformed" on every command with no way forward: read-only commands say
// the catalog is damaged and how to rebuild it; index sets it aside and
// rebuilds it from the photos, leaving the photo folder untouched.
func TestDamagedCatalogIsRebuilt(t *testing.T) {
	damage := map[string]func(t *testing.T, path string){
		"random bytes": func(t *testing.T, path string) {
			st, err := os.Stat(path)
			must(t, err)
			b := make([]byte, st.Size())
			rand.New(rand.NewSource(1)).Read(b)
			must(t, os.WriteFile(path, b, 0o644))
		},
		"cut in half": func(t *testing.T, path string) {
			st, err := os.Stat(path)
			must(t, err)
			must(t, os.Truncate(path, st.Size()/2))
		},
		"garbled images page": func(t *testing.T, path string) {
			db, err := sql.Open("sqlite", "file:"+path)
			must(t, err)
			var root, pageSize int64
			must(t, db.QueryRow(`SELECT rootpage FROM sqlite_master WHERE name = 'images'`).Scan(&root))
			must(t, db.QueryRow(`PRAGMA page_size`).Scan(&pageSize))
			must(t, db.Close())
			f, err := os.OpenFile(path, os.O_WRONLY, 0)
			must(t, err)
			junk := make([]byte, pageSize)
			rand.New(rand.NewSource(2)).Read(junk)
			_, err = f.WriteAt(junk, (root-1)*pageSize)
			must(t, err)
			must(t, f.Close())
		},
	}
	for name, f := range damage {
		t.Run(name, func(t *testing.T) {
			folder, cache, lib := indexedSample(t)
			before := treeDigest(t, folder)
			catalog := lib.CatalogPath()
			must(t, lib.Close())
			if _, err := os.Stat(catalog + "-wal"); err == nil {
				t.Fatalf("the WAL outlived Close: damage the checkpointed file only")
			}
			f(t, catalog)

			// Read-only: a clear refusal somewhere between open and query.
			err := func() error {
				ro, err := Open(folder, Options{ReadOnly: true, CacheRoot: cache})
				if err != nil {
					return err
				}
				defer ro.Close()
				if _, err := ro.Status(); err != nil {
					return err
				}
				if _, err := ro.Spaces(); err != nil {
					return err
				}
				_, err = ro.Neighbours(firstPath(t, folder, "coins.png"), engine.Visual, 3)
				return err
			}()
			if !errors.Is(err, ErrDamagedCatalog) || !strings.Contains(err.Error(), "relview index") {
				t.Fatalf("read-only use of a damaged catalog: %v; want ErrDamagedCatalog with what to do", err)
			}

			// Index: set aside, rebuilt, every photo back.
			lib = openLib(t, folder, cache, Options{})
			sum, err := lib.Index(context.Background(), nil)
			must(t, err)
			if sum.Rebuilt == nil {
				t.Fatalf("index did not say it rebuilt the catalog: %+v", sum)
			}
			if _, err := os.Stat(sum.Rebuilt.SetAside); err != nil || filepath.Dir(sum.Rebuilt.SetAside) != lib.CacheFolder() {
				t.Errorf("damaged catalog not kept in the cache folder: %q: %v", sum.Rebuilt.SetAside, err)
			}
			if sum.Indexed+sum.Copied != len(samples(t)) {
				t.Errorf("rebuilt with %d indexed + %d copies, want %d photos", sum.Indexed, sum.Copied, len(samples(t)))
			}
			hits, err := lib.Neighbours(firstPath(t, folder, "coins.png"), engine.Relational, 3)
			if err != nil || len(hits) != 3 {
				t.Errorf("neighbours after the rebuild: %v, %v", hits, err)
			}
			// The next run of the same library does not say it again.
			if again, err := lib.Index(context.Background(), nil); err != nil || again.Rebuilt != nil {
				t.Errorf("second run after the rebuild: rebuilt %+v, %v", again.Rebuilt, err)
			}
			must(t, lib.Close())
			sameTree(t, before, treeDigest(t, folder))
		})
	}
}
