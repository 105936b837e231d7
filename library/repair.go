package library

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"modernc.org/sqlite"
)

// A catalog can be damaged behind relview's back (a disk error, a copy cut
// short, a file overwritten). It is only an index of the photos: a writable
// library sets the damaged file aside (catalog.damaged-<time>.db, kept for
// whoever wants to look at it) and rebuilds the catalog by indexing the
// folder again; the thumbnails, keyed by content, stay. A read-only library
// refuses with ErrDamagedCatalog and says how to rebuild.

// ErrDamagedCatalog is wrapped when the catalog cannot be read because its
// file is damaged.
var ErrDamagedCatalog = errors.New("the catalog is damaged")

// SQLite's primary result codes for a damaged database.
const (
	sqliteCorrupt = 11 // SQLITE_CORRUPT: "database disk image is malformed"
	sqliteNotADB  = 26 // SQLITE_NOTADB: "file is not a database"
)

// isCorrupt reports whether err is SQLite saying the database file is damaged.
func isCorrupt(err error) bool {
	if err == nil {
		return false
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code() & 0xff
		return c == sqliteCorrupt || c == sqliteNotADB
	}
	s := err.Error()
	return strings.Contains(s, "database disk image is malformed") || strings.Contains(s, "file is not a database")
}

// damagedError says the catalog is damaged and how to rebuild it.
func (l *Library) damagedError(err error) error {
	return fmt.Errorf("%w (%v): run 'relview index %s' to set it aside and rebuild it from the photos (the photo folder is not touched)", ErrDamagedCatalog, err, l.root)
}

// checkDB turns an error that says the catalog is damaged into one that
// says what to do; other errors pass unchanged.
func (l *Library) checkDB(err error) error {
	if isCorrupt(err) && !errors.Is(err, ErrDamagedCatalog) {
		return l.damagedError(err)
	}
	return err
}

// setAsideCatalog moves the catalog files of the cache folder dir to
// catalog.damaged-<time>.db (with its -wal and -shm) and deletes the
// snapshots made from it. It returns the new name of the catalog.
func setAsideCatalog(dir string) (string, error) {
	aside := filepath.Join(dir, "catalog.damaged-"+time.Now().UTC().Format("20060102T150405.000")+".db")
	for _, suffix := range []string{"", "-wal", "-shm"} {
		err := os.Rename(filepath.Join(dir, "catalog.db"+suffix), aside+suffix)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("set aside the damaged catalog: %w", err)
		}
	}
	snaps, _ := filepath.Glob(filepath.Join(dir, "index-*.bin"))
	for _, s := range snaps {
		if err := os.Remove(s); err != nil && !errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("remove snapshot %s: %w", s, err)
		}
	}
	return aside, nil
}

// rebuildCatalog sets the damaged catalog aside and opens a new, empty one
// in its place (the caller then indexes the folder). cause is what showed
// the damage.
func (l *Library) rebuildCatalog(cause error) error {
	l.storesMu.Lock()
	defer l.storesMu.Unlock()
	if l.db != nil {
		l.db.Close()
	}
	aside, err := setAsideCatalog(l.dir)
	if err != nil {
		return err
	}
	if l.db, err = openCatalog(filepath.Join(l.dir, "catalog.db")); err != nil {
		return fmt.Errorf("new catalog: %w", err)
	}
	if err := l.recordRoot(); err != nil {
		return err
	}
	l.stores = map[string]*spaceStore{}
	l.rebuilt = &Rebuilt{Cause: cause.Error(), SetAside: aside}
	l.rebuiltTold = false
	return nil
}

// takeRebuilt is RebuiltCatalog for the summary of one Index run: a rebuild
// is told once, by the first run that follows it.
func (l *Library) takeRebuilt() *Rebuilt {
	l.storesMu.Lock()
	defer l.storesMu.Unlock()
	if l.rebuilt == nil || l.rebuiltTold {
		return nil
	}
	l.rebuiltTold = true
	return l.rebuilt
}

// Rebuilt says that a damaged catalog was set aside and a new one started.
type Rebuilt struct {
	Cause    string `json:"cause"`     // what SQLite said
	SetAside string `json:"set_aside"` // where the damaged file now is
}

// RebuiltCatalog says whether this library set a damaged catalog aside
// since it was opened (nil if not).
func (l *Library) RebuiltCatalog() *Rebuilt {
	l.storesMu.Lock()
	defer l.storesMu.Unlock()
	return l.rebuilt
}
