package engine

import (
	"image"
	"math"
)

// The two spaces relview shows side by side.
const (
	Relational = "relational"
	Visual     = "visual"
)

// Objects is the built-in relational encoder's companion space: per photo,
// the object relations read off the object detector's boxes (relobjects.go).
// It is never searched (Aux); it only lets "why" name object relations
// (ExplainRelational). Keeping it out of the relational vector lets the
// relational column be complete without the detector, which costs more
// than the rest of indexing together.
const Objects = "objects"

// Searchable reports whether a space is one relview searches and shows as a
// column (not an auxiliary space such as Objects).
func Searchable(space string) bool { return space != Objects }

// Vectors holds one unit vector per space name.
type Vectors map[string][]float32

// SpaceInfo says what fills a space.
type SpaceInfo struct {
	Space  string `json:"space"`
	Model  string `json:"model"`  // the encoder's name, e.g. "mobilenet_v2_140_224 pooled (centred)"
	Dim    int    `json:"dim"`    // vector length
	Source string `json:"source"` // "built-in" or the manifest's path
	// Note is one honest line about what the space measures, shown in the UI
	// and by `relview models`.
	Note string `json:"note"`
	// Deferred says the space costs much more per image than the others (the
	// object detector of the Objects space): a library fills it in a second
	// indexing pass, after the gallery and the other spaces.
	Deferred bool `json:"deferred,omitempty"`
	// Aux says the space is not searched or shown as a column: it holds
	// per-photo data that explains another space (Objects).
	Aux bool `json:"aux,omitempty"`
}

// Encoder turns an image into a unit vector for each space it fills.
type Encoder interface {
	Spaces() []SpaceInfo
	Encode(img image.Image) (Vectors, error)
	Close()
}

// Cosine is the cosine similarity of two vectors (0 when either is zero or
// their lengths differ).
func Cosine(a, b []float32) float32 {
	if len(a) != len(b) || len(a) == 0 {
		return 0
	}
	var dot, na, nb float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return float32(dot / math.Sqrt(na*nb))
}

// Normalize scales v to unit length in place and reports whether it could
// (false for a zero or non-finite vector).
func Normalize(v []float32) bool {
	var n float64
	for _, x := range v {
		n += float64(x) * float64(x)
	}
	if n == 0 || math.IsNaN(n) || math.IsInf(n, 0) {
		return false
	}
	inv := float32(1 / math.Sqrt(n))
	for i := range v {
		v[i] *= inv
	}
	return true
}
