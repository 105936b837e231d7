package vecstore

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// quantRef scores every id of x against q independently of x's kernel: the
// query is quantised, dotted with the stored codes by the int64 reference and
// scaled by score8. Returns all hits, best first, cut at k.
func quantRef(t testing.TB, x *Quantized, q []float32, k int, exclude func(int64) bool) []Hit {
	t.Helper()
	qc, qs, err := x.query(q)
	if err != nil {
		t.Fatal(err)
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	all := []Hit{}
	for r, id := range x.ids {
		if exclude != nil && exclude(id) {
			continue
		}
		all = append(all, Hit{ID: id, Score: score8(int32(dotInt8Ref(qc, x.row(r))), qs, x.scales[r])})
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
	return all[:min(k, len(all))]
}

func TestQuantizedSearchMatchesReference(t *testing.T) {
	cases := []struct{ dim, n int }{
		{1, 10}, {3, 0}, {3, 1}, {17, 200}, {384, 1000}, {2048, 300},
		{1792, 700}, // 1.25M components: the parallel path
	}
	for _, c := range cases {
		for _, kern := range kernels8 {
			t.Run(fmt.Sprintf("dim%d_n%d_%s", c.dim, c.n, kern.name), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(uint64(c.dim), uint64(c.n)+100))
				x := NewQuantized(c.dim)
				x.dot = kern.dot
				x.workers = 2 // used above parallelMinElems only
				ids := fill(t, x, rng, c.n)
				if x.Len() != c.n {
					t.Fatalf("Len = %d, want %d", x.Len(), c.n)
				}
				excl := func(id int64) bool { return id%3 == 1 }
				for qi := range 4 {
					q := randVec(rng, c.dim)
					if qi == 3 && c.n > 0 {
						v, _ := x.Get(ids[0]) // a stored vector, scaled
						for i := range v {
							q[i] = -3 * v[i]
						}
					}
					for _, k := range []int{0, 1, 5, 24, c.n, c.n + 10} {
						for _, ex := range []func(int64) bool{nil, excl} {
							got, err := x.Search(q, k, ex)
							if err != nil {
								t.Fatal(err)
							}
							if want := quantRef(t, x, q, k, ex); !slices.Equal(got, want) {
								t.Fatalf("q%d k=%d exclude=%v:\n got %v\nwant %v", qi, k, ex != nil, head(got), head(want))
							}
						}
					}
					scores := map[int64]float32{}
					must(t, x.Scores(q, func(id int64, s float32) { scores[id] = s }))
					for _, h := range quantRef(t, x, q, c.n, nil) {
						if s, ok := scores[h.ID]; !ok || s != h.Score {
							t.Fatalf("Scores(%d) = %v, %v; want %v", h.ID, s, ok, h.Score)
						}
					}
					if qi == 3 && c.n > 0 && c.dim > 1 { // -3·v: v is the last, with score -1
						all, _ := x.Search(q, c.n, nil)
						if last := all[len(all)-1]; last.ID != ids[0] || math.Abs(float64(last.Score)+1) > 1e-6 {
							t.Fatalf("anti-self query: last %v, want id %d score -1", last, ids[0])
						}
					}
				}
			})
		}
	}
}

func TestQuantise(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	for _, dim := range []int{1, 2, 7, 384, 1792, 2048} {
		for range 20 {
			v := randVec(rng, dim)
			scale := rng.Float32()*10 + 1e-3
			for i := range v {
				v[i] *= scale
			}
			c := make([]int8, dim)
			s := quantise(c, v)
			var m float64
			var ss float64
			for _, x := range v {
				m = max(m, math.Abs(float64(x)))
				ss += float64(x) * float64(x)
			}
			sawExtreme := false
			var norm float64
			for i, x := range v {
				if c[i] == -128 {
					t.Fatalf("dim %d: code -128", dim)
				}
				if want := math.Round(float64(x) / m * 127); float64(c[i]) != want {
					t.Fatalf("dim %d: code %d = %d, want %v", dim, i, c[i], want)
				}
				sawExtreme = sawExtreme || c[i] == 127 || c[i] == -127
				d := float64(c[i]) * float64(s)
				norm += d * d
				// Dequantised component vs the unit vector's: within half a
				// step plus the effect of renormalising.
				if e := math.Abs(d - float64(x)/math.Sqrt(ss)); e > 0.6*m/math.Sqrt(ss)/127+1e-6 {
					t.Fatalf("dim %d: component %d off by %g", dim, i, e)
				}
			}
			if !sawExtreme {
				t.Fatalf("dim %d: no code at ±127", dim)
			}
			if math.Abs(norm-1) > 1e-6 {
				t.Fatalf("dim %d: dequantised norm² %v", dim, norm)
			}
		}
	}
}

