//go:build cgo

package onnxproto_test

import (
	"math"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	ort "github.com/yalue/onnxruntime_go"

	"relview/engine"
	"relview/engine/internal/onnxproto"
)

var (
	ortOnce sync.Once
	ortErr  error
	ortLib  string
)

// needORT initialises the ONNX Runtime environment once per process, or
// skips the test when the shared library cannot be found.
func needORT(t *testing.T) {
	t.Helper()
	lib, err := engine.FindRuntime("") // the app's own search order
	if err != nil {
		t.Skipf("ONNX Runtime shared library not found: %v", err)
	}
	ortOnce.Do(func() {
		ortLib = lib
		ort.SetSharedLibraryPath(lib)
		ortErr = ort.InitializeEnvironment(ort.WithLogLevelError())
	})
	if ortErr != nil {
		t.Fatalf("initialising ONNX Runtime from %s: %v", ortLib, ortErr)
	}
}

// runModel runs a single-output model on the given inputs and returns the
// output value (destroyed at test cleanup).
func runModel(t *testing.T, model []byte, inNames []string, inputs []ort.Value, outName string) ort.Value {
	t.Helper()
	sess, err := ort.NewDynamicAdvancedSessionWithONNXData(model, inNames, []string{outName}, nil)
	if err != nil {
		t.Fatalf("creating session: %v", err)
	}
	defer sess.Destroy()
	outs := []ort.Value{nil}
	if err := sess.Run(inputs, outs); err != nil {
		t.Fatalf("run: %v", err)
	}
	t.Cleanup(func() { outs[0].Destroy() })
	return outs[0]
}

func floatOutput(t *testing.T, v ort.Value) (ort.Shape, []float32) {
	t.Helper()
	ft, ok := v.(*ort.Tensor[float32])
	if !ok {
		t.Fatalf("output is %T, want *ort.Tensor[float32]", v)
	}
	return ft.GetShape(), ft.GetData()
}

func newTensor[T ort.TensorData](t *testing.T, shape ort.Shape, data []T) *ort.Tensor[T] {
	t.Helper()
	x, err := ort.NewTensor(shape, data)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Destroy() })
	return x
}

func assertClose(t *testing.T, got, want []float32, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d values, want %d", len(got), len(want))
	}
	for i := range got {
		if d := math.Abs(float64(got[i] - want[i])); d > tol*(1+math.Abs(float64(want[i]))) {
			t.Fatalf("value %d: got %v, want %v (|diff| %g)\ngot  %v\nwant %v", i, got[i], want[i], d, got, want)
		}
	}
}

func TestORTAdd(t *testing.T) {
	needORT(t)
	c := []float32{10, 20, 30}
	m := &onnxproto.Model{
		Producer: "onnxproto-test",
		Graph: onnxproto.Graph{
			Name:         "add",
			Nodes:        []onnxproto.Node{{Op: "Add", Inputs: []string{"x", "c"}, Outputs: []string{"y"}}},
			Initializers: []onnxproto.Tensor{onnxproto.FloatTensor("c", []int64{3}, c)},
			Inputs:       []onnxproto.ValueInfo{onnxproto.TensorInfo("x", onnxproto.Float, onnxproto.Sym("N"), onnxproto.D(3))},
			Outputs:      []onnxproto.ValueInfo{onnxproto.TensorInfo("y", onnxproto.Float, onnxproto.Sym("N"), onnxproto.D(3))},
		},
	}
	x := []float32{1, 2, 3, -4, -5, -6}
	out := runModel(t, m.MustMarshal(), []string{"x"}, []ort.Value{newTensor(t, ort.NewShape(2, 3), x)}, "y")
	shape, got := floatOutput(t, out)
	if !shape.Equals(ort.NewShape(2, 3)) {
		t.Fatalf("output shape %v", shape)
	}
	assertClose(t, got, []float32{11, 22, 33, 6, 15, 24}, 0)
}

