package library

import (
	"database/sql"
	"fmt"
)

// The statements the index writer runs, one function per change to the
// catalog; each takes the writer's transaction.

// The taken column (schema 5) is written wherever a file's bytes were read:
// taken is then takenOf those bytes (0: no EXIF date), so a row of an older
// catalog gets its date from any refresh that reads the file anyway.

// touchImage records a file whose mtime changed but content did not. A
// second-pass failure is retried when the file is touched.
func touchImage(tx *sql.Tx, id int64, e fileEntry, taken int64) error {
	if _, err := tx.Exec(`UPDATE images SET size = ?, mtime = ?, taken = ? WHERE id = ?`, e.Size, e.MTime, taken, id); err != nil {
		return err
	}
	_, err := tx.Exec(`DELETE FROM space_failures WHERE image_id = ?`, id)
	return err
}

// moveImage gives row id the path of the file it moved to.
func moveImage(tx *sql.Tx, id int64, e fileEntry, taken int64) error {
	_, err := tx.Exec(`UPDATE images SET path = ?, size = ?, mtime = ?, taken = ? WHERE id = ?`, e.Rel, e.Size, e.MTime, taken, id)
	return err
}

// setTaken records the capture date read from the head of an unchanged
// file (a row from before schema 5). The size and mtime must still be the
// ones planned with: a row that changed meanwhile keeps NULL, and the next
// refresh, which reads the changed file whole, writes its date.
func setTaken(tx *sql.Tx, id int64, e fileEntry, taken int64) error {
	_, err := tx.Exec(`UPDATE images SET taken = ? WHERE id = ? AND size = ? AND mtime = ?`, taken, id, e.Size, e.MTime)
	return err
}

// copyImage makes (or replaces) the row of e as a copy of row fromID, with
// its vectors and capture date, and returns the new row's id. taken, the
// date read from the copy's own bytes (the same content, so the same date),
// serves when row fromID has none yet (a row from before schema 5).
func copyImage(tx *sql.Tx, fromID int64, e fileEntry, taken, now int64) (int64, error) {
	var id int64
	err := tx.QueryRow(`INSERT INTO images(path, size, mtime, hash, width, height, format, status, reason, indexed_at, taken)
		SELECT ?, ?, ?, hash, width, height, format, status, '', ?, coalesce(taken, ?) FROM images WHERE id = ?
		ON CONFLICT(path) DO UPDATE SET size = excluded.size, mtime = excluded.mtime, hash = excluded.hash,
			width = excluded.width, height = excluded.height, format = excluded.format,
			status = excluded.status, reason = '', indexed_at = excluded.indexed_at, taken = excluded.taken
		RETURNING id`, e.Rel, e.Size, e.MTime, now, taken, fromID).Scan(&id)
	if err != nil {
		return 0, err
	}
	if err := clearImage(tx, id); err != nil {
		return 0, err
	}
	if _, err := tx.Exec(`INSERT INTO vectors(image_id, space, model, dim, data)
		SELECT ?, space, model, dim, data FROM vectors WHERE image_id = ?`, id, fromID); err != nil {
		return 0, fmt.Errorf("copy vectors: %w", err)
	}
	return id, nil
}

// storedVectors reads back the sound vectors of image id in spaces.
func storedVectors(tx *sql.Tx, id int64, spaces []string) []vecWrite {
	var out []vecWrite
	for _, sp := range spaces {
		var model string
		var blob []byte
		var dim int
		if err := tx.QueryRow(`SELECT model, dim, data FROM vectors WHERE image_id = ? AND space = ?`, id, sp).Scan(&model, &dim, &blob); err == nil {
			if v, err := decodeVector(blob, dim); err == nil {
				out = append(out, vecWrite{id: id, space: sp, model: model, vec: v})
			}
		}
	}
	return out
}

