package vecstore

import (
	"math/bits"
	"slices"
)

// Two-stage search of a large Quantized store. A full scan reads every
// row's dim int8 codes: at 100k × 1792 that is 180 MB per query, bound by
// memory bandwidth (~6 ms on a quiet core, several times that on a busy
// machine). Each row also keeps a sketch, one bit per component (code > 0),
// 1/8 of the codes: bit i is set when code i is above the store's median
// code of component i (estimated from a sample of rows; per-component
// medians keep the bits balanced even where the vectors are not centred on
// zero, as the visual space's are not). A search first ranks every row by the Hamming distance
// between its sketch and the query's — 22 MB at 100k × 1792, XOR and
// popcount — keeps the shortlist rows nearest by that measure, and scores
// only those with the int8 codes, exactly as a full scan would. A row the
// full scan would put in the top k is missed only if its sketch is farther
// than the shortlist's; docs/benchmarks.md measures how often on real
// photo vectors (recall@24 against exact float32 cosine).

// DefaultShortlist is the number of rows a new Quantized re-scores after
// ranking by sketches (see SetShortlist); 0 would make every search a full
// scan. 8000: on real photo vectors at 100k rows (docs/benchmarks.md,
// "Search on real vectors") its recall@24 against exact float32 cosine
// equals the int8 full scan's (0.995 visual, 0.993 relational) at about
// two thirds of its time; 4000 and 2000 were faster but lost recall.
const DefaultShortlist = 8000

// shortlistMinRows is the store size below which a search scans every row:
// the full scan is cheap there and exact.
const shortlistMinRows = 20000

// SetShortlist sets how many rows a search of a large store (20,000 rows or
// more) scores with the int8 codes after ranking all rows by their sketches;
// 0 makes every search a full scan. A search for k hits scores at least 8k
// rows.
func (x *Quantized) SetShortlist(n int) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.shortlist = max(0, n)
}

// useShortlist reports whether a search for k hits goes through the
// sketches. The caller holds the read lock.
func (x *Quantized) useShortlist(k int) bool {
	n := len(x.ids)
	return x.shortlist > 0 && n >= shortlistMinRows && max(x.shortlist, 8*k) < n/2 && x.thr != nil && len(x.sketch) == n*x.words
}

// wantSketches reports whether the store should build its sketches: large
// enough for shortlists and without them. The caller holds a lock.
func (x *Quantized) wantSketches() bool {
	return x.shortlist > 0 && len(x.ids) >= shortlistMinRows && x.thr == nil && !x.broken.Load()
}

// buildSketchesAsync builds the sketches in a goroutine unless one is at
// it. Searches scan every row until they are in place.
func (x *Quantized) buildSketchesAsync() {
	if x.building.CompareAndSwap(false, true) {
		go func() {
			defer x.building.Store(false)
			x.buildSketches()
		}()
	}
}

// sketchSample is the number of rows the per-component medians come from.
const sketchSample = 4096

// buildSketches computes the medians and every row's sketch under the read
// lock (searches go on meanwhile) and installs them unless the store was
// written to in between (a later search starts again).
func (x *Quantized) buildSketches() {
	x.mu.RLock()
	v, n, dim, w := x.version, len(x.ids), x.dim, x.words
	var thr []int8
	var sk []uint64
	err := x.read(func() error {
		thr = medianCodes(x.codes[:n*dim], dim, sketchSample)
		sk = make([]uint64, n*w)
		for r := range n {
			sketchRow(sk[r*w:(r+1)*w], x.row(r), thr)
		}
		return nil
	})
	x.mu.RUnlock()
	if err != nil {
		return
	}
	x.mu.Lock()
	if x.version == v && x.thr == nil {
		x.thr, x.sketch = thr, sk
	}
	x.mu.Unlock()
}

