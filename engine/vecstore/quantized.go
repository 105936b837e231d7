package vecstore

import (
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Quantized is an exact-scan index over int8-quantised vectors: it scores
// every stored vector on each query, like Flat, but stores each vector as dim
// int8 codes plus one float32 scale, a quarter of Flat's memory, and scores
// with integer dot products. Scores are estimates of the cosine similarity
// (typically within 1e-3 of it); see the package documentation. The zero
// value is not usable; call NewQuantized.
type Quantized struct {
	dim int
	dot dot8Func // immutable after construction (tests swap it while idle)

	mu      sync.RWMutex
	workers int           // goroutines for a scan above parallelMinElems
	codes   []int8        // row-major, len(codes) == len(ids)*dim
	scales  []float32     // row -> 1/‖codes of the row‖
	ids     []int64       // row -> id
	rows    map[int64]int // id -> row
	// fs projects vectors on the directions along which the rows vary
	// most; proj holds each row's projection (fs.d int8 codes) and pscale
	// its scale. Searches of large stores rank rows by their projections
	// first and score only a short list with the codes (shortlist.go). All
	// are nil until built (in the background, after the first search of a
	// large store) or loaded from a snapshot; writes keep them up to date.
	fs        *firstStage
	proj      []int8
	pscale    []float32
	pmean     []float32 // row -> its vector · the mean row
	stageDim  int       // directions of a first stage built here (0: stageDim; tests change it)
	shortlist int       // rows re-scored per search (0: exact scan), see SetShortlist
	version   uint64    // counts writes, so a projection build can tell it is stale
	building  atomic.Bool
	// m is the snapshot file that codes, scales and ids live in when the
	// store was loaded by mapping it (LoadSnapshot); nil when they are on
	// the heap. The first write moves them to the heap (detach).
	m *mapping
	// rowCRC holds the CRC-32C of each row's codes as the snapshot file
	// stores them, on a mapped store: a row read from the file (readRow)
	// is checked every time, a row read through the mapping (verify) before
	// its first use, which a bit of verified records. nil when every row is
	// trusted (a store on the heap).
	rowCRC   []uint32
	verified []atomic.Uint64
	codesOff int64 // where the codes start in the mapped file
	// broken is set when reading the mapped file faulted: the store then
	// answers nothing (errors wrapping ErrFault, Get false).
	broken atomic.Bool
}

var _ Index = (*Quantized)(nil)

// NewQuantized returns an empty int8-quantised index for vectors of
// dimension dim. It panics if dim < 1.
func NewQuantized(dim int) *Quantized {
	if dim < 1 {
		panic(fmt.Sprintf("vecstore: NewQuantized: dimension %d < 1", dim))
	}
	return &Quantized{
		dim:       dim,
		dot:       dotInt8,
		workers:   1,
		rows:      make(map[int64]int),
		shortlist: DefaultShortlist,
	}
}

// quantise writes the int8 codes of v into dst and returns the scale that
// maps them back to a unit vector. v must have passed inverseNorm. Codes are
// symmetric: c = round(127·v/max|v|), so the largest component becomes ±127
// and -128 never occurs. The scale is 1/‖c‖ rather than max|v|/(127·‖v‖):
// it makes scale·c exactly unit length (up to float32 rounding), so a score
// is the cosine of the two dequantised vectors and never leaves [-1, 1] by
// more than rounding.
func quantise(dst []int8, v []float32) float32 {
	_, ss := Int8Codes(dst, v)
	return float32(1 / math.Sqrt(float64(ss))) // ss ≥ 127² > 0
}

// Int8Codes writes the store's int8 codes of v, c = round(127·v/max|v|)
// clamped to ±127, into dst and returns max|v| (c·max|v|/127 ≈ v) and Σc².
// It is the one quantiser: the store and the library's snapshot files use
// it, so codes read back from a snapshot are the codes the store would make.
func Int8Codes(dst []int8, v []float32) (maxAbs float64, sumSq int64) {
	for _, x := range v {
		maxAbs = max(maxAbs, math.Abs(float64(x)))
	}
	if maxAbs == 0 {
		clear(dst[:len(v)])
		return 0, 0
	}
	f := 127 / maxAbs
	for i, x := range v {
		c := int64(math.Round(float64(x) * f)) // |x·f| ≤ 127 up to rounding
		c = min(max(c, -127), 127)
		dst[i] = int8(c)
		sumSq += c * c
	}
	return maxAbs, sumSq
}

// CodeScale is the store's scale of a row of codes, 1/‖codes‖ (0 for zero
// codes), which AppendCodes takes beside them.
func CodeScale(codes []int8) float32 {
	var ss int64
	for _, c := range codes {
		ss += int64(c) * int64(c)
	}
	if ss == 0 {
		return 0
	}
	return float32(1 / math.Sqrt(float64(ss)))
}

// Dim returns the dimension of the stored vectors.
func (x *Quantized) Dim() int { return x.dim }

// Len returns the number of stored vectors.
func (x *Quantized) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.ids)
}

