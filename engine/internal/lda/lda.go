// Package lda fits a linear discriminant projection: the directions along
// which labelled samples of different classes lie far apart relative to the
// spread within each class. relview trains the built-in relational
// encoder's projection with it, on synthetic pictures of named relations
// (engine/relsynth), never on benchmark photos.
package lda

import (
	"errors"
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
)

// Projection maps a feature vector x to P·(x − Mean).
type Projection struct {
	Mean []float64   // d
	P    [][]float64 // k rows of d values, most discriminative first
	// Eigen are the discriminant ratios of the rows (between- over
	// within-class variance), largest first.
	Eigen []float64
}

// Fit finds the k most discriminative directions of samples x (n×d) with
// labels y (0..C−1). shrink (0..1) blends the within-class covariance with
// a multiple of the identity: needed when d is large against n.
func Fit(x [][]float64, y []int, k int, shrink float64) (*Projection, error) {
	n := len(x)
	if n == 0 || len(y) != n {
		return nil, errors.New("lda: no samples or labels mismatch")
	}
	d := len(x[0])
	classes := 0
	for _, c := range y {
		classes = max(classes, c+1)
	}
	if k < 1 || k > classes-1 {
		return nil, fmt.Errorf("lda: k %d out of 1..%d", k, classes-1)
	}
	mean := make([]float64, d)
	cm := make([][]float64, classes)
	cnt := make([]float64, classes)
	for c := range cm {
		cm[c] = make([]float64, d)
	}
	for i, v := range x {
		if len(v) != d {
			return nil, fmt.Errorf("lda: sample %d has %d features, want %d", i, len(v), d)
		}
		for j, f := range v {
			if math.IsNaN(f) || math.IsInf(f, 0) {
				return nil, fmt.Errorf("lda: sample %d feature %d is not finite", i, j)
			}
			mean[j] += f / float64(n)
			cm[y[i]][j] += f
		}
		cnt[y[i]]++
	}
	for c := range cm {
		if cnt[c] == 0 {
			return nil, fmt.Errorf("lda: class %d has no samples", c)
		}
		for j := range cm[c] {
			cm[c][j] /= cnt[c]
		}
	}
	// Within-class scatter.
	sw := mat.NewSymDense(d, nil)
	diff := mat.NewDense(n, d, nil)
	for i, v := range x {
		for j, f := range v {
			diff.Set(i, j, f-cm[y[i]][j])
		}
	}
	sw.SymOuterK(1/float64(n), diff.T())
	var tr float64
	for j := 0; j < d; j++ {
		tr += sw.At(j, j)
	}
	for a := 0; a < d; a++ {
		for b := a; b < d; b++ {
			v := (1 - shrink) * sw.At(a, b)
			if a == b {
				v += shrink * tr / float64(d)
			}
			sw.SetSym(a, b, v)
		}
	}
	// Whitening W = Sw^(-1/2).
	var es mat.EigenSym
	if !es.Factorize(sw, true) {
		return nil, errors.New("lda: within-class eigen decomposition failed")
	}
	vals := es.Values(nil)
	var vecs mat.Dense
	es.VectorsTo(&vecs)
	scaled := mat.NewDense(d, d, nil)
	for j := 0; j < d; j++ {
		s := 1 / math.Sqrt(max(vals[j], 1e-12))
		for i := 0; i < d; i++ {
			scaled.Set(i, j, vecs.At(i, j)*s)
		}
	}
	var w mat.Dense
	w.Mul(scaled, vecs.T())
	// Between-class scatter in whitened coordinates.
	mb := mat.NewDense(classes, d, nil)
	for c := range cm {
		s := math.Sqrt(cnt[c] / float64(n))
		for j := range cm[c] {
			mb.Set(c, j, (cm[c][j]-mean[j])*s)
		}
	}
	var mbw mat.Dense
	mbw.Mul(mb, &w) // classes × d
	sb := mat.NewSymDense(d, nil)
	sb.SymOuterK(1, mbw.T())
	var eb mat.EigenSym
	if !eb.Factorize(sb, true) {
		return nil, errors.New("lda: between-class eigen decomposition failed")
	}
	bvals := eb.Values(nil)
	var bvecs mat.Dense
	eb.VectorsTo(&bvecs)
	order := make([]int, d)
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return bvals[order[a]] > bvals[order[b]] })
	p := &Projection{Mean: mean}
	for _, o := range order[:k] {
		col := mat.NewVecDense(d, nil)
		col.MulVec(&w, bvecs.ColView(o))
		row := make([]float64, d)
		for j := range row {
			row[j] = col.AtVec(j)
		}
		p.P = append(p.P, row)
		p.Eigen = append(p.Eigen, bvals[o])
	}
	return p, nil
}

// Apply projects one feature vector.
func (p *Projection) Apply(x []float64) []float64 {
	out := make([]float64, len(p.P))
	for r, row := range p.P {
		var s float64
		for j, w := range row {
			s += w * (x[j] - p.Mean[j])
		}
		out[r] = s
	}
	return out
}
