package library

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
)

// TestMigrateGenerationToToken: a schema-3 catalog (counter generations)
// opens as schema 4 with a new token per space, and later writes renew it.
func TestMigrateGenerationToToken(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.db")
	old, err := sql.Open("sqlite", "file:"+path)
	must(t, err)
	for v := 0; v < 3; v++ {
		_, err := old.Exec(migrations[v])
		must(t, err)
	}
	_, err = old.Exec(fmt.Sprintf(`PRAGMA user_version = 3;
		INSERT INTO images(id, path, size, mtime, hash, status) VALUES (1, 'a.jpg', 1, 1, 'h', 'indexed');
		INSERT INTO vectors(image_id, space, model, dim, data) VALUES (1, 'visual', 'm', 1, x'0000803f');`))
	must(t, err)
	var before int64
	must(t, old.QueryRow(`SELECT gen FROM space_gen WHERE space = 'visual'`).Scan(&before))
	must(t, old.Close())
	if before != 1 {
		t.Fatalf("schema 3 counted generation %d, want 1", before)
	}

	db, err := openCatalog(path)
	must(t, err)
	defer db.Close()
	var v int
	must(t, db.QueryRow(`PRAGMA user_version`).Scan(&v))
	if v != schemaVersion {
		t.Fatalf("user_version %d after opening, want %d", v, schemaVersion)
	}
	_, migrated, err := catalogGen(db, "visual")
	must(t, err)
	if migrated == before {
		t.Errorf("migration kept the counter's generation %d", before)
	}
	seen := map[int64]bool{migrated: true}
	for i := 0; i < 5; i++ {
		_, err := db.Exec(`UPDATE vectors SET data = ? WHERE image_id = 1`, []byte{0, 0, 0, byte(i)})
		must(t, err)
		_, gen, err := catalogGen(db, "visual")
		must(t, err)
		if seen[gen] {
			t.Fatalf("write %d left the generation at a value seen before (%d)", i, gen)
		}
		seen[gen] = true
	}
}
