package relbench

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/disintegration/imaging"
)

const photoDir = "../../assets/photos"

var (
	buildOnce sync.Once
	built     []Composite
	buildErr  error
)

// seed1 returns Build(photoDir, 1), built once per test binary.
func seed1(t *testing.T) []Composite {
	t.Helper()
	buildOnce.Do(func() { built, buildErr = Build(photoDir, 1) })
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return built
}

func TestTemplatesList(t *testing.T) {
	ts := Templates()
	want := []string{TReflection, TOddOneOut, TNesting, TBeforeAfter, TRotational, TStages, TMirrorScene, TInset}
	var names []string
	for _, tp := range ts {
		if tp.Make == nil || tp.Description == "" {
			t.Errorf("template %q lacks Make or Description", tp.Name)
		}
		if slices.Contains(names, tp.Name) {
			t.Errorf("template %q listed twice", tp.Name)
		}
		names = append(names, tp.Name)
	}
	for _, w := range want {
		if !slices.Contains(names, w) {
			t.Errorf("template %q missing", w)
		}
	}
}

func TestBuildContents(t *testing.T) {
	comps := seed1(t)
	ts := Templates()
	if len(comps) != len(ts)*len(MainPhotos) {
		t.Fatalf("got %d composites, want %d", len(comps), len(ts)*len(MainPhotos))
	}
	photos := map[string]bool{}
	names := map[string]bool{}
	usesOther := map[string]bool{}
	for _, tp := range ts {
		usesOther[tp.Name] = tp.UsesOther
	}
	for i, c := range comps {
		if names[c.Name] {
			t.Errorf("duplicate composite %s", c.Name)
		}
		names[c.Name] = true
		photos[c.Photo] = true
		if want := ts[i/len(MainPhotos)].Name; c.Template != want {
			t.Errorf("composite %d has template %s, want %s", i, c.Template, want)
		}
		if c.Photo == "motorcycle_right" || c.Other == "motorcycle_right" {
			t.Errorf("%s uses motorcycle_right", c.Name)
		}
		if usesOther[c.Template] != (c.Other != "") || c.Other == c.Photo {
			t.Errorf("%s: bad secondary photo %q", c.Name, c.Other)
		}
		b := c.Image.Bounds()
		if b.Min != (image.Point{}) || b.Dx() < MinSide || b.Dx() > MaxSide || b.Dy() < MinSide || b.Dy() > MaxSide {
			t.Errorf("%s: bounds %v outside [%d,%d]", c.Name, b, MinSide, MaxSide)
		}
	}
	if len(photos) < 12 {
		t.Errorf("only %d distinct main photos", len(photos))
	}
}

func TestBuildDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the benchmark twice more")
	}
	a := Hash(seed1(t))
	again, err := Build(photoDir, 1)
	if err != nil {
		t.Fatal(err)
	}
	if b := Hash(again); a != b {
		t.Errorf("same seed, different hash: %x vs %x", a, b)
	}
	other, err := Build(photoDir, 2)
	if err != nil {
		t.Fatal(err)
	}
	if c := Hash(other); a == c {
		t.Errorf("seeds 1 and 2 give the same hash %x", a)
	}
	// Each composite (not only the set) should change with the seed.
	for i := range other {
		if Hash(built[i:i+1]) == Hash(other[i:i+1]) {
			t.Errorf("%s identical under seeds 1 and 2", other[i].Name)
		}
	}
}

func TestBuildMissingDir(t *testing.T) {
	if _, err := Build(filepath.Join(t.TempDir(), "nope"), 1); err == nil {
		t.Error("Build of a missing directory succeeded")
	}
}

// synthetic makes a textured test image of the given size.
func synthetic(w, h int, gray bool, seed uint64) *image.NRGBA {
	r := rand.New(rand.NewPCG(seed, 99))
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	fx, fy := uniform(r, 0.02, 0.2), uniform(r, 0.02, 0.2)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := 128 + 100*math.Sin(fx*float64(x))*math.Cos(fy*float64(y))
			c := color.NRGBA{clamp8(v), clamp8(255 - v), clamp8(float64(x % 256)), 255}
			if gray {
				c.G, c.B = c.R, c.R
			}
			img.SetNRGBA(x, y, c)
		}
	}
	return img
}

