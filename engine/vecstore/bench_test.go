package vecstore

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
)

// impls are the configurations compared by the benchmarks and the latency
// table. They are applied to a shared store while nothing else uses it.
var impls = []struct {
	name    string
	dot     func() dotFunc
	workers int
}{
	{"vek", defaultDot, 1},
	{"vek 2 goroutines", defaultDot, 2},
	{"unrolled loop", func() dotFunc { return dotUnrolled }, 1},
	{"plain loop", func() dotFunc { return dotPlain }, 1},
}

var (
	benchMu     sync.Mutex
	benchStores = map[[2]int]*Flat{}
)

// benchStore returns a cached store of n random vectors of dimension dim.
func benchStore(tb testing.TB, n, dim int) *Flat {
	benchMu.Lock()
	defer benchMu.Unlock()
	key := [2]int{n, dim}
	if f, ok := benchStores[key]; ok {
		return f
	}
	f := randomStore(tb, n, dim)
	benchStores[key] = f
	return f
}

// randomStore returns a store of n vectors with uniform random components.
func randomStore(tb testing.TB, n, dim int) *Flat {
	rng := rand.New(rand.NewPCG(uint64(n), uint64(dim)))
	f := NewFlat(dim)
	f.Grow(n)
	v := make([]float32, dim)
	for id := range int64(n) {
		for i := range v {
			v[i] = rng.Float32()*2 - 1
		}
		if err := f.Add(id, v); err != nil {
			tb.Fatal(err)
		}
	}
	return f
}

// BenchmarkSearch measures a top-24 query (the UI's neighbour strip) at the
// real dimensions: 1792 for the visual space, 384 and 1024 as stand-ins for
// the relational space.
//
//	go test -run '^$' -bench Search -benchtime 50x ./engine/vecstore/
func BenchmarkSearch(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		for _, dim := range []int{384, 1024, 1792} {
			for _, im := range impls {
				b.Run(fmt.Sprintf("n=%d/dim=%d/%s", n, dim, im.name), func(b *testing.B) {
					f := benchStore(b, n, dim)
					f.dot, f.workers = im.dot(), im.workers
					defer func() { f.dot, f.workers = defaultDot(), 1 }()
					q := randVec(rand.New(rand.NewPCG(1, 2)), dim)
					b.SetBytes(int64(n * dim * 4))
					b.ResetTimer()
					for b.Loop() {
						if _, err := f.Search(q, 24, nil); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	}
}

// BenchmarkDot measures one dot product per kernel.
func BenchmarkDot(b *testing.B) {
	for _, dim := range []int{384, 1024, 1792} {
		rng := rand.New(rand.NewPCG(3, 4))
		x, y := randVec(rng, dim), randVec(rng, dim)
		for _, k := range kernels {
			b.Run(fmt.Sprintf("dim=%d/%s", dim, k.name), func(b *testing.B) {
				var s float32
				for b.Loop() {
					s += k.dot(x, y)
				}
				_ = s
			})
		}
	}
}

// BenchmarkSearchQuantized measures a top-24 query on a Quantized store
// holding the same vectors as BenchmarkSearch's Flat stores.
//
//	go test -run '^$' -bench SearchQuantized -benchtime 50x ./engine/vecstore/
func BenchmarkSearchQuantized(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		for _, dim := range []int{384, 1792, 2048} {
			var x *Quantized
			for _, k := range kernels8 {
				b.Run(fmt.Sprintf("n=%d/dim=%d/%s", n, dim, k.name), func(b *testing.B) {
					if x == nil {
						f := randomStore(b, n, dim)
						x = NewQuantized(dim)
						x.Grow(n)
						for id := range int64(n) {
							v, _ := f.Get(id)
							if err := x.Add(id, v); err != nil {
								b.Fatal(err)
							}
						}
					}
					x.dot = k.dot
					defer func() { x.dot = dotInt8 }()
					q := randVec(rand.New(rand.NewPCG(1, 2)), dim)
					b.SetBytes(int64(n * dim))
					b.ResetTimer()
					for b.Loop() {
						if _, err := x.Search(q, 24, nil); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		}
	}
}

// BenchmarkSearchShortlist compares the int8 full scan with the projection
// shortlist on 100k random vectors (speed only; recall on real vectors is
// TestRealSearchTable's):
//
//	go test ./engine/vecstore -run '^$' -bench SearchShortlist -benchtime 40x
func BenchmarkSearchShortlist(b *testing.B) {
	const n = 100_000
	for _, dim := range []int{1792, 2080} {
		r := rand.New(rand.NewPCG(3, uint64(dim)))
		x := NewQuantized(dim)
		x.Grow(n)
		for id := range int64(n) {
			if err := x.Add(id, randVec(r, dim)); err != nil {
				b.Fatal(err)
			}
		}
		q := randVec(r, dim)
		for _, l := range []int{0, 1000, 2000, 4000} {
			name := fmt.Sprintf("dim=%d/shortlist=%d", dim, l)
			if l == 0 {
				name = fmt.Sprintf("dim=%d/full-scan", dim)
			}
			b.Run(name, func(b *testing.B) {
				x.SetShortlist(l)
				x.Search(q, 24, nil) // the first large search builds the projections
				for x.building.Load() {
					runtime.Gosched()
				}
				b.ResetTimer()
				for b.Loop() {
					if _, err := x.Search(q, 24, nil); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
