package lda

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Two classes differ only along feature 0, while feature 1 carries a larger
// spread shared by both: the discriminant must point along feature 0.
func TestFitFindsTheSeparatingDirection(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var x [][]float64
	var y []int
	for i := 0; i < 400; i++ {
		c := i % 2
		x = append(x, []float64{float64(c)*2 + r.NormFloat64()*0.3, r.NormFloat64() * 5, r.NormFloat64()})
		y = append(y, c)
	}
	p, err := Fit(x, y, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	dir := p.P[0]
	n := math.Sqrt(dir[0]*dir[0] + dir[1]*dir[1] + dir[2]*dir[2])
	if math.Abs(dir[0])/n < 0.99 {
		t.Fatalf("direction %v: want it along feature 0", dir)
	}
	// Projected, the classes separate.
	var m [2]float64
	for i, v := range x {
		m[y[i]] += p.Apply(v)[0] / 200
	}
	if math.Abs(m[0]-m[1]) < 3 {
		t.Errorf("projected class means %v: want them apart (within-class sd 1)", m)
	}
}

func TestFitRejectsBadInput(t *testing.T) {
	if _, err := Fit([][]float64{{1}, {2}}, []int{0, 0}, 1, 0); err == nil {
		t.Error("one class and k=1 accepted")
	}
	if _, err := Fit([][]float64{{1}, {math.NaN()}}, []int{0, 1}, 1, 0); err == nil {
		t.Error("NaN accepted")
	}
	if _, err := Fit([][]float64{{1}, {2, 3}}, []int{0, 1}, 1, 0); err == nil {
		t.Error("ragged samples accepted")
	}
}