func TestTemplateSizesAndPurity(t *testing.T) {
	srcs := []*image.NRGBA{
		synthetic(64, 48, true, 1),
		synthetic(900, 300, false, 2),
		synthetic(300, 1000, false, 3),
		synthetic(512, 512, true, 4),
	}
	for _, tp := range Templates() {
		for k := 0; k < 24; k++ {
			main, other := srcs[k%4], srcs[(k+1)%4]
			hm, ho := Hash([]Composite{{Image: main}}), Hash([]Composite{{Image: other}})
			r := rand.New(rand.NewPCG(uint64(k), 5))
			img := tp.Make(r, main, other)
			b := img.Bounds()
			if b.Min != (image.Point{}) || b.Dx() < MinSide || b.Dx() > MaxSide || b.Dy() < MinSide || b.Dy() > MaxSide {
				t.Errorf("%s run %d: bounds %v outside [%d,%d]", tp.Name, k, b, MinSide, MaxSide)
			}
			if Hash([]Composite{{Image: main}}) != hm || Hash([]Composite{{Image: other}}) != ho {
				t.Errorf("%s run %d modified its inputs", tp.Name, k)
			}
			again := tp.Make(rand.New(rand.NewPCG(uint64(k), 5)), main, other)
			if Hash([]Composite{{Image: img}}) != Hash([]Composite{{Image: again}}) {
				t.Errorf("%s run %d is not deterministic", tp.Name, k)
			}
		}
	}
}

// TestTemplateStructure checks each template's defining relation on the
// pixels of the real build.
func TestTemplateStructure(t *testing.T) {
	comps := seed1(t)
	for _, c := range comps {
		img := c.Image
		b := img.Bounds()
		w, h := b.Dx(), b.Dy()
		switch c.Template {
		case TMirrorScene:
			// Exact left-right mirror.
			for y := 0; y < h; y += 7 {
				for x := 0; x < w/2; x += 5 {
					if img.NRGBAAt(x, y) != img.NRGBAAt(w-1-x, y) {
						t.Fatalf("%s: not mirrored at (%d,%d)", c.Name, x, y)
					}
				}
			}
		case TReflection:
			// Lower part darker than the upper part.
			up, lo := meanLuma(img, image.Rect(0, 0, w, h*4/10)), meanLuma(img, image.Rect(0, h*6/10, w, h))
			if lo >= up {
				t.Errorf("%s: reflection (%.1f) not darker than scene (%.1f)", c.Name, lo, up)
			}
		case TRotational:
			// Turning the whole picture by 180° about its centre nearly
			// maps it onto itself (exactly, up to rounding of the tiles).
			rot := imaging.Rotate180(img)
			if d := meanAbsDiff(img, rot); d > 1 {
				t.Errorf("%s: 180° turn differs by %.1f per channel", c.Name, d)
			}
		}
	}
}

func meanLuma(img *image.NRGBA, r image.Rectangle) float64 {
	var s, n float64
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			i := img.PixOffset(x, y)
			s += luma(img.Pix[i : i+3])
			n++
		}
	}
	return s / n
}

func meanAbsDiff(a, b *image.NRGBA) float64 {
	var s float64
	for i := range a.Pix {
		s += math.Abs(float64(a.Pix[i]) - float64(b.Pix[i]))
	}
	return s / float64(len(a.Pix))
}

func approx(a, b float64) bool { return math.Abs(a-b) < 1e-12 }

