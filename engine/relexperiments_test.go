//go:build research

package engine

// Experiments towards a relational encoder that holds on real photos, kept
// so their figures (docs/relational.md, "What did not work") can be
// reproduced; each runs only with RELVIEW_EXPLORE=1 and needs the real
// photos (bench/realrel/fetch.sh):
//
//   - TestExploreProjection: a linear discriminant projection of a rich
//     feature vector (relFeatures), fitted on synthetic pictures of named
//     relations (engine/relsynth) and the composite templates, all drawn
//     from the calibration photos; scored on the dev photos alone and mixed
//     into the v3 vector (RELVIEW_SUBSETS=all,no-pooled,pooled).
//   - TestExploreSpectrum: the eigen-spectrum and similarity histogram of
//     the block_12 cells (position-free "how many distinct regions"), mixed
//     into the v3 vector, on the dev photos and the composite benchmark.

import (
	"encoding/gob"
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/disintegration/imaging"
	"gonum.org/v1/gonum/mat"
	"relview/engine/internal/lda"
	"relview/engine/realbench"
	"relview/engine/relbench"
	"relview/engine/relsynth"
)

// The feature vector the learned relational projection reads (relproj.go):
// everything the encoder knows about an image's structure, concatenated.
//
//	pooled backbone vector, unit length          BuiltinPooledDim
//	self-similarity of block_12 on 7×7, unit     relCoarseLen
//	measures and cues, standard scores (±6)      relMeasureCount + relCueCount
//	luminance layout 8×8, standardised           64
//	detail layout 4×4 (gradient energy / mean)   16
//	edge orientations, 12 bins, sum 1            12
//
// The projection is fitted on synthetic pictures of named relations
// (engine/relsynth), so it learns which of these say "how the parts
// relate" and discounts what the parts are.
const relFeatLen = BuiltinPooledDim + relCoarseLen + relMeasureCount + relCueCount + 64 + 16 + 12

// relFeatures assembles the feature vector. pooled is the raw pooled
// backbone output (not centred), ssm7 the flip-symmetric 7×7
// self-similarity block, stats the encoder's statistics.
func relFeatures(pooled, ssm7 []float32, m [relMeasureCount]float64, cues [relCueCount]float64, in []float32, stats []float32) []float64 {
	f := make([]float64, 0, relFeatLen)
	var n float64
	for _, x := range pooled {
		n += float64(x) * float64(x)
	}
	n = math.Sqrt(n) + 1e-12
	for _, x := range pooled {
		f = append(f, float64(x)/n)
	}
	for _, x := range ssm7 {
		f = append(f, float64(x))
	}
	ms := stats[2*relCueCount+relDescLen:]
	z := func(x float64, mean, sd float32) float64 {
		v := (x - float64(mean)) / float64(sd)
		if math.IsNaN(v) {
			return 0
		}
		return min(max(v, -6), 6)
	}
	for i, x := range m {
		f = append(f, z(x, ms[i], ms[relMeasureCount+i]))
	}
	for i, x := range cues {
		f = append(f, z(x, stats[i], stats[relCueCount+i]))
	}
	f = append(f, standardised(lumGrid(in, 8))...)
	g := sobel(lumGrid(in, 112), 112)
	dm := detailMap(g, 4)
	for _, x := range dm {
		f = append(f, x/(g.mean+1e-6))
	}
	h := orientHist(g, 1)[0]
	s := histSum(h) + 1e-12
	for _, x := range h {
		f = append(f, x/s)
	}
	return f
}

// standardised returns (v − mean)/sd (zeros for a flat v).
func standardised(v []float64) []float64 {
	var m, s float64
	for _, x := range v {
		m += x
	}
	m /= float64(len(v))
	for _, x := range v {
		s += (x - m) * (x - m)
	}
	s = math.Sqrt(s / float64(len(v)))
	out := make([]float64, len(v))
	if s < 1e-9 {
		return out
	}
	for i, x := range v {
		out[i] = (x - m) / s
	}
	return out
}

// synthClass is one class of the projection's training pictures.
type synthClass struct {
	name string
	make func(r *rand.Rand, src []image.Image) *image.NRGBA
}

