package library

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"relview/engine"
	"relview/engine/vecstore"
)

// spaceStore is the in-memory search index of one space, holding the vectors
// made by one model.
type spaceStore struct {
	model string
	dim   int
	idx   vecstore.Index
	from  string // where it was loaded from: fromSnapshot or fromCatalog
}

// Where a store was loaded from.
const (
	fromSnapshot = "snapshot"
	fromCatalog  = "catalog"
)

// Neighbour is one search hit: a catalogued image and its cosine similarity
// to the query.
type Neighbour struct {
	Image
	Score float32 `json:"score"`
	// Why names up to three relations the image shares with the query,
	// strongest first: only in the relational space, and only when its
	// encoder can say (the built-in one; a plug-in says nothing).
	Why []engine.Relation `json:"why,omitempty"`
}

// wantModel is the (model, dim) a space's store should hold: the engine's
// when there is one, else the one most vectors of the space in the catalog
// were made by.
func (l *Library) wantModel(space string) (string, int, error) {
	if l.eng != nil {
		if si, ok := l.eng.Space(space); ok {
			return si.Model, si.Dim, nil
		}
	}
	var model string
	var dim int
	err := l.db.QueryRow(`SELECT model, dim FROM vectors WHERE space = ? GROUP BY model, dim ORDER BY count(*) DESC LIMIT 1`, space).Scan(&model, &dim)
	if err != nil {
		return "", 0, fmt.Errorf("space %q: no vectors in the catalog (index the library first)", space)
	}
	return model, dim, nil
}

// store returns the search index of space, loading it on first use: from
// its snapshot when that is current and sound, else from the catalog (and
// then the snapshot is rewritten).
func (l *Library) store(space string) (_ *spaceStore, err error) {
	defer func() { err = l.checkDB(err) }() // a damaged catalog says how to rebuild it
	l.storesMu.Lock()
	defer l.storesMu.Unlock()
	old := l.stores[space]
	if old != nil && !broken(old.idx) {
		return old, nil
	}
	// A store whose mapped snapshot faulted (the file was truncated under
	// it, or a row failed its checksum when first read) is dropped, not
	// closed: a search may still hold it, and gets an error from it, not an
	// empty answer. Its mapping goes with it. It is loaded again from the
	// catalog, not from that file, which may still pass the checks made at
	// load (the codes are verified row by row as they are read).
	delete(l.stores, space)
	model, dim, err := l.wantModel(space)
	if err != nil {
		return nil, err
	}
	s := &spaceStore{model: model, dim: dim, from: fromSnapshot}
	skipSnap := l.opts.NoSnapshots || old != nil
	if !skipSnap {
		s.idx, err = l.loadSnapshot(space, model, dim)
	}
	if skipSnap || err != nil {
		// Missing, stale or damaged: the catalog is the truth.
		s.from = fromCatalog
		if s.idx = l.snapshotFromCatalog(space, model, dim); s.idx == nil {
			s.idx = searchStore.new(dim)
			if err := l.loadFromCatalog(space, model, dim, s.idx, !l.opts.NoSnapshots); err != nil {
				return nil, err
			}
		}
	}
	l.stores[space] = s
	return s, nil
}

// snapshotFromCatalog writes space's snapshot straight from the catalog and
// returns it memory-mapped, so that its vectors live in the page cache,
// which the system can drop, and never on the heap: at a million photos,
// loading both spaces onto the heap made 8 GB of peak RSS
// (docs/benchmarks.md). It returns nil when the snapshot cannot serve
// (snapshots off, not mapped on this system, damage found, no room to write):
// the caller loads the catalog onto the heap instead.
func (l *Library) snapshotFromCatalog(space, model string, dim int) vecstore.Index {
	if l.opts.NoSnapshots || !mapSnapshots || !vecstore.MapsSnapshots() || searchStore.enc != vecstore.EncInt8 {
		return nil
	}
	if err := l.loadFromCatalog(space, model, dim, nil, true); err != nil {
		return nil
	}
	idx, err := l.loadSnapshot(space, model, dim)
	if err != nil {
		return nil
	}
	if q, ok := idx.(*vecstore.Quantized); !ok || !q.Mapped() {
		if c, ok := idx.(interface{ Close() error }); ok {
			c.Close()
		}
		return nil
	}
	return idx
}

