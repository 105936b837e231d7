package vecstore

// dot8Func computes the dot product of two int8 slices of equal length,
// accumulated in int32.
type dot8Func func(a, b []int8) int32

// dotInt8 is the fastest int8 kernel available on this machine: AVX2
// assembly on amd64 CPUs that have it (unless built with the purego tag),
// otherwise dotInt8Go.
var dotInt8 = defaultDot8()

// Int8Accelerated reports whether int8 dot products (the Quantized index) use
// the AVX2 assembly kernel rather than the portable Go loop.
func Int8Accelerated() bool { return int8Accelerated }

// dotInt8Go is the portable int8 kernel: eight products per step into four
// int32 accumulators (1.5× faster than one product per accumulator). The sum
// wraps modulo 2³² like the assembly's, so both agree exactly for any input;
// with codes in [-127, 127] it cannot overflow below 133 000 components.
func dotInt8Go(a, b []int8) int32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 int32
	for len(a) >= 8 {
		x, y := a[:8:8], b[:8:8]
		s0 += int32(x[0])*int32(y[0]) + int32(x[4])*int32(y[4])
		s1 += int32(x[1])*int32(y[1]) + int32(x[5])*int32(y[5])
		s2 += int32(x[2])*int32(y[2]) + int32(x[6])*int32(y[6])
		s3 += int32(x[3])*int32(y[3]) + int32(x[7])*int32(y[7])
		a, b = a[8:], b[8:]
	}
	for i, x := range a {
		s0 += int32(x) * int32(b[i])
	}
	return (s0 + s1) + (s2 + s3)
}
