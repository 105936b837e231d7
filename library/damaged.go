package library

import (
	"fmt"
	"strings"
)

// Vectors in the catalog can be damaged behind relview's back (a disk
// error, a hand edit, a restored partial copy). Every read of a blob checks
// it (decodeVector, loadFromCatalog); a damaged one is never searched. A
// writable library deletes it, so the refresh finds the photo's vector
// missing in that space and encodes the photo again; a read-only one counts
// it so the commands can say so (DamagedVectors).

// noteDamaged records the images whose vector in space is damaged and, in a
// writable library, deletes those vectors so that the next refresh re-encodes
// the images.
func (l *Library) noteDamaged(space string, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	l.damagedMu.Lock()
	if l.damaged == nil {
		l.damaged = map[string]map[int64]bool{}
	}
	if l.damaged[space] == nil {
		l.damaged[space] = map[int64]bool{}
	}
	for _, id := range ids { // a set: a space read twice counts each once
		l.damaged[space][id] = true
	}
	l.damagedMu.Unlock()
	if l.opts.ReadOnly {
		return nil
	}
	tx, err := l.db.Begin()
	if err != nil {
		return fmt.Errorf("space %q: drop damaged vectors: %w", space, err)
	}
	defer tx.Rollback()
	for _, id := range ids {
		if _, err := tx.Exec(`DELETE FROM vectors WHERE image_id = ? AND space = ?`, id, space); err != nil {
			return fmt.Errorf("space %q: drop damaged vector of image %d: %w", space, id, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("space %q: drop damaged vectors: %w", space, err)
	}
	return nil
}

// DamagedVectors says, per space, how many damaged vectors this library has
// found (and left out of its searches) since it was opened.
func (l *Library) DamagedVectors() map[string]int {
	l.damagedMu.Lock()
	defer l.damagedMu.Unlock()
	out := make(map[string]int, len(l.damaged))
	for k, v := range l.damaged {
		out[k] = len(v)
	}
	return out
}

// DamagedNote is a sentence for the user about damaged vectors found, or "".
func (l *Library) DamagedNote() string {
	var parts []string
	for sp, n := range l.DamagedVectors() {
		parts = append(parts, fmt.Sprintf("%d in %s", n, sp))
	}
	if len(parts) == 0 {
		return ""
	}
	fix := "they were removed and are encoded again by the next 'relview index'"
	if l.opts.ReadOnly {
		fix = "run 'relview index " + l.root + "' to encode those photos again"
	}
	return "damaged vectors in the catalog (" + strings.Join(parts, ", ") + ") were left out of the search: " + fix
}
