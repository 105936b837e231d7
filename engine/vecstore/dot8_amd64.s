//go:build amd64 && !purego

#include "textflag.h"

// func dotInt8x16(a, b *int8, n int) int32
//
// n is a positive multiple of 16. Each step sign-extends 16 int8s of a and of
// b to int16 (VPMOVSXBW), multiplies them and adds adjacent pairs of products
// into 8 int32 lanes (VPMADDWD: |pair| ≤ 2·128² = 32768, exact), and adds
// those to an accumulator. The main loop does 64 components per iteration
// into four independent accumulators; the lanes are summed at the end.
TEXT ·dotInt8x16(SB), NOSPLIT, $0-28
	MOVQ a+0(FP), SI
	MOVQ b+8(FP), DI
	MOVQ n+16(FP), CX
	VPXOR Y0, Y0, Y0
	VPXOR Y1, Y1, Y1
	VPXOR Y2, Y2, Y2
	VPXOR Y3, Y3, Y3
	CMPQ CX, $64
	JLT  tail

loop64:
	VPMOVSXBW (SI), Y4
	VPMOVSXBW (DI), Y5
	VPMADDWD  Y5, Y4, Y4
	VPADDD    Y4, Y0, Y0
	VPMOVSXBW 16(SI), Y6
	VPMOVSXBW 16(DI), Y7
	VPMADDWD  Y7, Y6, Y6
	VPADDD    Y6, Y1, Y1
	VPMOVSXBW 32(SI), Y8
	VPMOVSXBW 32(DI), Y9
	VPMADDWD  Y9, Y8, Y8
	VPADDD    Y8, Y2, Y2
	VPMOVSXBW 48(SI), Y10
	VPMOVSXBW 48(DI), Y11
	VPMADDWD  Y11, Y10, Y10
	VPADDD    Y10, Y3, Y3
	ADDQ      $64, SI
	ADDQ      $64, DI
	SUBQ      $64, CX
	CMPQ      CX, $64
	JGE       loop64

tail:
	TESTQ CX, CX
	JZ    reduce

loop16:
	VPMOVSXBW (SI), Y4
	VPMOVSXBW (DI), Y5
	VPMADDWD  Y5, Y4, Y4
	VPADDD    Y4, Y0, Y0
	ADDQ      $16, SI
	ADDQ      $16, DI
	SUBQ      $16, CX
	JNZ       loop16

reduce:
	VPADDD       Y1, Y0, Y0
	VPADDD       Y3, Y2, Y2
	VPADDD       Y2, Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPADDD       X1, X0, X0
	VPSHUFD      $0x4e, X0, X1 // swap the 64-bit halves
	VPADDD       X1, X0, X0
	VPSHUFD      $0xb1, X0, X1 // swap neighbouring 32-bit lanes
	VPADDD       X1, X0, X0
	VMOVD        X0, AX
	VZEROUPPER
	MOVL         AX, ret+24(FP)
	RET
