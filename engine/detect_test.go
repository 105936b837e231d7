package engine

import (
	"fmt"
	"image"
	"math"
	"os"
	"slices"
	"sync"
	"testing"
)

// The detector's tests run the real NanoDet-g model (read from ../assets, as
// the backbone's tests do) on real photos with known objects.

const testDetectorPath = "../assets/models/nanodet_g.onnx"

var testDetector struct {
	once sync.Once
	d    *Detector
	err  error
}

// detectorForTest is one shared Detector (2 threads).
func detectorForTest(t testing.TB) *Detector {
	t.Helper()
	needRuntime(t)
	testDetector.once.Do(func() {
		onnx, err := os.ReadFile(testDetectorPath)
		if err != nil {
			testDetector.err = err
			return
		}
		testDetector.d, testDetector.err = OpenDetector(onnx, SessionOptions{Threads: 2})
	})
	if testDetector.err != nil {
		t.Fatalf("detector: %v", testDetector.err)
	}
	return testDetector.d
}

func detectPhoto(t *testing.T, name string) []Detection {
	t.Helper()
	img, err := DecodeFile(photo(name))
	if err != nil {
		t.Fatal(err)
	}
	dets, err := detectorForTest(t).Detect(img)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	t.Logf("%s: %v", name, dets)
	checkDetections(t, name, dets)
	return dets
}

// checkDetections checks what holds for every result: boxes inside the
// image and not empty, scores above the threshold and sorted, at most
// DetectorMax, no same-class pair overlapping beyond DetectorIoU.
func checkDetections(t *testing.T, name string, dets []Detection) {
	t.Helper()
	if len(dets) > DetectorMax {
		t.Errorf("%s: %d detections, want at most %d", name, len(dets), DetectorMax)
	}
	for i, d := range dets {
		b := d.Box
		if !(b[0] >= 0 && b[1] >= 0 && b[2] <= 1 && b[3] <= 1 && b[0] < b[2] && b[1] < b[3]) {
			t.Errorf("%s: detection %d: bad box %v", name, i, d)
		}
		if d.Score < DetectorThreshold || d.Score > 1 || d.Class < 0 || d.Class >= len(CocoClasses) {
			t.Errorf("%s: detection %d: bad score or class %v", name, i, d)
		}
		if i > 0 && d.Score > dets[i-1].Score {
			t.Errorf("%s: not sorted by score at %d", name, i)
		}
		for _, e := range dets[:i] {
			if e.Class == d.Class && boxIoU(e.Box, d.Box) > DetectorIoU {
				t.Errorf("%s: %v and %v survive NMS", name, e, d)
			}
		}
	}
}

func classIndex(t testing.TB, name string) int {
	t.Helper()
	i := slices.Index(CocoClasses[:], name)
	if i < 0 {
		t.Fatalf("no COCO class %q", name)
	}
	return i
}

// find returns the best detection of one of the classes whose box centre
// lies in the region x0..x1, y0..y1 (fractions), or fails.
func find(t *testing.T, photo string, dets []Detection, classes []string, x0, y0, x1, y1 float32) Detection {
	t.Helper()
	for _, d := range dets {
		for _, c := range classes {
			if d.Class != classIndex(t, c) {
				continue
			}
			cx, cy := (d.Box[0]+d.Box[2])/2, (d.Box[1]+d.Box[3])/2
			if cx >= x0 && cx <= x1 && cy >= y0 && cy <= y1 {
				return d
			}
		}
	}
	t.Errorf("%s: no %v centred in x %.2f..%.2f, y %.2f..%.2f among %v", photo, classes, x0, x1, y0, y1, dets)
	return Detection{}
}

func area(b [4]float32) float32 { return (b[2] - b[0]) * (b[3] - b[1]) }

