package library

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"relview/engine"
)

// CacheDirEnv names the environment variable that overrides the cache root.
const CacheDirEnv = "RELVIEW_CACHE_DIR"

// Options configures Open.
type Options struct {
	// Engine encodes images. Needed to index and for NeighboursOfFile on a
	// file outside the catalog; queries on catalogued images work without.
	Engine *engine.Engine
	// CacheRoot is the folder holding every library's cache folder; "" means
	// $RELVIEW_CACHE_DIR, else os.UserCacheDir()/relview.
	CacheRoot string
	// NoSnapshots loads every space from the catalog, neither reading nor
	// writing the search snapshots (the benchmark of the catalog path).
	NoSnapshots bool
	// ReadOnly opens for queries only: no writer lock is taken and Index
	// refuses to run. Several read-only opens may run beside one writer.
	ReadOnly bool
	// Wait makes Open wait for another process's writer lock instead of
	// failing with ErrBusy. WaitContext bounds the wait (nil: forever).
	Wait        bool
	WaitContext context.Context
	// Workers decoding and encoding in parallel; 0 means one per core.
	Workers int
	// BatchSize is the number of results written per transaction (0: 32).
	BatchSize int
	// ThumbCacheEntries is the size of the in-memory thumbnail LRU (0: 256).
	ThumbCacheEntries int
	// SinglePass makes Index fill every space in one pass even when the
	// engine defers one (engine.SpaceInfo.Deferred) to a second pass: for
	// benchmarks and tests that compare the two.
	SinglePass bool
}

// CacheRoot returns the folder under which every library keeps its cache:
// root if not empty, else $RELVIEW_CACHE_DIR, else os.UserCacheDir()/relview.
func CacheRoot(root string) (string, error) {
	if root != "" {
		return filepath.Abs(root)
	}
	if env := os.Getenv(CacheDirEnv); env != "" {
		return filepath.Abs(env)
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache folder: %w (set $%s)", err, CacheDirEnv)
	}
	return filepath.Join(base, "relview"), nil
}

// CacheDir is the cache folder of the library at folder (an absolute path):
// CacheRoot/<first 16 hex digits of the SHA-256 of the path>.
func CacheDir(cacheRoot, folder string) string {
	sum := sha256.Sum256([]byte(folder))
	return filepath.Join(cacheRoot, hex.EncodeToString(sum[:8]))
}

// Library is one photo folder with its catalog, thumbnails and search stores.
// All methods are safe for concurrent use.
type Library struct {
	root   string // absolute, symlinks resolved
	dir    string // cache folder
	db     *sql.DB
	eng    *engine.Engine
	lock   *writerLock
	opts   Options
	thumbs *thumbCache

	gate     *gate
	indexMu  sync.Mutex // one Index at a time
	closeMu  sync.Once
	storesMu sync.Mutex // serialises loading and updating stores

	damagedMu   sync.Mutex
	damaged     map[string]map[int64]bool // damaged vectors found per space (damaged.go)
	rebuilt     *Rebuilt                  // a damaged catalog set aside (repair.go), under storesMu
	rebuiltTold bool                      // an Index summary has said so (takeRebuilt)
	stores      map[string]*spaceStore
	// snapDirty is set when a commit changes vectors and cleared when the
	// snapshots are brought up to date (after a full Index, or on Close).
	snapDirty atomic.Bool
}

// ErrNoIndex is wrapped when a folder opened read-only was never indexed.
var ErrNoIndex = errors.New("no index yet")

