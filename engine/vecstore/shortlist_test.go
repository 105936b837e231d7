package vecstore

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
)

// checkStage recomputes every row's projection from its codes.
func checkStage(t *testing.T, x *Quantized) {
	t.Helper()
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.fs == nil || len(x.proj) != len(x.ids)*x.fs.d || len(x.pscale) != len(x.ids) {
		t.Fatalf("%d projection codes, %d scales for %d rows", len(x.proj), len(x.pscale), len(x.ids))
	}
	want := make([]int8, x.fs.d)
	tmp := make([]float32, x.fs.d)
	for r := range x.ids {
		s, m := x.fs.project(want, tmp, x.row(r), x.scales[r], x.dot)
		if !slices.Equal(x.projRow(r), want) || x.pscale[r] != s || x.pmean[r] != m {
			t.Fatalf("row %d (id %d): projection does not match its codes", r, x.ids[r])
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
// every write keeps the projections in step with the codes.
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
		t.Fatal("shortlist before the projections are built")
	}
	x.buildStage()
	// The directions are orthonormal (as stored, to int8 rounding).
	fs := x.fs
	for i := range fs.d {
		for j := range fs.d {
			var p float64
			for c := range dim {
				p += float64(fs.basis[i*dim+c]) * float64(fs.basis[j*dim+c])
			}
			p *= float64(fs.bscale[i]) * float64(fs.bscale[j])
			if want := float64(0); i == j && math.Abs(p-1) > 0.01 || i != j && math.Abs(p-want) > 0.01 {
				t.Fatalf("directions %d and %d: dot %v", i, j, p)
			}
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
	checkStage(t, x)
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
	// Mapped from a snapshot, the projections come from the file.
	path := t.TempDir() + "/s.bin"
	w, err := CreateSnapshot(path, EncInt8, dim, nil)
	must(t, err)
	for i, v := range vs[:n-500] {
		must(t, w.Add(int64(i+1), v))
	}
	must(t, w.Commit())
	idx, err := LoadSnapshot(path, nil, LoadOptions{})
	must(t, err)
	idx.(*Quantized).SetShortlist(2000)
	if _, err := idx.Search(vs[0], k, nil); err != nil {
		t.Fatal(err)
	}
	for idx.(*Quantized).building.Load() {
		runtime.Gosched()
	}
	checkStage(t, idx.(*Quantized))
	m := NewQuantized(dim)
	for i, v := range vs[:n-500] {
		must(t, m.Add(int64(i+1), v))
	}
	m.SetShortlist(2000)
	m.buildStage()
	sameSearch(t, "mapped shortlist", idx, m, dim)
	idx.(*Quantized).Close()
}

// project gives, to int8 rounding, the dot products of the mean-centred
// vector with the stored directions.
func TestProjectRow(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	for _, dim := range []int{1, 17, 128, 200, 1792} {
		vs := clusteredVectors(300, dim, uint64(dim))
		x := NewQuantized(dim)
		for i, v := range vs {
			must(t, x.Add(int64(i), v))
		}
		fs := newFirstStage(dim, stageDim, len(x.ids), func(r int) ([]int8, float32) { return x.row(r), x.scales[r] })
		if fs.d != min(stageDim, dim) {
			t.Fatalf("dim %d: %d directions", dim, fs.d)
		}
		v := vs[r.IntN(len(vs))]
		c := make([]int8, dim)
		s := quantise(c, v)
		got := make([]int8, fs.d)
		ps, pm := fs.project(got, make([]float32, fs.d), c, s, dotInt8Go)
		var wm float64
		for i := range dim {
			wm += float64(fs.mean[i]) * float64(c[i]) * float64(s)
		}
		if math.Abs(float64(pm)-wm) > 1e-4 {
			t.Fatalf("dim %d: row · mean %v, want %v", dim, pm, wm)
		}
		var mx float64
		want := make([]float64, fs.d)
		for j := range fs.d {
			var p float64
			for i := range dim {
				p += float64(fs.basis[j*dim+i]) * float64(c[i]) * float64(s)
			}
			want[j] = p*float64(fs.bscale[j]) - float64(fs.bmean[j])
			mx = max(mx, math.Abs(want[j]))
		}
		for j := range fs.d {
			if e := math.Abs(float64(got[j])*float64(ps) - want[j]); e > 0.51*mx/127+1e-6 {
				t.Fatalf("dim %d: component %d is %v, want %v", dim, j, float64(got[j])*float64(ps), want[j])
			}
		}
	}
}
