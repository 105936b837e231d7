package vecstore

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"
)

func randVec(rng *rand.Rand, dim int) []float32 {
	v := make([]float32, dim)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	return v
}

// fill adds n random vectors with ids 0..n-1 in a shuffled order and returns
// the ids.
// growIndex is a store that can reserve room before a bulk load (Flat and
// Quantized).
type growIndex interface {
	Index
	Grow(n int)
}

// fill adds n random vectors under the ids 0..n-1 in shuffled order.
func fill(t testing.TB, f growIndex, rng *rand.Rand, n int) []int64 {
	t.Helper()
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = int64(i)
	}
	rng.Shuffle(n, func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	f.Grow(n)
	for _, id := range ids {
		if err := f.Add(id, randVec(rng, f.Dim())); err != nil {
			t.Fatal(err)
		}
	}
	return ids
}

// bruteForce scores every id with the same kernel as f, sorts all of them
// and cuts the list at k.
func bruteForce(t testing.TB, f *Flat, ids []int64, q []float32, k int, exclude func(int64) bool) []Hit {
	t.Helper()
	qn, err := f.query(q)
	if err != nil {
		t.Fatal(err)
	}
	var all []Hit
	for _, id := range ids {
		if exclude != nil && exclude(id) {
			continue
		}
		v, ok := f.Get(id)
		if !ok {
			t.Fatalf("Get(%d) missing", id)
		}
		all = append(all, Hit{ID: id, Score: f.dot(qn, v)})
	}
	slices.SortFunc(all, func(a, b Hit) int {
		switch {
		case better(a, b):
			return -1
		case better(b, a):
			return 1
		}
		return 0
	})
	if k < len(all) {
		all = all[:k]
	}
	if all == nil {
		all = []Hit{}
	}
	return all
}

// ref64 is the float64 cosine similarity of a and b.
func ref64(a, b []float32) float64 {
	var ab, aa, bb float64
	for i := range a {
		ab += float64(a[i]) * float64(b[i])
		aa += float64(a[i]) * float64(a[i])
		bb += float64(b[i]) * float64(b[i])
	}
	return ab / math.Sqrt(aa*bb)
}

var kernels = []struct {
	name string
	dot  dotFunc
}{
	{"default", defaultDot()},
	{"plain", dotPlain},
	{"unrolled", dotUnrolled},
}

func TestSearchMatchesBruteForce(t *testing.T) {
	cases := []struct{ dim, n int }{
		{1, 10}, {3, 0}, {3, 1}, {17, 200}, {384, 1000}, {1024, 300},
		{1792, 300},
		{1792, 700}, // 1.25M floats: the parallel path
		{384, 3000}, // 1.15M floats: the parallel path
	}
	for _, c := range cases {
		for _, kern := range kernels {
			t.Run(fmt.Sprintf("dim%d_n%d_%s", c.dim, c.n, kern.name), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(c.dim), uint64(c.n)))
				f := NewFlat(c.dim)
				f.dot = kern.dot
				f.workers = 2 // used above parallelMinElems only
				ids := fill(t, f, rng, c.n)
				if f.Len() != c.n {
					t.Fatalf("Len = %d, want %d", f.Len(), c.n)
				}
				excl := func(id int64) bool { return id%3 == 1 }
				for qi := range 4 {
					q := randVec(rng, c.dim)
					if qi == 3 && c.n > 0 {
						// A stored vector, scaled: it must come first with score ≈ 1.
						v, _ := f.Get(ids[0])
						for i := range v {
							q[i] = 3 * v[i]
						}
					}
					for _, k := range []int{0, 1, 5, 24, c.n, c.n + 10} {
						for _, ex := range []func(int64) bool{nil, excl} {
							got, err := f.Search(q, k, ex)
							if err != nil {
								t.Fatal(err)
							}
							want := bruteForce(t, f, ids, q, k, ex)
							if !slices.Equal(got, want) {
								t.Fatalf("q%d k=%d exclude=%v:\n got %v\nwant %v", qi, k, ex != nil, head(got), head(want))
							}
						}
					}
					if qi == 3 && c.n > 0 && c.dim > 1 { // in 1-D every vector is ±1: ties
						got, _ := f.Search(q, 1, nil)
						if got[0].ID != ids[0] || math.Abs(float64(got[0].Score)-1) > 1e-5 {
							t.Fatalf("self query: got %v, want id %d score 1", got, ids[0])
						}
					}
				}
			})
		}
	}
}