// SetWorkers sets how many goroutines (at most GOMAXPROCS) split a scan of
// more than a million components; the default is 1. See Flat.SetWorkers.
func (x *Quantized) SetWorkers(n int) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.workers = max(1, min(n, runtime.GOMAXPROCS(0)))
}

// Grow makes room for n more vectors. Called before a bulk load it avoids
// the repeated reallocations, and the moments with two copies of a large
// store in memory, that growing vector by vector causes.
func (x *Quantized) Grow(n int) {
	if n <= 0 {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.detach() != nil {
		return
	}
	x.codes = slices.Grow(x.codes, n*x.dim)
	if x.fs != nil {
		x.proj = slices.Grow(x.proj, n*x.fs.d)
		x.pscale = slices.Grow(x.pscale, n)
		x.pmean = slices.Grow(x.pmean, n)
	}
	x.scales = slices.Grow(x.scales, n)
	x.ids = slices.Grow(x.ids, n)
}

// Add stores v, normalised to unit length and quantised, under id,
// replacing any vector already stored under id. v is not retained.
func (x *Quantized) Add(id int64, v []float32) error {
	if _, err := inverseNorm(v, x.dim); err != nil {
		return fmt.Errorf("vecstore: add id %d: %w", id, err)
	}
	codes := make([]int8, x.dim) // quantise outside the lock
	scale := quantise(codes, v)
	x.mu.Lock()
	defer x.mu.Unlock()
	if err := x.detach(); err != nil {
		return fmt.Errorf("vecstore: add id %d: %w", id, err)
	}
	row, ok := x.rows[id]
	if !ok {
		row = len(x.ids)
		x.ids = append(x.ids, id)
		x.scales = append(x.scales, 0)
		x.codes = slices.Grow(x.codes, x.dim)[:len(x.codes)+x.dim]
		if x.fs != nil {
			x.proj = slices.Grow(x.proj, x.fs.d)[:len(x.proj)+x.fs.d]
			x.pscale, x.pmean = append(x.pscale, 0), append(x.pmean, 0)
		}
		x.rows[id] = row
	}
	x.version++
	copy(x.row(row), codes)
	if x.fs != nil {
		x.pscale[row], x.pmean[row] = x.fs.project(x.projRow(row), make([]float32, x.fs.d), codes, scale, x.dot)
	}
	x.scales[row] = scale
	return nil
}

// Remove deletes the vector stored under id, moving the last row into its
// place, and reports whether there was one.
func (x *Quantized) Remove(id int64) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	row, ok := x.rows[id]
	if !ok || x.detach() != nil {
		return false
	}
	last := len(x.ids) - 1
	if row != last {
		copy(x.row(row), x.row(last))
		x.scales[row] = x.scales[last]
		if x.fs != nil {
			copy(x.projRow(row), x.projRow(last))
			x.pscale[row], x.pmean[row] = x.pscale[last], x.pmean[last]
		}
		moved := x.ids[last]
		x.ids[row] = moved
		x.rows[moved] = row
	}
	x.ids = x.ids[:last]
	x.scales = x.scales[:last]
	x.codes = x.codes[:last*x.dim]
	if x.fs != nil {
		x.proj, x.pscale, x.pmean = x.proj[:last*x.fs.d], x.pscale[:last], x.pmean[:last]
	}
	x.version++
	delete(x.rows, id)
	return true
}

// Get returns the dequantised vector stored under id: unit length up to
// float32 rounding, each component within about max|v|/254 of the
// normalised vector that was added.
func (x *Quantized) Get(id int64) ([]float32, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	row, ok := x.rows[id]
	if !ok || x.broken.Load() {
		return nil, false
	}
	c := make([]int8, x.dim)
	if x.readRow(row, c) != nil {
		return nil, false
	}
	var s float32
	if x.read(func() error { s = x.scales[row]; return nil }) != nil {
		return nil, false
	}
	v := make([]float32, x.dim)
	for i, c := range c {
		v[i] = float32(c) * s
	}
	return v, true
}

