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
	// Detector is the object detector's ONNX file (NanoDet-g,
	// assets.DetectorONNX): the Objects space reads object relations off its
	// boxes for "why". Needed only when the relational space is built in.
	Detector []byte
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
// pass the visual vector and/or the relational descriptor; with the
// relational space it also fills Objects from the detector.
type builtinEncoder struct {
	model      BuiltinModel
	sha        string
	sess       *session
	det        *Detector // with the relational space only
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
	if relational && len(m.Detector) == 0 {
		return nil, fmt.Errorf("built-in model %s: the relational encoder needs the object detector", m.Name)
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
	b := &builtinEncoder{model: m, sha: hex.EncodeToString(sum[:]), sess: s, visual: visual, relational: relational}
	if relational {
		if b.det, err = OpenDetector(m.Detector, opts); err != nil {
			s.close()
			return nil, err
		}
	}
	return b, nil
}

func (b *builtinEncoder) Spaces() []SpaceInfo {
	var s []SpaceInfo
	src := "built-in (embedded " + b.model.Name + ".onnx, sha256 " + b.sha[:12] + ")"
	if b.relational {
		s = append(s, SpaceInfo{
			Space: Relational, Model: RelationalEncoderName, Dim: RelationalDim, Source: src,
			Note: "built-in approximation of relsim, not relsim: compares how an image's parts relate (layout, strata, silhouettes, repetition, symmetry, reflection, radial and converging lines), not what they are; it cannot see semantic analogies (a relsim ONNX export plugs in with --plugin)",
		}, SpaceInfo{
			Space: Objects, Model: ObjectsModelName, Dim: ObjectsDim, Source: "built-in NanoDet-g object detector",
			Note:     "object relations (alike and different objects, pairs, rows, small or cut-off subjects) from the detector's boxes with the classes dropped: not searched, they name why two photos relate",
			Deferred: true, Aux: true,
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
	return b.EncodeSpaces(img, map[string]bool{Visual: true, Relational: true, Objects: true})
}

// EncodeSpaces fills the wanted spaces of this encoder: the visual and
// relational vectors from one backbone pass, the objects from one detector
// pass (each run only when wanted).
func (b *builtinEncoder) EncodeSpaces(img image.Image, want map[string]bool) (Vectors, error) {
	vs, errs := b.EncodeSpacesBatch([]image.Image{img}, want)
	return vs[0], errs[0]
}

// EncodeSpacesBatch is EncodeSpaces for several images, with one backbone
// run for all of them: a batch costs less per image than single runs
// (BenchmarkBackboneBatch: ~20 % less at 2 on one thread). Each image gets
// its vectors or its own error.
func (b *builtinEncoder) EncodeSpacesBatch(imgs []image.Image, want map[string]bool) ([]Vectors, []error) {
	visual, relational, objects := want[Visual] && b.visual, want[Relational] && b.relational, want[Objects] && b.relational
	vs, errs := make([]Vectors, len(imgs)), make([]error, len(imgs))
	for i, img := range imgs {
		vs[i] = Vectors{}
		if objects {
			dets, err := b.det.Detect(img)
			if err != nil {
				errs[i] = fmt.Errorf("built-in object relations: %w", err)
				continue
			}
			vs[i][Objects] = objectVector(dets, img, b.model.RelationalStats)
		}
	}
	if !visual && !relational {
		return vs, errs
	}
	spec := BuiltinInputSpec
	per := BuiltinSize * BuiltinSize * 3
	in := make([]float32, 0, len(imgs)*per)
	for _, img := range imgs {
		in = append(in, spec.Tensor(spec.Fit(img))...)
	}
	outs, err := b.sess.run(in, []int64{int64(len(imgs)), BuiltinSize, BuiltinSize, 3})
	for i := range imgs {
		if errs[i] != nil {
			continue
		}
		if err != nil {
			errs[i] = err
			continue
		}
		out, err := batchItem(outs, i, len(imgs))
		if err != nil {
			errs[i] = fmt.Errorf("built-in %s: %w", b.model.Name, err)
			continue
		}
		if errs[i] = b.vectors(out, in[i*per:(i+1)*per], visual, relational, vs[i]); errs[i] != nil {
			vs[i] = nil
		}
	}
	return vs, errs
}

// batchItem is image i's part of a batch run's outputs (batch 1 shapes).
func batchItem(outs map[string]tensorOut, i, n int) (map[string]tensorOut, error) {
	one := make(map[string]tensorOut, len(outs))
	for name, t := range outs {
		if len(t.Shape) == 0 || t.Shape[0] != int64(n) || len(t.Data)%n != 0 {
			return nil, fmt.Errorf("output %s of shape %v for a batch of %d", name, t.Shape, n)
		}
		per := len(t.Data) / n
		shape := append([]int64{1}, t.Shape[1:]...)
		one[name] = tensorOut{Data: t.Data[i*per : (i+1)*per], Shape: shape}
	}
	return one, nil
}

// vectors derives the wanted spaces' vectors of one image from its backbone
// outputs and input tensor, into v.
func (b *builtinEncoder) vectors(out map[string]tensorOut, in []float32, visual, relational bool, v Vectors) error {
	// The relational part reads the raw pooled vector: before the visual
	// part centres it in place.
	if relational {
		r, err := relationalDescriptor(out, in, b.model.RelationalStats)
		if err != nil {
			return fmt.Errorf("built-in relational: %w", err)
		}
		v[Relational] = r
	}
	if visual {
		// Centre on the unit sphere: unit-normalise, subtract the mean unit
		// vector of real photos, normalise again.
		p := out[BuiltinPooled].Data
		if !Normalize(p) {
			return fmt.Errorf("built-in %s: pooled vector is zero", b.model.Name)
		}
		for i := range p {
			p[i] -= b.model.VisualMean[i]
		}
		if !Normalize(p) {
			return fmt.Errorf("built-in %s: pooled vector is zero", b.model.Name)
		}
		v[Visual] = p
	}
	return nil
}

func (b *builtinEncoder) Close() {
	b.sess.close()
	if b.det != nil {
		b.det.Close()
	}
}