// synthClasses are relsynth's relations of real photos plus the composite
// benchmark's templates, all drawn from the calibration photos.
func synthClasses() []synthClass {
	var cs []synthClass
	for _, g := range relsynth.Generators() {
		cs = append(cs, synthClass{g.Name, g.Make})
	}
	for _, tp := range relbench.Templates() {
		cs = append(cs, synthClass{"composite-" + tp.Name, func(r *rand.Rand, src []image.Image) *image.NRGBA {
			a := src[r.IntN(len(src))]
			b := src[r.IntN(len(src))]
			return tp.Make(r, a, b)
		}})
	}
	return cs
}

// calibImages decodes the calibration photos, shrunk to at most 640 px.
func calibImages(t *testing.T) []image.Image {
	photos, err := realbench.LoadLabels(realLabels(), "calib")
	if err != nil {
		t.Fatal(err)
	}
	dir := realPhotosDir()
	if err := realbench.Fetch(realLabels(), dir); err != nil {
		t.Fatal(err)
	}
	var out []image.Image
	for _, p := range photos {
		img, err := DecodeFile(p.File(dir))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, imaging.Fit(img, 640, 640, imaging.Box))
	}
	return out
}

// analyser runs the backbone and the detector on an image and returns the
// relational analysis.
type analyser struct {
	b *builtinEncoder
}

