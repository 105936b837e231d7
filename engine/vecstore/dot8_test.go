package vecstore

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"golang.org/x/sys/cpu"
)

// dotInt8Ref is the reference: one int64 accumulator.
func dotInt8Ref(a, b []int8) int64 {
	var s int64
	for i := range a {
		s += int64(a[i]) * int64(b[i])
	}
	return s
}

var kernels8 = []struct {
	name string
	dot  dot8Func
}{
	{"default", dotInt8},
	{"go", dotInt8Go},
}

func TestInt8Accelerated(t *testing.T) {
	want := runtime.GOARCH == "amd64" && cpu.X86.HasAVX2
	if Int8Accelerated() != want && !purego {
		t.Fatalf("Int8Accelerated() = %v, CPU AVX2 = %v", Int8Accelerated(), cpu.X86.HasAVX2)
	}
	t.Logf("Int8Accelerated() = %v (AVX2=%v)", Int8Accelerated(), cpu.X86.HasAVX2)
}

// TestDotInt8Exact checks every int8 kernel against the int64 reference:
// integer arithmetic, so the results must be equal, for lengths around the
// 16- and 64-component blocks of the assembly and for extreme values.
func TestDotInt8Exact(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	var lengths []int
	for n := 0; n <= 70; n++ {
		lengths = append(lengths, n)
	}
	lengths = append(lengths, 127, 128, 129, 143, 255, 383, 384, 385, 1023, 1024, 1791, 1792, 1793, 2047, 2048, 2049, 2063, 4111)
	gens := []struct {
		name string
		gen  func() int8
	}{
		{"uniform", func() int8 { return int8(rng.IntN(255) - 127) }},
		{"small", func() int8 { return int8(rng.IntN(7) - 3) }},
		{"extremes", func() int8 { return [...]int8{-127, 127}[rng.IntN(2)] }},
		{"all127", func() int8 { return 127 }},
		{"all-127", func() int8 { return -127 }},
		{"all-128", func() int8 { return -128 }}, // never produced by the quantiser
		{"with-128", func() int8 { return [...]int8{-128, 127, -127, 0, 1}[rng.IntN(5)] }},
	}
	for _, g := range gens {
		for _, n := range lengths {
			a, b := make([]int8, n), make([]int8, n)
			for i := range a {
				a[i], b[i] = g.gen(), g.gen()
			}
			want := dotInt8Ref(a, b)
			for _, k := range kernels8 {
				if got := k.dot(a, b); int64(got) != want {
					t.Errorf("%s %s n=%d: %d, want %d", k.name, g.name, n, got, want)
				}
				// -a·b, a·a: opposite signs and the largest positive sums.
				neg := make([]int8, n)
				for i, x := range a {
					neg[i] = -x // -(-128) wraps to -128, as the reference sees it too
				}
				if got, want := k.dot(neg, b), dotInt8Ref(neg, b); int64(got) != want {
					t.Errorf("%s %s n=%d negated: %d, want %d", k.name, g.name, n, got, want)
				}
				if got, want := k.dot(a, a), dotInt8Ref(a, a); int64(got) != want {
					t.Errorf("%s %s n=%d self: %d, want %d", k.name, g.name, n, got, want)
				}
			}
		}
	}
}

// dot8Blocks, the first stage's kernel, gives the exact sum for every
// multiple of 16, at any offset.
func TestDot8Blocks(t *testing.T) {
	rng := rand.New(rand.NewPCG(25, 26))
	buf := make([]int8, 4096+64)
	for i := range buf {
		buf[i] = int8(rng.IntN(255) - 127)
	}
	for _, n := range []int{16, 32, 48, 64, 128, 240, 256, 1792, 2048} {
		for off := range 32 {
			a, b := buf[off:off+n], buf[len(buf)-n-off:len(buf)-off]
			if got, want := dot8Blocks(a, b), dotInt8Ref(a, b); int64(got) != want {
				t.Fatalf("n=%d offset %d: %d, want %d", n, off, got, want)
			}
		}
	}
}

// TestDotInt8Unaligned runs the kernels on sub-slices starting at every
// offset within a cache line.
func TestDotInt8Unaligned(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	buf := make([]int8, 4096+128)
	for i := range buf {
		buf[i] = int8(rng.IntN(255) - 127)
	}
	for off := range 64 {
		for _, n := range []int{16, 64, 80, 1792, 2048} {
			a, b := buf[off:off+n], buf[len(buf)-n-off:len(buf)-off]
			want := dotInt8Ref(a, b)
			for _, k := range kernels8 {
				if got := k.dot(a, b); int64(got) != want {
					t.Fatalf("%s off=%d n=%d: %d, want %d", k.name, off, n, got, want)
				}
			}
		}
	}
}

// BenchmarkDotInt8 measures one int8 dot product per kernel.
func BenchmarkDotInt8(b *testing.B) {
	for _, dim := range []int{384, 1792, 2048} {
		rng := rand.New(rand.NewPCG(3, 4))
		x, y := make([]int8, dim), make([]int8, dim)
		for i := range x {
			x[i], y[i] = int8(rng.IntN(255)-127), int8(rng.IntN(255)-127)
		}
		for _, k := range kernels8 {
			b.Run(fmt.Sprintf("dim=%d/%s", dim, k.name), func(b *testing.B) {
				var s int32
				for b.Loop() {
					s += k.dot(x, y)
				}
				_ = s
			})
		}
	}
}