func TestDetectDogBicycleTruck(t *testing.T) {
	dets := detectPhoto(t, "dog.jpg")
	// The dog sits in the lower left, the bicycle fills the middle, the
	// truck is parked top right.
	dog := find(t, "dog.jpg", dets, []string{"dog"}, 0, 0.5, 0.5, 1)
	if dog.Box[3] < 0.85 || area(dog.Box) < 0.1 {
		t.Errorf("dog.jpg: dog box %v should reach the bottom and be large", dog)
	}
	find(t, "dog.jpg", dets, []string{"bicycle"}, 0.3, 0.3, 0.6, 0.7)
	find(t, "dog.jpg", dets, []string{"truck", "car"}, 0.6, 0, 1, 0.4)
}

func TestDetectHorses(t *testing.T) {
	dets := detectPhoto(t, "horses.jpg")
	// Four horses across the picture. NanoDet-g calls some of them "cow",
	// so count distinct horse-or-cow boxes, and want one "horse" at least.
	horse, cow := classIndex(t, "horse"), classIndex(t, "cow")
	var animals [][4]float32
	horses := 0
	for _, d := range dets {
		if d.Class != horse && d.Class != cow {
			continue
		}
		if d.Class == horse {
			horses++
		}
		if !slices.ContainsFunc(animals, func(b [4]float32) bool { return boxIoU(b, d.Box) > DetectorIoU }) {
			animals = append(animals, d.Box)
		}
	}
	if horses == 0 || len(animals) < 3 {
		t.Errorf("horses.jpg: %d horses, %d distinct horse/cow boxes; want ≥1 and ≥3", horses, len(animals))
	}
	find(t, "horses.jpg", dets, []string{"horse", "cow"}, 0, 0.3, 0.3, 0.8)
	find(t, "horses.jpg", dets, []string{"horse", "cow"}, 0.6, 0.3, 1, 0.8)
}

func TestDetectPersonDogHorse(t *testing.T) {
	dets := detectPhoto(t, "person.jpg")
	// A woman in the middle, her dog at her left (lower left), a horse right.
	p := find(t, "person.jpg", dets, []string{"person"}, 0.25, 0.3, 0.5, 0.8)
	if h := p.Box[3] - p.Box[1]; h < 0.5 {
		t.Errorf("person.jpg: the person's box %v should be tall", p)
	}
	find(t, "person.jpg", dets, []string{"dog"}, 0, 0.5, 0.4, 1)
	find(t, "person.jpg", dets, []string{"horse"}, 0.6, 0.3, 1, 0.9)
}

func TestDetectGiraffeZebra(t *testing.T) {
	dets := detectPhoto(t, "giraffe.jpg")
	g := find(t, "giraffe.jpg", dets, []string{"giraffe"}, 0.3, 0.2, 0.9, 0.8)
	if g.Box[3]-g.Box[1] < 0.6 {
		t.Errorf("giraffe.jpg: giraffe box %v should be tall", g)
	}
	// The zebra stands in front, lower right.
	find(t, "giraffe.jpg", dets, []string{"zebra"}, 0.55, 0.5, 1, 1)
}

func TestDetectEagle(t *testing.T) {
	dets := detectPhoto(t, "eagle.jpg")
	if len(dets) == 0 || dets[0].Class != classIndex(t, "bird") {
		t.Fatalf("eagle.jpg: best detection should be a bird: %v", dets)
	}
	if area(dets[0].Box) < 0.2 {
		t.Errorf("eagle.jpg: the bird's box %v should be large", dets[0])
	}
}

// A plain image holds no objects; a 1×1 one must not break anything.
func TestDetectPlainAndTiny(t *testing.T) {
	d := detectorForTest(t)
	for _, sz := range []int{1, 600} {
		img := image.NewGray(image.Rect(0, 0, sz, sz))
		for i := range img.Pix {
			img.Pix[i] = 128
		}
		dets, err := d.Detect(img)
		if err != nil {
			t.Fatalf("%d×%d grey: %v", sz, sz, err)
		}
		if len(dets) != 0 {
			t.Errorf("%d×%d grey: %v", sz, sz, dets)
		}
	}
	if _, err := d.Detect(image.NewRGBA(image.Rect(0, 0, 0, 0))); err == nil {
		t.Error("empty image: no error")
	}
}

