package vecstore

import (
	"cmp"
	"math"
	"math/rand/v2"
	"sync"
)

// Two-stage search of a large Quantized store. A full scan reads every
// row's dim int8 codes: at 100k × 1792 that is 180 MB per query, bound by
// memory bandwidth (~6 ms on a quiet core, several times that on a busy
// machine). Each row therefore also keeps a projection: its vector, less
// the store's mean, projected on the stageDim directions along which the
// store's rows vary most (the leading principal components of a sample of
// rows, found by subspace iteration), as stageDim int8 codes and a scale —
// 256 bytes a row, 1/7 of the codes at 1792 dimensions. A search first
// scores every row by the dot product of its projection with the query's
// (the dot product of the two vectors restricted to those directions, up to
// a constant), keeps the shortlist rows that score best, and scores only
// those with the int8 codes, exactly as a full scan would. A row the full
// scan would put in the top k is missed only if its projection ranks it
// below the shortlist's; docs/benchmarks.md measures how often on real
// photo vectors (recall@24 against exact float32 cosine).

// DefaultShortlist is the number of rows a new Quantized re-scores after
// ranking by projections (see SetShortlist); 0 would make every search a
// full scan. 1000: on real photo vectors at 100k rows (docs/benchmarks.md,
// "Search on real vectors") its recall@24 against exact float32 cosine is
// within 0.002 of the int8 full scan's (0.9957 visual, 0.9925 relational,
// the full scan 0.9957 and 0.9938); a mapped store reads each of these rows
// from its file (see mapping.file), about a microsecond a row.
const DefaultShortlist = 1000

// shortlistMinRows is the store size below which a search scans every row:
// the full scan is cheap there and exact.
const shortlistMinRows = 20000

// stageDim is the number of directions a row is projected on (fewer if the
// vectors have fewer components), stageSample the number of rows the
// directions are estimated from, stageIters the rounds of subspace
// iteration (more measured no better). 256 directions rank well enough
// that 500-1000 rows suffice where 128 needed 2000 (docs/benchmarks.md).
const (
	stageDim    = 256
	stageSample = 2048
	stageIters  = 3
)

// SetShortlist sets how many rows a search of a large store (20,000 rows or
// more) scores with the int8 codes after ranking all rows by their
// projections; 0 makes every search a full scan. A search for k hits scores
// at least 8k rows.
func (x *Quantized) SetShortlist(n int) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.shortlist = max(0, n)
}

// useShortlist reports whether a search for k hits goes through the
// projections. The caller holds the read lock.
func (x *Quantized) useShortlist(k int) bool {
	n := len(x.ids)
	return x.shortlist > 0 && n >= shortlistMinRows && max(x.shortlist, 8*k) < n/2 &&
		x.fs != nil && len(x.pscale) == n && len(x.pmean) == n && len(x.proj) == n*x.fs.d
}

// wantStage reports whether the store should build its projections: large
// enough for shortlists and without them. The caller holds a lock.
func (x *Quantized) wantStage() bool {
	return x.shortlist > 0 && len(x.ids) >= shortlistMinRows && x.fs == nil && !x.broken.Load()
}

// buildStageAsync builds the projections in a goroutine unless one is at
// it. Searches scan every row until they are in place.
func (x *Quantized) buildStageAsync() {
	if x.building.CompareAndSwap(false, true) {
		go func() {
			defer x.building.Store(false)
			x.buildStage()
		}()
	}
}

// buildStage computes the directions and every row's projection under the
// read lock (searches go on meanwhile) and installs them unless the store
// was written to in between (a later search starts again).
func (x *Quantized) buildStage() {
	x.mu.RLock()
	v, n, dim := x.version, len(x.ids), x.dim
	var fs *firstStage
	var proj []int8
	var ps, pm []float32
	err := x.read(func() error {
		if err := x.verifyAll(); err != nil {
			return err
		}
		fs = newFirstStage(dim, cmp.Or(x.stageDim, stageDim), n, func(r int) ([]int8, float32) { return x.row(r), x.scales[r] })
		proj, ps, pm = make([]int8, n*fs.d), make([]float32, n), make([]float32, n)
		tmp := make([]float32, fs.d)
		for r := range n {
			ps[r], pm[r] = fs.project(proj[r*fs.d:(r+1)*fs.d], tmp, x.row(r), x.scales[r], x.dot)
		}
		return nil
	})
	x.mu.RUnlock()
	if err != nil {
		return
	}
	x.mu.Lock()
	if x.version == v && x.fs == nil {
		x.fs, x.proj, x.pscale, x.pmean = fs, proj, ps, pm
	}
	x.mu.Unlock()
}

// firstStage is what a store needs to project a vector: the mean of its
// rows and the directions, each stored as int8 codes with a scale.
type firstStage struct {
	d      int       // directions
	dim    int       // components of a vector
	basis  []int8    // d×dim: direction j ≈ bscale[j]·basis[j*dim:(j+1)*dim]
	bscale []float32 // d
	bmean  []float32 // d: direction j (as stored) · the mean row
	mean   []float32 // dim: the mean row
}