// Search returns the k stored vectors most similar to q, best first (ties
// by ID ascending), skipping those for which exclude returns true. The query
// is quantised like the stored vectors, and scores are the cosine of the
// dequantised vectors. exclude may be nil; it is called with the read lock
// held, from several goroutines at once if SetWorkers was raised, and only
// for vectors that would otherwise enter the current top k.
func (x *Quantized) Search(q []float32, k int, exclude func(id int64) bool) ([]Hit, error) {
	if k < 0 {
		return nil, fmt.Errorf("vecstore: search: k = %d < 0", k)
	}
	qc, qs, err := x.query(q)
	if err != nil {
		return nil, fmt.Errorf("vecstore: search: %w", err)
	}
	if k == 0 {
		return []Hit{}, nil
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.broken.Load() {
		return nil, fmt.Errorf("vecstore: search: %w", ErrFault)
	}
	if x.wantStage() {
		x.buildStageAsync()
	}
	if x.useShortlist(k) {
		var hits []Hit
		var ok bool
		if err := x.read(func() error {
			var err error
			hits, ok, err = x.searchShortlist(qc, qs, k, exclude)
			return err
		}); err != nil {
			return nil, fmt.Errorf("vecstore: search: %w", err)
		}
		if ok {
			return hits, nil
		}
	}
	if x.m == nil {
		return searchParts(x.split(len(x.ids)), k, exclude, func(lo, hi int, t *topK) {
			x.scan(qc, qs, lo, hi, t)
		}), nil
	}
	// Mapped: each part's goroutine turns a fault into an error.
	var mu sync.Mutex
	var ferr error
	hits := searchParts(x.split(len(x.ids)), k, exclude, func(lo, hi int, t *topK) {
		if err := x.read(func() error {
			if err := x.verifyRange(lo, hi); err != nil {
				return err
			}
			x.scan(qc, qs, lo, hi, t)
			return nil
		}); err != nil {
			mu.Lock()
			ferr = err
			mu.Unlock()
		}
	})
	if ferr != nil {
		return nil, fmt.Errorf("vecstore: search: %w", ferr)
	}
	return hits, nil
}

// Scores calls fn with the score of every stored vector against q, the
// same score Search gives. fn runs after the read lock is released, so it
// may call methods of x; writes made meanwhile are not reflected.
func (x *Quantized) Scores(q []float32, fn func(id int64, score float32)) error {
	qc, qs, err := x.query(q)
	if err != nil {
		return fmt.Errorf("vecstore: scores: %w", err)
	}
	x.mu.RLock()
	n := len(x.ids)
	var ids []int64
	scores := make([]float32, n)
	var mu sync.Mutex
	var ferr error
	if x.broken.Load() {
		ferr = ErrFault
	} else {
		ferr = x.read(func() error { ids = slices.Clone(x.ids); return nil })
	}
	if ferr == nil {
		scoreParts(x.split(n), func(lo, hi int) {
			err := x.read(func() error {
				if err := x.verifyRange(lo, hi); err != nil {
					return err
				}
				for r := lo; r < hi; r++ {
					scores[r] = score8(x.dot(qc, x.row(r)), qs, x.scales[r])
				}
				return nil
			})
			if err != nil {
				mu.Lock()
				ferr = err
				mu.Unlock()
			}
		})
	}
	x.mu.RUnlock()
	if ferr != nil {
		return fmt.Errorf("vecstore: scores: %w", ferr)
	}
	for i, id := range ids {
		fn(id, scores[i])
	}
	return nil
}

// query validates q and returns its codes and scale.
func (x *Quantized) query(q []float32) ([]int8, float32, error) {
	if _, err := inverseNorm(q, x.dim); err != nil {
		return nil, 0, fmt.Errorf("query: %w", err)
	}
	qc := make([]int8, x.dim)
	return qc, quantise(qc, q), nil
}

// score8 turns the integer dot product d of a query's and a row's codes into
// the cosine estimate, clamped to [-1, 1] against rounding. Search and
// Scores both use it, so they agree exactly.
func score8(d int32, qs, rs float32) float32 {
	return min(max(float32(d)*qs*rs, -1), 1)
}

func (x *Quantized) split(n int) []int { return splitRows(n, x.dim, x.workers) }

// scan offers rows [lo, hi) to t, which must have k > 0. The caller holds
// the read lock.
func (x *Quantized) scan(qc []int8, qs float32, lo, hi int, t *topK) {
	dim, dot := x.dim, x.dot
	codes, scales, ids := x.codes, x.scales[:len(x.ids)], x.ids
	for r := lo; r < hi; r++ {
		d := dot(qc, codes[r*dim:(r+1)*dim:(r+1)*dim])
		t.offer(ids[r], score8(d, qs, scales[r]))
	}
}

// projRow returns the projection codes of row r. The caller holds the lock.
func (x *Quantized) projRow(r int) []int8 {
	d := x.fs.d
	return x.proj[r*d : (r+1)*d : (r+1)*d]
}

// row returns the codes of row r. The caller holds the lock.
func (x *Quantized) row(r int) []int8 {
	return x.codes[r*x.dim : (r+1)*x.dim : (r+1)*x.dim]
}

// AppendCodes adds rows that are already quantised by this store's scheme
// (what a snapshot of it holds): codes holds len(ids) rows of Dim() codes in
// -127..127, scales the matching 1/‖codes‖. It is the fast path for loading
// a saved index: no normalising, no quantising, one copy. The ids must not
// be stored yet; on any error nothing is added.
func (x *Quantized) AppendCodes(ids []int64, codes []int8, scales []float32) error {
	n := len(ids)
	if len(codes) != n*x.dim || len(scales) != n {
		return fmt.Errorf("vecstore: append codes: %d ids, %d codes, %d scales: %w (dimension %d)", n, len(codes), len(scales), ErrDim, x.dim)
	}
	for r, s := range scales {
		if !(s > 0) || math.IsInf(float64(s), 0) {
			return fmt.Errorf("vecstore: append codes: row %d: %w: scale %v", r, ErrInvalid, s)
		}
	}
	for i, c := range codes {
		if c == -128 {
			return fmt.Errorf("vecstore: append codes: row %d: %w: code -128", i/x.dim, ErrInvalid)
		}
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if err := x.detach(); err != nil {
		return fmt.Errorf("vecstore: append codes: %w", err)
	}
	seen := make(map[int64]struct{}, n)
	for _, id := range ids {
		if _, dup := x.rows[id]; dup {
			return fmt.Errorf("vecstore: append codes: id %d is already stored", id)
		}
		if _, dup := seen[id]; dup {
			return fmt.Errorf("vecstore: append codes: id %d given twice", id)
		}
		seen[id] = struct{}{}
	}
	base := len(x.ids)
	x.ids = append(x.ids, ids...)
	x.scales = append(x.scales, scales...)
	x.codes = append(x.codes, codes...)
	x.version++
	if x.fs != nil {
		d := x.fs.d
		tmp := make([]float32, d)
		x.proj = slices.Grow(x.proj, n*d)[:len(x.proj)+n*d]
		for r := range n {
			ps, pm := x.fs.project(x.projRow(base+r), tmp, codes[r*x.dim:(r+1)*x.dim], scales[r], x.dot)
			x.pscale, x.pmean = append(x.pscale, ps), append(x.pmean, pm)
		}
	}
	for i, id := range ids {
		x.rows[id] = base + i
	}
	return nil
}

// Codes returns a copy of the codes and the scale stored under id, for
// saving the store without re-quantising.
func (x *Quantized) Codes(id int64) ([]int8, float32, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	r, ok := x.rows[id]
	if !ok || x.broken.Load() {
		return nil, 0, false
	}
	c := make([]int8, x.dim)
	var s float32
	if x.readRow(r, c) != nil || x.read(func() error { s = x.scales[r]; return nil }) != nil {
		return nil, 0, false
	}
	return c, s, true
}

// read runs f, which reads the store's rows with a lock held; on a mapped
// store a fault while reading (the file truncated under the mapping) marks
// the store broken and is returned as an error wrapping ErrFault instead of
// crashing the process.
func (x *Quantized) read(f func() error) error {
	if x.m == nil {
		return f()
	}
	err := guard(f)
	if errors.Is(err, ErrFault) {
		x.broken.Store(true)
	}
	return err
}

// attach records that the store's slices live in m, which is unmapped on
// Close, on the first write (detach), or when the store is collected.
func (x *Quantized) attach(m *mapping) {
	x.m = m
	runtime.AddCleanup(x, func(m *mapping) { m.unmap() }, m)
}

// detach moves a mapped store's slices onto the heap and unmaps the file,
// before a write. The caller holds the write lock.
func (x *Quantized) detach() error {
	if x.m == nil {
		return nil
	}
	if x.broken.Load() {
		return ErrFault
	}
	err := x.read(func() error {
		if err := x.verifyAll(); err != nil {
			return err
		}
		x.codes, x.scales, x.ids = slices.Clone(x.codes), slices.Clone(x.scales), slices.Clone(x.ids)
		if x.fs != nil {
			x.fs = &firstStage{d: x.fs.d, dim: x.fs.dim, basis: slices.Clone(x.fs.basis), bscale: slices.Clone(x.fs.bscale), bmean: slices.Clone(x.fs.bmean), mean: slices.Clone(x.fs.mean)}
			x.proj, x.pscale, x.pmean = slices.Clone(x.proj), slices.Clone(x.pscale), slices.Clone(x.pmean)
		}
		return nil
	})
	if err != nil {
		return err
	}
	x.m.unmap()
	x.m = nil
	x.rowCRC, x.verified = nil, nil
	return nil
}

// Mapped reports whether the store reads its rows from a mapped snapshot
// file (see LoadSnapshot) rather than from the heap.
func (x *Quantized) Mapped() bool {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.m != nil
}

// Broken reports whether reading the store's mapped snapshot file faulted
// (see ErrFault): the store must be loaded again.
func (x *Quantized) Broken() bool { return x.broken.Load() }

// Close empties the store and releases its mapped snapshot file, if any.
// The store stays usable (empty) afterwards.
func (x *Quantized) Close() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.m != nil {
		x.m.unmap()
		x.m = nil
	}
	x.codes, x.scales, x.ids, x.fs, x.proj, x.pscale, x.pmean = nil, nil, nil, nil, nil, nil, nil
	x.rowCRC, x.verified = nil, nil
	x.version++
	x.rows = make(map[int64]int)
	return nil
}

// verify checks row r's codes against their checksum the first time they
// are read; a mismatch marks the store broken and is an error wrapping
// ErrFault and ErrSnapshot (the file is damaged: load the store again from
// the source of truth). The caller holds a lock; concurrent readers may
// verify the same row, which does no harm.
func (x *Quantized) verify(r int) error {
	if x.rowCRC == nil {
		return nil
	}
	w, bit := &x.verified[r>>6], uint64(1)<<(r&63)
	if w.Load()&bit != 0 {
		return nil
	}
	c := x.row(r)
	if crc32.Checksum(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(c))), len(c)), castagnoli) != x.rowCRC[r] {
		x.broken.Store(true)
		return fmt.Errorf("%w: %w: row %d (id %d): codes checksum mismatch", ErrFault, ErrSnapshot, r, x.ids[r])
	}
	w.Or(bit)
	return nil
}

