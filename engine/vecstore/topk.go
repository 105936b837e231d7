package vecstore

import (
	"cmp"
	"slices"
)

// better reports whether a ranks strictly before b: higher score first, then
// lower ID.
func better(a, b Hit) bool {
	if a.Score != b.Score {
		return a.Score > b.Score
	}
	return a.ID < b.ID
}

// topK keeps the best k hits seen so far in a min-heap whose root h[0] is the
// worst of them.
type topK struct {
	k       int
	h       []Hit
	exclude func(id int64) bool // consulted by offer; may be nil
}

func newTopK(k int, exclude func(id int64) bool) *topK {
	return &topK{k: k, h: make([]Hit, 0, k), exclude: exclude}
}

// full reports whether k hits are held; then a hit must beat h[0] to enter.
func (t *topK) full() bool { return len(t.h) == t.k }

// offer pushes the hit (id, s) unless it cannot enter the top k or
// t.exclude rejects id. exclude is consulted only for hits that would enter,
// which is cheaper than calling it for every row scanned. offer requires
// k > 0; the common case, a hit worse than the current k-th, returns at once
// and is kept small enough for offer to be inlined into scan loops.
func (t *topK) offer(id int64, s float32) {
	if h := t.h; len(h) < cap(h) || s >= h[0].Score { // cap(h) == k
		t.admit(id, s)
	}
}

// admit is the slow path of offer.
func (t *topK) admit(id int64, s float32) {
	if t.exclude != nil && t.exclude(id) {
		return
	}
	t.push(Hit{ID: id, Score: s})
}

// push offers a hit; it enters if fewer than k are held or it beats the worst.
func (t *topK) push(x Hit) {
	if len(t.h) < t.k {
		t.h = append(t.h, x)
		t.up(len(t.h) - 1)
		return
	}
	if t.k == 0 || !better(x, t.h[0]) {
		return
	}
	t.h[0] = x
	t.down(0)
}

func (t *topK) up(i int) {
	h := t.h
	for i > 0 {
		p := (i - 1) / 2
		if !better(h[p], h[i]) { // parent is worse than or equal to child
			return
		}
		h[p], h[i] = h[i], h[p]
		i = p
	}
}

func (t *topK) down(i int) {
	h := t.h
	n := len(h)
	for {
		w := i // index of the worst among i and its children
		if l := 2*i + 1; l < n && better(h[w], h[l]) {
			w = l
		}
		if r := 2*i + 2; r < n && better(h[w], h[r]) {
			w = r
		}
		if w == i {
			return
		}
		h[i], h[w] = h[w], h[i]
		i = w
	}
}

// sorted returns the held hits, best first. The heap is consumed.
func (t *topK) sorted() []Hit {
	h := t.h
	slices.SortFunc(h, func(a, b Hit) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	t.h = nil
	return h
}