func head(h []Hit) []Hit { return h[:min(len(h), 6)] }

func TestScoresAreCosine(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const dim = 384
	f := NewFlat(dim)
	raw := map[int64][]float32{}
	for id := range int64(500) {
		v := randVec(rng, dim)
		raw[id] = v
		if err := f.Add(id, v); err != nil {
			t.Fatal(err)
		}
	}
	q := randVec(rng, dim)
	hits, err := f.Search(q, 500, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hits {
		if d := math.Abs(float64(h.Score) - ref64(q, raw[h.ID])); d > 1e-5 {
			t.Fatalf("id %d: score %v, float64 cosine differs by %g", h.ID, h.Score, d)
		}
	}
}

func TestParallelEqualsSerial(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	f := NewFlat(1024)
	fill(t, f, rng, 2500)
	f.workers = 2
	if parts := f.split(f.Len()); !slices.Equal(parts, []int{0, 1250, 2500}) {
		t.Fatalf("split = %v, want [0 1250 2500]", parts)
	}
	for range 5 {
		q := randVec(rng, 1024)
		f.workers = 1
		serial, _ := f.Search(q, 50, nil)
		f.workers = 2
		par, _ := f.Search(q, 50, nil)
		if !slices.Equal(serial, par) {
			t.Fatalf("parallel %v != serial %v", head(par), head(serial))
		}
	}
}

func TestTiesByIDAscending(t *testing.T) {
	for _, n := range []int{40, 3000} { // 3000×384 takes the parallel path
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(5, uint64(n)))
			const dim = 384
			f := NewFlat(dim)
			f.workers = 2
			a, b := randVec(rng, dim), randVec(rng, dim)
			perm := rng.Perm(n)
			for _, i := range perm {
				v := a
				if i%2 == 1 {
					v = b
				}
				if err := f.Add(int64(i), v); err != nil {
					t.Fatal(err)
				}
			}
			hits, err := f.Search(a, 10, nil)
			if err != nil {
				t.Fatal(err)
			}
			for i, h := range hits {
				if h.ID != int64(2*i) {
					t.Fatalf("hit %d = %v, want id %d; all %v", i, h, 2*i, hits)
				}
				if h.Score != hits[0].Score {
					t.Fatalf("hit %d score %v != %v", i, h.Score, hits[0].Score)
				}
			}
			// All of them: the a-copies (even ids, ascending), then the b-copies.
			all, _ := f.Search(a, n, nil)
			for i, h := range all {
				want := int64(2 * i)
				if i >= n/2 {
					want = int64(2*(i-n/2) + 1)
				}
				if h.ID != want {
					t.Fatalf("all[%d] = %v, want id %d", i, h, want)
				}
			}
		})
	}
}

func TestRemoveThenSearch(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 7))
	const dim = 64
	f := NewFlat(dim)
	ids := fill(t, f, rng, 300)
	before := map[int64][]float32{}
	for _, id := range ids {
		before[id], _ = f.Get(id)
	}
	removed := map[int64]bool{}
	for i, id := range ids {
		if i%4 == 0 {
			if !f.Remove(id) {
				t.Fatalf("Remove(%d) = false", id)
			}
			removed[id] = true
		}
	}
	if f.Remove(ids[0]) {
		t.Fatal("second Remove returned true")
	}
	if f.Remove(12345) {
		t.Fatal("Remove of unknown id returned true")
	}
	if want := len(ids) - len(removed); f.Len() != want {
		t.Fatalf("Len = %d, want %d", f.Len(), want)
	}
	var kept []int64
	for _, id := range ids {
		v, ok := f.Get(id)
		if ok == removed[id] {
			t.Fatalf("Get(%d) ok=%v, removed=%v", id, ok, removed[id])
		}
		if ok {
			kept = append(kept, id)
			if !slices.Equal(v, before[id]) {
				t.Fatalf("vector of id %d changed after swap-remove", id)
			}
		}
	}
	for range 5 {
		q := randVec(rng, dim)
		got, _ := f.Search(q, 40, nil)
		if want := bruteForce(t, f, kept, q, 40, nil); !slices.Equal(got, want) {
			t.Fatalf("got %v want %v", head(got), head(want))
		}
	}
	// A removed vector as the query must not find itself.
	got, _ := f.Search(before[ids[0]], 5, nil)
	for _, h := range got {
		if removed[h.ID] {
			t.Fatalf("removed id %d returned", h.ID)
		}
	}
	for _, id := range kept {
		f.Remove(id)
	}
	if got, err := f.Search(randVec(rng, dim), 5, nil); err != nil || len(got) != 0 {
		t.Fatalf("empty store: %v, %v", got, err)
	}
	// Reuse after emptying.
	if err := f.Add(7, randVec(rng, dim)); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.Search(randVec(rng, dim), 5, nil); len(got) != 1 || got[0].ID != 7 {
		t.Fatalf("after re-add: %v", got)
	}
}

