package vecstore

import (
	"github.com/viterin/vek"
	"github.com/viterin/vek/vek32"
)

// dotFunc computes the dot product of two slices of equal, non-zero length.
type dotFunc func(a, b []float32) float32

// Accelerated reports whether dot products use vek's AVX2+FMA assembly. It is
// false on CPUs without AVX2 or FMA, on non-amd64 architectures and on
// macOS, where an unrolled Go loop is used instead.
func Accelerated() bool { return vek.Info().Acceleration }

// defaultDot is the fastest kernel available on this machine.
func defaultDot() dotFunc {
	if Accelerated() {
		return vek32.Dot
	}
	return dotUnrolled
}

// dotPlain is the straightforward loop, kept as the reference for tests and
// benchmarks.
func dotPlain(a, b []float32) float32 {
	b = b[:len(a)]
	var s float32
	for i, x := range a {
		s += x * b[i]
	}
	return s
}

// dotUnrolled is the portable fallback: eight independent accumulators hide
// the latency of the floating-point add, which the single-accumulator loop
// is bound by.
func dotUnrolled(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3, s4, s5, s6, s7 float32
	for len(a) >= 8 {
		x, y := a[:8:8], b[:8:8]
		s0 += x[0] * y[0]
		s1 += x[1] * y[1]
		s2 += x[2] * y[2]
		s3 += x[3] * y[3]
		s4 += x[4] * y[4]
		s5 += x[5] * y[5]
		s6 += x[6] * y[6]
		s7 += x[7] * y[7]
		a, b = a[8:], b[8:]
	}
	for i, x := range a {
		s0 += x * b[i]
	}
	return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
}
