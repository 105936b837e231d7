package library

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"net/url"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver (pure Go)
)

// Image statuses in the catalog.
const (
	StatusIndexed = "indexed"
	StatusFailed  = "failed"
)

// schemaVersion is the catalog schema this code writes (PRAGMA user_version).
const schemaVersion = 5

// migrations[i] brings a catalog from user_version i to i+1. A new schema
// change appends a step; old steps are never edited.
var migrations = []string{
	// 0 -> 1: the first schema.
	`CREATE TABLE images (
		id         INTEGER PRIMARY KEY,
		path       TEXT    NOT NULL UNIQUE, -- relative to the folder, '/'-separated, bytes as on disk
		size       INTEGER NOT NULL,
		mtime      INTEGER NOT NULL,        -- Unix nanoseconds
		hash       TEXT    NOT NULL,        -- BLAKE3 of the file's bytes, 128 bits hex
		width      INTEGER NOT NULL DEFAULT 0,
		height     INTEGER NOT NULL DEFAULT 0,
		format     TEXT    NOT NULL DEFAULT '',
		status     TEXT    NOT NULL CHECK (status IN ('indexed', 'failed')),
		reason     TEXT    NOT NULL DEFAULT '',
		indexed_at INTEGER NOT NULL DEFAULT 0
	);
	CREATE INDEX images_hash ON images(hash);
	-- A rowid table (not WITHOUT ROWID): rows of kilobytes scan far faster
	-- in rowid order when a space is loaded.
	CREATE TABLE vectors (
		id       INTEGER PRIMARY KEY,
		image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
		space    TEXT    NOT NULL,
		model    TEXT    NOT NULL,
		dim      INTEGER NOT NULL,
		data     BLOB    NOT NULL,          -- dim float32, little-endian
		UNIQUE (image_id, space)
	);
	CREATE INDEX vectors_space ON vectors(space, model, dim);
	-- Files and folders the last scan could not read (not images that failed to decode).
	CREATE TABLE problems (
		path   TEXT PRIMARY KEY,
		reason TEXT NOT NULL
	);
	CREATE TABLE meta (
		key   TEXT PRIMARY KEY,
		value TEXT NOT NULL
	);`,
	// 1 -> 2: a generation per space, bumped by every write to its vectors
	// (cascaded deletes included), and a random identity of the catalog, so
	// that a search-store snapshot (snapshot.go) can tell it is stale. (No
	// INSERT OR IGNORE in the triggers: the outer statement's conflict
	// policy would override it.)
	`CREATE TABLE space_gen (
		space TEXT PRIMARY KEY,
		gen   INTEGER NOT NULL
	);
	INSERT INTO space_gen(space, gen) SELECT DISTINCT space, 1 FROM vectors;
	INSERT OR REPLACE INTO meta(key, value) VALUES ('catalog_id', lower(hex(randomblob(16))));
	CREATE TRIGGER vectors_gen_insert AFTER INSERT ON vectors BEGIN
		INSERT INTO space_gen(space, gen) SELECT NEW.space, 0 WHERE NOT EXISTS (SELECT 1 FROM space_gen WHERE space = NEW.space);
		UPDATE space_gen SET gen = gen + 1 WHERE space = NEW.space;
	END;
	CREATE TRIGGER vectors_gen_update AFTER UPDATE ON vectors BEGIN
		INSERT INTO space_gen(space, gen) SELECT NEW.space, 0 WHERE NOT EXISTS (SELECT 1 FROM space_gen WHERE space = NEW.space);
		UPDATE space_gen SET gen = gen + 1 WHERE space IN (OLD.space, NEW.space);
	END;
	CREATE TRIGGER vectors_gen_delete AFTER DELETE ON vectors BEGIN
		UPDATE space_gen SET gen = gen + 1 WHERE space = OLD.space;
	END;`,
	// 2 -> 3: images whose encoding in a deferred space (filled by the second
	// indexing pass) failed, with the model that failed: the second pass
	// skips them until that space's model changes or the file does. The
	// image keeps its status, its gallery entry and its other vectors.
	`CREATE TABLE space_failures (
		image_id INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
		space    TEXT    NOT NULL,
		model    TEXT    NOT NULL,
		dim      INTEGER NOT NULL,
		reason   TEXT    NOT NULL,
		PRIMARY KEY (image_id, space)
	);`,
	// 3 -> 4: the generation becomes a random token instead of a counter. A
	// catalog that lost its last commits (a restored file, a lost WAL) and
	// was written again counted up to the numbers its lost commits had
	// reached, so a snapshot of the lost state looked current; a fresh
	// random value per write cannot meet an old one again (2^-64). Every
	// space gets a new token now, so snapshots are rewritten once.
	`DROP TRIGGER vectors_gen_insert;
	DROP TRIGGER vectors_gen_update;
	DROP TRIGGER vectors_gen_delete;
	UPDATE space_gen SET gen = random();
	CREATE TRIGGER vectors_gen_insert AFTER INSERT ON vectors BEGIN
		INSERT INTO space_gen(space, gen) SELECT NEW.space, 0 WHERE NOT EXISTS (SELECT 1 FROM space_gen WHERE space = NEW.space);
		UPDATE space_gen SET gen = random() WHERE space = NEW.space;
	END;
	CREATE TRIGGER vectors_gen_update AFTER UPDATE ON vectors BEGIN
		INSERT INTO space_gen(space, gen) SELECT NEW.space, 0 WHERE NOT EXISTS (SELECT 1 FROM space_gen WHERE space = NEW.space);
		UPDATE space_gen SET gen = random() WHERE space IN (OLD.space, NEW.space);
	END;
	CREATE TRIGGER vectors_gen_delete AFTER DELETE ON vectors BEGIN
		UPDATE space_gen SET gen = random() WHERE space = OLD.space;
	END;`,
	// 4 -> 5: when the photo was taken (EXIF), read at index time from the
	// bytes already in memory, so the gallery's date order reads no files.
	// NULL: not read yet (every row of an older catalog; the next refresh
	// reads only the file's head for it); 0: the file has no EXIF capture
	// date; else Unix nanoseconds.
	`ALTER TABLE images ADD COLUMN taken INTEGER;`,
}

