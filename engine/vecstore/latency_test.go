package vecstore

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// benchQueries skips the test unless RELVIEW_BENCH=1 and returns how many
// queries a latency row runs: RELVIEW_BENCH_QUERIES, default 200.
func benchQueries(t *testing.T) int {
	if os.Getenv("RELVIEW_BENCH") != "1" {
		t.Skip("set RELVIEW_BENCH=1 to measure search latency")
	}
	queries := 200
	if s := os.Getenv("RELVIEW_BENCH_QUERIES"); s != "" {
		var err error
		if queries, err = strconv.Atoi(s); err != nil || queries < 1 {
			t.Fatalf("RELVIEW_BENCH_QUERIES=%q: want a positive integer", s)
		}
	}
	return queries
}

// TestPrintLatencyTable prints a Markdown table of top-24 search latency
// (p50, p99) per store size, dimension and implementation. It is skipped
// unless RELVIEW_BENCH=1:
//
//	RELVIEW_BENCH=1 go test -run TestPrintLatencyTable -v -timeout 30m ./engine/vecstore/
//
// RELVIEW_BENCH_QUERIES sets the number of queries (default 200). The
// implementations take turns query by query, so load from other processes
// falls on all of them alike.
func TestPrintLatencyTable(t *testing.T) {
	queries := benchQueries(t)
	const k = 24
	var b strings.Builder
	fmt.Fprintf(&b, "GOMAXPROCS=%d, Accelerated()=%v, %d queries per row, top-%d, load average before: %s\n\n",
		runtime.GOMAXPROCS(0), Accelerated(), queries, k, loadavg())
	fmt.Fprintln(&b, "| n | dim | impl | p50 ms | p99 ms | ratio (p50 / vek p50) |")
	fmt.Fprintln(&b, "|---:|---:|---|---:|---:|---:|")
	for _, n := range []int{10_000, 100_000} {
		for _, dim := range []int{384, 1024, 1792} {
			f := randomStore(t, n, dim)
			rng := rand.New(rand.NewPCG(7, uint64(dim)))
			lat := make([][]time.Duration, len(impls))
			for qi := -3; qi < queries; qi++ { // three warm-up rounds
				q := randVec(rng, dim)
				for j := range impls {
					im := impls[(j+qi+3)%len(impls)] // rotate who goes first
					f.dot, f.workers = im.dot(), im.workers
					start := time.Now()
					if _, err := f.Search(q, k, nil); err != nil {
						t.Fatal(err)
					}
					if qi >= 0 {
						idx := (j + qi + 3) % len(impls)
						lat[idx] = append(lat[idx], time.Since(start))
					}
				}
			}
			base := percentile(lat[0], 50)
			for i, im := range impls {
				p50, p99 := percentile(lat[i], 50), percentile(lat[i], 99)
				fmt.Fprintf(&b, "| %d | %d | %s | %.2f | %.2f | %.2f |\n",
					n, dim, im.name, ms(p50), ms(p99), float64(p50)/float64(base))
			}
			f = nil
			runtime.GC()
		}
	}
	fmt.Fprintf(&b, "\nload average after: %s\n", loadavg())
	t.Log("\n" + b.String())
}

// percentile returns the p-th percentile (nearest rank) of d.
func percentile(d []time.Duration, p int) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100 // ceil(len·p/100), 1-based
	return s[max(i, 1)-1]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

