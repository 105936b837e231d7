package vecstore

import "sync"

// Helpers shared by the exact indexes (Flat, Quantized): splitting a scan
// across goroutines and merging the per-part top-k heaps.

// parallelMinElems is the number of stored components (rows × dim) above
// which a scan is split across goroutines; below it the goroutine start-up is
// not repaid.
const parallelMinElems = 1 << 20

// splitRows returns the row boundaries of the parts an n-row scan of
// dim-dimensional vectors is divided into for the given number of workers:
// [0, n] when it is not worth parallelising.
func splitRows(n, dim, workers int) []int {
	if n*dim < parallelMinElems || workers < 2 {
		return []int{0, n}
	}
	parts := make([]int, workers+1)
	for i := range parts {
		parts[i] = n * i / workers
	}
	return parts
}

// searchParts runs scan over every part [parts[i], parts[i+1]) — on the
// calling goroutine when there is one part, otherwise one goroutine per part —
// and returns the best k hits overall, sorted best first. scan offers the
// rows of its part to t (t.offer applies exclude); it is not called for an
// empty heap (k == 0 or an empty part).
func searchParts(parts []int, k int, exclude func(int64) bool, scan func(lo, hi int, t *topK)) []Hit {
	n := parts[len(parts)-1]
	if len(parts) == 2 {
		t := newTopK(min(k, n), exclude)
		if t.k > 0 {
			scan(0, n, t)
		}
		return t.sorted()
	}
	heaps := make([]*topK, len(parts)-1)
	var wg sync.WaitGroup
	for i := range heaps {
		heaps[i] = newTopK(min(k, parts[i+1]-parts[i]), exclude)
		if heaps[i].k > 0 {
			wg.Go(func() { scan(parts[i], parts[i+1], heaps[i]) })
		}
	}
	wg.Wait()
	t := newTopK(min(k, n), nil) // excluded hits never reached the part heaps
	for _, h := range heaps {
		for _, x := range h.h {
			t.push(x)
		}
	}
	return t.sorted()
}

// scoreParts calls score(lo, hi) for every part, concurrently when there is
// more than one.
func scoreParts(parts []int, score func(lo, hi int)) {
	if len(parts) == 2 {
		score(parts[0], parts[1])
		return
	}
	var wg sync.WaitGroup
	for i := range len(parts) - 1 {
		wg.Go(func() { score(parts[i], parts[i+1]) })
	}
	wg.Wait()
}