// openCatalog opens (creating and migrating as needed) the SQLite catalog at
// path: WAL journal, foreign keys on, immediate write transactions.
func openCatalog(path string) (*sql.DB, error) {
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "busy_timeout(15000)", "foreign_keys(1)", "synchronous(NORMAL)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	dsn := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("catalog %s: %w", path, err)
	}
	db.SetMaxOpenConns(4)
	if err := migrate(db); err != nil {
		db.Close()
		return nil, fmt.Errorf("catalog %s: %w", path, err)
	}
	return db, nil
}

// migrate applies the missing migration steps, each in its own transaction
// with the version bump, so a crash leaves either the old or the new schema.
func migrate(db *sql.DB) error {
	for {
		var v int
		if err := db.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil {
			return fmt.Errorf("read schema version: %w", err)
		}
		if v == schemaVersion {
			return nil
		}
		if v > schemaVersion {
			return fmt.Errorf("schema version %d is newer than this relview understands (%d); upgrade relview", v, schemaVersion)
		}
		tx, err := db.Begin()
		if err != nil {
			return fmt.Errorf("migrate to %d: %w", v+1, err)
		}
		// Re-read inside the write transaction: another process may have migrated.
		var now int
		if err := tx.QueryRow(`PRAGMA user_version`).Scan(&now); err != nil {
			tx.Rollback()
			return fmt.Errorf("read schema version: %w", err)
		}
		if now != v {
			tx.Rollback()
			continue
		}
		if _, err := tx.Exec(migrations[v]); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate schema %d -> %d: %w", v, v+1, err)
		}
		if _, err := tx.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, v+1)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate schema %d -> %d: %w", v, v+1, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migrate schema %d -> %d: commit: %w", v, v+1, err)
		}
	}
}

// encodeVector stores a vector as little-endian float32 bytes.
func encodeVector(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

// errDamagedVector is wrapped when a stored vector cannot be a vector an
// encoder made: the wrong length, not finite, or zero.
var errDamagedVector = errors.New("damaged vector")

// decodeVector reads a vector stored by encodeVector, refusing a damaged one.
func decodeVector(b []byte, dim int) ([]float32, error) {
	if len(b) != 4*dim {
		return nil, fmt.Errorf("%w: blob of %d bytes, want %d for dim %d", errDamagedVector, len(b), 4*dim, dim)
	}
	v := make([]float32, dim)
	decodeInto(v, b)
	if !validVector(v) {
		return nil, fmt.Errorf("%w: not finite or zero", errDamagedVector)
	}
	return v, nil
}

// catalogRow is what the refresh needs to know about one catalogued file.
type catalogRow struct {
	ID     int64
	Path   string
	Size   int64
	MTime  int64
	Hash   string
	Status string
	Reason string
	// TakenKnown is false while the row's capture date was never read
	// (taken IS NULL: a row from before schema 5).
	TakenKnown bool
	// Models maps space -> "model\x00dim" of the stored vectors.
	Models map[string]string
}

func modelKey(model string, dim int) string { return fmt.Sprintf("%s\x00%d", model, dim) }

// loadRows reads every catalogued file with the models of its vectors.
func loadRows(ctx context.Context, db *sql.DB) (map[string]*catalogRow, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, path, size, mtime, hash, status, reason, taken IS NOT NULL FROM images`)
	if err != nil {
		return nil, fmt.Errorf("read catalog: %w", err)
	}
	byID := map[int64]*catalogRow{}
	byPath := map[string]*catalogRow{}
	for rows.Next() {
		r := &catalogRow{Models: map[string]string{}}
		if err := rows.Scan(&r.ID, &r.Path, &r.Size, &r.MTime, &r.Hash, &r.Status, &r.Reason, &r.TakenKnown); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read catalog: %w", err)
		}
		byID[r.ID] = r
		byPath[r.Path] = r
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("read catalog: %w", err)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read catalog: %w", err)
	}
	vrows, err := db.QueryContext(ctx, `SELECT image_id, space, model, dim FROM vectors`)
	if err != nil {
		return nil, fmt.Errorf("read catalog vectors: %w", err)
	}
	defer vrows.Close()
	for vrows.Next() {
		var id int64
		var space, model string
		var dim int
		if err := vrows.Scan(&id, &space, &model, &dim); err != nil {
			return nil, fmt.Errorf("read catalog vectors: %w", err)
		}
		if r := byID[id]; r != nil {
			r.Models[space] = modelKey(model, dim)
		}
	}
	if err := vrows.Err(); err != nil {
		return nil, fmt.Errorf("read catalog vectors: %w", err)
	}
	return byPath, nil
}

// errNotIndexed is returned by queries about an image the catalog lacks.
var errNotIndexed = errors.New("not in the library's catalog")
