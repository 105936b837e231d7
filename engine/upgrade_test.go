package engine

import (
	"math"
	"testing"
)

// v3ObjectWeight is the weight v3 gave the object relations inside the
// profile block (v3.1 keeps them in the Objects space instead).
const v3ObjectWeight = 0.05

// A v3 vector (object relations at weight 0.05 inside the vector) upgrades
// to exactly what v3.1 computes from the photo; its object relations (v1's)
// are dropped, for the second pass to find again.
func TestUpgradeRelationalV3(t *testing.T) {
	e := engineForTest(t)
	img, err := DecodeFile(photo("dog.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := e.Encode(img)
	if err != nil {
		t.Fatal(err)
	}
	rel31 := want[Relational]
	obj := []float32{1, 0, 0, 2.5, 0, 1.2, 0, 0.7} // strengths v1 may have held: none may stay
	// v3 stored the same vector with b·0.05·strength in the object slots,
	// before the whole was normalised.
	var n2 float64
	for _, x := range rel31[:relSketchDim] {
		n2 += float64(x) * float64(x)
	}
	s := math.Sqrt(n2) / math.Sqrt(1-relAlpha) // rel31's normalisation factor
	v3 := append([]float32(nil), rel31...)
	for i := range objMeasureCount {
		v3[relSketchDim+relCompCount+i] = float32(s * math.Sqrt(relAlpha) / relProfileScale * v3ObjectWeight * float64(obj[1+i]))
	}
	Normalize(v3)

	rel, ok := UpgradeRelational(relationalV3Name, v3)
	if !ok {
		t.Fatal("a v3 vector was not upgraded")
	}
	if c := Cosine(rel, rel31); c < 0.999999 {
		t.Errorf("upgraded vector vs v3.1's: cosine %.7f", c)
	}
	for i := range rel {
		if math.Abs(float64(rel[i]-rel31[i])) > 1e-6 {
			t.Fatalf("value %d: %v, want %v", i, rel[i], rel31[i])
		}
	}
	for _, c := range []struct {
		model string
		v     []float32
	}{
		{RelationalEncoderName, v3}, // already current
		{"relsim", v3},              // a plug-in's
		{relationalV3Name, v3[:100]},
		{relationalV3Name, make([]float32, RelationalDim)},
	} {
		if _, ok := UpgradeRelational(c.model, c.v); ok {
			t.Errorf("%q, %d values: upgraded", c.model, len(c.v))
		}
	}
}