func TestReAddReplaces(t *testing.T) {
	f := NewFlat(3)
	must(t, f.Add(1, []float32{1, 0, 0}))
	must(t, f.Add(2, []float32{0, 1, 0}))
	must(t, f.Add(1, []float32{0, 0, 5}))
	if f.Len() != 2 {
		t.Fatalf("Len = %d, want 2", f.Len())
	}
	v, _ := f.Get(1)
	if !slices.Equal(v, []float32{0, 0, 1}) {
		t.Fatalf("Get(1) = %v, want [0 0 1] (normalised)", v)
	}
	hits, _ := f.Search([]float32{0, 0, 1}, 5, nil)
	want := []Hit{{1, 1}, {2, 0}}
	if !slices.Equal(hits, want) {
		t.Fatalf("hits %v, want %v", hits, want)
	}
	hits, _ = f.Search([]float32{1, 0, 0}, 1, nil)
	if hits[0].Score != 0 {
		t.Fatalf("old vector of id 1 still found: %v", hits)
	}
}

func TestNormalisesOnAdd(t *testing.T) {
	f := NewFlat(2)
	must(t, f.Add(1, []float32{3, 4}))
	v, _ := f.Get(1)
	if math.Abs(float64(v[0])-0.6) > 1e-7 || math.Abs(float64(v[1])-0.8) > 1e-7 {
		t.Fatalf("Get = %v, want [0.6 0.8]", v)
	}
	v[0] = 100 // Get returns a copy
	if w, _ := f.Get(1); w[0] == 100 {
		t.Fatal("Get returned the stored slice")
	}
	in := []float32{1e30, 1e30} // would overflow a float32 sum of squares
	must(t, f.Add(2, in))
	if in[0] != 1e30 {
		t.Fatal("Add modified its argument")
	}
	w, _ := f.Get(2)
	if math.Abs(float64(w[0])-math.Sqrt2/2) > 1e-6 {
		t.Fatalf("Get(2) = %v", w)
	}
	tiny := []float32{1e-30, 0}
	must(t, f.Add(3, tiny))
	if w, _ := f.Get(3); w[0] != 1 {
		t.Fatalf("Get(3) = %v", w)
	}
}

func TestWrongDim(t *testing.T) {
	f := NewFlat(4)
	must(t, f.Add(1, []float32{1, 2, 3, 4}))
	if err := f.Add(2, []float32{1, 2, 3}); !errors.Is(err, ErrDim) {
		t.Fatalf("Add short: err = %v, want ErrDim", err)
	}
	if err := f.Add(2, make([]float32, 5)); !errors.Is(err, ErrDim) {
		t.Fatalf("Add long: err = %v, want ErrDim", err)
	}
	if _, err := f.Search([]float32{1}, 3, nil); !errors.Is(err, ErrDim) {
		t.Fatalf("Search: err = %v, want ErrDim", err)
	}
	if err := f.Scores(nil, func(int64, float32) {}); !errors.Is(err, ErrDim) {
		t.Fatalf("Scores: err = %v, want ErrDim", err)
	}
	if f.Len() != 1 {
		t.Fatalf("Len = %d after rejected adds", f.Len())
	}
}

func TestInvalidRejected(t *testing.T) {
	nan := float32(math.NaN())
	inf := float32(math.Inf(1))
	f := NewFlat(3)
	must(t, f.Add(1, []float32{1, 0, 0}))
	for _, v := range [][]float32{{nan, 0, 0}, {1, inf, 0}, {0, 0, -inf}, {0, 0, 0}} {
		if err := f.Add(1, v); !errors.Is(err, ErrInvalid) {
			t.Fatalf("Add(%v): err = %v, want ErrInvalid", v, err)
		}
		if _, err := f.Search(v, 1, nil); !errors.Is(err, ErrInvalid) {
			t.Fatalf("Search(%v): err = %v, want ErrInvalid", v, err)
		}
	}
	if v, _ := f.Get(1); !slices.Equal(v, []float32{1, 0, 0}) {
		t.Fatalf("rejected Add changed the stored vector: %v", v)
	}
	if _, err := f.Search([]float32{1, 0, 0}, -1, nil); err == nil {
		t.Fatal("k < 0 accepted")
	}
	if got, err := f.Search([]float32{1, 0, 0}, 0, nil); err != nil || len(got) != 0 {
		t.Fatalf("k = 0: %v, %v", got, err)
	}
}

