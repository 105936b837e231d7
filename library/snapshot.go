package library

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"path/filepath"

	"relview/engine/vecstore"
)

// A snapshot is a derived copy of one space's search store in the library's
// cache folder (index-<space>.bin), in vecstore's snapshot format
// (engine/vecstore/snapshot.go: header, rows, ids, CRC-32C checksums,
// written to a temporary file and renamed into place). An int8 snapshot is
// memory-mapped on open, so opening a library reads no vectors onto the
// heap; it also holds the projections that a search ranks rows by before
// scoring a short list of them, so a search makes only the projections and
// its short list's codes resident (each row's codes are verified against
// their checksum when first read; a mismatch breaks the store, which is
// then loaded from the catalog and the snapshot rewritten, see store). The catalog stays the truth: the snapshot's metadata block records
// the catalog's identity and the space's generation (a random token a
// trigger renews on every write to the space's vectors, see migrations
// 1 -> 2 and 3 -> 4), and one that does not match, is damaged or is of
// another format or version is ignored; the store is then loaded from the
// catalog and the snapshot rewritten.
//
// Rows hold the catalog's vectors (float32 as they are, int8 as vecstore's
// codes); loading gives the store the catalog path would build.

// storeKind is the search store every space uses, with the snapshot encoding
// that suits it.
type storeKind struct {
	name string
	new  func(dim int) vecstore.Index
	enc  vecstore.Encoding
}

// flatStore keeps float32 vectors: exact scores, 4 bytes per component.
var flatStore = storeKind{name: "flat float32", new: func(dim int) vecstore.Index { return vecstore.NewFlat(dim) }, enc: vecstore.EncFloat32}

// quantStore keeps int8 codes and one float32 scale per vector: a quarter of
// flatStore's memory; its scores are estimates within about 0.01 of the
// exact cosine (TestQuantizedScoresNearExact).
var quantStore = storeKind{name: "int8 quantized", new: func(dim int) vecstore.Index { return vecstore.NewQuantized(dim) }, enc: vecstore.EncInt8}

// searchStore is the one constructor choice for the library's stores. int8:
// at 100k images both spaces take about 400 MB instead of 1.5 GB of float32
// (docs/benchmarks.md, "Library"), for scores within about 0.01 of exact.
var searchStore = quantStore

// mapSnapshots says whether int8 snapshots are memory-mapped (where the
// system allows) rather than read onto the heap; the benchmarks turn it off
// to compare.
var mapSnapshots = true

// snapMeta is the library's part of a snapshot header (its metadata block,
// JSON): which catalog and generation of which space's vectors, made by
// which model, the rows are.
type snapMeta struct {
	Catalog string `json:"catalog"`
	Gen     int64  `json:"gen"`
	Space   string `json:"space"`
	Model   string `json:"model"`
}

// snapHeader is what a snapshot's header says.
type snapHeader struct {
	enc   vecstore.Encoding
	dim   int
	count int
	snapMeta
}

// parseHeader reads the library's metadata out of a snapshot header.
func parseHeader(info vecstore.SnapshotInfo) (snapHeader, error) {
	h := snapHeader{enc: info.Enc, dim: info.Dim, count: info.Count}
	if err := json.Unmarshal(info.Meta, &h.snapMeta); err != nil {
		return h, fmt.Errorf("%w: metadata: %w", errStale, err)
	}
	return h, nil
}

// snapshotPath is where the snapshot of space lives.
func (l *Library) snapshotPath(space string) string {
	name := space
	for _, r := range space {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			name = "x" + hex.EncodeToString([]byte(space))
			break
		}
	}
	return filepath.Join(l.dir, "index-"+name+".bin")
}

// queryRower is a *sql.DB or a *sql.Tx.
type queryRower interface {
	QueryRow(query string, args ...any) *sql.Row
}

// catalogGen returns the catalog's identity and the generation of space's
// vectors (0 if they were never written).
func catalogGen(q queryRower, space string) (string, int64, error) {
	var id string
	if err := q.QueryRow(`SELECT value FROM meta WHERE key = 'catalog_id'`).Scan(&id); err != nil {
		return "", 0, fmt.Errorf("catalog id: %w", err)
	}
	var gen int64
	err := q.QueryRow(`SELECT gen FROM space_gen WHERE space = ?`, space).Scan(&gen)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", 0, fmt.Errorf("space %q generation: %w", space, err)
	}
	return id, gen, nil
}

// errStale says a snapshot does not match the catalog.
var errStale = errors.New("stale")

// checkHeader reports why h is not a current snapshot of space.
func checkHeader(h snapHeader, space, model string, dim int, catalog string, gen int64) error {
	switch {
	case h.Space != space || h.Model != model || h.dim != dim:
		return fmt.Errorf("%w: holds %s/%s dim %d, want %s/%s dim %d", errStale, h.Space, h.Model, h.dim, space, model, dim)
	case h.enc != searchStore.enc:
		return fmt.Errorf("%w: encoding %v, the store wants %v", errStale, h.enc, searchStore.enc)
	case h.Catalog != catalog:
		return fmt.Errorf("%w: made from another catalog", errStale)
	case h.Gen != gen:
		return fmt.Errorf("%w: generation %d, the catalog is at %d", errStale, h.Gen, gen)
	}
	return nil
}

