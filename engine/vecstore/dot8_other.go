//go:build !amd64 || purego

package vecstore

const int8Accelerated = false

func defaultDot8() dot8Func { return dotInt8Go }

// dot8Blocks is dotInt8 for slices whose length is a positive multiple of
// 16 (see the amd64 version).
func dot8Blocks(a, b []int8) int32 { return dotInt8Go(a, b) }
