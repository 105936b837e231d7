package engine

import (
	"testing"
)

// The relational descriptor's cost beyond the shared forward pass:
//
//	go test ./engine -run '^$' -bench Relational -benchtime 200x
func BenchmarkRelationalDescriptor(b *testing.B) {
	needRuntime(b)
	m := builtinForTest(b)
	s, err := newSession("bench", m.ONNX, BuiltinInput, append([]string{BuiltinPooled}, relationalInputs...), SessionOptions{Threads: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer s.close()
	img, err := DecodeFile(photo("kite.jpg"))
	if err != nil {
		b.Fatal(err)
	}
	in := BuiltinInputSpec.Tensor(BuiltinInputSpec.Fit(img))
	shape := []int64{1, BuiltinSize, BuiltinSize, 3}
	out, err := s.run(in, shape)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("forward-pass", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.run(in, shape); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("descriptor", func(b *testing.B) {
		for b.Loop() {
			if _, err := relationalDescriptor(out, in, m.RelationalStats); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("descriptor/ssm", func(b *testing.B) {
		t := out["block_12"]
		for b.Loop() {
			d := make([]float32, 0, RelationalDim)
			for _, g := range []int{relCoarse, relFine} {
				d = flipSymmetricSSM(d, selfSimilarity(poolCells(t.Data, 136, 14, 14, g)), g)
			}
		}
	})
	b.Run("descriptor/cues", func(b *testing.B) {
		for b.Loop() {
			relationalCues(in)
		}
	})
}