// Open opens the library of folder, creating its cache folder and catalog
// when needed. Unless opts.ReadOnly, it takes the library's writer lock: a
// second writer gets an error wrapping ErrBusy (or waits, with opts.Wait).
func Open(folder string, opts Options) (*Library, error) {
	abs, err := filepath.Abs(folder)
	if err != nil {
		return nil, fmt.Errorf("library %s: %w", folder, err)
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("library %s: %w", folder, err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("library %s: not a folder", folder)
	}
	croot, err := CacheRoot(opts.CacheRoot)
	if err != nil {
		return nil, fmt.Errorf("library %s: %w", folder, err)
	}
	dir := CacheDir(croot, abs)
	if opts.ReadOnly {
		// A query of a folder never indexed creates nothing.
		if _, err := os.Stat(filepath.Join(dir, "catalog.db")); errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("library %s: %w: run 'relview index %s' first", folder, ErrNoIndex, folder)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("library %s: cache folder: %w", folder, err)
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.NumCPU()
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 32
	}
	l := &Library{root: abs, dir: dir, eng: opts.Engine, opts: opts, gate: newGate(), stores: map[string]*spaceStore{}}
	if !opts.ReadOnly {
		ctx := opts.WaitContext
		if ctx == nil {
			ctx = context.Background()
		}
		l.lock, err = acquireLock(ctx, filepath.Join(dir, "lock"), opts.Wait)
		if err != nil {
			return nil, fmt.Errorf("library %s: %w", folder, err)
		}
	}
	l.db, err = openCatalog(filepath.Join(dir, "catalog.db"))
	if err == nil && !opts.ReadOnly {
		err = l.recordRoot()
	}
	if isCorrupt(err) && !opts.ReadOnly {
		err = l.rebuildCatalog(err) // see repair.go
	}
	if err != nil {
		if l.db != nil {
			l.db.Close()
		}
		l.lock.release()
		return nil, fmt.Errorf("library %s: %w", folder, l.checkDB(err))
	}
	l.thumbs, err = newThumbCache(filepath.Join(dir, "thumbs"), opts.ThumbCacheEntries)
	if err != nil {
		l.Close()
		return nil, fmt.Errorf("library %s: %w", folder, err)
	}
	return l, nil
}

// recordRoot writes the library's folder into the catalog.
func (l *Library) recordRoot() error {
	if _, err := l.db.Exec(`INSERT INTO meta(key, value) VALUES ('root', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`, l.root); err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	return nil
}

// Close releases the catalog and the writer lock, first rewriting the search
// snapshots that vectors changed since they were last written (a watched
// library's refreshes leave them for here). Stop indexing (cancel its
// context) before closing.
func (l *Library) Close() error {
	var err error
	l.closeMu.Do(func() {
		if l.db != nil && !l.opts.ReadOnly && l.snapDirty.Load() {
			// A snapshot is only a faster way to open: one that cannot be
			// written is rebuilt from the catalog on the next open.
			_ = l.refreshSnapshots()
		}
		if l.db != nil {
			err = l.db.Close()
		}
		// Release the stores' mapped snapshot files now rather than when
		// the collector gets to them (a store locks out its searches while
		// it unmaps, and is empty afterwards).
		l.storesMu.Lock()
		for _, s := range l.stores {
			if c, ok := s.idx.(io.Closer); ok {
				c.Close()
			}
		}
		l.stores = map[string]*spaceStore{}
		l.storesMu.Unlock()
		l.lock.release()
	})
	return err
}

// Root is the library's folder (absolute).
func (l *Library) Root() string { return l.root }

// CacheFolder is the folder holding the catalog and thumbnails.
func (l *Library) CacheFolder() string { return l.dir }

// CatalogPath is the path of the SQLite catalog.
func (l *Library) CatalogPath() string { return filepath.Join(l.dir, "catalog.db") }

// ReadOnly reports whether the library was opened without the writer lock.
func (l *Library) ReadOnly() bool { return l.opts.ReadOnly }

// Image is one catalogued file.
type Image struct {
	ID     int64     `json:"id"`
	Path   string    `json:"path"` // relative to the library folder, '/'-separated
	Size   int64     `json:"size"`
	MTime  time.Time `json:"mtime"`
	Hash   string    `json:"hash"`
	Width  int       `json:"width"`
	Height int       `json:"height"`
	Format string    `json:"format"`
	Status string    `json:"status"`           // StatusIndexed or StatusFailed
	Reason string    `json:"reason,omitempty"` // why it failed
	// Taken is when the photo was taken (EXIF, read at index time, local
	// time); zero when the file has no such date or it was not read yet.
	Taken time.Time `json:"taken,omitzero"`
}

// AbsPath is the image's absolute path.
func (l *Library) AbsPath(img Image) string {
	return filepath.Join(l.root, filepath.FromSlash(img.Path))
}

const imageCols = `id, path, size, mtime, hash, width, height, format, status, reason, taken`

func scanImage(sc interface{ Scan(...any) error }) (Image, error) {
	var im Image
	var mt int64
	var taken sql.NullInt64
	err := sc.Scan(&im.ID, &im.Path, &im.Size, &mt, &im.Hash, &im.Width, &im.Height, &im.Format, &im.Status, &im.Reason, &taken)
	im.MTime = unixNano(mt)
	im.Taken = takenTime(taken)
	return im, err
}

func unixNano(ns int64) time.Time { return time.Unix(0, ns) }

// takenTime is Image.Taken of a taken column: NULL (not read yet) and 0
// (no date) are both the zero time.
func takenTime(ns sql.NullInt64) time.Time {
	if !ns.Valid || ns.Int64 == 0 {
		return time.Time{}
	}
	return unixNano(ns.Int64)
}

// prefixed qualifies each of a comma-separated list of columns.
func prefixed(p, cols string) string {
	parts := strings.Split(cols, ", ")
	for i := range parts {
		parts[i] = p + parts[i]
	}
	return strings.Join(parts, ", ")
}

// Images lists every catalogued file (indexed and failed), sorted by path.
func (l *Library) Images() ([]Image, error) {
	return l.queryImages(`SELECT ` + imageCols + ` FROM images ORDER BY path`)
}

// Failures lists the files that could not be indexed, with their reasons.
func (l *Library) Failures() ([]Image, error) {
	return l.queryImages(`SELECT `+imageCols+` FROM images WHERE status = ? ORDER BY path`, StatusFailed)
}

func (l *Library) queryImages(q string, args ...any) ([]Image, error) {
	rows, err := l.db.Query(q, args...)
	if err != nil {
		return nil, fmt.Errorf("list images: %w", err)
	}
	defer rows.Close()
	var out []Image
	for rows.Next() {
		im, err := scanImage(rows)
		if err != nil {
			return nil, fmt.Errorf("list images: %w", err)
		}
		out = append(out, im)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list images: %w", err)
	}
	return out, nil
}

// Image returns one catalogued file by id.
func (l *Library) Image(id int64) (Image, error) {
	im, err := scanImage(l.db.QueryRow(`SELECT `+imageCols+` FROM images WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Image{}, fmt.Errorf("image %d: %w", id, errNotIndexed)
	}
	if err != nil {
		return Image{}, fmt.Errorf("image %d: %w", id, err)
	}
	return im, nil
}

// Lookup finds a catalogued file by its path: relative to the library
// folder first; failing that, as a file-system path (absolute or relative to
// the working directory) inside the folder.
func (l *Library) Lookup(p string) (_ Image, err error) {
	defer func() { err = l.checkDB(err) }() // a damaged catalog says how to rebuild it
	var tries []string
	if !filepath.IsAbs(p) {
		tries = append(tries, filepath.ToSlash(filepath.Clean(p)))
	}
	if rel, ok := l.fsRel(p); ok {
		tries = append(tries, rel)
	}
	for _, rel := range tries {
		im, err := scanImage(l.db.QueryRow(`SELECT `+imageCols+` FROM images WHERE path = ?`, rel))
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return Image{}, fmt.Errorf("%s: %w", p, err)
		}
		return im, nil
	}
	return Image{}, fmt.Errorf("%s: %w", p, errNotIndexed)
}

// fsRel maps a file-system path to the catalog's relative form; ok is false
// for a path outside the library folder.
func (l *Library) fsRel(p string) (string, bool) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", false
	}
	if dir, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		abs = filepath.Join(dir, filepath.Base(abs))
	}
	return toRel(l.root, abs)
}

// IsNotIndexed reports whether err says an image is not in the catalog.
func IsNotIndexed(err error) bool { return errors.Is(err, errNotIndexed) }

// gate pauses workers: wait blocks while paused.
type gate struct {
	mu     sync.Mutex
	paused bool
	ch     chan struct{} // closed while running
}

func newGate() *gate {
	ch := make(chan struct{})
	close(ch)
	return &gate{ch: ch}
}

func (g *gate) pause() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.paused {
		g.paused = true
		g.ch = make(chan struct{})
	}
}

func (g *gate) resume() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.paused {
		g.paused = false
		close(g.ch)
	}
}

func (g *gate) isPaused() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.paused
}

func (g *gate) wait(ctx context.Context) error {
	g.mu.Lock()
	ch := g.ch
	g.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Pause stops indexing from starting new files (the ones in progress finish
// and are written); Resume lets it go on.
func (l *Library) Pause() { l.gate.pause() }

// Resume continues paused indexing.
func (l *Library) Resume() { l.gate.resume() }

// Paused reports whether indexing is paused.
func (l *Library) Paused() bool { return l.gate.isPaused() }
