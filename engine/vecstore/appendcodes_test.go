package vecstore

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
)

// A store rebuilt from another's codes with AppendCodes answers exactly as
// the original, and bad input is refused without changing the store.
func TestAppendCodesRoundTrip(t *testing.T) {
	const dim, n = 96, 300
	r := rand.New(rand.NewPCG(9, 9))
	src := NewQuantized(dim)
	for id := int64(1); id <= n; id++ {
		v := make([]float32, dim)
		for i := range v {
			v[i] = float32(r.NormFloat64())
		}
		if err := src.Add(id*3, v); err != nil {
			t.Fatal(err)
		}
	}
	var ids []int64
	var codes []int8
	var scales []float32
	for id := int64(1); id <= n; id++ {
		c, s, ok := src.Codes(id * 3)
		if !ok {
			t.Fatalf("id %d missing", id*3)
		}
		ids, codes, scales = append(ids, id*3), append(codes, c...), append(scales, s)
	}
	dst := NewQuantized(dim)
	if err := dst.AppendCodes(ids[:100], codes[:100*dim], scales[:100]); err != nil {
		t.Fatal(err)
	}
	if err := dst.AppendCodes(ids[100:], codes[100*dim:], scales[100:]); err != nil {
		t.Fatal(err)
	}
	for q := 0; q < 20; q++ {
		v := make([]float32, dim)
		for i := range v {
			v[i] = float32(r.NormFloat64())
		}
		a, _ := src.Search(v, 10, nil)
		b, _ := dst.Search(v, 10, nil)
		if !slices.Equal(a, b) {
			t.Fatalf("query %d: rebuilt store answers %v, original %v", q, b, a)
		}
	}
	bad := []struct {
		name   string
		ids    []int64
		codes  []int8
		scales []float32
		want   error
	}{
		{"short codes", []int64{9001}, make([]int8, dim-1), []float32{1}, ErrDim},
		{"zero scale", []int64{9001}, make([]int8, dim), []float32{0}, ErrInvalid},
		{"code -128", []int64{9001}, append(make([]int8, dim-1), -128), []float32{1}, ErrInvalid},
		{"existing id", []int64{3}, make([]int8, dim), []float32{1}, nil},
		{"repeated id", []int64{9001, 9001}, make([]int8, 2*dim), []float32{1, 1}, nil},
	}
	for _, c := range bad {
		err := dst.AppendCodes(c.ids, c.codes, c.scales)
		if err == nil || (c.want != nil && !errors.Is(err, c.want)) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
		if dst.Len() != n {
			t.Errorf("%s: store has %d rows after a refused append, want %d", c.name, dst.Len(), n)
		}
	}
}