func TestAveragePrecisionHand(t *testing.T) {
	// Perfect ranking.
	if ap := AveragePrecision([]float64{0.9, 0.8, 0.1, 0.0}, []bool{true, true, false, false}); !approx(ap, 1) {
		t.Errorf("perfect ranking AP = %v, want 1", ap)
	}
	// Relevant at ranks 1, 3 and 4 of 5: (1/1 + 2/3 + 3/4) / 3 = 29/36.
	// Input order scrambled on purpose.
	scores := []float64{0.3, 0.9, 0.6, 0.5, 0.7}
	rel := []bool{false, true, true, true, false} // ranks: 0.9 R, 0.7 N, 0.6 R, 0.5 R, 0.3 N
	if ap := AveragePrecision(scores, rel); !approx(ap, 29.0/36) {
		t.Errorf("AP = %v, want 29/36 = %v", ap, 29.0/36)
	}
	// Worst ranking of 2 relevant among 4: (1/3 + 2/4) / 2 = 5/12.
	if ap := AveragePrecision([]float64{4, 3, 2, 1}, []bool{false, false, true, true}); !approx(ap, 5.0/12) {
		t.Errorf("AP = %v, want 5/12", ap)
	}
	// Ties: 1 relevant among 2 tied items: (1/1 + 1/2) / 2 = 3/4.
	if ap := AveragePrecision([]float64{0.5, 0.5}, []bool{false, true}); !approx(ap, 0.75) {
		t.Errorf("tied AP = %v, want 0.75", ap)
	}
	// Ties: 2 relevant among 3 tied items, averaged by hand over the three
	// placements of the irrelevant one: NRR (1/2+2/3)/2 = 7/12, RNR
	// (1+2/3)/2 = 10/12, RRN 1 -> mean (7+10+12)/36 = 29/36.
	if ap := AveragePrecision([]float64{1, 1, 1}, []bool{true, false, true}); !approx(ap, 29.0/36) {
		t.Errorf("tied AP = %v, want 29/36", ap)
	}
	// A tie behind a strict leader: N first, then {R, N} tied:
	// R at 2 -> 1/2, R at 3 -> 1/3, mean 5/12.
	if ap := AveragePrecision([]float64{2, 1, 1}, []bool{false, true, false}); !approx(ap, 5.0/12) {
		t.Errorf("AP = %v, want 5/12", ap)
	}
	if ap := AveragePrecision([]float64{1, 2}, []bool{false, false}); ap != 0 {
		t.Errorf("AP with nothing relevant = %v, want 0", ap)
	}
}

// TestAveragePrecisionBruteForce compares the tie formula with an explicit
// average over all orderings of small tied sets.
func TestAveragePrecisionBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 200; trial++ {
		n := 1 + r.IntN(7)
		scores := make([]float64, n)
		rel := make([]bool, n)
		for i := range scores {
			scores[i] = float64(r.IntN(3))
			rel[i] = r.IntN(2) == 0
		}
		got := AveragePrecision(scores, rel)
		want := bruteAP(scores, rel)
		if math.Abs(got-want) > 1e-12 {
			t.Fatalf("scores %v rel %v: AP %v, brute force %v", scores, rel, got, want)
		}
	}
}

func bruteAP(scores []float64, rel []bool) float64 {
	n := len(scores)
	perm := make([]int, n)
	for i := range perm {
		perm[i] = i
	}
	var sum float64
	var count int
	var rec func(k int)
	rec = func(k int) {
		if k == n {
			// Only orderings consistent with descending score count.
			for i := 1; i < n; i++ {
				if scores[perm[i]] > scores[perm[i-1]] {
					return
				}
			}
			total, hits := 0, 0
			var ap float64
			for i, p := range perm {
				if rel[p] {
					hits++
					ap += float64(hits) / float64(i+1)
				}
			}
			for _, x := range rel {
				if x {
					total++
				}
			}
			if total > 0 {
				ap /= float64(total)
			}
			sum += ap
			count++
			return
		}
		for i := k; i < n; i++ {
			perm[k], perm[i] = perm[i], perm[k]
			rec(k + 1)
			perm[k], perm[i] = perm[i], perm[k]
		}
	}
	rec(0)
	return sum / float64(count)
}