// putFailed records a file that could not be indexed, without vectors, and
// returns its row id. Its capture date is not kept (the gallery does not
// show it); it is read when the file is indexed.
func putFailed(tx *sql.Tx, e fileEntry, hash, reason string, now int64) (int64, error) {
	var id int64
	err := tx.QueryRow(`INSERT INTO images(path, size, mtime, hash, status, reason, indexed_at)
		VALUES (?, ?, ?, ?, 'failed', ?, ?)
		ON CONFLICT(path) DO UPDATE SET size = excluded.size, mtime = excluded.mtime, hash = excluded.hash,
			width = 0, height = 0, format = '', status = 'failed', reason = excluded.reason, indexed_at = excluded.indexed_at,
			taken = NULL
		RETURNING id`, e.Rel, e.Size, e.MTime, hash, reason, now).Scan(&id)
	if err != nil {
		return 0, err
	}
	return id, clearImage(tx, id)
}

// putIndexed makes (or updates) the row of an indexed file and returns its
// id; clear deletes the row's old vectors (its content changed).
func putIndexed(tx *sql.Tx, e fileEntry, hash string, width, height int, format string, taken, now int64, clear bool) (int64, error) {
	var id int64
	err := tx.QueryRow(`INSERT INTO images(path, size, mtime, hash, width, height, format, status, reason, indexed_at, taken)
		VALUES (?, ?, ?, ?, ?, ?, ?, 'indexed', '', ?, ?)
		ON CONFLICT(path) DO UPDATE SET size = excluded.size, mtime = excluded.mtime, hash = excluded.hash,
			width = excluded.width, height = excluded.height, format = excluded.format,
			status = 'indexed', reason = '', indexed_at = excluded.indexed_at, taken = excluded.taken
		RETURNING id`, e.Rel, e.Size, e.MTime, hash, width, height, format, now, taken).Scan(&id)
	if err != nil || !clear {
		return id, err
	}
	return id, clearImage(tx, id)
}

// putVector stores (or replaces) image id's vector in space.
func putVector(tx *sql.Tx, id int64, space, model string, v []float32) error {
	_, err := tx.Exec(`INSERT INTO vectors(image_id, space, model, dim, data) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT(image_id, space) DO UPDATE SET model = excluded.model, dim = excluded.dim, data = excluded.data`,
		id, space, model, len(v), encodeVector(v))
	return err
}

// clearSpaceFailure forgets a second-pass failure of image id in space.
func clearSpaceFailure(tx *sql.Tx, id int64, space string) error {
	_, err := tx.Exec(`DELETE FROM space_failures WHERE image_id = ? AND space = ?`, id, space)
	return err
}

// putSpaceFailure records that encoding image id in space failed with model.
func putSpaceFailure(tx *sql.Tx, id int64, space, model string, dim int, reason string) error {
	_, err := tx.Exec(`INSERT INTO space_failures(image_id, space, model, dim, reason) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT(image_id, space) DO UPDATE SET model = excluded.model, dim = excluded.dim, reason = excluded.reason`,
		id, space, model, dim, reason)
	return err
}

// clearImage deletes every vector of an image and every failure recorded
// for it in a deferred space: its content changed.
func clearImage(tx *sql.Tx, id int64) error {
	if _, err := tx.Exec(`DELETE FROM vectors WHERE image_id = ?`, id); err != nil {
		return err
	}
	_, err := tx.Exec(`DELETE FROM space_failures WHERE image_id = ?`, id)
	return err
}

// removeRows deletes catalogued files (their vectors cascade) in one
// transaction.
func (l *Library) removeRows(ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	tx, err := l.db.Begin()
	if err != nil {
		return fmt.Errorf("catalog: begin: %w", err)
	}
	defer tx.Rollback()
	for _, id := range ids {
		if _, err := tx.Exec(`DELETE FROM images WHERE id = ?`, id); err != nil {
			return fmt.Errorf("catalog: remove %d: %w", id, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("catalog: commit: %w", err)
	}
	l.applyToStores(nil, ids)
	return nil
}

// saveProblems replaces the recorded scan problems.
func (l *Library) saveProblems(ps []Problem) error {
	tx, err := l.db.Begin()
	if err != nil {
		return fmt.Errorf("catalog: begin: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`DELETE FROM problems`); err != nil {
		return fmt.Errorf("catalog: problems: %w", err)
	}
	for _, p := range ps {
		if _, err := tx.Exec(`INSERT OR REPLACE INTO problems(path, reason) VALUES (?, ?)`, p.Path, p.Reason); err != nil {
			return fmt.Errorf("catalog: problems: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("catalog: commit: %w", err)
	}
	return nil
}
