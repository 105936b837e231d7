package onnxproto

import (
	"fmt"
	"math"
)

// ImageEmbedderSpec describes a tiny, deterministic "image encoder" model for
// tests. Its graph is
//
//	input  float32 [B,3,Size,Size] (NCHW) or [B,Size,Size,3] (NHWC)
//	(NHWC only) Transpose perm=[0,3,1,2]         -> [B,3,Size,Size]
//	AveragePool kernel=stride=Size/Grid           -> [B,3,Grid,Grid]
//	Flatten axis=1                                -> [B,3*Grid*Grid]
//	Gemm with W [3*Grid*Grid,OutDim], bias [OutDim] -> [B,OutDim]
//
// W and bias are pseudo-random values derived from Seed, so different images
// (differing at Grid x Grid resolution) give different vectors, and
// Reference reproduces the model's output in Go.
type ImageEmbedderSpec struct {
	InputName  string // default "pixel_values"
	OutputName string // default "embedding"
	NHWC       bool   // input layout [B,H,W,3] instead of [B,3,H,W]
	Size       int    // input height = width; must be a multiple of Grid
	Grid       int    // pooled grid side; default 4
	OutDim     int    // embedding dimension (> 0)
	Seed       uint64 // weight seed
	// Batch fixes the batch dimension; 0 leaves it symbolic, named
	// BatchParam (default "batch").
	Batch      int64
	BatchParam string
	Producer   string            // default "relview-onnxproto"
	Metadata   map[string]string // copied into Model.Metadata
}

// ImageEmbedder is a shorthand for ImageEmbedderSpec{...}.Model() with a
// symbolic batch and a 4x4 pooling grid. It panics on invalid arguments.
func ImageEmbedder(inputName, outputName string, layoutNCHW bool, size, outDim int, seed uint64) *Model {
	m, err := ImageEmbedderSpec{
		InputName: inputName, OutputName: outputName, NHWC: !layoutNCHW,
		Size: size, OutDim: outDim, Seed: seed,
	}.Model()
	if err != nil {
		panic(err)
	}
	return m
}

func (s ImageEmbedderSpec) withDefaults() ImageEmbedderSpec {
	if s.InputName == "" {
		s.InputName = "pixel_values"
	}
	if s.OutputName == "" {
		s.OutputName = "embedding"
	}
	if s.Grid == 0 {
		s.Grid = 4
	}
	if s.BatchParam == "" {
		s.BatchParam = "batch"
	}
	if s.Producer == "" {
		s.Producer = "relview-onnxproto"
	}
	return s
}

func (s ImageEmbedderSpec) check() error {
	if s.Grid <= 0 || s.Size <= 0 || s.Size%s.Grid != 0 {
		return fmt.Errorf("onnxproto: image embedder: size %d must be a positive multiple of grid %d", s.Size, s.Grid)
	}
	if s.OutDim <= 0 {
		return fmt.Errorf("onnxproto: image embedder: outDim %d must be > 0", s.OutDim)
	}
	if s.Batch < 0 {
		return fmt.Errorf("onnxproto: image embedder: batch %d must be >= 0", s.Batch)
	}
	if s.InputName == s.OutputName {
		return fmt.Errorf("onnxproto: image embedder: input and output share the name %q", s.InputName)
	}
	return nil
}

// Features is the length of the pooled feature vector (3*Grid*Grid).
func (s ImageEmbedderSpec) Features() int {
	s = s.withDefaults()
	return 3 * s.Grid * s.Grid
}

// Weights returns the Gemm weight W (row-major [Features(), OutDim]) and bias
// [OutDim] used by Model and Reference.
func (s ImageEmbedderSpec) Weights() (w, bias []float32) {
	s = s.withDefaults()
	f := s.Features()
	rng := splitmix64(s.Seed)
	scale := float32(1 / math.Sqrt(float64(f)))
	w = make([]float32, f*s.OutDim)
	for i := range w {
		w[i] = rng.uniform() * scale
	}
	bias = make([]float32, s.OutDim)
	for i := range bias {
		bias[i] = rng.uniform() * 0.1
	}
	return w, bias
}

// InputShape returns the concrete input shape for a batch of n images.
func (s ImageEmbedderSpec) InputShape(n int) []int64 {
	s = s.withDefaults()
	sz := int64(s.Size)
	if s.NHWC {
		return []int64{int64(n), sz, sz, 3}
	}
	return []int64{int64(n), 3, sz, sz}
}

