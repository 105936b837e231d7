package vecstore

import (
	"math/rand"
	"testing"
)

// The exported quantiser is the store's: a row quantised by Int8Codes (as
// the library's snapshots are) and appended with CodeScale scores exactly as
// the same vector added to the store.
func TestInt8CodesAreTheStoresCodes(t *testing.T) {
	const dim = 96
	rng := rand.New(rand.NewSource(3))
	v := make([]float32, dim)
	for i := range v {
		v[i] = float32(rng.NormFloat64()) * 7 // not unit length
	}
	added := NewQuantized(dim)
	if err := added.Add(1, v); err != nil {
		t.Fatal(err)
	}
	codes := make([]int8, dim)
	if m, ss := Int8Codes(codes, v); m <= 0 || ss <= 0 {
		t.Fatalf("Int8Codes: max %v, sum of squares %v", m, ss)
	}
	appended := NewQuantized(dim)
	if err := appended.AppendCodes([]int64{1}, codes, []float32{CodeScale(codes)}); err != nil {
		t.Fatal(err)
	}
	c1, s1, _ := added.Codes(1)
	c2, s2, _ := appended.Codes(1)
	for i := range c1 {
		if c1[i] != c2[i] {
			t.Fatalf("code %d: store %d, Int8Codes %d", i, c1[i], c2[i])
		}
	}
	if s1 != s2 {
		t.Errorf("scale: store %v, CodeScale %v", s1, s2)
	}
	if CodeScale(make([]int8, dim)) != 0 {
		t.Errorf("zero codes have a non-zero scale")
	}
}