func TestORTGemmAttributes(t *testing.T) {
	needORT(t)
	// y = alpha * x @ B^T + beta * C, with transB=1.
	const n, k, o = 2, 4, 3
	x := []float32{1, 2, 3, 4, -1, 0.5, 0, 2}
	b := []float32{ // [o, k]
		0.1, 0.2, 0.3, 0.4,
		-1, 0, 1, 0,
		2, -2, 0.5, 1,
	}
	cb := []float32{1, -1, 0.25}
	const alpha, beta = 0.5, 2
	m := &onnxproto.Model{
		Opset: 13,
		Graph: onnxproto.Graph{
			Nodes: []onnxproto.Node{{
				Op: "Gemm", Name: "gemm", Inputs: []string{"x", "B", "C"}, Outputs: []string{"y"},
				Attrs: []onnxproto.Attr{
					onnxproto.AttrFloat("alpha", alpha),
					onnxproto.AttrFloat("beta", beta),
					onnxproto.AttrInt("transB", 1),
				},
			}},
			Initializers: []onnxproto.Tensor{
				onnxproto.FloatTensor("B", []int64{o, k}, b),
				onnxproto.FloatTensor("C", []int64{o}, cb),
			},
			Inputs:  []onnxproto.ValueInfo{onnxproto.TensorInfo("x", onnxproto.Float, onnxproto.Sym("batch"), onnxproto.D(k))},
			Outputs: []onnxproto.ValueInfo{onnxproto.TensorInfo("y", onnxproto.Float, onnxproto.Sym("batch"), onnxproto.D(o))},
		},
	}
	want := make([]float32, n*o)
	for i := 0; i < n; i++ {
		for j := 0; j < o; j++ {
			var acc float64
			for l := 0; l < k; l++ {
				acc += float64(x[i*k+l]) * float64(b[j*k+l])
			}
			want[i*o+j] = float32(alpha*acc + beta*float64(cb[j]))
		}
	}
	out := runModel(t, m.MustMarshal(), []string{"x"}, []ort.Value{newTensor(t, ort.NewShape(n, k), x)}, "y")
	shape, got := floatOutput(t, out)
	if !shape.Equals(ort.NewShape(n, o)) {
		t.Fatalf("output shape %v", shape)
	}
	assertClose(t, got, want, 1e-6)
}

// TestORTTensorKinds exercises uint8 inputs, int64 initializers, a Constant
// node with a tensor attribute, and Transpose's ints attribute.
func TestORTTensorKinds(t *testing.T) {
	needORT(t)
	m := &onnxproto.Model{
		Graph: onnxproto.Graph{
			Nodes: []onnxproto.Node{
				{Op: "Cast", Inputs: []string{"x"}, Outputs: []string{"xf"},
					Attrs: []onnxproto.Attr{onnxproto.AttrInt("to", int64(onnxproto.Float))}},
				{Op: "Constant", Outputs: []string{"half"},
					Attrs: []onnxproto.Attr{onnxproto.AttrTensor("value", onnxproto.FloatTensor("", nil, []float32{0.5}))}},
				{Op: "Mul", Inputs: []string{"xf", "half"}, Outputs: []string{"xh"}},
				{Op: "Reshape", Inputs: []string{"xh", "shape"}, Outputs: []string{"r"}},
				{Op: "Transpose", Inputs: []string{"r"}, Outputs: []string{"y"},
					Attrs: []onnxproto.Attr{onnxproto.AttrInts("perm", 0, 2, 1)}},
			},
			Initializers: []onnxproto.Tensor{onnxproto.Int64Tensor("shape", []int64{3}, []int64{-1, 2, 3})},
			Inputs:       []onnxproto.ValueInfo{onnxproto.TensorInfo("x", onnxproto.Uint8, onnxproto.Sym("N"), onnxproto.D(6))},
			Outputs:      []onnxproto.ValueInfo{onnxproto.TensorInfo("y", onnxproto.Float, onnxproto.Sym("N"), onnxproto.D(3), onnxproto.D(2))},
		},
	}
	x := []uint8{0, 2, 4, 6, 8, 10, 255, 1, 3, 5, 7, 9}
	out := runModel(t, m.MustMarshal(), []string{"x"}, []ort.Value{newTensor(t, ort.NewShape(2, 6), x)}, "y")
	shape, got := floatOutput(t, out)
	if !shape.Equals(ort.NewShape(2, 3, 2)) {
		t.Fatalf("output shape %v", shape)
	}
	want := make([]float32, 12)
	for b := 0; b < 2; b++ {
		for i := 0; i < 2; i++ {
			for j := 0; j < 3; j++ {
				want[b*6+j*2+i] = float32(x[b*6+i*3+j]) / 2
			}
		}
	}
	assertClose(t, got, want, 0)
}