// project writes the int8 codes of the projection of the row with codes c
// and scale s (the unit vector v = s·c), less the mean row, into dst (d
// codes) and returns their scale (0 if the projection is zero) and v·mean.
// A row's first-stage score for query q is then, up to a constant that is
// the same for every row, q·v ≈ proj(q)·proj(v) + mean·v. tmp holds d
// floats.
func (f *firstStage) project(dst []int8, tmp []float32, c []int8, s float32, dot dot8Func) (scale, mv float32) {
	dim := f.dim
	var mx float32
	for j := range f.d {
		p := s*f.bscale[j]*float32(dot(f.basis[j*dim:(j+1)*dim:(j+1)*dim], c)) - f.bmean[j]
		tmp[j] = p
		mx = max(mx, float32(math.Abs(float64(p))))
	}
	c = c[:len(f.mean)]
	var m0, m1, m2, m3 float32
	i := 0
	for ; i+4 <= len(c); i += 4 {
		m0 += f.mean[i] * float32(c[i])
		m1 += f.mean[i+1] * float32(c[i+1])
		m2 += f.mean[i+2] * float32(c[i+2])
		m3 += f.mean[i+3] * float32(c[i+3])
	}
	for ; i < len(c); i++ {
		m0 += f.mean[i] * float32(c[i])
	}
	mv = s * ((m0 + m1) + (m2 + m3))
	if !(mx > 0) || math.IsInf(float64(mx), 0) {
		clear(dst[:f.d])
		return 0, mv
	}
	k := 127 / mx
	for j, p := range tmp[:f.d] {
		dst[j] = int8(min(max(math.Round(float64(p*k)), -127), 127))
	}
	return mx / 127, mv
}

// newFirstStage estimates, from up to stageSample of the n rows spread
// evenly (row gives a row's codes and scale), the mean row and the
// min(d, dim) directions along which the rows vary most: subspace
// iteration on the sample's covariance from a fixed random start, so the
// same rows give the same directions.
func newFirstStage(dim, d, n int, row func(r int) ([]int8, float32)) *firstStage {
	d = min(d, dim)
	step := max(1, n/stageSample)
	s := (n + step - 1) / step
	// The sample, centred: s rows of dim floats, and its transpose.
	mean := make([]float64, dim)
	xs := make([]float32, s*dim)
	for i := range s {
		c, sc := row(i * step)
		xi := xs[i*dim : (i+1)*dim]
		for j, v := range c {
			xi[j] = sc * float32(v)
			mean[j] += float64(xi[j])
		}
	}
	meanf := make([]float32, dim)
	for j := range mean {
		meanf[j] = float32(mean[j] / float64(s))
	}
	xt := make([]float32, dim*s)
	for i := range s {
		for j := range dim {
			v := xs[i*dim+j] - meanf[j]
			xs[i*dim+j] = v
			xt[j*s+i] = v
		}
	}
	dotf := defaultDot()
	rng := rand.New(rand.NewPCG(0x5eed, uint64(dim)))
	q := make([]float32, d*dim)
	for i := range q {
		q[i] = float32(rng.NormFloat64())
	}
	orthonormalise(q, d, dim, dotf)
	z := make([]float32, d*s)
	for range stageIters {
		// q ← orthonormal basis of Xᵀ X q: z = X q (one row per direction),
		// then q_j = Xᵀ z_j.
		for j := range d {
			qj := q[j*dim : (j+1)*dim]
			for i := range s {
				z[j*s+i] = dotf(xs[i*dim:(i+1)*dim], qj)
			}
		}
		for j := range d {
			zj := z[j*s : (j+1)*s]
			for c := range dim {
				q[j*dim+c] = dotf(xt[c*s:(c+1)*s], zj)
			}
		}
		orthonormalise(q, d, dim, dotf)
	}
	f := &firstStage{d: d, dim: dim, basis: make([]int8, d*dim), bscale: make([]float32, d), bmean: make([]float32, d), mean: meanf}
	for j := range d {
		qj := q[j*dim : (j+1)*dim]
		var mx float32
		for _, v := range qj {
			mx = max(mx, float32(math.Abs(float64(v))))
		}
		if mx == 0 {
			continue // a direction lost to a sample of too few rows: it scores 0
		}
		bj := f.basis[j*dim : (j+1)*dim]
		k := 127 / mx
		var m float64
		for c, v := range qj {
			bj[c] = int8(min(max(math.Round(float64(v*k)), -127), 127))
			m += float64(bj[c]) * float64(meanf[c])
		}
		f.bscale[j] = mx / 127
		f.bmean[j] = float32(m) * f.bscale[j]
	}
	return f
}