// Concurrent Detect calls give the same results (and -race stays quiet).
func TestDetectConcurrent(t *testing.T) {
	d := detectorForTest(t)
	img, err := DecodeFile(photo("dog.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := d.Detect(img)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			got, err := d.Detect(img)
			if err == nil && !slices.Equal(got, want) {
				err = fmt.Errorf("concurrent result %v, want %v", got, want)
			}
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestDetectClosed(t *testing.T) {
	needRuntime(t)
	onnx, err := os.ReadFile(testDetectorPath)
	if err != nil {
		t.Fatal(err)
	}
	d, err := OpenDetector(onnx, SessionOptions{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	d.Close()
	if _, err := d.Detect(image.NewGray(image.Rect(0, 0, 8, 8))); err == nil {
		t.Error("Detect after Close: no error")
	}
	if _, err := OpenDetector([]byte("not a model"), SessionOptions{Threads: 1}); err == nil {
		t.Error("OpenDetector on garbage: no error")
	}
}

// syntheticOutputs are decoder inputs for a size² run: all scores zero and
// all bin logits equal, except what the test sets.
func syntheticOutputs(size int) map[string]tensorOut {
	out := map[string]tensorOut{}
	for _, s := range nanodetStrides {
		cells := (size / s) * (size / s)
		out[fmt.Sprintf("cls_%d", s)] = tensorOut{Data: make([]float32, cells*80), Shape: []int64{1, int64(cells), 80}}
		out[fmt.Sprintf("box_%d", s)] = tensorOut{Data: make([]float32, cells*44), Shape: []int64{1, int64(cells), 44}}
	}
	return out
}

func TestDetectDecodeSynthetic(t *testing.T) {
	const size = 64 // strides 8, 16, 32 -> grids 8², 4², 2²
	out := syntheticOutputs(size)
	// Stride 16, cell (row 1, col 2): centre (40, 24). Distances peaked at
	// bins 1, 0, 2, 1 (left, top, right, bottom) -> 16, 0, 32, 16 pixels.
	cell := 1*4 + 2
	out["cls_16"].Data[cell*80+16] = 0.9 // dog
	out["cls_16"].Data[cell*80+17] = 0.2 // horse, below the threshold
	box := out["box_16"].Data[cell*44 : (cell+1)*44]
	for side, bin := range []int{1, 0, 2, 1} {
		box[side*11+bin] = 50 // softmax ≈ one-hot
	}
	cands, err := decodeNanodet(out, size, DetectorThreshold)
	if err != nil {
		t.Fatal(err)
	}
	if len(cands) != 1 {
		t.Fatalf("candidates %v, want one", cands)
	}
	want := [4]float32{24.0 / 64, 24.0 / 64, 72.0 / 64, 40.0 / 64}
	want[2] = 1 // clipped at the right edge
	c := cands[0]
	for k := range want {
		if math.Abs(float64(c.Box[k]-want[k])) > 1e-5 {
			t.Fatalf("box %v, want %v", c.Box, want)
		}
	}
	if c.Class != 16 || c.Score != 0.9 {
		t.Errorf("got %v, want dog 0.9", c)
	}
	// Uniform logits: the expected distance is the mean bin, 5.
	if e := binExpectation(make([]float32, 11)); math.Abs(float64(e-5)) > 1e-6 {
		t.Errorf("uniform expectation %v, want 5", e)
	}
}

func TestDetectDecodeRejectsNaNAndBadShapes(t *testing.T) {
	const size = 64
	for _, name := range []string{"cls_8", "box_32"} {
		for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(1))} {
			out := syntheticOutputs(size)
			out[name].Data[3] = bad
			if _, err := decodeNanodet(out, size, DetectorThreshold); err == nil {
				t.Errorf("%s holding %v: no error", name, bad)
			}
		}
	}
	out := syntheticOutputs(size)
	out["box_16"] = tensorOut{Data: make([]float32, 16*40), Shape: []int64{1, 16, 40}}
	if _, err := decodeNanodet(out, size, DetectorThreshold); err == nil {
		t.Error("wrong box shape: no error")
	}
	out = syntheticOutputs(size)
	delete(out, "cls_32")
	if _, err := decodeNanodet(out, size, DetectorThreshold); err == nil {
		t.Error("missing output: no error")
	}
}

func TestDetectNMS(t *testing.T) {
	a := [4]float32{0.1, 0.1, 0.5, 0.5}
	aShift := [4]float32{0.12, 0.1, 0.52, 0.5} // IoU with a ≈ 0.90
	b := [4]float32{0.3, 0.3, 0.7, 0.7}        // IoU with a = 0.04/0.28 ≈ 0.14
	if got := boxIoU(a, a); math.Abs(float64(got-1)) > 1e-6 {
		t.Errorf("IoU(a, a) = %v", got)
	}
	if got := boxIoU(a, b); math.Abs(float64(got-0.04/0.28)) > 1e-5 {
		t.Errorf("IoU(a, b) = %v", got)
	}
	if got := boxIoU(a, [4]float32{0.6, 0.6, 0.9, 0.9}); got != 0 {
		t.Errorf("IoU of disjoint boxes = %v", got)
	}
	cands := []Detection{
		{Box: aShift, Score: 0.6, Class: 16}, // suppressed by the 0.9 dog
		{Box: b, Score: 0.5, Class: 16},      // kept: little overlap
		{Box: a, Score: 0.9, Class: 16},
		{Box: a, Score: 0.7, Class: 15}, // kept: another class
		{Box: aShift, Score: 0.4, Class: 15},
	}
	got := nms(slices.Clone(cands), 0.5, 0)
	want := []Detection{cands[2], cands[3], cands[1]}
	if !slices.Equal(got, want) {
		t.Errorf("nms = %v, want %v", got, want)
	}
	// Order of the input does not matter; the limit cuts the tail.
	rev := slices.Clone(cands)
	slices.Reverse(rev)
	if got := nms(rev, 0.5, 0); !slices.Equal(got, want) {
		t.Errorf("nms(reversed) = %v, want %v", got, want)
	}
	if got := nms(slices.Clone(cands), 0.5, 2); !slices.Equal(got, want[:2]) {
		t.Errorf("nms limit 2 = %v, want %v", got, want[:2])
	}
	if got := nms(nil, 0.5, 10); len(got) != 0 {
		t.Errorf("nms(nil) = %v", got)
	}
}

// BenchmarkDetect: Detect end to end on a decoded 768×576 photo (stretch to
// the input size, normalize, inference, decode, NMS) at 416² (the default)
// and 320², at 1 and 2 ONNX Runtime threads, beside one MobileNetV2 pass of
// the built-in backbone (fit to 224², tensor, inference) as the baseline.
//
//	go test ./engine -run '^$' -bench Detect -benchtime 30x
func BenchmarkDetect(b *testing.B) {
	needRuntime(b)
	onnx, err := os.ReadFile(testDetectorPath)
	if err != nil {
		b.Fatal(err)
	}
	img, err := DecodeFile(photo("dog.jpg"))
	if err != nil {
		b.Fatal(err)
	}
	for _, threads := range []int{1, 2} {
		for _, size := range []int{416, 320} {
			b.Run(fmt.Sprintf("nanodet%d/threads=%d", size, threads), func(b *testing.B) {
				d, err := openDetector(onnx, SessionOptions{Threads: threads}, size)
				if err != nil {
					b.Fatal(err)
				}
				defer d.Close()
				for b.Loop() {
					if _, err := d.Detect(img); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		b.Run(fmt.Sprintf("mobilenetv2/threads=%d", threads), func(b *testing.B) {
			m := builtinForTest(b)
			s, err := newSession("built-in", m.ONNX, BuiltinInput, []string{BuiltinPooled}, SessionOptions{Threads: threads})
			if err != nil {
				b.Fatal(err)
			}
			defer s.close()
			for b.Loop() {
				in := BuiltinInputSpec.Tensor(BuiltinInputSpec.Fit(img))
				if _, err := s.run(in, []int64{1, BuiltinSize, BuiltinSize, 3}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