func TestORTIntrospection(t *testing.T) {
	needORT(t)
	spec := onnxproto.ImageEmbedderSpec{
		InputName: "images", OutputName: "vec", NHWC: true, Size: 32, OutDim: 8, Seed: 1,
		BatchParam: "B", Producer: "relview-test",
		Metadata: map[string]string{"relview.normalize": "imagenet", "relview.dim": "8"},
	}
	m, err := spec.Model()
	if err != nil {
		t.Fatal(err)
	}
	data := m.MustMarshal()
	ins, outs, err := ort.GetInputOutputInfoWithONNXData(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(ins) != 1 || len(outs) != 1 {
		t.Fatalf("inputs %v outputs %v", ins, outs)
	}
	if ins[0].Name != "images" || ins[0].OrtValueType != ort.ONNXTypeTensor ||
		ins[0].DataType != ort.TensorElementDataTypeFloat || !ins[0].Dimensions.Equals(ort.NewShape(-1, 32, 32, 3)) {
		t.Errorf("input info: %s", ins[0].String())
	}
	if outs[0].Name != "vec" || outs[0].DataType != ort.TensorElementDataTypeFloat ||
		!outs[0].Dimensions.Equals(ort.NewShape(-1, 8)) {
		t.Errorf("output info: %s", outs[0].String())
	}

	md, err := ort.GetModelMetadataWithONNXData(data)
	if err != nil {
		t.Fatal(err)
	}
	defer md.Destroy()
	if p, _ := md.GetProducerName(); p != "relview-test" {
		t.Errorf("producer %q", p)
	}
	if g, _ := md.GetGraphName(); g != "image_embedder" {
		t.Errorf("graph name %q", g)
	}
	keys, err := md.GetCustomMetadataMapKeys()
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(keys)
	if len(keys) != 2 || keys[0] != "relview.dim" || keys[1] != "relview.normalize" {
		t.Errorf("metadata keys %v", keys)
	}
	if v, ok, err := md.LookupCustomMetadataMap("relview.normalize"); err != nil || !ok || v != "imagenet" {
		t.Errorf("metadata lookup: %q %v %v", v, ok, err)
	}

	// A fixed batch shows up as a concrete dimension.
	spec.Batch, spec.NHWC = 2, false
	m2, _ := spec.Model()
	ins, outs, err = ort.GetInputOutputInfoWithONNXData(m2.MustMarshal())
	if err != nil {
		t.Fatal(err)
	}
	if !ins[0].Dimensions.Equals(ort.NewShape(2, 3, 32, 32)) || !outs[0].Dimensions.Equals(ort.NewShape(2, 8)) {
		t.Errorf("fixed batch: %s / %s", ins[0].String(), outs[0].String())
	}
}

func TestORTImageEmbedder(t *testing.T) {
	needORT(t)
	for _, tc := range []struct {
		name string
		spec onnxproto.ImageEmbedderSpec
		file bool
	}{
		{"nchw", onnxproto.ImageEmbedderSpec{NHWC: false, Size: 16, OutDim: 8, Seed: 42}, false},
		{"nhwc", onnxproto.ImageEmbedderSpec{NHWC: true, Size: 24, OutDim: 5, Seed: 3}, false},
		{"nhwc-grid2-file", onnxproto.ImageEmbedderSpec{NHWC: true, Size: 10, Grid: 2, OutDim: 16, Seed: 9,
			InputName: "input", OutputName: "output"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := tc.spec.Model()
			if err != nil {
				t.Fatal(err)
			}
			const n = 3
			shape := tc.spec.InputShape(n)
			imgs := make([]float32, ort.Shape(shape).FlattenedSize())
			seed := uint32(12345)
			for i := range imgs {
				seed = seed*1664525 + 1013904223
				imgs[i] = float32(seed>>8) / float32(1<<24)
			}
			want, err := tc.spec.Reference(imgs, n)
			if err != nil {
				t.Fatal(err)
			}
			inName, outName := tc.spec.InputName, tc.spec.OutputName
			if inName == "" {
				inName, outName = "pixel_values", "embedding"
			}
			x := newTensor(t, ort.NewShape(shape...), imgs)
			var out ort.Value
			if tc.file {
				path := filepath.Join(t.TempDir(), "embedder.onnx")
				if err := m.WriteFile(path); err != nil {
					t.Fatal(err)
				}
				sess, err := ort.NewDynamicAdvancedSession(path, []string{inName}, []string{outName}, nil)
				if err != nil {
					t.Fatalf("session from file: %v", err)
				}
				defer sess.Destroy()
				outs := []ort.Value{nil}
				if err := sess.Run([]ort.Value{x}, outs); err != nil {
					t.Fatal(err)
				}
				defer outs[0].Destroy()
				out = outs[0]
			} else {
				out = runModel(t, m.MustMarshal(), []string{inName}, []ort.Value{x}, outName)
			}
			gotShape, got := floatOutput(t, out)
			if !gotShape.Equals(ort.NewShape(n, int64(tc.spec.OutDim))) {
				t.Fatalf("output shape %v", gotShape)
			}
			assertClose(t, got, want, 1e-5)
			// Distinct random images must give distinct vectors.
			d := tc.spec.OutDim
			differ := false
			for i := 0; i < d; i++ {
				differ = differ || got[i] != got[d+i]
			}
			if !differ {
				t.Errorf("images 0 and 1 embed identically: %v", got)
			}
		})
	}
}
