package ui

import (
	"fmt"
	"image"
	"math/rand/v2"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"relview/engine"
	"relview/engine/vecstore"
	"relview/library"
)

// vecSource is a catalog of n photos with random clustered vectors in exact
// vector stores of the built-in encoders' sizes: the search the library
// does, without decoding or SQL, to time the click path at scale.
type vecSource struct {
	fakeSource
	ims      []library.Image
	rel, vis *vecstore.Flat
	byID     map[int64]library.Image
	thumb    image.Image
}

func newVecSource(n int) *vecSource {
	r := rand.New(rand.NewPCG(1, 2))
	s := &vecSource{rel: vecstore.NewFlat(engine.RelationalDim), vis: vecstore.NewFlat(engine.BuiltinPooledDim),
		byID: map[int64]library.Image{}, thumb: image.NewNRGBA(image.Rect(0, 0, 64, 48))}
	centres := func(dim int) [][]float32 {
		c := make([][]float32, 50)
		for i := range c {
			c[i] = make([]float32, dim)
			for j := range c[i] {
				c[i][j] = float32(r.NormFloat64())
			}
		}
		return c
	}
	rc, vc := centres(engine.RelationalDim), centres(engine.BuiltinPooledDim)
	vec := func(c []float32) []float32 {
		v := make([]float32, len(c))
		for j := range v {
			v[j] = c[j] + 0.8*float32(r.NormFloat64())
		}
		return v
	}
	for i := 1; i <= n; i++ {
		im := library.Image{ID: int64(i), Path: fmt.Sprintf("p/%06d.jpg", i), Hash: fmt.Sprint(i), Status: library.StatusIndexed, Width: 64, Height: 48}
		s.ims = append(s.ims, im)
		s.byID[im.ID] = im
		s.rel.Add(im.ID, vec(rc[r.IntN(len(rc))]))
		s.vis.Add(im.ID, vec(vc[r.IntN(len(vc))]))
	}
	return s
}

func (s *vecSource) Images() ([]library.Image, error)                { return s.ims, nil }
func (s *vecSource) Thumbnail(library.Image) (image.Image, error)    { return s.thumb, nil }
func (s *vecSource) Preview(library.Image, int) (image.Image, error) { return s.thumb, nil }
func (s *vecSource) store(space string) *vecstore.Flat {
	if space == engine.Relational {
		return s.rel
	}
	return s.vis
}

func (s *vecSource) NeighboursByID(id int64, space string, k int) ([]library.Neighbour, error) {
	st := s.store(space)
	q, _ := st.Get(id)
	hits, err := st.Search(q, k, func(x int64) bool { return x == id })
	out := make([]library.Neighbour, len(hits))
	for i, h := range hits {
		out[i] = library.Neighbour{Image: s.byID[h.ID], Score: h.Score}
	}
	return out, err
}

func (s *vecSource) Scatter(id int64) ([]library.ScatterPoint, error) {
	rel := map[int64]float32{}
	q, _ := s.rel.Get(id)
	s.rel.Scores(q, func(x int64, v float32) { rel[x] = v })
	out := make([]library.ScatterPoint, 0, len(rel))
	q, _ = s.vis.Get(id)
	s.vis.Scores(q, func(x int64, v float32) {
		out = append(out, library.ScatterPoint{ID: x, Relational: rel[x], Visual: v})
	})
	return out, nil
}

// BenchmarkClick10k times a click on a photo until both columns (8 each)
// and their thumbnails are filled, at 10 000 photos:
//
//	go test -run '^$' -bench Click ./ui/
func BenchmarkClick10k(bm *testing.B) {
	for _, analog := range []bool{false, true} {
		bm.Run(fmt.Sprintf("analogies=%t", analog), func(bm *testing.B) {
			a := test.NewTempApp(bm)
			w := test.NewTempWindow(bm, widget.NewLabel(""))
			b := newLoopBrowser(bm, a, w, Config{K: 8})
			w.SetContent(b.Content())
			w.Resize(fyne.NewSize(1280, 800))
			src := newVecSource(10000)
			b.SetSource(src, fakeSpaces)
			settle(b)
			b.nb.analogies.SetChecked(analog)
			bm.ResetTimer()
			var worst time.Duration
			for i := 0; i < bm.N; i++ {
				t0 := time.Now()
				b.Show(int64(1 + (i*7919)%10000))
				settle(b)
				worst = max(worst, time.Since(t0))
				if b.nb.rel.shown != 8 || b.nb.vis.shown != 8 {
					bm.Fatalf("columns %d/%d", b.nb.rel.shown, b.nb.vis.shown)
				}
			}
			bm.ReportMetric(float64(worst.Microseconds())/1000, "worst-ms")
			b.thumbs.close()
		})
	}
}