func TestEvaluateHand(t *testing.T) {
	// Four items in 2-D; rankings worked out by hand:
	//   q0 (1,0):     2 (.994), 3 (.110), 1 (0)  -> template rel {1} at 3, photo rel {3} at 2
	//   q1 (0,1):     3, 2, 0                    -> template rel {0} at 3, photo rel {2} at 2
	//   q2 (.9,.1):   0 (.994), 3 (.220), 1 (.110) -> template rel {3} at 2, photo rel {1} at 3
	//   q3 (.1,.9):   1, 2, 0                    -> template rel {2} at 2, photo rel {0} at 3
	// TemplateMAP = (1/3+1/3+1/2+1/2)/4 = 5/12; PhotoMAP likewise 5/12.
	comps := []Composite{
		{Name: "0", Template: "A", Photo: "p"},
		{Name: "1", Template: "A", Photo: "q"},
		{Name: "2", Template: "B", Photo: "q"},
		{Name: "3", Template: "B", Photo: "p"},
	}
	vecs := [][]float32{{1, 0}, {0, 3}, {0.9, 0.1}, {0.1, 0.9}} // q1 unnormalised on purpose
	r := Evaluate(comps, vecs)
	if !approx(r.TemplateMAP, 5.0/12) || !approx(r.PhotoMAP, 5.0/12) {
		t.Errorf("TemplateMAP %v PhotoMAP %v, want 5/12 both", r.TemplateMAP, r.PhotoMAP)
	}
	if !approx(r.PerTemplate["A"], 1.0/3) || !approx(r.PerTemplate["B"], 0.5) {
		t.Errorf("PerTemplate %v, want A 1/3, B 1/2", r.PerTemplate)
	}
	if !approx(r.PerTemplatePhoto["A"], 0.5) || !approx(r.PerTemplatePhoto["B"], 1.0/3) {
		t.Errorf("PerTemplatePhoto %v, want A 1/2, B 1/3", r.PerTemplatePhoto)
	}
	if r.TemplateP1 != 0 || r.PhotoP1 != 0 {
		t.Errorf("P@1 %v %v, want 0 0", r.TemplateP1, r.PhotoP1)
	}
	// Chance: one relevant among three tied -> (1 + 1/2 + 1/3)/3 = 11/18.
	if !approx(r.TemplateChance, 11.0/18) || !approx(r.PhotoChance, 11.0/18) {
		t.Errorf("chance %v %v, want 11/18", r.TemplateChance, r.PhotoChance)
	}
	// Cosine: positive rescaling of any vector changes nothing.
	scaled := [][]float32{{7, 0}, {0, 0.01}, {9, 1}, {0.2, 1.8}}
	if r2 := Evaluate(comps, scaled); !approx(r2.TemplateMAP, r.TemplateMAP) || !approx(r2.PhotoMAP, r.PhotoMAP) {
		t.Errorf("rescaling changed the result: %+v vs %+v", r2, r)
	}
}

// grid makes nt templates × np photos of synthetic composites (no images).
func grid(nt, np int) []Composite {
	var comps []Composite
	for i := 0; i < nt; i++ {
		for j := 0; j < np; j++ {
			comps = append(comps, Composite{Name: fmt.Sprint(i, "/", j), Template: fmt.Sprint("t", i), Photo: fmt.Sprint("p", j)})
		}
	}
	return comps
}

func oneHot(n, k int) []float32 {
	v := make([]float32, n)
	v[k] = 1
	return v
}

func TestEvaluateOneHot(t *testing.T) {
	const nt, np = 8, 16
	comps := grid(nt, np)
	byT := make([][]float32, len(comps))
	byP := make([][]float32, len(comps))
	for i := range comps {
		byT[i] = oneHot(nt, i/np)
		byP[i] = oneHot(np, i%np)
	}
	rt := Evaluate(comps, byT)
	if !approx(rt.TemplateMAP, 1) || !approx(rt.TemplateP1, 1) {
		t.Errorf("template one-hot: TemplateMAP %v P@1 %v, want 1", rt.TemplateMAP, rt.TemplateP1)
	}
	for _, name := range rt.Templates {
		if !approx(rt.PerTemplate[name], 1) {
			t.Errorf("template one-hot: %s AP %v", name, rt.PerTemplate[name])
		}
	}
	// Photo truth: the 7 same-photo items hide among 112 tied ones behind 15
	// irrelevant ones, which is at (in fact below) chance.
	if rt.PhotoMAP > rt.PhotoChance+1e-9 || rt.PhotoMAP > 0.1 || rt.PhotoChance > 0.12 {
		t.Errorf("template one-hot: PhotoMAP %v, chance %v", rt.PhotoMAP, rt.PhotoChance)
	}
	rp := Evaluate(comps, byP)
	if !approx(rp.PhotoMAP, 1) || !approx(rp.PhotoP1, 1) {
		t.Errorf("photo one-hot: PhotoMAP %v P@1 %v, want 1", rp.PhotoMAP, rp.PhotoP1)
	}
	if rp.TemplateMAP > rp.TemplateChance+1e-9 || rp.TemplateMAP > 0.2 {
		t.Errorf("photo one-hot: TemplateMAP %v, chance %v", rp.TemplateMAP, rp.TemplateChance)
	}
	// Random vectors sit near chance on both truths.
	r := rand.New(rand.NewPCG(11, 12))
	rnd := make([][]float32, len(comps))
	for i := range rnd {
		rnd[i] = make([]float32, 64)
		for k := range rnd[i] {
			rnd[i][k] = float32(r.NormFloat64())
		}
	}
	rr := Evaluate(comps, rnd)
	if math.Abs(rr.TemplateMAP-rr.TemplateChance) > 0.05 || math.Abs(rr.PhotoMAP-rr.PhotoChance) > 0.05 {
		t.Errorf("random vectors: %v/%v vs chance %v/%v", rr.TemplateMAP, rr.PhotoMAP, rr.TemplateChance, rr.PhotoChance)
	}
	// Constant vectors are exactly at chance.
	cst := make([][]float32, len(comps))
	for i := range cst {
		cst[i] = []float32{1, 2}
	}
	rc := Evaluate(comps, cst)
	if !approx(rc.TemplateMAP, rc.TemplateChance) || !approx(rc.PhotoMAP, rc.PhotoChance) {
		t.Errorf("constant vectors not at chance: %+v", rc)
	}
}