// snapshotCurrent reports whether space's snapshot matches the catalog.
func (l *Library) snapshotCurrent(space, model string, dim int) bool {
	info, err := vecstore.ReadSnapshotInfo(l.snapshotPath(space))
	if err != nil {
		return false
	}
	h, err := parseHeader(info)
	if err != nil {
		return false
	}
	cid, gen, err := catalogGen(l.db, space)
	return err == nil && checkHeader(h, space, model, dim, cid, gen) == nil
}

// loadSnapshot returns the store held by space's snapshot if it is current
// and sound (int8 ones mapped, see vecstore.LoadSnapshot).
func (l *Library) loadSnapshot(space, model string, dim int) (vecstore.Index, error) {
	path := l.snapshotPath(space)
	check := func(info vecstore.SnapshotInfo) error {
		h, err := parseHeader(info)
		if err != nil {
			return err
		}
		cid, gen, err := catalogGen(l.db, space)
		if err != nil {
			return err
		}
		return checkHeader(h, space, model, dim, cid, gen)
	}
	idx, err := vecstore.LoadSnapshot(path, check, vecstore.LoadOptions{NoMap: !mapSnapshots})
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", path, err)
	}
	return idx, nil
}

// createSnapshot starts a snapshot of space's vectors made by model at the
// catalog's generation gen.
func (l *Library) createSnapshot(m snapMeta, dim int) (*vecstore.SnapshotWriter, error) {
	meta, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	return vecstore.CreateSnapshot(l.snapshotPath(m.Space), searchStore.enc, dim, meta)
}

// validVector reports whether a store accepts v: finite and not zero.
func validVector(v []float32) bool {
	nonzero := false
	for _, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return false
		}
		nonzero = nonzero || x != 0
	}
	return nonzero
}

// loadFromCatalog reads space's vectors made by (model, dim) out of the
// catalog in one read transaction. Each valid one goes into idx (unless nil)
// and, when write is set, into a new snapshot stamped with the generation the
// transaction saw. A snapshot that cannot be written fails the call only when
// idx is nil (nothing else was asked for).
func (l *Library) loadFromCatalog(space, model string, dim int, idx vecstore.Index, write bool) error {
	tx, err := l.db.BeginTx(context.Background(), &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("space %q: load: %w", space, err)
	}
	defer tx.Rollback()
	cid, gen, err := catalogGen(tx, space)
	if err != nil {
		return fmt.Errorf("space %q: load: %w", space, err)
	}
	if idx != nil {
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM vectors WHERE space = ? AND model = ? AND dim = ?`, space, model, dim).Scan(&n); err != nil {
			return fmt.Errorf("space %q: load: %w", space, err)
		}
		if g, ok := idx.(interface{ Grow(int) }); ok {
			g.Grow(n)
		}
	}
	var sw *vecstore.SnapshotWriter
	var snapErr error
	if write {
		sw, snapErr = l.createSnapshot(snapMeta{Catalog: cid, Gen: gen, Space: space, Model: model}, dim)
	}
	// Failed images have no vectors (the writer deletes them), so no join.
	rows, err := tx.Query(`SELECT image_id, data FROM vectors WHERE space = ? AND model = ? AND dim = ? ORDER BY id`, space, model, dim)
	if err != nil {
		if sw != nil {
			sw.Abort()
		}
		return fmt.Errorf("space %q: load: %w", space, err)
	}
	defer rows.Close()
	vec := make([]float32, dim)
	var damaged []int64 // rows that cannot be a vector (see noteDamaged)
	for rows.Next() {
		var id int64
		var blob sql.RawBytes // valid until Next: no copy, no garbage
		if err := rows.Scan(&id, &blob); err != nil {
			if sw != nil {
				sw.Abort()
			}
			return fmt.Errorf("space %q: load: %w", space, err)
		}
		if len(blob) != 4*dim {
			damaged = append(damaged, id)
			continue
		}
		decodeInto(vec, blob)
		if !validVector(vec) { // a zero or NaN vector cannot be searched
			damaged = append(damaged, id)
			continue
		}
		if idx != nil {
			if err := idx.Add(id, vec); err != nil {
				continue
			}
		}
		if sw != nil {
			if snapErr = sw.Add(id, vec); snapErr != nil {
				sw.Abort()
				sw = nil
			}
		}
	}
	if err := rows.Err(); err != nil {
		if sw != nil {
			sw.Abort()
		}
		return fmt.Errorf("space %q: load: %w", space, err)
	}
	switch {
	case sw != nil && len(damaged) > 0:
		// No current snapshot of a catalog with damage: the next refresh
		// must read the catalog again to find and repair it.
		sw.Abort()
	case sw != nil:
		snapErr = sw.Commit()
	}
	rows.Close()
	tx.Rollback()
	if err := l.noteDamaged(space, damaged); err != nil {
		return err
	}
	if idx == nil && snapErr != nil {
		return fmt.Errorf("space %q: %w", space, snapErr)
	}
	return nil
}

// refreshSnapshots rewrites, from the catalog, the snapshot of every space
// whose snapshot is missing or stale. It does not load any store.
func (l *Library) refreshSnapshots() error {
	spaces, err := l.Spaces()
	if err != nil {
		return err
	}
	var errs []error
	for _, sp := range spaces {
		model, dim, err := l.wantModel(sp)
		if err != nil || l.snapshotCurrent(sp, model, dim) {
			continue
		}
		if err := l.loadFromCatalog(sp, model, dim, nil, true); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
