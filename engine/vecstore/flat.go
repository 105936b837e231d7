package vecstore

import (
	"fmt"
	"runtime"
	"slices"
	"sync"
)

// Flat is an exact index: it scores every stored vector on each query. The
// zero value is not usable; call NewFlat.
type Flat struct {
	dim int
	dot dotFunc // immutable after construction (tests swap it while idle)

	mu      sync.RWMutex
	workers int           // goroutines for a scan above parallelMinElems
	data    []float32     // row-major, len(data) == len(ids)*dim
	ids     []int64       // row -> id
	rows    map[int64]int // id -> row
}

var _ Index = (*Flat)(nil)

// NewFlat returns an empty exact index for vectors of dimension dim. It
// panics if dim < 1.
func NewFlat(dim int) *Flat {
	if dim < 1 {
		panic(fmt.Sprintf("vecstore: NewFlat: dimension %d < 1", dim))
	}
	return &Flat{
		dim:     dim,
		dot:     defaultDot(),
		workers: 1,
		rows:    make(map[int64]int),
	}
}

// Dim returns the dimension of the stored vectors.
func (f *Flat) Dim() int { return f.dim }

// Len returns the number of stored vectors.
func (f *Flat) Len() int {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return len(f.ids)
}

// SetWorkers sets how many goroutines (at most GOMAXPROCS) split a scan of
// more than a million floats; the default is 1. A single scan is bound by
// memory bandwidth: on the 2-core development VM one core already reads about
// 27 GB/s and a second goroutine gained nothing (docs/benchmarks.md, "Vector
// search"), so measure before raising it on a machine with more bandwidth.
func (f *Flat) SetWorkers(n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.workers = max(1, min(n, runtime.GOMAXPROCS(0)))
}

// Grow makes room for n more vectors. Called before a bulk load it avoids
// the repeated reallocations, and the moments with two copies of a large
// store in memory, that growing vector by vector causes.
func (f *Flat) Grow(n int) {
	if n <= 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.data = slices.Grow(f.data, n*f.dim)
	f.ids = slices.Grow(f.ids, n)
}

// Add stores v, normalised to unit length, under id, replacing any vector
// already stored under id. v is not retained.
func (f *Flat) Add(id int64, v []float32) error {
	inv, err := inverseNorm(v, f.dim)
	if err != nil {
		return fmt.Errorf("vecstore: add id %d: %w", id, err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	row, ok := f.rows[id]
	if !ok {
		row = len(f.ids)
		f.ids = append(f.ids, id)
		f.data = slices.Grow(f.data, f.dim)[:len(f.data)+f.dim]
		f.rows[id] = row
	}
	normaliseInto(f.row(row), v, inv)
	return nil
}

// Remove deletes the vector stored under id, moving the last row into its
// place, and reports whether there was one.
func (f *Flat) Remove(id int64) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	row, ok := f.rows[id]
	if !ok {
		return false
	}
	last := len(f.ids) - 1
	if row != last {
		copy(f.row(row), f.row(last))
		moved := f.ids[last]
		f.ids[row] = moved
		f.rows[moved] = row
	}
	f.ids = f.ids[:last]
	f.data = f.data[:last*f.dim]
	delete(f.rows, id)
	return true
}

// Get returns a copy of the unit vector stored under id.
func (f *Flat) Get(id int64) ([]float32, bool) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	row, ok := f.rows[id]
	if !ok {
		return nil, false
	}
	return slices.Clone(f.row(row)), true
}

// Search returns the k stored vectors most similar to q, best first (ties
// by ID ascending), skipping those for which exclude returns true. exclude
// may be nil; it is called with the read lock held, from several goroutines
// at once if SetWorkers was raised, and only for vectors that would
// otherwise enter the current top k.
func (f *Flat) Search(q []float32, k int, exclude func(id int64) bool) ([]Hit, error) {
	if k < 0 {
		return nil, fmt.Errorf("vecstore: search: k = %d < 0", k)
	}
	qn, err := f.query(q)
	if err != nil {
		return nil, fmt.Errorf("vecstore: search: %w", err)
	}
	if k == 0 {
		return []Hit{}, nil
	}

	f.mu.RLock()
	defer f.mu.RUnlock()
	return searchParts(f.split(len(f.ids)), k, exclude, func(lo, hi int, t *topK) {
		f.scan(qn, lo, hi, t)
	}), nil
}

// Scores calls fn with the score of every stored vector against q. fn runs
// after the read lock is released, so it may call methods of f; writes made
// meanwhile are not reflected.
func (f *Flat) Scores(q []float32, fn func(id int64, score float32)) error {
	qn, err := f.query(q)
	if err != nil {
		return fmt.Errorf("vecstore: scores: %w", err)
	}
	ids, scores := f.scoreAll(qn)
	for i, id := range ids {
		fn(id, scores[i])
	}
	return nil
}

// scoreAll returns a snapshot of the ids and their scores against the unit
// query qn.
func (f *Flat) scoreAll(qn []float32) ([]int64, []float32) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	n := len(f.ids)
	ids := slices.Clone(f.ids)
	scores := make([]float32, n)
	scoreParts(f.split(n), func(lo, hi int) {
		for r := lo; r < hi; r++ {
			scores[r] = f.dot(qn, f.row(r))
		}
	})
	return ids, scores
}

// query validates q and returns a normalised copy.
func (f *Flat) query(q []float32) ([]float32, error) {
	inv, err := inverseNorm(q, f.dim)
	if err != nil {
		return nil, fmt.Errorf("query: %w", err)
	}
	qn := make([]float32, f.dim)
	normaliseInto(qn, q, inv)
	return qn, nil
}

// split returns the row boundaries of the parts an n-row scan is divided
// into: [0, n] when it is not worth parallelising.
func (f *Flat) split(n int) []int { return splitRows(n, f.dim, f.workers) }

// scan offers rows [lo, hi) to t, which must have k > 0. The caller holds
// the read lock.
func (f *Flat) scan(qn []float32, lo, hi int, t *topK) {
	dim, dot := f.dim, f.dot
	data, ids := f.data, f.ids
	for r := lo; r < hi; r++ {
		t.offer(ids[r], dot(qn, data[r*dim:(r+1)*dim:(r+1)*dim]))
	}
}

// row returns row r of the data. The caller holds the lock.
func (f *Flat) row(r int) []float32 {
	return f.data[r*f.dim : (r+1)*f.dim : (r+1)*f.dim]
}

// has reports whether a vector is stored under id.
func (f *Flat) has(id int64) bool {
	f.mu.RLock()
	defer f.mu.RUnlock()
	_, ok := f.rows[id]
	return ok
}
