package realbench

import (
	"fmt"
	"slices"
)

// EncodeFunc embeds one photo file into named spaces.
type EncodeFunc func(path string) (map[string][]float32, error)

// Run encodes every photo (found under dir) and evaluates each space the
// encoder returns, keeping the top k neighbours per query. progress, when
// not nil, is called after each photo.
func Run(photos []Photo, dir string, k int, enc EncodeFunc, progress func(done, total int)) (map[string]Result, error) {
	if m := Missing(photos, dir); len(m) > 0 {
		return nil, fmt.Errorf("realbench: %d photos missing under %s (first: %s); run bench/realrel/fetch.sh %s", len(m), dir, m[0], dir)
	}
	vecs := map[string][][]float32{}
	for i, p := range photos {
		out, err := enc(p.File(dir))
		if err != nil {
			return nil, fmt.Errorf("realbench: %s: %w", p.Name(), err)
		}
		if i > 0 && len(out) != len(vecs) {
			return nil, fmt.Errorf("realbench: %s: encoder returned %d spaces, want %d", p.Name(), len(out), len(vecs))
		}
		for s, v := range out {
			vecs[s] = append(vecs[s], slices.Clone(v))
		}
		if progress != nil {
			progress(i+1, len(photos))
		}
	}
	res := map[string]Result{}
	for s, v := range vecs {
		if len(v) != len(photos) {
			return nil, fmt.Errorf("realbench: space %q has %d vectors for %d photos", s, len(v), len(photos))
		}
		r, err := Evaluate(photos, v, k)
		if err != nil {
			return nil, fmt.Errorf("space %q: %w", s, err)
		}
		res[s] = r
	}
	return res, nil
}
