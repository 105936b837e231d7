package vecstore

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"golang.org/x/sys/cpu"
)

func TestAccelerated(t *testing.T) {
	want := runtime.GOARCH == "amd64" && runtime.GOOS != "darwin" && cpu.X86.HasAVX2 && cpu.X86.HasFMA
	if Accelerated() != want {
		t.Fatalf("Accelerated() = %v, but CPU AVX2=%v FMA=%v", Accelerated(), cpu.X86.HasAVX2, cpu.X86.HasFMA)
	}
	t.Logf("Accelerated() = %v (AVX2=%v FMA=%v AVX512F=%v)", Accelerated(), cpu.X86.HasAVX2, cpu.X86.HasFMA, cpu.X86.HasAVX512F)
}

// TestKernelsAgree checks every kernel against a float64 dot product for
// lengths that exercise the SIMD tails.
func TestKernelsAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	lengths := []int{384, 512, 1024, 1792}
	for n := 1; n <= 70; n++ {
		lengths = append(lengths, n)
	}
	for _, n := range lengths {
		a, b := randVec(rng, n), randVec(rng, n)
		var want, mag float64
		for i := range a {
			want += float64(a[i]) * float64(b[i])
			mag += math.Abs(float64(a[i]) * float64(b[i]))
		}
		for _, k := range kernels {
			got := float64(k.dot(a, b))
			if math.Abs(got-want) > 1e-5*mag+1e-6 {
				t.Errorf("%s n=%d: %v, want %v", k.name, n, got, want)
			}
		}
	}
}