// medianCodes returns, per component, the median code of up to sample rows
// spread evenly over the n = len(codes)/dim rows.
func medianCodes(codes []int8, dim, sample int) []int8 {
	n := len(codes) / dim
	step := max(1, n/sample)
	hist := make([]int32, dim*256)
	m := 0
	for r := 0; r < n; r += step {
		for i, c := range codes[r*dim : (r+1)*dim] {
			hist[i*256+int(uint8(c))]++
		}
		m++
	}
	thr := make([]int8, dim)
	for i := range thr {
		h := hist[i*256 : (i+1)*256]
		seen := 0
		for c := -128; c < 128; c++ {
			if seen += int(h[uint8(int8(c))]); 2*seen >= m {
				thr[i] = int8(c)
				break
			}
		}
	}
	return thr
}

// sketchRow returns the sketch of row r. The caller holds the lock.
func (x *Quantized) sketchRow(r int) []uint64 {
	return x.sketch[r*x.words : (r+1)*x.words : (r+1)*x.words]
}

// sketchRow writes the sketch of codes into dst: bit i of word i/64 is
// set when codes[i] > thr[i].
func sketchRow(dst []uint64, codes, thr []int8) {
	for w := range dst {
		lo, hi := w*64, min(len(codes), w*64+64)
		chunk, t := codes[lo:hi], thr[lo:hi]
		var b uint64
		for j, c := range chunk {
			b |= uint64(int64(t[j])-int64(c)) >> 63 << j // 1 when c > t, no branch
		}
		dst[w] = b
	}
}

// searchShortlist is Search through the sketches. The caller holds the
// read lock.
func (x *Quantized) searchShortlist(qc []int8, qs float32, k int, exclude func(int64) bool) []Hit {
	n, w := len(x.ids), x.words
	qb := make([]uint64, w)
	sketchRow(qb, qc, x.thr)
	// Stage 1: the Hamming distance of every row, and how many rows lie at
	// each distance.
	dist := make([]uint16, n)
	hist := make([]int32, 64*w+1)
	sk := x.sketch[:n*w]
	if w == 28 { // dim 1793..1792: the visual space, unrolled by the compiler's bounds
		hamming28(sk, qb, dist, hist)
	} else {
		for r := range n {
			row := sk[r*w : (r+1)*w : (r+1)*w]
			d := 0
			for i, b := range row {
				d += bits.OnesCount64(b ^ qb[i])
			}
			dist[r] = uint16(d)
			hist[d]++
		}
	}
	// The distance below which the shortlist's rows lie, then the rows.
	want := min(n, max(x.shortlist, 8*k))
	cut, below := 0, 0
	for cut < len(hist) && below+int(hist[cut]) < want {
		below += int(hist[cut])
		cut++
	}
	atCut := want - below // rows taken at distance cut, in row order
	list := make([]int32, 0, want)
	for r, d := range dist {
		switch {
		case int(d) < cut:
			list = append(list, int32(r))
		case int(d) == cut && atCut > 0:
			list = append(list, int32(r))
			atCut--
		}
	}
	// Stage 2: the codes of the shortlist, in row order (ascending
	// addresses, which the prefetcher follows).
	slices.Sort(list)
	t := newTopK(min(k, n), exclude)
	if t.k == 0 {
		return t.sorted()
	}
	dim, dot := x.dim, x.dot
	for _, r := range list {
		d := dot(qc, x.codes[int(r)*dim:(int(r)+1)*dim:(int(r)+1)*dim])
		t.offer(x.ids[r], score8(d, qs, x.scales[r]))
	}
	return t.sorted()
}

// hamming28 is stage 1 for 28-word sketches (1792 components).
func hamming28(sk, qb []uint64, dist []uint16, hist []int32) {
	q := (*[28]uint64)(qb)
	for r := range dist {
		row := (*[28]uint64)(sk[r*28 : r*28+28])
		d := 0
		for i := range 28 {
			d += bits.OnesCount64(row[i] ^ q[i])
		}
		dist[r] = uint16(d)
		hist[d]++
	}
}