// broken reports whether idx can no longer answer: its mapped snapshot
// faulted (vecstore.ErrFault). It is then loaded again.
func broken(idx vecstore.Index) bool {
	b, ok := idx.(interface{ Broken() bool })
	return ok && b.Broken()
}

// retryFault runs f with space's store and, if the store's mapped snapshot
// faulted during it, once more with the store loaded again (from the
// catalog: the faulted file no longer passes its checks).
func (l *Library) retryFault(space string, f func(s *spaceStore) error) error {
	for try := 0; ; try++ {
		s, err := l.store(space)
		if err != nil {
			return err
		}
		err = f(s)
		if try == 0 && (errors.Is(err, vecstore.ErrFault) || err == nil && broken(s.idx)) {
			continue
		}
		return err
	}
}

// applyToStores mirrors a committed batch into the loaded stores.
func (l *Library) applyToStores(adds []vecWrite, removes []int64) {
	if len(adds)+len(removes) > 0 {
		l.snapDirty.Store(true)
	}
	l.storesMu.Lock()
	defer l.storesMu.Unlock()
	for _, id := range removes {
		for _, s := range l.stores {
			s.idx.Remove(id)
		}
	}
	for _, a := range adds {
		if s := l.stores[a.space]; s != nil && s.model == a.model && s.dim == len(a.vec) {
			s.idx.Add(a.id, a.vec)
		}
	}
}

// vecWrite is one vector written to the catalog.
type vecWrite struct {
	id    int64
	space string
	model string
	vec   []float32
}

// Spaces lists the searchable spaces (the columns: not engine.Objects) that
// have vectors in the catalog or that the engine fills, sorted.
func (l *Library) Spaces() ([]string, error) {
	all, err := l.allSpaces()
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, s := range all {
		if engine.Searchable(s) {
			out = append(out, s)
		}
	}
	return out, nil
}