func TestQuantizedGetAndReAdd(t *testing.T) {
	x := NewQuantized(3)
	must(t, x.Add(1, []float32{1, 0, 0}))
	must(t, x.Add(2, []float32{0, 1, 0}))
	must(t, x.Add(1, []float32{0, 0, 5}))
	if x.Len() != 2 {
		t.Fatalf("Len = %d, want 2", x.Len())
	}
	if v, _ := x.Get(1); !slices.Equal(v, []float32{0, 0, 1}) {
		t.Fatalf("Get(1) = %v, want [0 0 1]", v)
	}
	hits, _ := x.Search([]float32{0, 0, 1}, 5, nil)
	if want := []Hit{{1, 1}, {2, 0}}; !slices.Equal(hits, want) {
		t.Fatalf("hits %v, want %v", hits, want)
	}
	must(t, x.Add(3, []float32{3, 4, 0}))
	v, _ := x.Get(3)
	if math.Abs(float64(v[0])-0.6) > 0.005 || math.Abs(float64(v[1])-0.8) > 0.005 || v[2] != 0 {
		t.Fatalf("Get(3) = %v, want ≈ [0.6 0.8 0]", v)
	}
	v[0] = 100
	if w, _ := x.Get(3); w[0] == 100 {
		t.Fatal("Get returned the stored slice")
	}
	in := []float32{1e30, -1e30, 1e-30}
	must(t, x.Add(4, in))
	if in[0] != 1e30 {
		t.Fatal("Add modified its argument")
	}
	if w, _ := x.Get(4); math.Abs(float64(w[0])-math.Sqrt2/2) > 1e-6 || w[1] != -w[0] || w[2] != 0 {
		t.Fatalf("Get(4) = %v", w)
	}
	must(t, x.Add(5, []float32{1e-45, 0, 0})) // subnormal
	if w, _ := x.Get(5); !slices.Equal(w, []float32{1, 0, 0}) {
		t.Fatalf("Get(5) = %v", w)
	}
	if _, ok := x.Get(99); ok {
		t.Fatal("Get of unknown id")
	}
}

func TestQuantizedRemove(t *testing.T) {
	rng := rand.New(rand.NewPCG(33, 34))
	const dim = 64
	x := NewQuantized(dim)
	ids := fill(t, x, rng, 300)
	before := map[int64][]float32{}
	for _, id := range ids {
		before[id], _ = x.Get(id)
	}
	removed := map[int64]bool{}
	for i, id := range ids {
		if i%4 == 0 {
			if !x.Remove(id) {
				t.Fatalf("Remove(%d) = false", id)
			}
			removed[id] = true
		}
	}
	if x.Remove(ids[0]) || x.Remove(12345) {
		t.Fatal("Remove of absent id returned true")
	}
	if want := len(ids) - len(removed); x.Len() != want {
		t.Fatalf("Len = %d, want %d", x.Len(), want)
	}
	for _, id := range ids {
		v, ok := x.Get(id)
		if ok == removed[id] {
			t.Fatalf("Get(%d) ok=%v, removed=%v", id, ok, removed[id])
		}
		if ok && !slices.Equal(v, before[id]) {
			t.Fatalf("vector of id %d changed after swap-remove", id)
		}
	}
	for range 5 {
		q := randVec(rng, dim)
		got, _ := x.Search(q, 40, nil)
		if want := quantRef(t, x, q, 40, nil); !slices.Equal(got, want) {
			t.Fatalf("got %v want %v", head(got), head(want))
		}
		for _, h := range got {
			if removed[h.ID] {
				t.Fatalf("removed id %d returned", h.ID)
			}
		}
	}
	for _, id := range ids {
		x.Remove(id)
	}
	if got, err := x.Search(randVec(rng, dim), 5, nil); err != nil || len(got) != 0 {
		t.Fatalf("empty store: %v, %v", got, err)
	}
	must(t, x.Add(7, randVec(rng, dim)))
	if got, _ := x.Search(randVec(rng, dim), 5, nil); len(got) != 1 || got[0].ID != 7 {
		t.Fatalf("after re-add: %v", got)
	}
}