func TestNewFlatPanicsOnBadDim(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("NewFlat(0) did not panic")
		}
	}()
	NewFlat(0)
}

func TestScores(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	for _, n := range []int{0, 50, 3000} { // 3000×384: parallel path
		f := NewFlat(384)
		f.workers = 2
		ids := fill(t, f, rng, n)
		q := randVec(rng, 384)
		want := map[int64]float32{}
		for _, h := range bruteForce(t, f, ids, q, n, nil) {
			want[h.ID] = h.Score
		}
		got := map[int64]float32{}
		err := f.Scores(q, func(id int64, s float32) {
			if _, dup := got[id]; dup {
				t.Fatalf("id %d reported twice", id)
			}
			got[id] = s
			_ = f.Len() // the callback may call back into the index
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != n {
			t.Fatalf("n=%d: %d scores", n, len(got))
		}
		for id, s := range want {
			if got[id] != s {
				t.Fatalf("id %d: Scores %v, Search %v", id, got[id], s)
			}
		}
	}
}

// TestConcurrentAddSearch is meant for `go test -race`: a writer adds,
// replaces and removes while readers search, score and get.
func TestConcurrentAddSearch(t *testing.T) {
	f := NewFlat(384)
	f.workers = 2 // 2800×384 floats: searches take the parallel path
	n := 3000
	if testing.Short() {
		n = 500
	}
	testConcurrent(t, f, rand.New(rand.NewPCG(10, 11)), n, 99)
}

// testConcurrent runs one writer (adds, removes, replaces, grows) against
// three readers (search with exclude, scores, get) on a filled store; run
// under -race it checks the locking, and every result must stay well formed.
func testConcurrent(t *testing.T, x growIndex, rng *rand.Rand, n int, readerSeed uint64) {
	dim := x.Dim()
	fill(t, x, rng, 2800)
	vecs := make([][]float32, n)
	for i := range vecs {
		vecs[i] = randVec(rng, dim)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(done)
		for i, v := range vecs {
			id := int64(1000 + i)
			if err := x.Add(id, v); err != nil {
				t.Error(err)
				return
			}
			if i%5 == 0 {
				x.Remove(id - 3)
			}
			if i%7 == 0 {
				_ = x.Add(int64(i%200), v) // replace
			}
			if i%500 == 0 {
				x.Grow(10)
			}
		}
	})
	for r := range 3 {
		wg.Go(func() {
			rrng := rand.New(rand.NewPCG(uint64(r), readerSeed))
			for {
				select {
				case <-done:
					return
				default:
				}
				q := randVec(rrng, dim)
				hits, err := x.Search(q, 24, func(id int64) bool { return id%2 == 0 })
				if err != nil {
					t.Error(err)
					return
				}
				seen := map[int64]bool{}
				for i, h := range hits {
					if seen[h.ID] || h.ID%2 == 0 || (i > 0 && !better(hits[i-1], h)) {
						t.Errorf("bad result %v", hits)
						return
					}
					seen[h.ID] = true
				}
				// The callback may call back into the store.
				if err := x.Scores(q, func(int64, float32) { _ = x.Len() }); err != nil {
					t.Error(err)
					return
				}
				if v, ok := x.Get(1000); ok && len(v) != dim {
					t.Errorf("Get len %d", len(v))
				}
			}
		})
	}
	wg.Wait()
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestSetWorkers(t *testing.T) {
	f := NewFlat(8)
	if f.workers != 1 {
		t.Fatalf("default workers = %d, want 1", f.workers)
	}
	f.SetWorkers(0)
	if f.workers != 1 {
		t.Fatalf("SetWorkers(0): workers = %d, want 1", f.workers)
	}
	f.SetWorkers(1 << 20)
	if f.workers != runtime.GOMAXPROCS(0) {
		t.Fatalf("SetWorkers(huge): workers = %d, want GOMAXPROCS", f.workers)
	}
}
