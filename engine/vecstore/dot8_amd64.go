//go:build amd64 && !purego

package vecstore

import "golang.org/x/sys/cpu"

var int8Accelerated = cpu.X86.HasAVX2

func defaultDot8() dot8Func {
	if int8Accelerated {
		return dotInt8AVX2
	}
	return dotInt8Go
}

// dotInt8AVX2 is dotInt8Go with the bulk of the work, every full block of 16
// components, done by the assembly in dot8_amd64.s. Only for CPUs with AVX2.
func dotInt8AVX2(a, b []int8) int32 {
	b = b[:len(a)]
	n := len(a) &^ 15
	var s int32
	if n > 0 {
		s = dotInt8x16(&a[0], &b[0], n)
	}
	for i := n; i < len(a); i++ {
		s += int32(a[i]) * int32(b[i])
	}
	return s
}

// dotInt8x16 returns the int32 dot product of the n int8s at a and b; n must
// be a positive multiple of 16.
//
//go:noescape
func dotInt8x16(a, b *int8, n int) int32

// dot8Blocks is dotInt8 for slices whose length is a positive multiple of
// 16: a direct call of the assembly, which the first stage of a shortlist
// search makes once per row (15% faster there than through a dot8Func).
func dot8Blocks(a, b []int8) int32 {
	if int8Accelerated {
		return dotInt8x16(&a[0], &b[:len(a)][0], len(a))
	}
	return dotInt8Go(a, b)
}
