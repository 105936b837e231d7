package engine

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"io"
	"path/filepath"

	ort "github.com/yalue/onnxruntime_go"
)

// Manifest describes a plug-in ONNX encoder that fills one space. A relsim
// export drops in as the relational encoder with a manifest like
//
//	{"name": "relsim", "space": "relational", "model": "relsim.onnx",
//	 "input": {"name": "pixel_values", "width": 448, "height": 448, "layout": "NCHW",
//	           "resize": "center-crop", "mean": [0.48145466, 0.4578275, 0.40821073],
//	           "std": [0.26862954, 0.26130258, 0.27577711]},
//	 "output": {"name": "embedding", "dim": 384}}
type Manifest struct {
	Name        string     `json:"name"`
	Space       string     `json:"space"`
	Model       string     `json:"model"` // ONNX file, relative to the manifest's folder
	Description string     `json:"description,omitempty"`
	License     string     `json:"license,omitempty"`
	Input       InputSpec  `json:"input"`
	Output      OutputSpec `json:"output"`

	path string // the manifest file, for messages
}

// OutputSpec names the model output holding the embedding.
type OutputSpec struct {
	Name string `json:"name"`
	Dim  int    `json:"dim"`
}

// Size limits of a plug-in's files: a manifest is a few hundred bytes; ONNX
// keeps a model in one protobuf, which cannot exceed 2 GB.
const (
	maxManifestBytes = 1 << 20
	maxModelBytes    = 2 << 30
)