// readRow copies row r's codes into dst, verified: a mapped store reads
// them from its file (not through the mapping, see mapping.file) and
// checks them against their checksum every time. The caller holds a lock.
func (x *Quantized) readRow(r int, dst []int8) error {
	if x.m == nil || x.m.file == nil {
		return x.read(func() error {
			if err := x.verify(r); err != nil {
				return err
			}
			copy(dst, x.row(r))
			return nil
		})
	}
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(dst))), x.dim)
	if _, err := x.m.file.ReadAt(b, x.codesOff+int64(r)*int64(x.dim)); err != nil {
		x.broken.Store(true)
		return fmt.Errorf("%w: row %d: %w", ErrFault, r, err)
	}
	if crc32.Checksum(b, castagnoli) != x.rowCRC[r] {
		x.broken.Store(true)
		return fmt.Errorf("%w: %w: row %d (id %d): codes checksum mismatch", ErrFault, ErrSnapshot, r, x.ids[r])
	}
	return nil
}

// verifyRange verifies rows [lo, hi). The caller holds a lock.
func (x *Quantized) verifyRange(lo, hi int) error {
	if x.rowCRC == nil {
		return nil
	}
	for r := lo; r < hi; r++ {
		if err := x.verify(r); err != nil {
			return err
		}
	}
	return nil
}

// verifyAll verifies every row. The caller holds a lock.
func (x *Quantized) verifyAll() error { return x.verifyRange(0, len(x.ids)) }