// allSpaces is Spaces with the auxiliary ones (engine.Objects).
func (l *Library) allSpaces() (_ []string, err error) {
	defer func() { err = l.checkDB(err) }() // a damaged catalog says how to rebuild it
	set := map[string]bool{}
	if l.eng != nil {
		for _, s := range l.eng.Spaces() {
			set[s.Space] = true
		}
	}
	rows, err := l.db.Query(`SELECT DISTINCT space FROM vectors`)
	if err != nil {
		return nil, fmt.Errorf("spaces: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("spaces: %w", err)
		}
		set[s] = true
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out, rows.Err()
}

// Vector returns the stored vector of one image in one space.
func (l *Library) Vector(id int64, space string) ([]float32, error) {
	var v []float32
	err := l.retryFault(space, func(s *spaceStore) error {
		var ok bool
		if v, ok = s.idx.Get(id); !ok {
			if broken(s.idx) {
				return vecstore.ErrFault
			}
			return fmt.Errorf("image %d has no %s vector from %s: %w", id, space, s.model, errNotIndexed)
		}
		return nil
	})
	return v, err
}

// Neighbours returns the k images most similar in space to the catalogued
// image at path (see Lookup), best first, the image itself left out.
func (l *Library) Neighbours(path, space string, k int) ([]Neighbour, error) {
	im, err := l.Lookup(path)
	if err != nil {
		return nil, err
	}
	return l.NeighboursByID(im.ID, space, k)
}

// NeighboursByID is Neighbours for an image id.
func (l *Library) NeighboursByID(id int64, space string, k int) ([]Neighbour, error) {
	q, err := l.Vector(id, space)
	if err != nil {
		return nil, err
	}
	return l.search(q, space, k, id, nil)
}

// NeighboursOfFile returns the k catalogued images most similar in space to
// any image file, inside the library or not (see NeighboursOfFileIn).
func (l *Library) NeighboursOfFile(path, space string, k int) ([]Neighbour, error) {
	res, err := l.NeighboursOfFileIn(path, []string{space}, k)
	if err != nil {
		return nil, err
	}
	return res[space], nil
}

// A fileQuery says where the vectors of a query file come from.
type fileQuery struct {
	im     Image  // the catalogued image, if any (ID 0 when none)
	file   string // the file to encode when the stored vectors cannot serve
	stored bool   // the catalogued file is unchanged: its stored vectors serve
}

// resolveQuery finds path in the catalog and checks the file against it. A
// catalogued file is read at its place in the library (whatever the working
// directory); one deleted since indexing is an error that says so, not a
// silent answer from vectors of a photo that is gone.
func (l *Library) resolveQuery(path string) (fileQuery, error) {
	im, err := l.Lookup(path)
	switch {
	case IsNotIndexed(err):
		file := path
		if _, err := os.Stat(file); err != nil && !filepath.IsAbs(path) {
			if _, e2 := os.Stat(filepath.Join(l.root, path)); e2 == nil {
				file = filepath.Join(l.root, path) // relative to the library
			}
		}
		return fileQuery{file: file}, nil
	case err != nil:
		return fileQuery{}, err
	}
	q := fileQuery{im: im, file: l.AbsPath(im)}
	st, err := os.Stat(q.file)
	if errors.Is(err, os.ErrNotExist) {
		return fileQuery{}, fmt.Errorf("%s was removed since it was indexed: run 'relview index %s' to update the library: %w", im.Path, l.root, err)
	}
	if err != nil {
		return fileQuery{}, fmt.Errorf("%s: %w", q.file, err)
	}
	q.stored = im.Status == StatusIndexed && st.Size() == im.Size && st.ModTime().UnixNano() == im.MTime.UnixNano()
	return q, nil
}

// NeedsEngine reports whether a query for path must encode the file (it is
// not catalogued, failed, or changed since indexing), so that a caller who
// opened the library without an engine knows to open one.
func (l *Library) NeedsEngine(path string) (bool, error) {
	q, err := l.resolveQuery(path)
	if err != nil {
		return false, err
	}
	return !q.stored, nil
}

// NeighboursOfFileIn returns, for each of spaces, the k catalogued images
// most similar to any image file, inside the library or not. A catalogued,
// unchanged file uses its stored vectors and is left out of its own
// results; a catalogued file changed since indexing is encoded afresh (and
// still left out); any other file is decoded and encoded once for all the
// spaces. Encoding needs Options.Engine (see NeedsEngine).
func (l *Library) NeighboursOfFileIn(path string, spaces []string, k int) (map[string][]Neighbour, error) {
	q, err := l.resolveQuery(path)
	if err != nil {
		return nil, err
	}
	res := make(map[string][]Neighbour, len(spaces))
	self := int64(-1)
	if q.im.ID != 0 {
		self = q.im.ID
	}
	var missing []string // spaces the stored vectors cannot answer
	for _, space := range spaces {
		if !q.stored {
			missing = append(missing, space)
			continue
		}
		hits, err := l.NeighboursByID(q.im.ID, space, k)
		switch {
		case IsNotIndexed(err): // e.g. the second pass has not reached it
			missing = append(missing, space)
		case err != nil:
			return nil, err
		default:
			res[space] = hits
		}
	}
	if len(missing) == 0 {
		return res, nil
	}
	v, err := l.EncodeFile(q.file)
	if err != nil {
		return nil, err
	}
	for _, space := range missing {
		vec, ok := v[space]
		if !ok {
			return nil, fmt.Errorf("space %q: the engine does not fill it", space)
		}
		if res[space], err = l.search(vec, space, k, self, v[engine.Objects]); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// EncodeFile decodes and encodes any image file with the library's engine.
func (l *Library) EncodeFile(path string) (engine.Vectors, error) {
	if l.eng == nil {
		return nil, errors.New("encoding a file needs an engine (library opened without one)")
	}
	return l.eng.EncodeFile(path)
}

// search returns the k nearest images to q in space, leaving out self. In
// the relational space each hit says why it relates (spaceStore.why), with
// the query's object relations from qObjects or, when nil, the catalog's of
// self.
func (l *Library) search(q []float32, space string, k int, self int64, qObjects []float32) ([]Neighbour, error) {
	var s *spaceStore
	var hits []vecstore.Hit
	err := l.retryFault(space, func(st *spaceStore) error {
		s = st
		if len(q) != s.dim {
			return fmt.Errorf("space %q: query has %d values, the catalog's %s vectors %d", space, len(q), s.model, s.dim)
		}
		if s.idx.Len() == 0 && l.opts.ReadOnly {
			if err := l.otherModelError(space, s); err != nil {
				return err
			}
		}
		var err error
		if hits, err = s.idx.Search(q, k, func(id int64) bool { return id == self }); err != nil {
			return fmt.Errorf("search %s: %w", space, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out, err := l.withImages(hits)
	if err != nil || space != engine.Relational || !engine.CanExplain(s.model) {
		return out, err
	}
	ids := []int64{self}
	for _, n := range out {
		ids = append(ids, n.ID)
	}
	objs := l.ObjectsOf(ids)
	if qObjects == nil {
		qObjects = objs[self]
	}
	for i := range out {
		out[i].Why = s.why(q, out[i].ID, qObjects, objs[out[i].ID])
	}
	return out, nil
}

// otherModelError explains an empty store whose space the catalog holds
// vectors of another encoder for (a plug-in given to a query of a library
// indexed without it): answering from them, or with nothing, would be wrong
// in silence. A writable library is being (re-)indexed; it says nothing.
func (l *Library) otherModelError(space string, s *spaceStore) error {
	var n int
	var model string
	err := l.db.QueryRow(`SELECT count(*), coalesce(max(model), '') FROM vectors WHERE space = ? AND NOT (model = ? AND dim = ?)`, space, s.model, s.dim).Scan(&n, &model)
	if err != nil {
		return fmt.Errorf("space %q: %w", space, err)
	}
	if n == 0 {
		return nil
	}
	return fmt.Errorf("space %q: the library was indexed with another encoder (%d vectors from %s), not with %s: run 'relview index %s' with the same encoders (plug-ins) first", space, n, model, s.model, l.root)
}

// why names the relations the stored vector of image id shares with q,
// given both photos' object relations (nil when not known yet: then none is
// named); nil when the space's encoder cannot say, or id has no vector.
func (s *spaceStore) why(q []float32, id int64, qObjects, objects []float32) []engine.Relation {
	v, ok := s.idx.Get(id)
	if !ok {
		return nil
	}
	return engine.ExplainRelational(s.model, q, v, qObjects, objects)
}

// Why names the relations two catalogued images share, strongest first:
// nil when the relational encoder cannot say (a plug-in) or either image
// has no relational vector yet.
func (l *Library) Why(a, b int64) ([]engine.Relation, error) {
	s, err := l.store(engine.Relational)
	if err != nil {
		return nil, err
	}
	q, ok := s.idx.Get(a)
	if !ok {
		return nil, nil
	}
	objs := l.ObjectsOf([]int64{a, b})
	return s.why(q, b, objs[a], objs[b]), nil
}

// ObjectsOf reads the Objects vectors (the built-in encoder's object
// relations, engine.ObjectsModelName) of ids from the catalog, for "why".
// Those not analysed yet, or whose stored vector is damaged, are missing:
// "why" then names no object relation for them rather than fail.
func (l *Library) ObjectsOf(ids []int64) map[int64][]float32 {
	out := map[int64][]float32{}
	const chunk = 500 // bound on an IN list's parameters
	for len(ids) > 0 {
		part := ids[:min(chunk, len(ids))]
		ids = ids[len(part):]
		args := []any{engine.Objects, engine.ObjectsModelName, engine.ObjectsDim}
		marks := make([]string, len(part))
		for i, id := range part {
			args, marks[i] = append(args, id), "?"
		}
		rows, err := l.db.Query(`SELECT image_id, data FROM vectors WHERE space = ? AND model = ? AND dim = ? AND image_id IN (`+strings.Join(marks, ",")+`)`, args...)
		if err != nil {
			return out
		}
		for rows.Next() {
			var id int64
			var b []byte
			if rows.Scan(&id, &b) != nil {
				continue
			}
			if v, err := decodeVector(b, engine.ObjectsDim); err == nil {
				out[id] = v
			}
		}
		rows.Close()
	}
	return out
}

// withImages attaches the catalog rows to search hits, keeping their order.
func (l *Library) withImages(hits []vecstore.Hit) ([]Neighbour, error) {
	if len(hits) == 0 {
		return nil, nil
	}
	args := make([]any, len(hits))
	marks := make([]string, len(hits))
	for i, h := range hits {
		args[i], marks[i] = h.ID, "?"
	}
	rows, err := l.db.Query(`SELECT `+imageCols+` FROM images WHERE id IN (`+strings.Join(marks, ",")+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("neighbours: %w", err)
	}
	defer rows.Close()
	byID := map[int64]Image{}
	for rows.Next() {
		im, err := scanImage(rows)
		if err != nil {
			return nil, fmt.Errorf("neighbours: %w", err)
		}
		byID[im.ID] = im
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("neighbours: %w", err)
	}
	out := make([]Neighbour, 0, len(hits))
	for _, h := range hits {
		if im, ok := byID[h.ID]; ok { // a row deleted since the search is dropped
			out = append(out, Neighbour{Image: im, Score: h.Score})
		}
	}
	return out, nil
}

// Scores returns the similarity in space of every indexed image to image id
// (the image itself included, at about 1).
func (l *Library) Scores(id int64, space string) (map[int64]float32, error) {
	q, err := l.Vector(id, space)
	if err != nil {
		return nil, err
	}
	var out map[int64]float32
	err = l.retryFault(space, func(s *spaceStore) error {
		out = make(map[int64]float32, s.idx.Len())
		var mu sync.Mutex // in case the index calls back from several goroutines
		if err := s.idx.Scores(q, func(id int64, score float32) {
			mu.Lock()
			out[id] = score
			mu.Unlock()
		}); err != nil {
			return fmt.Errorf("scores %s: %w", space, err)
		}
		return nil
	})
	return out, err
}

// ScatterPoint is one image's similarity to a reference image in both
// spaces, for the relational-vs-visual map.
type ScatterPoint struct {
	ID         int64   `json:"id"`
	Relational float32 `json:"relational"`
	Visual     float32 `json:"visual"`
}

// Scatter returns, for every image indexed in both spaces, its relational
// and visual similarity to image id (the image itself left out).
func (l *Library) Scatter(id int64) ([]ScatterPoint, error) {
	rel, err := l.Scores(id, engine.Relational)
	if err != nil {
		return nil, err
	}
	vis, err := l.Scores(id, engine.Visual)
	if err != nil {
		return nil, err
	}
	out := make([]ScatterPoint, 0, len(rel))
	for k, r := range rel {
		if v, ok := vis[k]; ok && k != id {
			out = append(out, ScatterPoint{ID: k, Relational: r, Visual: v})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// decodeInto fills v from a little-endian float32 blob of the same length.
func decodeInto(v []float32, b []byte) {
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
}