// LoadManifest reads and checks a manifest file (unknown fields are errors:
// a typo must not silently fall back to a default).
func LoadManifest(path string) (*Manifest, error) {
	b, err := ReadRegular(path, maxManifestBytes)
	if err != nil {
		return nil, fmt.Errorf("manifest %s: %w", path, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var m Manifest
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("manifest %s: %w", path, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("manifest %s: more after the JSON object (one object per manifest)", path)
	}
	// A fixed-size array takes the first three of a longer list in silence.
	var counts struct {
		Input struct {
			Mean, Std []float32
		}
	}
	if err := json.Unmarshal(b, &counts); err == nil {
		for name, v := range map[string][]float32{"mean": counts.Input.Mean, "std": counts.Input.Std} {
			if v != nil && len(v) != 3 {
				return nil, fmt.Errorf("manifest %s: input %s has %d values, want 3 (R, G, B)", path, name, len(v))
			}
		}
	}
	m.path = path
	if m.Input.Scale == 0 {
		m.Input.Scale = 1
	}
	if err := m.validate(); err != nil {
		return nil, fmt.Errorf("manifest %s: %w", path, err)
	}
	return &m, nil
}

func (m *Manifest) validate() error {
	switch {
	case m.Name == "":
		return fmt.Errorf("name is empty")
	case m.Space != Relational && m.Space != Visual:
		return fmt.Errorf("space %q: want %q or %q (the two columns relview shows)", m.Space, Relational, Visual)
	case m.Model == "":
		return fmt.Errorf("model (the .onnx file) is empty")
	case m.Output.Name == "":
		return fmt.Errorf("output name is empty")
	case m.Output.Dim <= 0:
		return fmt.Errorf("output dim %d must be > 0", m.Output.Dim)
	}
	return m.Input.Validate()
}

// ModelPath is the ONNX file's path.
func (m *Manifest) ModelPath() string {
	if filepath.IsAbs(m.Model) {
		return m.Model
	}
	return filepath.Join(filepath.Dir(m.path), m.Model)
}

// pluginEncoder runs a manifest's model; it fills one space.
type pluginEncoder struct {
	m    *Manifest
	sess *session
}

// OpenPlugin loads the manifest's model into ONNX Runtime after checking that
// its input and output names and shapes agree with the manifest.
func OpenPlugin(m *Manifest, opts SessionOptions) (Encoder, error) {
	model, err := ReadRegular(m.ModelPath(), maxModelBytes)
	if err != nil {
		return nil, fmt.Errorf("plug-in %s (%s): %w", m.Name, m.path, err)
	}
	if err := checkModelIO(m, model); err != nil {
		return nil, fmt.Errorf("plug-in %s (%s): model %s: %w", m.Name, m.path, m.ModelPath(), err)
	}
	s, err := newSession(m.ModelPath(), model, m.Input.Name, []string{m.Output.Name}, opts)
	if err != nil {
		return nil, fmt.Errorf("plug-in %s (%s): %w", m.Name, m.path, err)
	}
	return &pluginEncoder{m: m, sess: s}, nil
}

// checkModelIO compares the model's declared inputs and outputs with the manifest.
func checkModelIO(m *Manifest, model []byte) error {
	ins, outs, err := modelIO(model)
	if err != nil {
		return fmt.Errorf("not a loadable ONNX model: %w", err)
	}
	var in *ort.InputOutputInfo
	var names []string
	for i := range ins {
		names = append(names, ins[i].Name)
		if ins[i].Name == m.Input.Name {
			in = &ins[i]
		}
	}
	if in == nil {
		return fmt.Errorf("has no input %q (inputs: %v)", m.Input.Name, names)
	}
	if len(ins) != 1 {
		return fmt.Errorf("has %d inputs %v; plug-in encoders take exactly one image input", len(ins), names)
	}
	if in.DataType != ort.TensorElementDataTypeFloat {
		return fmt.Errorf("input %q is %s, want float32", in.Name, in.DataType)
	}
	want := []int64{1, 3, int64(m.Input.Height), int64(m.Input.Width)}
	if m.Input.Layout == NHWC {
		want = []int64{1, int64(m.Input.Height), int64(m.Input.Width), 3}
	}
	if !shapeAccepts(in.Dimensions, want) {
		return fmt.Errorf("input %q has shape %v; the manifest (%s %dx%d) needs %v", in.Name, in.Dimensions, m.Input.Layout, m.Input.Width, m.Input.Height, want)
	}
	names = names[:0]
	for _, o := range outs {
		names = append(names, o.Name)
		if o.Name != m.Output.Name {
			continue
		}
		if o.DataType != ort.TensorElementDataTypeFloat {
			return fmt.Errorf("output %q is %s, want float32", o.Name, o.DataType)
		}
		d := o.Dimensions
		if len(d) == 0 {
			return fmt.Errorf("output %q is a scalar, want a %d-d vector", o.Name, m.Output.Dim)
		}
		if last := d[len(d)-1]; last > 0 && last != int64(m.Output.Dim) {
			return fmt.Errorf("output %q has shape %v; the manifest says dim %d", o.Name, d, m.Output.Dim)
		}
		return nil
	}
	return fmt.Errorf("has no output %q (outputs: %v)", m.Output.Name, names)
}

// shapeAccepts reports whether a declared shape (with -1 for free dims) can
// take a tensor of shape want.
func shapeAccepts(declared ort.Shape, want []int64) bool {
	if len(declared) != len(want) {
		return false
	}
	for i, d := range declared {
		if d > 0 && d != want[i] {
			return false
		}
	}
	return true
}

func (p *pluginEncoder) Spaces() []SpaceInfo {
	note := p.m.Description
	if note == "" {
		note = "plug-in ONNX encoder"
	}
	return []SpaceInfo{{Space: p.m.Space, Model: p.m.Name, Dim: p.m.Output.Dim, Source: p.m.path, Note: note}}
}

func (p *pluginEncoder) Encode(img image.Image) (Vectors, error) {
	spec := p.m.Input
	data := spec.Tensor(spec.Fit(img))
	shape := []int64{1, 3, int64(spec.Height), int64(spec.Width)}
	if spec.Layout == NHWC {
		shape = []int64{1, int64(spec.Height), int64(spec.Width), 3}
	}
	out, err := p.sess.run(data, shape)
	if err != nil {
		return nil, fmt.Errorf("plug-in %s: %w", p.m.Name, err)
	}
	v := out[p.m.Output.Name].Data
	if len(v) != p.m.Output.Dim {
		return nil, fmt.Errorf("plug-in %s: output %q has %d values, the manifest says dim %d", p.m.Name, p.m.Output.Name, len(v), p.m.Output.Dim)
	}
	if !Normalize(v) {
		return nil, fmt.Errorf("plug-in %s: output %q is zero or not finite", p.m.Name, p.m.Output.Name)
	}
	return Vectors{p.m.Space: v}, nil
}

func (p *pluginEncoder) Close() { p.sess.close() }