func TestValidate(t *testing.T) {
	comps := grid(2, 2)
	ok := [][]float32{{1}, {2}, {3}, {4}}
	if err := Validate(comps, ok); err != nil {
		t.Error(err)
	}
	bad := map[string][][]float32{
		"count":  {{1}, {2}},
		"length": {{1}, {2, 3}, {3}, {4}},
		"empty":  {{}, {}, {}, {}},
		"nan":    {{1}, {float32(math.NaN())}, {3}, {4}},
		"inf":    {{1}, {2}, {float32(math.Inf(1))}, {4}},
	}
	for _, k := range []string{"count", "length", "empty", "nan", "inf"} {
		if Validate(comps, bad[k]) == nil {
			t.Errorf("Validate accepted %s", k)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("Evaluate did not panic on bad vectors")
		}
	}()
	Evaluate(comps, bad["count"])
}

func TestRun(t *testing.T) {
	comps := grid(3, 4)
	img := image.NewNRGBA(image.Rect(0, 0, 2, 2))
	for i := range comps {
		comps[i].Image = img
	}
	i := 0
	enc := func(image.Image) (map[string][]float32, error) {
		k := i
		i++
		return map[string][]float32{
			"tmpl":  oneHot(3, k/4),
			"photo": oneHot(4, k%4),
		}, nil
	}
	res, err := Run(comps, enc)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || !approx(res["tmpl"].TemplateMAP, 1) || !approx(res["photo"].PhotoMAP, 1) {
		t.Errorf("Run results %+v", res)
	}
	if md := Report(res); len(md) == 0 {
		t.Error("empty report")
	}

	i = 0
	missing := func(image.Image) (map[string][]float32, error) {
		i++
		if i == 3 {
			return map[string][]float32{"a": {1}, "c": {1}}, nil
		}
		return map[string][]float32{"a": {1}, "b": {1}}, nil
	}
	if _, err := Run(comps, missing); err == nil {
		t.Error("Run accepted a changing set of spaces")
	}
	i = 0
	ragged := func(image.Image) (map[string][]float32, error) {
		i++
		return map[string][]float32{"a": make([]float32, 1+i%2)}, nil
	}
	if _, err := Run(comps, ragged); err == nil {
		t.Error("Run accepted ragged vectors")
	}
	boom := errors.New("boom")
	if _, err := Run(comps, func(image.Image) (map[string][]float32, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Errorf("Run error %v, want wrapped boom", err)
	}
}

// TestBaselineAndSheet runs the model-free baseline on the real build and
// writes a contact sheet ($RELBENCH_SHEET, else a temporary file). Run with
// -v to see the tables.
func TestBaselineAndSheet(t *testing.T) {
	comps := seed1(t)
	res, err := Run(comps, BaselineEncode)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{SpaceThumb16, SpaceRGBHist, SpaceEdgeProf} {
		r, ok := res[k]
		if !ok {
			t.Fatalf("no %s space", k)
		}
		for _, v := range []float64{r.TemplateMAP, r.PhotoMAP} {
			if !(v > 0 && v <= 1) {
				t.Errorf("%s: mAP %v out of (0,1]", k, v)
			}
		}
	}
	t.Logf("%d composites, %d templates, %d photos\n\n%s", len(comps), len(Templates()), len(MainPhotos), Report(res))

	path := os.Getenv("RELBENCH_SHEET")
	if path == "" {
		path = filepath.Join(t.TempDir(), "sheet.png")
	}
	pick := PickPerTemplate(comps, 5)
	if len(pick) != 5*len(Templates()) {
		t.Fatalf("picked %d composites", len(pick))
	}
	if err := WriteContactSheet(pick, path); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := png.DecodeConfig(f)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Width < 5*sheetThumb || cfg.Height < len(Templates())*sheetThumb {
		t.Errorf("sheet is %dx%d", cfg.Width, cfg.Height)
	}
	t.Logf("contact sheet: %s", path)
}
