package vecstore

import "math/bits"

// sketchRef is the shortlist search this package had before the projections
// (commit 7375757), kept for TestRealSearchTable to measure against in the
// same run: one bit per component, set when the code is above the store's
// median code of that component (medians from 4,096 sample rows); rows
// ranked by the Hamming distance of these bits to the query's, the nearest
// list rows scored with the int8 codes. Over a heap store that is not
// written to afterwards.
type sketchRef struct {
	x     *Quantized
	thr   []int8
	sk    []uint64
	words int
	list  int
}

func newSketchRef(x *Quantized, list int) *sketchRef {
	n, dim := len(x.ids), x.dim
	s := &sketchRef{x: x, words: (dim + 63) / 64, list: list}
	step := max(1, n/4096)
	hist := make([]int32, dim*256)
	m := 0
	for r := 0; r < n; r += step {
		for i, c := range x.row(r) {
			hist[i*256+int(uint8(c))]++
		}
		m++
	}
	s.thr = make([]int8, dim)
	for i := range s.thr {
		seen := 0
		for c := -128; c < 128; c++ {
			if seen += int(hist[i*256+int(uint8(int8(c)))]); 2*seen >= m {
				s.thr[i] = int8(c)
				break
			}
		}
	}
	s.sk = make([]uint64, n*s.words)
	for r := range n {
		s.sketch(s.sk[r*s.words:(r+1)*s.words], x.row(r))
	}
	return s
}

func (s *sketchRef) sketch(dst []uint64, codes []int8) {
	for w := range dst {
		lo, hi := w*64, min(len(codes), w*64+64)
		var b uint64
		for j, c := range codes[lo:hi] {
			b |= uint64(int64(s.thr[lo+j])-int64(c)) >> 63 << j
		}
		dst[w] = b
	}
}

func (s *sketchRef) Search(q []float32, k int, exclude func(int64) bool) ([]Hit, error) {
	x := s.x
	qc, qs, err := x.query(q)
	if err != nil {
		return nil, err
	}
	n, w := len(x.ids), s.words
	qb := make([]uint64, w)
	s.sketch(qb, qc)
	dist := make([]uint16, n)
	hist := make([]int32, 64*w+1)
	for r := range n {
		row := s.sk[r*w : (r+1)*w : (r+1)*w]
		d := 0
		for i, b := range row {
			d += bits.OnesCount64(b ^ qb[i])
		}
		dist[r] = uint16(d)
		hist[d]++
	}
	want := min(n, max(s.list, 8*k))
	cut, below := 0, 0
	for cut < len(hist) && below+int(hist[cut]) < want {
		below += int(hist[cut])
		cut++
	}
	atCut := want - below
	t := newTopK(min(k, n), exclude)
	for r, d := range dist {
		if int(d) < cut || int(d) == cut && atCut > 0 {
			if int(d) == cut {
				atCut--
			}
			t.offer(x.ids[r], score8(x.dot(qc, x.row(r)), qs, x.scales[r]))
		}
	}
	return t.sorted(), nil
}
