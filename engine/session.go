package engine

import (
	"fmt"
	"runtime"

	ort "github.com/yalue/onnxruntime_go"
)

// session runs one ONNX model with one float32 image input and named float32
// outputs. ONNX Runtime sessions are safe for concurrent Run calls.
type session struct {
	name    string // for error messages: the model's file or embedded name
	sess    *ort.DynamicAdvancedSession
	input   string
	outputs []string
}

// SessionOptions tunes ONNX Runtime for relview's workload.
type SessionOptions struct {
	// Threads is ONNX Runtime's intra-op thread count; 0 means all cores.
	// Indexing runs several images at once with 1 thread each.
	Threads int
}

func newSession(name string, model []byte, input string, outputs []string, opts SessionOptions) (*session, error) {
	so, err := ort.NewSessionOptions()
	if err != nil {
		return nil, fmt.Errorf("model %s: session options: %w", name, err)
	}
	defer so.Destroy()
	threads := opts.Threads
	if threads <= 0 {
		threads = runtime.NumCPU()
	}
	if err := so.SetIntraOpNumThreads(threads); err != nil {
		return nil, fmt.Errorf("model %s: threads: %w", name, err)
	}
	_ = so.SetInterOpNumThreads(1)
	// Spinning worker threads fight the decoder and the UI for the cores.
	_ = so.AddSessionConfigEntry("session.intra_op.allow_spinning", "0")
	_ = so.AddSessionConfigEntry("session.inter_op.allow_spinning", "0")
	s, err := ort.NewDynamicAdvancedSessionWithONNXData(model, []string{input}, outputs, so)
	if err != nil {
		return nil, fmt.Errorf("model %s: %w", name, err)
	}
	return &session{name: name, sess: s, input: input, outputs: outputs}, nil
}

// tensorOut is one output of a run: data and shape.
type tensorOut struct {
	Data  []float32
	Shape []int64
}

// run feeds one input tensor of the given shape and returns every output.
func (s *session) run(data []float32, shape []int64) (map[string]tensorOut, error) {
	in, err := ort.NewTensor(ort.NewShape(shape...), data)
	if err != nil {
		return nil, fmt.Errorf("model %s: input tensor %v: %w", s.name, shape, err)
	}
	defer in.Destroy()
	outs := make([]ort.Value, len(s.outputs))
	defer func() {
		for _, o := range outs {
			if o != nil {
				o.Destroy()
			}
		}
	}()
	if err := s.sess.Run([]ort.Value{in}, outs); err != nil {
		return nil, fmt.Errorf("model %s: run: %w", s.name, err)
	}
	res := make(map[string]tensorOut, len(outs))
	for i, o := range outs {
		t, ok := o.(*ort.Tensor[float32])
		if !ok {
			return nil, fmt.Errorf("model %s: output %q is %s, want a float32 tensor", s.name, s.outputs[i], o.GetONNXType())
		}
		src := t.GetData()
		res[s.outputs[i]] = tensorOut{Data: append([]float32(nil), src...), Shape: t.GetShape().Clone()}
	}
	return res, nil
}

func (s *session) close() {
	if s != nil && s.sess != nil {
		s.sess.Destroy()
		s.sess = nil
	}
}

// modelIO lists a model's inputs and outputs as ONNX Runtime sees them.
func modelIO(model []byte) (ins, outs []ort.InputOutputInfo, err error) {
	return ort.GetInputOutputInfoWithONNXData(model)
}
