package vecstore

import (
	"errors"
	"fmt"
	"math"
)

// Hit is one search result: the ID of a stored vector and its cosine
// similarity to the query.
type Hit struct {
	ID    int64
	Score float32
}

// Index is a store of unit vectors of one dimension that answers top-k
// cosine-similarity queries. Implementations must be safe for concurrent use.
type Index interface {
	// Dim is the dimension of every vector in the index.
	Dim() int
	// Len is the number of vectors in the index.
	Len() int
	// Add stores v (normalised to unit length) under id, replacing any vector
	// already stored under id. It returns an error wrapping ErrDim if
	// len(v) != Dim() and one wrapping ErrInvalid if v has a NaN or
	// infinite component or is the zero vector.
	Add(id int64, v []float32) error
	// Remove deletes the vector stored under id and reports whether there
	// was one.
	Remove(id int64) bool
	// Search returns the (at most) k stored vectors most similar to q,
	// sorted by score descending and then by ID ascending. Vectors whose id
	// makes exclude return true are skipped; exclude may be nil. q need not
	// be normalised. k == 0 gives no hits; k < 0 is an error.
	Search(q []float32, k int, exclude func(id int64) bool) ([]Hit, error)
	// Get returns a copy of the (normalised) vector stored under id.
	Get(id int64) ([]float32, bool)
	// Scores calls fn with the score of every stored vector against q, in no
	// particular order.
	Scores(q []float32, fn func(id int64, score float32)) error
}

var (
	// ErrDim is wrapped by errors about a vector of the wrong dimension.
	ErrDim = errors.New("wrong vector dimension")
	// ErrInvalid is wrapped by errors about a vector that has a NaN or
	// infinite component or is the zero vector.
	ErrInvalid = errors.New("invalid vector")
)

// inverseNorm checks v and returns 1/‖v‖, computed in float64.
func inverseNorm(v []float32, dim int) (float64, error) {
	if len(v) != dim {
		return 0, fmt.Errorf("%w: got %d, want %d", ErrDim, len(v), dim)
	}
	var ss float64
	for i, x := range v {
		f := float64(x)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return 0, fmt.Errorf("%w: component %d is %v", ErrInvalid, i, x)
		}
		ss += f * f
	}
	if ss == 0 {
		return 0, fmt.Errorf("%w: zero vector", ErrInvalid)
	}
	return 1 / math.Sqrt(ss), nil
}

// normaliseInto writes v/‖v‖ into dst; inv is the result of inverseNorm(v).
func normaliseInto(dst, v []float32, inv float64) {
	for i, x := range v {
		dst[i] = float32(float64(x) * inv)
	}
}
