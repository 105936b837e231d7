//go:build research

package engine

// TestExploreSaliency: relations read off a salient-object mask. The mask
// comes from IS-Net as packaged by @imgly/background-removal-data@1.4.5
// (npm; the package is AGPL-3.0, so relview neither ships nor fetches it:
// this experiment only measured whether such a mask helps). Reassemble its
// "/models/small" chunks (dist/resources.json) into one .onnx file and
// point RELVIEW_ISNET at it:
//
//	RELVIEW_EXPLORE=1 RELVIEW_ISNET=/tmp/imgly/small.onnx go test -tags research ./engine -run TestExploreSaliency -v
//
// Input 1×3×1024×1024 (RGB/255 − 0.5), output "output" 1×1×1024×1024 in
// 0..1; about 1.1 s a photo on this 2-core machine. The masks are cached in
// $RELVIEW_SALMASKS (default /tmp/relview-salmasks.gob).

import (
	"encoding/gob"
	"math"
	"os"
	"sort"
	"testing"

	"relview/engine/realbench"
)

const salN = 64

// salFeatures: relations read off a saliency mask (64×64, 0..1) and the
// picture's luminance at the same grid.
func salFeatures(m, lum []float32) []float64 {
	n := salN
	area := 0.0
	for _, v := range m {
		area += float64(v)
	}
	area /= float64(n * n)
	// components of m > 0.5
	lab := make([]int, n*n)
	var sizes []int
	var touch []bool
	var cx, cy []float64
	for i := range m {
		if m[i] <= 0.5 || lab[i] != 0 {
			continue
		}
		id := len(sizes) + 1
		stack := []int{i}
		lab[i] = id
		sz, tb := 0, false
		sx, sy := 0.0, 0.0
		for len(stack) > 0 {
			p := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			sz++
			x, y := p%n, p/n
			sx += float64(x)
			sy += float64(y)
			if x == 0 || y == 0 || x == n-1 || y == n-1 {
				tb = true
			}
			for _, d := range [][2]int{{1, 0}, {-1, 0}, {0, 1}, {0, -1}} {
				xx, yy := x+d[0], y+d[1]
				if xx < 0 || yy < 0 || xx >= n || yy >= n {
					continue
				}
				q := yy*n + xx
				if m[q] > 0.5 && lab[q] == 0 {
					lab[q] = id
					stack = append(stack, q)
				}
			}
		}
		sizes = append(sizes, sz)
		touch = append(touch, tb)
		cx = append(cx, sx/float64(sz)/float64(n))
		cy = append(cy, sy/float64(sz)/float64(n))
	}
	// significant components: ≥ 0.1% of frame
	type comp struct {
		s      int
		t      bool
		cx, cy float64
	}
	var cs []comp
	for i, s := range sizes {
		if s >= 4 {
			cs = append(cs, comp{s, touch[i], cx[i], cy[i]})
		}
	}
	sort.Slice(cs, func(a, b int) bool { return cs[a].s > cs[b].s })
	nc := float64(len(cs))
	largest := 0.0
	second := 0.0
	if len(cs) > 0 {
		largest = float64(cs[0].s) / float64(n*n)
	}
	if len(cs) > 1 {
		second = float64(cs[1].s) / float64(cs[0].s)
	}
	// alike components: within 2x of the median size
	alike := 0.0
	if len(cs) >= 3 {
		med := cs[len(cs)/2].s
		for _, c := range cs {
			if c.s*2 >= med && c.s <= med*2 {
				alike++
			}
		}
	}
	// luminance inside vs outside, and flatness of outside
	var li, lo, wi, wo, lo2 float64
	for i := range m {
		w := float64(m[i])
		l := float64(lum[i])
		li += w * l
		wi += w
		lo += (1 - w) * l
		lo2 += (1 - w) * l * l
		wo += 1 - w
	}
	dark := 0.0
	flatOut := 0.0
	if wi > 1 && wo > 1 {
		dark = lo/wo - li/wi
		v := lo2/wo - (lo/wo)*(lo/wo)
		flatOut = -math.Sqrt(math.Max(v, 0))
	}
	// mirror symmetry of the mask (vertical axis), IoU-like
	sym, tot := 0.0, 0.0
	vsym := 0.0
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			a, b := float64(m[y*n+x]), float64(m[y*n+n-1-x])
			c := float64(m[(n-1-y)*n+x])
			sym += math.Min(a, b)
			vsym += math.Min(a, c)
			tot += a
		}
	}
	if tot > 0 {
		sym /= tot
		vsym /= tot
	}
	// centre of mass spread
	mx, my := 0.0, 0.0
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			mx += float64(m[y*n+x]) * float64(x) / float64(n)
			my += float64(m[y*n+x]) * float64(y) / float64(n)
		}
	}
	if tot > 0 {
		mx /= tot
		my /= tot
	}
	spread := 0.0
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			dx, dy := float64(x)/float64(n)-mx, float64(y)/float64(n)-my
			spread += float64(m[y*n+x]) * (dx*dx + dy*dy)
		}
	}
	if tot > 0 {
		spread = math.Sqrt(spread / tot)
	}
	// horizontal band: fraction of columns where mask present
	cols := 0.0
	for x := 0; x < n; x++ {
		s := 0.0
		for y := 0; y < n; y++ {
			s += float64(m[y*n+x])
		}
		if s > 2 {
			cols++
		}
	}
	cols /= float64(n)
	touchAny := 0.0
	for _, c := range cs {
		if c.t {
			touchAny += float64(c.s)
		}
	}
	if tot > 0 {
		touchAny /= tot
	}
	one := 0.0
	if len(cs) == 1 {
		one = 1
	}
	two := 0.0
	if len(cs) == 2 && second > 0.4 {
		two = 1
	}
	return []float64{
		area, math.Log1p(nc), largest, second, math.Log1p(alike), dark, flatOut,
		sym, vsym, spread, cols, touchAny, one, two, 1 - area,
		math.Abs(mx - 0.5), my,
	}
}

