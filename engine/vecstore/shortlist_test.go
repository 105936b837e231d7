package vecstore

import (
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

// medianOf is the median code of component i over all rows, the slow way.
func medianOf(x *Quantized, i int) int8 {
	var cs []int
	for r := range x.ids {
		cs = append(cs, int(x.row(r)[i]))
	}
	slices.Sort(cs)
	return int8(cs[(len(cs)-1)/2])
}

// checkSketches recomputes every row's sketch from its codes.
func checkSketches(t *testing.T, x *Quantized) {
	t.Helper()
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.thr == nil || len(x.sketch) != len(x.ids)*x.words {
		t.Fatalf("%d sketch words for %d rows", len(x.sketch), len(x.ids))
	}
	want := make([]uint64, x.words)
	for r := range x.ids {
		sketchRow(want, x.row(r), x.thr)
		if !slices.Equal(x.sketchRow(r), want) {
			t.Fatalf("row %d (id %d): sketch does not match its codes", r, x.ids[r])
		}
	}
}

// clusteredVectors makes n vectors around n/50 random centres.
func clusteredVectors(n, dim int, seed uint64) [][]float32 {
	r := rand.New(rand.NewPCG(seed, 5))
	centres := make([][]float32, max(1, n/50))
	for i := range centres {
		centres[i] = make([]float32, dim)
		for j := range centres[i] {
			centres[i][j] = float32(r.NormFloat64())
		}
	}
	vs := make([][]float32, n)
	for i := range vs {
		c := centres[r.IntN(len(centres))]
		vs[i] = make([]float32, dim)
		for j := range vs[i] {
			vs[i][j] = c[j] + 0.7*float32(r.NormFloat64())
		}
	}
	return vs
}

// The shortlist search returns hits with the full scan's scores, sorted,
// honouring exclude; on clustered data it finds the full scan's top k; and
// every write keeps the sketches in step with the codes.
func TestShortlistSearch(t *testing.T) {
	const dim, n, k = 200, shortlistMinRows + 1000, 24
	vs := clusteredVectors(n, dim, 1)
	x := NewQuantized(dim)
	exact := NewQuantized(dim)
	exact.SetShortlist(0)
	x.SetShortlist(2000)
	for i, v := range vs {
		must(t, x.Add(int64(i+1), v))
		must(t, exact.Add(int64(i+1), v))
	}
	if x.useShortlist(k) {
		t.Fatal("shortlist before the sketches are built")
	}
	x.buildSketches()
	// Every row in the sample: the medians are exact.
	full := medianCodes(x.codes, dim, n)
	for i := range 20 {
		if m, c := full[i], medianOf(x, i); m != c {
			t.Fatalf("component %d: median %d, want %d", i, m, c)
		}
	}
	// Writes: replace, remove, bulk append.
	must(t, x.Add(5, vs[9]))
	must(t, exact.Add(5, vs[9]))
	for _, id := range []int64{1, 77, int64(n)} {
		x.Remove(id)
		exact.Remove(id)
	}
	var ids []int64
	var codes []int8
	var scales []float32
	for i := range 50 {
		c, s, _ := exact.Codes(int64(100 + i))
		ids, codes, scales = append(ids, int64(n+10+i)), append(codes, c...), append(scales, s)
	}
	must(t, x.AppendCodes(ids, codes, scales))
	must(t, exact.AppendCodes(ids, codes, scales))
	checkSketches(t, x)
	if !x.useShortlist(k) || exact.useShortlist(k) {
		t.Fatal("the stores do not search as intended")
	}
	var found, total int
	for qi := range 40 {
		q := vs[qi*37]
		skip := int64(qi*37 + 1)
		got, err := x.Search(q, k, func(id int64) bool { return id == skip })
		must(t, err)
		want, err := exact.Search(q, k, func(id int64) bool { return id == skip })
		must(t, err)
		if len(got) != k {
			t.Fatalf("%d hits", len(got))
		}
		inWant := map[int64]float32{}
		for _, h := range want {
			inWant[h.ID] = h.Score
		}
		for i, h := range got {
			if h.ID == skip {
				t.Fatalf("excluded id %d returned", skip)
			}
			if i > 0 && better(h, got[i-1]) {
				t.Fatalf("hits not sorted: %v", got)
			}
			if s, ok := inWant[h.ID]; ok {
				found++
				if s != h.Score {
					t.Fatalf("id %d scores %v, the full scan %v", h.ID, h.Score, s)
				}
			}
		}
		total += k
	}
	if r := float64(found) / float64(total); r < 0.99 {
		t.Errorf("shortlist recall of the full scan's top %d: %.4f", k, r)
	}
	// Mapped from a snapshot, the sketches come from the file.
	path := t.TempDir() + "/s.bin"
	w, err := CreateSnapshot(path, EncInt8, dim, nil)
	must(t, err)
	for i, v := range vs[:n-500] {
		must(t, w.Add(int64(i+1), v))
	}
	must(t, w.Commit())
	idx, err := LoadSnapshot(path, nil, LoadOptions{})
	must(t, err)
	// The first search scans every row and starts building the sketches.
	idx.(*Quantized).SetShortlist(2000)
	if _, err := idx.Search(vs[0], k, nil); err != nil {
		t.Fatal(err)
	}
	for idx.(*Quantized).building.Load() {
		runtime.Gosched()
	}
	checkSketches(t, idx.(*Quantized))
	m := NewQuantized(dim)
	for i, v := range vs[:n-500] {
		must(t, m.Add(int64(i+1), v))
	}
	m.SetShortlist(2000)
	m.buildSketches()
	sameSearch(t, "mapped shortlist", idx, m, dim)
	idx.(*Quantized).Close()
}

// sketchRow sets bit i exactly when code i is positive, for lengths around
// the 64-bit words.
func TestSketchRow(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	for _, n := range []int{1, 63, 64, 65, 127, 128, 200, 1792, 2080} {
		codes := make([]int8, n)
		for i := range codes {
			codes[i] = int8(r.IntN(255) - 127)
		}
		codes[0], codes[n-1] = 127, 0
		thr := make([]int8, n)
		for i := range thr {
			thr[i] = int8(r.IntN(41) - 20)
		}
		dst := make([]uint64, (n+63)/64)
		for i := range dst {
			dst[i] = ^uint64(0) // stale bits must go
		}
		sketchRow(dst, codes, thr)
		for i, c := range codes {
			if got := dst[i/64]>>(i%64)&1 == 1; got != (c > thr[i]) {
				t.Fatalf("n=%d: bit %d is %v for code %d", n, i, got, c)
			}
		}
		if n%64 != 0 && dst[len(dst)-1]>>(n%64) != 0 {
			t.Fatalf("n=%d: bits set past the end", n)
		}
	}
}