// TestPrintQuantizedTable compares Quantized with Flat (vek) on the real
// dimensions (1792 visual, 2048 relational): top-24 latency p50/p99, taking
// turns query by query as in TestPrintLatencyTable, and the heap each store
// occupies (runtime.MemStats.HeapInuse after a GC, before minus after
// building it with Grow). Skipped unless RELVIEW_BENCH=1:
//
//	RELVIEW_BENCH=1 go test -run TestPrintQuantizedTable -v -timeout 30m ./engine/vecstore/
func TestPrintQuantizedTable(t *testing.T) {
	queries := benchQueries(t)
	const k = 24
	type impl struct {
		name    string
		idx     func(f *Flat, x *Quantized) Index
		prepare func(f *Flat, x *Quantized)
	}
	impls := []impl{
		{"Flat, vek", func(f *Flat, _ *Quantized) Index { return f }, func(*Flat, *Quantized) {}},
		{"Quantized, AVX2", func(_ *Flat, x *Quantized) Index { return x }, func(_ *Flat, x *Quantized) { x.dot, x.workers = dotInt8, 1 }},
		{"Quantized, AVX2, 2 goroutines", func(_ *Flat, x *Quantized) Index { return x }, func(_ *Flat, x *Quantized) { x.dot, x.workers = dotInt8, 2 }},
		{"Quantized, Go loop", func(_ *Flat, x *Quantized) Index { return x }, func(_ *Flat, x *Quantized) { x.dot, x.workers = dotInt8Go, 1 }},
	}
	var b strings.Builder
	fmt.Fprintf(&b, "GOMAXPROCS=%d, Accelerated()=%v, Int8Accelerated()=%v, %d queries per row, top-%d, load average before: %s\n\n",
		runtime.GOMAXPROCS(0), Accelerated(), Int8Accelerated(), queries, k, loadavg())
	fmt.Fprintln(&b, "| n | dim | impl | p50 ms | p99 ms | ratio (p50 / Flat p50) | heap MB | bytes/vector |")
	fmt.Fprintln(&b, "|---:|---:|---|---:|---:|---:|---:|---:|")
	for _, n := range []int{10_000, 100_000} {
		for _, dim := range []int{1792, 2048} {
			// The same vectors go into both stores: regenerated from one seed
			// so that no third copy is held while measuring.
			add := func(idx interface{ Add(int64, []float32) error }) {
				rng := rand.New(rand.NewPCG(uint64(n), uint64(dim)))
				v := make([]float32, dim)
				for id := range int64(n) {
					for i := range v {
						v[i] = rng.Float32()*2 - 1
					}
					if err := idx.Add(id, v); err != nil {
						t.Fatal(err)
					}
				}
			}
			heap := func() uint64 {
				runtime.GC()
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				return m.HeapInuse
			}
			h0 := heap()
			f := NewFlat(dim)
			f.Grow(n)
			add(f)
			h1 := heap()
			x := NewQuantized(dim)
			x.Grow(n)
			add(x)
			h2 := heap()
			mem := []uint64{h1 - h0, h2 - h1}
			rng := rand.New(rand.NewPCG(7, uint64(dim)))
			lat := make([][]time.Duration, len(impls))
			for qi := -3; qi < queries; qi++ { // three warm-up rounds
				q := randVec(rng, dim)
				for j := range impls {
					idx := (j + qi + 3) % len(impls) // rotate who goes first
					im := impls[idx]
					im.prepare(f, x)
					start := time.Now()
					if _, err := im.idx(f, x).Search(q, k, nil); err != nil {
						t.Fatal(err)
					}
					if qi >= 0 {
						lat[idx] = append(lat[idx], time.Since(start))
					}
				}
			}
			base := percentile(lat[0], 50)
			for i, im := range impls {
				p50, p99 := percentile(lat[i], 50), percentile(lat[i], 99)
				m := mem[min(i, 1)]
				fmt.Fprintf(&b, "| %d | %d | %s | %.2f | %.2f | %.2f | %.1f | %.0f |\n",
					n, dim, im.name, ms(p50), ms(p99), float64(p50)/float64(base),
					float64(m)/1e6, float64(m)/float64(n))
			}
			runtime.KeepAlive(f)
			runtime.KeepAlive(x)
			f, x = nil, nil
			runtime.GC()
		}
	}
	fmt.Fprintf(&b, "\nload average after: %s\n", loadavg())
	t.Log("\n" + b.String())
}