func TestQuantizedErrors(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	x := NewQuantized(3)
	must(t, x.Add(1, []float32{1, 0, 0}))
	for _, v := range [][]float32{{1, 2}, {1, 2, 3, 4}, nil} {
		if err := x.Add(2, v); !errors.Is(err, ErrDim) {
			t.Fatalf("Add(%v): err = %v, want ErrDim", v, err)
		}
		if _, err := x.Search(v, 3, nil); !errors.Is(err, ErrDim) {
			t.Fatalf("Search(%v): err = %v, want ErrDim", v, err)
		}
		if err := x.Scores(v, func(int64, float32) {}); !errors.Is(err, ErrDim) {
			t.Fatalf("Scores(%v): err = %v, want ErrDim", v, err)
		}
	}
	for _, v := range [][]float32{{nan, 0, 0}, {1, inf, 0}, {0, 0, -inf}, {0, 0, 0}} {
		if err := x.Add(1, v); !errors.Is(err, ErrInvalid) {
			t.Fatalf("Add(%v): err = %v, want ErrInvalid", v, err)
		}
		if _, err := x.Search(v, 1, nil); !errors.Is(err, ErrInvalid) {
			t.Fatalf("Search(%v): err = %v, want ErrInvalid", v, err)
		}
		if err := x.Scores(v, func(int64, float32) {}); !errors.Is(err, ErrInvalid) {
			t.Fatalf("Scores(%v): err = %v, want ErrInvalid", v, err)
		}
	}
	if v, _ := x.Get(1); !slices.Equal(v, []float32{1, 0, 0}) || x.Len() != 1 {
		t.Fatalf("rejected Add changed the store: %v, Len %d", v, x.Len())
	}
	if _, err := x.Search([]float32{1, 0, 0}, -1, nil); err == nil {
		t.Fatal("k < 0 accepted")
	}
	if got, err := x.Search([]float32{1, 0, 0}, 0, nil); err != nil || got == nil || len(got) != 0 {
		t.Fatalf("k = 0: %v, %v", got, err)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("NewQuantized(0) did not panic")
		}
	}()
	NewQuantized(0)
}

func TestQuantizedTiesByIDAscending(t *testing.T) {
	for _, n := range []int{40, 3000} { // 3000×384 takes the parallel path
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(35, uint64(n)))
			const dim = 384
			x := NewQuantized(dim)
			x.workers = 2
			a, b := randVec(rng, dim), randVec(rng, dim)
			for _, i := range rng.Perm(n) {
				v := slices.Clone(a)
				if i%2 == 1 {
					v = slices.Clone(b)
				}
				for j := range v { // a scaled copy quantises to the same codes
					v[j] *= float32(1 + i%5)
				}
				must(t, x.Add(int64(i), v))
			}
			for range 2 {
				all, err := x.Search(a, n, nil)
				if err != nil {
					t.Fatal(err)
				}
				for i, h := range all {
					want := int64(2 * i)
					if i >= n/2 {
						want = int64(2*(i-n/2) + 1)
					}
					if h.ID != want || h.Score != all[i/(n/2)*(n/2)].Score {
						t.Fatalf("all[%d] = %v, want id %d", i, h, want)
					}
				}
			}
		})
	}
}

func TestQuantizedSetWorkers(t *testing.T) {
	x := NewQuantized(8)
	if x.workers != 1 {
		t.Fatalf("default workers = %d", x.workers)
	}
	x.SetWorkers(0)
	if x.workers != 1 {
		t.Fatalf("SetWorkers(0): %d", x.workers)
	}
	rng := rand.New(rand.NewPCG(36, 37))
	x = NewQuantized(1024)
	fill(t, x, rng, 2500)
	for range 3 {
		q := randVec(rng, 1024)
		x.SetWorkers(1)
		serial, _ := x.Search(q, 50, nil)
		x.SetWorkers(2)
		par, _ := x.Search(q, 50, nil)
		if !slices.Equal(serial, par) {
			t.Fatalf("parallel %v != serial %v", head(par), head(serial))
		}
	}
}

