package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
)

// BuiltinModel is the default backbone: MobileNetV2 (width 1.4, 224²),
// converted from the nsfwjs TF.js graph model, with the mean of its pooled
// vector over real photos (the visual space subtracts it before cosine).
type BuiltinModel struct {
	Name       string    // e.g. "mobilenet_v2_140_224"
	ONNX       []byte    // the model file
	VisualMean []float32 // mean of unit pooled vectors of real photos, len = BuiltinPooledDim
	// RelationalStats are the statistics of the relational descriptor over
	// real photos (cue means and deviations, then the mean descriptor), len
	// = RelationalStatsLen; needed only when the relational space is built in.
	RelationalStats []float32
}

// Names and sizes in the built-in model (see docs/conversion.md).
const (
	BuiltinInput     = "input" // float32 [N,224,224,3], RGB in 0..1
	BuiltinPooled    = "pooled"
	BuiltinPooledDim = 1792
	BuiltinSize      = 224
)

// BuiltinInputSpec is how images reach the built-in backbone: the whole
// image stretched to 224², so a layout's every part is seen.
var BuiltinInputSpec = InputSpec{
	Name: BuiltinInput, Width: BuiltinSize, Height: BuiltinSize, Layout: NHWC,
	Resize: Stretch, Scale: 1, Std: [3]float32{1, 1, 1},
}

// builtinEncoder runs the backbone once per image and derives from that one
// pass the visual vector and/or the relational descriptor.
type builtinEncoder struct {
	model      BuiltinModel
	sha        string
	sess       *session
	visual     bool
	relational bool
}

// OpenBuiltin loads the built-in backbone to fill the visual space, the
// relational space, or both.
func OpenBuiltin(m BuiltinModel, visual, relational bool, opts SessionOptions) (Encoder, error) {
	if len(m.VisualMean) != BuiltinPooledDim {
		return nil, fmt.Errorf("built-in model %s: visual mean has %d values, want %d", m.Name, len(m.VisualMean), BuiltinPooledDim)
	}
	if relational && len(m.RelationalStats) != RelationalStatsLen {
		return nil, fmt.Errorf("built-in model %s: relational statistics have %d values, want %d", m.Name, len(m.RelationalStats), RelationalStatsLen)
	}
	sum := sha256.Sum256(m.ONNX)
	outs := []string{BuiltinPooled}
	if relational {
		outs = append(outs, relationalInputs...)
	}
	s, err := newSession("built-in "+m.Name, m.ONNX, BuiltinInput, outs, opts)
	if err != nil {
		return nil, err
	}
	return &builtinEncoder{model: m, sha: hex.EncodeToString(sum[:]), sess: s, visual: visual, relational: relational}, nil
}

func (b *builtinEncoder) Spaces() []SpaceInfo {
	var s []SpaceInfo
	src := "built-in (embedded " + b.model.Name + ".onnx, sha256 " + b.sha[:12] + ")"
	if b.relational {
		s = append(s, SpaceInfo{
			Space: Relational, Model: RelationalEncoderName, Dim: RelationalDim, Source: src,
			Note: "built-in structural approximation of relsim, not relsim: compares how an image's regions relate (layout, repetition, symmetry, reflection, nesting), not what they are",
		})
	}
	if b.visual {
		s = append(s, SpaceInfo{
			Space: Visual, Model: b.model.Name + " pooled, centred", Dim: BuiltinPooledDim, Source: src,
			Note: "MobileNetV2-1.4 ImageNet features: colours, textures, objects",
		})
	}
	return s
}

func (b *builtinEncoder) Encode(img image.Image) (Vectors, error) {
	spec := BuiltinInputSpec
	in := spec.Tensor(spec.Fit(img))
	out, err := b.sess.run(in, []int64{1, BuiltinSize, BuiltinSize, 3})
	if err != nil {
		return nil, err
	}
	v := Vectors{}
	if b.visual {
		// Centre on the unit sphere: unit-normalise, subtract the mean unit
		// vector of real photos, normalise again.
		p := out[BuiltinPooled].Data
		if !Normalize(p) {
			return nil, fmt.Errorf("built-in %s: pooled vector is zero", b.model.Name)
		}
		for i := range p {
			p[i] -= b.model.VisualMean[i]
		}
		if !Normalize(p) {
			return nil, fmt.Errorf("built-in %s: pooled vector is zero", b.model.Name)
		}
		v[Visual] = p
	}
	if b.relational {
		r, err := relationalDescriptor(out, in, b.model.RelationalStats)
		if err != nil {
			return nil, fmt.Errorf("built-in relational: %w", err)
		}
		v[Relational] = r
	}
	return v, nil
}

func (b *builtinEncoder) Close() { b.sess.close() }
