//go:build !amd64 || purego

package vecstore

const int8Accelerated = false

func defaultDot8() dot8Func { return dotInt8Go }