// TestQuantizedConcurrent is meant for `go test -race`.
func TestQuantizedConcurrent(t *testing.T) {
	x := NewQuantized(384)
	x.workers = 2 // 2800×384: the parallel path
	n := 2000
	if testing.Short() {
		n = 400
	}
	testConcurrent(t, x, rand.New(rand.NewPCG(38, 39)), n, 98)
}

// clusteredVecs returns n vectors around nc random centres: centre + σ·g with
// g a Gaussian of expected norm 1 and σ drawn per cluster from [0.3, 1], so
// members of a cluster have cosine ≈ 1/(1+σ²) ∈ [0.5, 0.92] with each other
// and neighbours' scores are packed much closer together than in uniform
// random data.
func clusteredVecs(rng *rand.Rand, n, nc, dim int) [][]float32 {
	centres := make([][]float32, nc)
	sigma := make([]float64, nc)
	for i := range centres {
		c := randVec(rng, dim)
		inv := 1 / math.Sqrt(float64(vdot(c, c)))
		for j := range c {
			c[j] *= float32(inv)
		}
		centres[i], sigma[i] = c, 0.3+0.7*rng.Float64()
	}
	out := make([][]float32, n)
	g := 1 / math.Sqrt(float64(dim))
	for i := range out {
		ci := rng.IntN(nc)
		v := make([]float32, dim)
		for j := range v {
			v[j] = centres[ci][j] + float32(sigma[ci]*g*rng.NormFloat64())
		}
		out[i] = v
	}
	return out
}

func vdot(a, b []float32) float32 { return dotPlain(a, b) }

// TestQuantizedAccuracy compares the Quantized top-24 with Flat's exact
// float32 top-24 on uniform random and on clustered vectors: the mean
// recall@24 must be at least 0.98 and every returned score within 0.01 of
// the exact cosine.
func TestQuantizedAccuracy(t *testing.T) {
	const k, n, queries = 24, 4000, 200
	for _, kind := range []string{"random", "clustered"} {
		for _, dim := range []int{384, 1792, 2048} {
			t.Run(fmt.Sprintf("%s/dim%d", kind, dim), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(40, uint64(dim)))
				var vecs [][]float32
				if kind == "random" {
					for range n + queries {
						vecs = append(vecs, randVec(rng, dim))
					}
				} else {
					vecs = clusteredVecs(rng, n+queries, 40, dim)
				}
				f, x := NewFlat(dim), NewQuantized(dim)
				for id, v := range vecs[:n] {
					must(t, f.Add(int64(id), v))
					must(t, x.Add(int64(id), v))
				}
				var recall, maxErr, sumErr float64
				minRecall, nerr := 1.0, 0
				for _, q := range vecs[n:] {
					exact := map[int64]float32{}
					must(t, f.Scores(q, func(id int64, s float32) { exact[id] = s }))
					want, _ := f.Search(q, k, nil)
					got, _ := x.Search(q, k, nil)
					if again, _ := x.Search(q, k, nil); !slices.Equal(again, got) {
						t.Fatalf("second search differs: %v vs %v", head(again), head(got))
					}
					inWant := map[int64]bool{}
					for _, h := range want {
						inWant[h.ID] = true
					}
					hit := 0
					for _, h := range got {
						if inWant[h.ID] {
							hit++
						}
						e := math.Abs(float64(h.Score - exact[h.ID]))
						maxErr, sumErr, nerr = max(maxErr, e), sumErr+e, nerr+1
					}
					r := float64(hit) / k
					recall += r
					minRecall = min(minRecall, r)
				}
				recall /= queries
				t.Logf("%s dim %d: recall@%d mean %.4f min %.3f; |score error| mean %.2e max %.2e; top-1 score %.3f",
					kind, dim, k, recall, minRecall, sumErr/float64(nerr), maxErr, func() float32 { h, _ := f.Search(vecs[n], 1, nil); return h[0].Score }())
				if recall < 0.98 {
					t.Errorf("mean recall@%d = %.4f < 0.98", k, recall)
				}
				if maxErr > 0.01 {
					t.Errorf("max |score error| = %.3g > 0.01", maxErr)
				}
			})
		}
	}
}