var salNames = []string{"area", "ncomp", "largest", "second", "alike", "dark", "flatOut", "sym", "vsym", "spread", "cols", "touch", "one", "two", "ground", "offx", "cy"}

func salLumGrid(path string) ([]float32, error) {
	img, err := DecodeFile(path)
	if err != nil {
		return nil, err
	}
	f := FitImage(img, salN, salN, Stretch)
	out := make([]float32, salN*salN)
	for i := range out {
		p := f.Pix[4*i : 4*i+3]
		out[i] = (0.299*float32(p[0]) + 0.587*float32(p[1]) + 0.114*float32(p[2])) / 255
	}
	return out, nil
}

func TestExploreSaliency(t *testing.T) {
	if os.Getenv("RELVIEW_EXPLORE") == "" {
		t.Skip()
	}
	masks := salMasks(t)
	e := engineForTest(t)
	dir := realPhotosDir()
	type set struct {
		photos   []realbench.Photo
		feat     [][]float64
		rel, vis [][]float32
	}
	load := func(name string, enc bool) set {
		photos, err := realbench.LoadLabels(realLabels(), name)
		if err != nil {
			t.Fatal(err)
		}
		s := set{photos: photos}
		for _, p := range photos {
			lum, err := salLumGrid(p.File(dir))
			if err != nil {
				t.Fatal(err)
			}
			s.feat = append(s.feat, salFeatures(masks[p.Name()], lum))
			if enc {
				v, err := e.EncodeFile(p.File(dir))
				if err != nil {
					t.Fatal(err)
				}
				s.rel = append(s.rel, v[Relational])
				s.vis = append(s.vis, v[Visual])
			}
		}
		return s
	}
	calib := load("calib", false)
	nf := len(calib.feat[0])
	mean, sd := make([]float64, nf), make([]float64, nf)
	for _, x := range calib.feat {
		for k := range x {
			mean[k] += x[k] / float64(len(calib.feat))
		}
	}
	for _, x := range calib.feat {
		for k := range x {
			sd[k] += (x[k] - mean[k]) * (x[k] - mean[k]) / float64(len(calib.feat))
		}
	}
	for k := range sd {
		sd[k] = math.Sqrt(sd[k]) + 1e-6
	}
	oneSided := os.Getenv("RELVIEW_ONESIDED") != ""
	z := func(x []float64) []float32 {
		out := make([]float32, len(x))
		for k := range x {
			v := (x[k] - mean[k]) / sd[k]
			v = math.Max(-3, math.Min(3, v))
			if oneSided {
				v = math.Max(v, 0)
			}
			out[k] = float32(v)
		}
		return out
	}
	for _, name := range []string{"dev", "held"} {
		s := load(name, true)
		sal := make([][]float32, len(s.photos))
		for i := range s.photos {
			sal[i] = z(s.feat[i])
		}
		r, _ := realbench.Evaluate(s.photos, sal, 5)
		t.Logf("%s saliency alone %.3f", name, r.MAP)
		for _, g := range r.Groups {
			t.Logf("   %-18s %.3f", g, r.GroupAP[g])
		}
		for _, g := range []float64{0.1, 0.2, 0.3, 0.4, 0.5} {
			out := make([][]float32, len(s.photos))
			for i := range s.photos {
				sv := append([]float32(nil), sal[i]...)
				Normalize(sv)
				x := []float32{}
				for _, f := range s.rel[i] {
					x = append(x, f*float32(math.Sqrt(1-g)))
				}
				for _, f := range sv {
					x = append(x, f*float32(math.Sqrt(g)))
				}
				out[i] = x
			}
			r, _ := realbench.Evaluate(s.photos, out, 5)
			t.Logf("%s rel+sal γ %.1f %.3f", name, g, r.MAP)
		}
	}
}