// Model builds the ONNX model.
func (s ImageEmbedderSpec) Model() (*Model, error) {
	s = s.withDefaults()
	if err := s.check(); err != nil {
		return nil, err
	}
	batch := Sym(s.BatchParam)
	if s.Batch > 0 {
		batch = D(s.Batch)
	}
	sz := D(int64(s.Size))
	inShape := []Dim{batch, D(3), sz, sz}
	if s.NHWC {
		inShape = []Dim{batch, sz, sz, D(3)}
	}
	f := int64(s.Features())
	k := int64(s.Size / s.Grid)
	w, bias := s.Weights()

	var nodes []Node
	x := s.InputName
	if s.NHWC {
		nodes = append(nodes, Node{Op: "Transpose", Name: "to_nchw", Inputs: []string{x},
			Outputs: []string{"nchw"}, Attrs: []Attr{AttrInts("perm", 0, 3, 1, 2)}})
		x = "nchw"
	}
	nodes = append(nodes,
		Node{Op: "AveragePool", Name: "pool", Inputs: []string{x}, Outputs: []string{"pooled"},
			Attrs: []Attr{AttrInts("kernel_shape", k, k), AttrInts("strides", k, k)}},
		Node{Op: "Flatten", Name: "flatten", Inputs: []string{"pooled"}, Outputs: []string{"features"},
			Attrs: []Attr{AttrInt("axis", 1)}},
		Node{Op: "Gemm", Name: "project", Inputs: []string{"features", "W", "bias"},
			Outputs: []string{s.OutputName},
			Attrs:   []Attr{AttrFloat("alpha", 1), AttrFloat("beta", 1)}},
	)
	meta := make(map[string]string, len(s.Metadata))
	for k, v := range s.Metadata {
		meta[k] = v
	}
	return &Model{
		Producer: s.Producer,
		Metadata: meta,
		Graph: Graph{
			Name:  "image_embedder",
			Nodes: nodes,
			Initializers: []Tensor{
				FloatTensor("W", []int64{f, int64(s.OutDim)}, w),
				FloatTensor("bias", []int64{int64(s.OutDim)}, bias),
			},
			Inputs:  []ValueInfo{{Name: s.InputName, Elem: Float, Shape: inShape}},
			Outputs: []ValueInfo{{Name: s.OutputName, Elem: Float, Shape: []Dim{batch, D(int64(s.OutDim))}}},
		},
	}, nil
}

// Reference computes in Go what the model outputs for n images laid out as
// the model's input (len(images) == n*3*Size*Size, in the spec's layout). It
// returns n*OutDim values, row-major [n, OutDim]. Accumulation is in float64,
// so results match ONNX Runtime's to float32 rounding (~1e-5 relative).
func (s ImageEmbedderSpec) Reference(images []float32, n int) ([]float32, error) {
	s = s.withDefaults()
	if err := s.check(); err != nil {
		return nil, err
	}
	S, G := s.Size, s.Grid
	if len(images) != n*3*S*S {
		return nil, fmt.Errorf("onnxproto: image embedder reference: %d values for %d images of %dx%dx3", len(images), n, S, S)
	}
	k := S / G
	f := s.Features()
	w, bias := s.Weights()
	out := make([]float32, n*s.OutDim)
	feat := make([]float64, f)
	for b := 0; b < n; b++ {
		img := images[b*3*S*S : (b+1)*3*S*S]
		for c := 0; c < 3; c++ {
			for gy := 0; gy < G; gy++ {
				for gx := 0; gx < G; gx++ {
					var sum float64
					for y := gy * k; y < (gy+1)*k; y++ {
						for x := gx * k; x < (gx+1)*k; x++ {
							var v float32
							if s.NHWC {
								v = img[(y*S+x)*3+c]
							} else {
								v = img[(c*S+y)*S+x]
							}
							sum += float64(v)
						}
					}
					feat[(c*G+gy)*G+gx] = sum / float64(k*k)
				}
			}
		}
		for o := 0; o < s.OutDim; o++ {
			acc := float64(bias[o])
			for i := 0; i < f; i++ {
				acc += feat[i] * float64(w[i*s.OutDim+o])
			}
			out[b*s.OutDim+o] = float32(acc)
		}
	}
	return out, nil
}

// rng is a splitmix64 generator: tiny, deterministic across platforms.
type rng struct{ state uint64 }

func splitmix64(seed uint64) *rng { return &rng{state: seed} }

func (r *rng) next() uint64 {
	r.state += 0x9E3779B97F4A7C15
	z := r.state
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}

// uniform returns a float32 in [-1, 1).
func (r *rng) uniform() float32 {
	return float32(r.next()>>40)/float32(1<<24)*2 - 1
}