// orthonormalise makes the d rows of q (dim floats each) orthonormal by
// modified Gram-Schmidt; a row that depends on the earlier ones becomes
// zero.
func orthonormalise(q []float32, d, dim int, dotf dotFunc) {
	for j := range d {
		qj := q[j*dim : (j+1)*dim]
		n0 := math.Sqrt(float64(dotf(qj, qj)))
		for i := range j {
			qi := q[i*dim : (i+1)*dim]
			p := dotf(qj, qi)
			for c := range qj {
				qj[c] -= p * qi[c]
			}
		}
		nn := math.Sqrt(float64(dotf(qj, qj)))
		if !(nn > 1e-4*n0) || n0 == 0 {
			clear(qj)
			continue
		}
		inv := float32(1 / nn)
		for c := range qj {
			qj[c] *= inv
		}
	}
}

// stageBuf holds a search's scratch space, reused across searches.
type stageBuf struct {
	scores []float32
	bins   []uint16
	list   []int32
	q      []int8
	tmp    []float32
	hist   []int32
	row    []int8
}

var stageBufs = sync.Pool{New: func() any { return new(stageBuf) }}

// stageBins is the number of bins of the score histogram that finds the
// shortlist's cut.
const stageBins = 4096

// searchShortlist is Search through the projections; ok is false when the
// query's projection is zero (the caller scans every row). The caller holds
// the read lock.
func (x *Quantized) searchShortlist(qc []int8, qs float32, k int, exclude func(int64) bool) (hits []Hit, ok bool, err error) {
	n, fs := len(x.ids), x.fs
	d := fs.d
	b := stageBufs.Get().(*stageBuf)
	defer stageBufs.Put(b)
	if cap(b.scores) < n {
		b.scores, b.bins = make([]float32, n), make([]uint16, n)
	}
	if cap(b.q) < d {
		b.q, b.tmp = make([]int8, d), make([]float32, d)
	}
	if b.hist == nil {
		b.hist = make([]int32, stageBins)
	}
	q := b.q[:d:d]
	qps, _ := fs.project(q, b.tmp, qc, qs, x.dot)
	if qps == 0 {
		return nil, false, nil
	}
	// Stage 1: every row's score by its projection, and the range of them.
	scores, bins := b.scores[:n], b.bins[:n]
	proj, ps, pm, dot := x.proj[:n*d], x.pscale[:n], x.pmean[:n], x.dot
	lo, hi := float32(math.Inf(1)), float32(math.Inf(-1))
	if d%16 == 0 {
		for r := range scores {
			s := qps*float32(dot8Blocks(q, proj[r*d:(r+1)*d:(r+1)*d]))*ps[r] + pm[r]
			scores[r] = s
			lo, hi = min(lo, s), max(hi, s)
		}
	} else {
		for r := range scores {
			s := qps*float32(dot(q, proj[r*d:(r+1)*d:(r+1)*d]))*ps[r] + pm[r]
			scores[r] = s
			lo, hi = min(lo, s), max(hi, s)
		}
	}
	// A histogram of the scores finds the bin where the shortlist ends.
	hist := b.hist
	clear(hist)
	scale := float32(0)
	if hi > lo {
		scale = (stageBins - 1) / (hi - lo)
	}
	for r, s := range scores {
		bin := uint16(min(int((s-lo)*scale), stageBins-1))
		bins[r] = bin
		hist[bin]++
	}
	want := min(n, max(x.shortlist, 8*k))
	cut, above := stageBins-1, 0
	for cut > 0 && above+int(hist[cut]) < want {
		above += int(hist[cut])
		cut--
	}
	atCut := want - above // rows taken from the cut bin, in row order
	list := b.list[:0]
	for r, bin := range bins {
		switch {
		case int(bin) > cut:
			list = append(list, int32(r))
		case int(bin) == cut && atCut > 0:
			list = append(list, int32(r))
			atCut--
		}
	}
	b.list = list
	// Stage 2: the codes of the shortlist, in row order (ascending
	// addresses, which the prefetcher follows).
	t := newTopK(min(k, n), exclude)
	dim := x.dim
	if x.m != nil && x.m.file != nil {
		// Mapped: the rows are copied out of the file (see mapping.file),
		// each checked against its checksum every time.
		if cap(b.row) < dim {
			b.row = make([]int8, dim)
		}
		row := b.row[:dim:dim]
		for _, r := range list {
			if err := x.readRow(int(r), row); err != nil {
				return nil, false, err
			}
			t.offer(x.ids[r], score8(dot(qc, row), qs, x.scales[r]))
		}
		return t.sorted(), true, nil
	}
	for _, r := range list {
		if err := x.verify(int(r)); err != nil {
			return nil, false, err
		}
		d := dot(qc, x.codes[int(r)*dim:(int(r)+1)*dim:(int(r)+1)*dim])
		t.offer(x.ids[r], score8(d, qs, x.scales[r]))
	}
	return t.sorted(), true, nil
}