func newAnalyser(t *testing.T) *analyser {
	needRuntime(t)
	enc, err := OpenBuiltin(builtinForTest(t), true, true, SessionOptions{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(enc.Close)
	return &analyser{enc.(*builtinEncoder)}
}

// features is the experiment's feature vector of one image (relFeatures).
func (a *analyser) features(img image.Image) ([]float64, error) {
	in := BuiltinInputSpec.Tensor(BuiltinInputSpec.Fit(img))
	out, err := a.b.sess.run(in, []int64{1, BuiltinSize, BuiltinSize, 3})
	if err != nil {
		return nil, err
	}
	dets, err := a.b.det.Detect(img)
	if err != nil {
		return nil, err
	}
	an, err := analyseRelational(out, in, dets, a.b.model.RelationalStats)
	if err != nil {
		return nil, err
	}
	return relFeatures(out[BuiltinPooled].Data, an.ssm[:relCoarseLen], an.measures, an.cues, in, a.b.model.RelationalStats), nil
}

type synthSet struct {
	Names []string
	X     [][]float64
	Y     []int
}

// synthSamples makes perClass pictures of every class (seeded) and returns
// their features, cached in the temp dir.
func synthSamples(t *testing.T, perClass int, seed uint64) synthSet {
	cache := filepath.Join(os.TempDir(), fmt.Sprintf("relview-synth-%d-%d-%d.gob", relFeatLen, perClass, seed))
	var s synthSet
	if f, err := os.Open(cache); err == nil {
		err = gob.NewDecoder(f).Decode(&s)
		f.Close()
		if err == nil {
			return s
		}
	}
	src := calibImages(t)
	a := newAnalyser(t)
	for c, cl := range synthClasses() {
		s.Names = append(s.Names, cl.name)
		r := rand.New(rand.NewPCG(seed, uint64(c)))
		for i := 0; i < perClass; i++ {
			img := cl.make(r, src)
			f, err := a.features(img)
			if err != nil {
				t.Fatal(err)
			}
			s.X = append(s.X, f)
			s.Y = append(s.Y, c)
		}
	}
	if f, err := os.Create(cache); err == nil {
		gob.NewEncoder(f).Encode(s)
		f.Close()
	}
	return s
}

func envFloat(name string, def float64) float64 {
	if v, err := strconv.ParseFloat(os.Getenv(name), 64); err == nil {
		return v
	}
	return def
}

func nearestMeanAccuracy(p *lda.Projection, train, val synthSet) float64 {
	k := len(train.Names)
	means := make([][]float64, k)
	cnt := make([]float64, k)
	for i, x := range train.X {
		v := unitOf(p.Apply(x))
		if means[train.Y[i]] == nil {
			means[train.Y[i]] = make([]float64, len(v))
		}
		for j := range v {
			means[train.Y[i]][j] += v[j]
		}
		cnt[train.Y[i]]++
	}
	ok := 0
	for i, x := range val.X {
		v := unitOf(p.Apply(x))
		best, bi := -2.0, -1
		for c, m := range means {
			var d float64
			for j := range v {
				d += v[j] * m[j] / cnt[c]
			}
			if d > best {
				best, bi = d, c
			}
		}
		if bi == val.Y[i] {
			ok++
		}
	}
	return float64(ok) / float64(len(val.X))
}

// unitOf unit-normalises v in place and returns it.
func unitOf(v []float64) []float64 {
	unit64(v)
	return v
}

type devCache struct {
	Feats [][]float64
	V3    [][]float32
	Vis   [][]float32
}

// TestExploreProjection scores projections (fitted in-process) on the dev
// photos, alone and mixed with the other relational parts.
func TestExploreProjection(t *testing.T) {
	if os.Getenv("RELVIEW_EXPLORE") == "" {
		t.Skip()
	}
	photos, dir := realPhotos(t)
	var dc devCache
	cache := fmt.Sprintf("%s/relview-dev-%d-%d.gob", os.TempDir(), relFeatLen, len(photos))
	if f, err := os.Open(cache); err == nil {
		gob.NewDecoder(f).Decode(&dc)
		f.Close()
	}
	if len(dc.Feats) != len(photos) {
		a := newAnalyser(t)
		e := engineForTest(t)
		dc = devCache{}
		for _, p := range photos {
			img, err := DecodeFile(p.File(dir))
			if err != nil {
				t.Fatal(err)
			}
			f, err := a.features(img)
			if err != nil {
				t.Fatal(err)
			}
			dc.Feats = append(dc.Feats, f)
			v, err := e.Encode(img)
			if err != nil {
				t.Fatal(err)
			}
			dc.V3 = append(dc.V3, v[Relational])
			dc.Vis = append(dc.Vis, v[Visual])
		}
		if f, err := os.Create(cache); err == nil {
			gob.NewEncoder(f).Encode(dc)
			f.Close()
		}
	}
	per := int(envFloat("RELVIEW_RELPROJ_PER", 120))
	train := synthSamples(t, per, 1)
	val := synthSamples(t, per/3, 2)
	subsets := map[string][2]int{
		"all":       {0, relFeatLen},
		"no-pooled": {BuiltinPooledDim, relFeatLen},
		"pooled":    {0, BuiltinPooledDim},
	}
	maxClass := int(envFloat("RELVIEW_MAXCLASS", 99))
	for _, name := range strings.Split(os.Getenv("RELVIEW_SUBSETS"), ",") {
		sub, ok := subsets[name]
		if !ok {
			continue
		}
		cut := func(s synthSet) synthSet {
			var o synthSet
			o.Names = s.Names[:min(maxClass, len(s.Names))]
			for i, x := range s.X {
				if s.Y[i] < len(o.Names) {
					o.X = append(o.X, x[sub[0]:sub[1]])
					o.Y = append(o.Y, s.Y[i])
				}
			}
			return o
		}
		tr, va := cut(train), cut(val)
		for _, shrink := range []float64{0.02, 0.1} {
			p, err := lda.Fit(tr.X, tr.Y, len(tr.Names)-1, shrink)
			if err != nil {
				t.Fatal(err)
			}
			acc := nearestMeanAccuracy(p, tr, va)
			var b strings.Builder
			for _, w := range []float64{0.5, 1} {
				var vecs [][]float32
				for i := range photos {
					pr := unitOf(p.Apply(dc.Feats[i][sub[0]:sub[1]]))
					var v []float32
					for _, x := range dc.V3[i] {
						v = append(v, float32(math.Sqrt(1-w)*float64(x)))
					}
					for _, x := range pr {
						v = append(v, float32(math.Sqrt(w)*x))
					}
					vecs = append(vecs, v)
				}
				r, _ := realbench.Evaluate(photos, vecs, 3)
				fmt.Fprintf(&b, "%s classes %d shrink %.2f (synthetic acc %.3f) projection weight %.1f:\n%s\n", name, len(tr.Names), shrink, acc, w, realbench.Table([]string{"x"}, map[string]realbench.Result{"x": r}))
			}
			t.Log("\n" + b.String())
		}
	}
}

func spectrumFeatures(cells [][]float32) []float64 {
	n := len(cells)
	s := mat.NewSymDense(n, nil)
	var hist [12]float64
	for i := 0; i < n; i++ {
		for j := i; j < n; j++ {
			var d float32
			for k, x := range cells[i] {
				d += x * cells[j][k]
			}
			s.SetSym(i, j, float64(d))
			if j > i {
				b := int((float64(d) + 1) / 2 * 12)
				hist[min(max(b, 0), 11)]++
			}
		}
	}
	var es mat.EigenSym
	es.Factorize(s, false)
	vals := es.Values(nil)
	sort.Sort(sort.Reverse(sort.Float64Slice(vals)))
	var tot float64
	for _, v := range vals {
		tot += max(v, 0)
	}
	var f []float64
	for _, v := range vals[:10] {
		f = append(f, max(v, 0)/tot)
	}
	var ht float64
	for _, h := range hist {
		ht += h
	}
	for _, h := range hist {
		f = append(f, h/ht)
	}
	return f
}

func (a *analyser) spectrum(img image.Image) []float64 {
	in := BuiltinInputSpec.Tensor(BuiltinInputSpec.Fit(img))
	out, err := a.b.sess.run(in, []int64{1, BuiltinSize, BuiltinSize, 3})
	if err != nil {
		panic(err)
	}
	bt := out["block_12"]
	return spectrumFeatures(rawCells(bt.Data, int(bt.Shape[1]), 14, 14))
}

func TestExploreSpectrum(t *testing.T) {
	if os.Getenv("RELVIEW_EXPLORE") == "" {
		t.Skip()
	}
	photos, dir := realPhotos(t)
	a := newAnalyser(t)
	e := engineForTest(t)
	// calibration statistics
	var cal [][]float64
	for _, img := range calibImages(t) {
		cal = append(cal, a.spectrum(img))
	}
	d := len(cal[0])
	mean := make([]float64, d)
	sd := make([]float64, d)
	for _, f := range cal {
		for k := range mean {
			mean[k] += f[k] / float64(len(cal))
		}
	}
	for _, f := range cal {
		for k := range sd {
			sd[k] += sq(f[k]-mean[k]) / float64(len(cal))
		}
	}
	for k := range sd {
		sd[k] = math.Sqrt(sd[k]) + 1e-9
	}
	std := func(f []float64) []float32 {
		v := make([]float32, d)
		for k := range v {
			v[k] = float32(min(max((f[k]-mean[k])/sd[k], -6), 6))
		}
		Normalize(v)
		return v
	}
	mix := func(v3, sp []float32, beta float64) []float32 {
		var v []float32
		for _, x := range v3 {
			v = append(v, float32(math.Sqrt(1-beta))*x)
		}
		for _, x := range sp {
			v = append(v, float32(math.Sqrt(beta))*x)
		}
		return v
	}
	var v3s, sps [][]float32
	for _, p := range photos {
		img, err := DecodeFile(p.File(dir))
		if err != nil {
			t.Fatal(err)
		}
		v, err := e.Encode(img)
		if err != nil {
			t.Fatal(err)
		}
		v3s = append(v3s, v[Relational])
		sps = append(sps, std(a.spectrum(img)))
	}
	comps, err := relbench.Build(testPhotos, 1)
	if err != nil {
		t.Fatal(err)
	}
	var c3s, csp [][]float32
	for _, c := range comps {
		v, err := e.Encode(c.Image)
		if err != nil {
			t.Fatal(err)
		}
		c3s = append(c3s, v[Relational])
		csp = append(csp, std(a.spectrum(c.Image)))
	}
	var b strings.Builder
	for _, beta := range []float64{0, 0.1, 0.2, 0.3, 0.4} {
		var vecs, cvecs [][]float32
		for i := range photos {
			vecs = append(vecs, mix(v3s[i], sps[i], beta))
		}
		for i := range comps {
			cvecs = append(cvecs, mix(c3s[i], csp[i], beta))
		}
		r, _ := realbench.Evaluate(photos, vecs, 3)
		cr := relbench.Evaluate(comps, cvecs)
		fmt.Fprintf(&b, "beta %.1f: real mAP %.3f composite %.3f (min template %.3f)\n", beta, r.MAP, cr.TemplateMAP, minTemplate(cr))
	}
	t.Log("\n" + b.String())
}

func minTemplate(r relbench.Result) float64 {
	m := 1.0
	for _, v := range r.PerTemplate {
		m = min(m, v)
	}
	return m
}