// salMasks runs IS-Net on every photo of the three sets (or reads the
// cache) and pools each mask to salN×salN.
func salMasks(t *testing.T) map[string][]float32 {
	cache := os.Getenv("RELVIEW_SALMASKS")
	if cache == "" {
		cache = "/tmp/relview-salmasks.gob"
	}
	masks := map[string][]float32{}
	if f, err := os.Open(cache); err == nil {
		err = gob.NewDecoder(f).Decode(&masks)
		f.Close()
		if err == nil {
			return masks
		}
	}
	engineForTest(t)
	model, err := os.ReadFile(os.Getenv("RELVIEW_ISNET"))
	if err != nil {
		t.Skipf("set RELVIEW_ISNET to the IS-Net model: %v", err)
	}
	s, err := newSession("isnet", model, "input", []string{"output"}, SessionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	const side = 1024
	spec := InputSpec{Name: "input", Width: side, Height: side, Layout: NCHW, Resize: Stretch, Mean: [3]float32{0.5, 0.5, 0.5}, Std: [3]float32{1, 1, 1}}
	dir := realPhotosDir()
	for _, set := range []string{"dev", "held", "calib"} {
		photos, err := realbench.LoadLabels(realLabels(), set)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range photos {
			img, err := DecodeFile(p.File(dir))
			if err != nil {
				t.Fatal(err)
			}
			out, err := s.run(spec.Tensor(spec.Fit(img)), []int64{1, 3, side, side})
			if err != nil {
				t.Fatal(err)
			}
			o, m, cell := out["output"].Data, make([]float32, salN*salN), side/salN
			for y := 0; y < side; y++ {
				for x := 0; x < side; x++ {
					m[(y/cell)*salN+x/cell] += o[y*side+x] / float32(cell*cell)
				}
			}
			masks[p.Name()] = m
		}
	}
	if f, err := os.Create(cache); err == nil {
		gob.NewEncoder(f).Encode(masks)
		f.Close()
	}
	return masks
}
