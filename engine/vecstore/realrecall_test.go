package vecstore

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestRealSearchTable measures search on real photo vectors: recall@24
// against exact float32 cosine (Flat) and latency per query on one core, for
// the int8 full scan and the projection shortlist, taking turns query by query.
// The vectors come from library's TestDumpRealVectors (real photos with
// four augmentations each, encoded by the built-in engine):
//
//	RELVIEW_REALVEC=/tmp/relview-realvec go test ./engine/vecstore -run TestRealSearchTable -v -timeout 30m
//
// Each space's store is filled to 100k rows: the real vectors, then
// copies of them each mixed with another real vector and noise
// (v = r_a + 0.5·r_b + noise of 0.5·‖r_a‖, normalised), so the store is
// 100k rows around real ones rather than random points. Queries are real
// vectors (the photo left out of its own results).
func TestRealSearchTable(t *testing.T) {
	dir := os.Getenv("RELVIEW_REALVEC")
	if dir == "" {
		t.Skip("set RELVIEW_REALVEC to a folder of TestDumpRealVectors output")
	}
	names, err := os.ReadFile(filepath.Join(dir, "names.txt"))
	must(t, err)
	count := bytes.Count(names, []byte("\n"))
	const n, k, queries = 100_000, 24, 300
	var b strings.Builder
	fmt.Fprintf(&b, "%d real vectors; stores of %d rows; %d queries, top-%d; one goroutine; GOMAXPROCS=%d; load average before: %s\n\n", count, n, queries, k, runtime.GOMAXPROCS(0), loadavg())
	fmt.Fprintln(&b, "| space | dim | search | recall@24 vs float32 (real rows only) | p50 ms | p99 ms |")
	fmt.Fprintln(&b, "|---|---:|---|---|---:|---:|")
	for _, space := range []string{"visual", "relational"} {
		raw, err := os.ReadFile(filepath.Join(dir, space+".f32"))
		must(t, err)
		dim := len(raw) / 4 / count
		real := make([][]float32, count)
		for i := range real {
			real[i] = make([]float32, dim)
			for j := range dim {
				real[i][j] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*(i*dim+j):]))
			}
		}
		rng := rand.New(rand.NewPCG(11, uint64(dim)))
		flat := NewFlat(dim)
		flat.Grow(n)
		full := NewQuantized(dim)
		full.Grow(n)
		full.SetShortlist(0)
		// In memory: (directions, shortlist); mapped from a snapshot, as a
		// library reopens it: the same, rows read from the file.
		type conf struct{ d, list int }
		heap := []conf{{128, 2000}, {256, 500}, {256, 1000}}
		mapped := []conf{{128, 2000}, {256, 500}, {256, 1000}}
		short := make([]*Quantized, len(heap))
		for i, c := range heap {
			short[i] = NewQuantized(dim)
			short[i].Grow(n)
			short[i].SetShortlist(c.list)
			short[i].stageDim = c.d
		}
		writers := map[int]*SnapshotWriter{}
		for _, c := range mapped {
			if writers[c.d] == nil {
				w, err := CreateSnapshot(filepath.Join(t.TempDir(), fmt.Sprintf("%s-%d.bin", space, c.d)), EncInt8, dim, nil)
				must(t, err)
				w.stage = c.d
				writers[c.d] = w
			}
		}
		v := make([]float32, dim)
		for id := range n {
			if id < count {
				copy(v, real[id])
			} else {
				a, c := real[rng.IntN(count)], real[rng.IntN(count)]
				var na float64
				for _, x := range a {
					na += float64(x) * float64(x)
				}
				sd := 0.5 * math.Sqrt(na/float64(dim))
				for j := range v {
					v[j] = a[j] + 0.5*c[j] + float32(sd*rng.NormFloat64())
				}
			}
			must(t, flat.Add(int64(id), v))
			must(t, full.Add(int64(id), v))
			for _, s := range short {
				must(t, s.Add(int64(id), v))
			}
			for _, w := range writers {
				must(t, w.Add(int64(id), v))
			}
		}
		for _, s := range short {
			s.buildStage()
		}
		paths := map[int]string{}
		for d, w := range writers {
			paths[d] = w.path
			must(t, w.Commit())
		}
		stores := []struct {
			name string
			idx  interface {
				Search([]float32, int, func(int64) bool) ([]Hit, error)
			}
		}{{"float32 exact (Flat, vek)", flat}, {"int8 full scan", full},
			{"int8, 1-bit median sketches, shortlist 8000 (before: the default until this change)", newSketchRef(full, 8000)}}
		for i, c := range heap {
			stores = append(stores, struct {
				name string
				idx  interface {
					Search([]float32, int, func(int64) bool) ([]Hit, error)
				}
			}{fmt.Sprintf("int8, %d-d projection, shortlist %d (in memory)", c.d, c.list), short[i]})
		}
		for _, c := range mapped {
			idx, err := LoadSnapshot(paths[c.d], nil, LoadOptions{})
			must(t, err)
			q := idx.(*Quantized)
			q.SetShortlist(c.list)
			defer q.Close()
			where := "mapped snapshot, rows read from the file"
			if !q.Mapped() {
				where = "snapshot read into memory"
			}
			stores = append(stores, struct {
				name string
				idx  interface {
					Search([]float32, int, func(int64) bool) ([]Hit, error)
				}
			}{fmt.Sprintf("int8, %d-d projection, shortlist %d (%s)", c.d, c.list, where), q})
		}
		lat := make([][]time.Duration, len(stores))
		found := make([]int, len(stores))
		realFound, realTotal := make([]int, len(stores)), 0
		for qi := -3; qi < queries; qi++ {
			qid := int64(rng.IntN(count))
			q := real[qid]
			skip := func(id int64) bool { return id == qid }
			var truth map[int64]bool
			hitsOf := make([][]Hit, len(stores))
			for j := range stores {
				jj := (j + qi + 3) % len(stores) // rotate who goes first
				start := time.Now()
				h, err := stores[jj].idx.Search(q, k, skip)
				el := time.Since(start)
				must(t, err)
				hitsOf[jj] = h
				if qi >= 0 {
					lat[jj] = append(lat[jj], el)
				}
			}
			if qi < 0 {
				continue
			}
			truth = map[int64]bool{}
			for _, h := range hitsOf[0] {
				truth[h.ID] = true
			}
			nReal := 0
			for _, h := range hitsOf[0] {
				if h.ID < int64(count) {
					nReal++
				}
			}
			realTotal += nReal
			for j, hs := range hitsOf {
				for _, h := range hs {
					if truth[h.ID] {
						found[j]++
						if h.ID < int64(count) {
							realFound[j]++
						}
					}
				}
			}
		}
		for j, s := range stores {
			l := lat[j]
			slices.Sort(l)
			fmt.Fprintf(&b, "| %s | %d | %s | %.4f (%.4f) | %.2f | %.2f |\n", space, dim, s.name,
				float64(found[j])/float64(queries*k), float64(realFound[j])/float64(max(realTotal, 1)),
				ms(l[len(l)/2]), ms(l[len(l)*99/100]))
		}
		flat, full, short, stores = nil, nil, nil, nil
		runtime.GC()
	}
	t.Log("\n" + b.String())
	fmt.Print(b.String())
}
