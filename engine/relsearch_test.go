//go:build research

package engine

import (
	"encoding/gob"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/disintegration/imaging"
	"relview/engine/relbench"
)

// The design harness of the relational descriptor (docs/relational.md): it
// runs the backbone once per benchmark composite, caches every output map,
// and scores descriptor variants on those maps in milliseconds each.
//
//	RELVIEW_RELBENCH=1 go test ./engine -run TestRelSearch -v
//
// It is skipped in the normal suite (TestRelationalBenchmark guards the
// chosen descriptor there).

var searchOutputs = []string{"pooled", "block_5", "block_9", "block_12", "block_15", "conv_last"}

type cachedSet struct {
	Names, Templates, Photos []string
	Outs                     []map[string]tensorOut
}

func searchSet(t *testing.T, seed uint64, flipped bool) ([]relbench.Composite, cachedSet) {
	t.Helper()
	comps, err := relbench.Build(testPhotos, seed)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(os.TempDir(), fmt.Sprintf("relview-relsearch-seed%d-flip%v.gob", seed, flipped))
	var cs cachedSet
	if f, err := os.Open(path); err == nil {
		err = gob.NewDecoder(f).Decode(&cs)
		f.Close()
		if err == nil && len(cs.Outs) == len(comps) {
			return comps, cs
		}
	}
	needRuntime(t)
	m := builtinForTest(t)
	s, err := newSession("search", m.ONNX, BuiltinInput, searchOutputs, SessionOptions{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	cs = cachedSet{}
	for _, c := range comps {
		img := BuiltinInputSpec.Fit(c.Image)
		if flipped {
			img = imaging.FlipH(img)
		}
		in := BuiltinInputSpec.Tensor(img)
		out, err := s.run(in, []int64{1, BuiltinSize, BuiltinSize, 3})
		if err != nil {
			t.Fatal(err)
		}
		out["input"] = tensorOut{Data: in, Shape: []int64{1, BuiltinSize, BuiltinSize, 3}}
		cs.Names = append(cs.Names, c.Name)
		cs.Templates = append(cs.Templates, c.Template)
		cs.Photos = append(cs.Photos, c.Photo)
		cs.Outs = append(cs.Outs, out)
	}
	if f, err := os.Create(path); err == nil {
		_ = gob.NewEncoder(f).Encode(&cs)
		f.Close()
	}
	return comps, cs
}

// photoViews are the backbone outputs of plain views of every photo in
// assets/photos (whole, flipped, and crops): the "real photo" statistics a
// descriptor may be centred or whitened on. No composite is among them.
func photoViews(t *testing.T) []map[string]tensorOut {
	t.Helper()
	path := filepath.Join(os.TempDir(), "relview-relsearch-photoviews.gob")
	var outs []map[string]tensorOut
	if f, err := os.Open(path); err == nil {
		err = gob.NewDecoder(f).Decode(&outs)
		f.Close()
		if err == nil && len(outs) > 0 {
			return outs
		}
	}
	needRuntime(t)
	m := builtinForTest(t)
	s, err := newSession("search", m.ONNX, BuiltinInput, searchOutputs, SessionOptions{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	files, _ := filepath.Glob(filepath.Join(testPhotos, "*"))
	sort.Strings(files)
	for _, f := range files {
		if strings.HasSuffix(f, ".md") {
			continue
		}
		img, err := DecodeFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b := img.Bounds()
		w, h := b.Dx(), b.Dy()
		views := []image.Image{
			imaging.Clone(img), imaging.FlipH(img),
			imaging.Crop(img, image.Rect(0, 0, w*3/4, h*3/4)), imaging.Crop(img, image.Rect(w/4, h/4, w, h)),
			imaging.Crop(img, image.Rect(w/8, 0, w*7/8, h)), imaging.Crop(img, image.Rect(0, h/8, w, h*7/8)),
		}
		for _, v := range views {
			in := BuiltinInputSpec.Tensor(BuiltinInputSpec.Fit(v))
			out, err := s.run(in, []int64{1, BuiltinSize, BuiltinSize, 3})
			if err != nil {
				t.Fatal(err)
			}
			out["input"] = tensorOut{Data: in, Shape: []int64{1, BuiltinSize, BuiltinSize, 3}}
			outs = append(outs, out)
		}
	}
	if f, err := os.Create(path); err == nil {
		_ = gob.NewEncoder(f).Encode(outs)
		f.Close()
	}
	return outs
}

type variant struct {
	name string
	f    func(map[string]tensorOut) []float32
}

func scoreVariant(comps []relbench.Composite, cs cachedSet, v variant, mean []float32) relbench.Result {
	vecs := make([][]float32, len(cs.Outs))
	for i, o := range cs.Outs {
		d := v.f(o)
		if mean != nil {
			d = append([]float32(nil), d...)
			Normalize(d)
			for k := range d {
				d[k] -= mean[k]
			}
		}
		vecs[i] = d
	}
	return relbench.Evaluate(comps, vecs)
}

func line(name string, r relbench.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-44s T=%.3f P=%.3f |", name, r.TemplateMAP, r.PhotoMAP)
	for _, t := range r.Templates {
		fmt.Fprintf(&b, " %s=%.2f", t[:min(4, len(t))], r.PerTemplate[t])
	}
	return b.String()
}

func meanDesc(v variant, views []map[string]tensorOut) []float32 {
	var m []float32
	for _, o := range views {
		d := append([]float32(nil), v.f(o)...)
		Normalize(d)
		if m == nil {
			m = make([]float32, len(d))
		}
		for k := range d {
			m[k] += d[k] / float32(len(views))
		}
	}
	return m
}

func TestRelSearch(t *testing.T) {
	if os.Getenv("RELVIEW_RELBENCH") == "" {
		t.Skip("set RELVIEW_RELBENCH=1 to run the descriptor search")
	}
	seeds := []uint64{1}
	if os.Getenv("RELVIEW_RELBENCH_SEED2") != "" {
		seeds = append(seeds, 2)
	}
	views := photoViews(t)
	if v := os.Getenv("RELVIEW_TAU"); v != "" {
		fmt.Sscan(v, &cueTau)
	}
	if v := os.Getenv("RELVIEW_CUEW"); v != "" {
		for i, f := range strings.Split(v, ",") {
			fmt.Sscan(f, &cueW[i])
		}
	}
	setCueStats(views)
	t.Log("cue mean", cueStats.mean, "std", cueStats.std)
	for _, seed := range seeds {
		comps, cs := searchSet(t, seed, false)
		vis := variant{"visual", func(o map[string]tensorOut) []float32 {
			m := builtinForTest(t)
			p := append([]float32(nil), o[BuiltinPooled].Data...)
			Normalize(p)
			for i := range p {
				p[i] -= m.VisualMean[i]
			}
			return p
		}}
		t.Log(fmt.Sprintf("seed %d ", seed) + line(vis.name, scoreVariant(comps, cs, vis, nil)))
		for _, v := range searchVariants() {
			t.Log(fmt.Sprintf("seed %d ", seed) + line(v.name, scoreVariant(comps, cs, v, nil)))
			if os.Getenv("RELVIEW_RELBENCH_CENTRE") != "" {
				t.Log(fmt.Sprintf("seed %d ", seed) + line(v.name+" +centred", scoreVariant(comps, cs, v, meanDesc(v, views))))
			}
		}
	}
}
