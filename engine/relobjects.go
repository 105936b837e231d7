package engine

import (
	"math"
	"sort"
)

// Object relations (relational encoder v3): measures read off the object
// detector's boxes with the classes dropped — only whether two objects are
// of one kind, how many there are, how big, and where. "Four alike and one
// different", "two subjects", "a row of alike things", "a small figure",
// "a subject cut off by the frame".

const objMeasureCount = 7

// objectMeasures computes the object-relation measures from detections.
func objectMeasures(dets []Detection) [objMeasureCount]float64 {
	var m [objMeasureCount]float64
	type obj struct {
		cls        int
		area, x, y float64
		edge       bool
	}
	var objs []obj
	for _, d := range sameObjectOnce(dets) {
		w, h := float64(d.Box[2]-d.Box[0]), float64(d.Box[3]-d.Box[1])
		if w <= 0 || h <= 0 {
			continue
		}
		const e = 0.01
		edge := d.Box[0] < e || d.Box[1] < e || d.Box[2] > 1-e || d.Box[3] > 1-e
		objs = append(objs, obj{d.Class, w * h, float64(d.Box[0]+d.Box[2]) / 2, float64(d.Box[1]+d.Box[3]) / 2, edge})
	}
	n := len(objs)
	if n == 0 {
		return m
	}
	sort.Slice(objs, func(a, b int) bool { return objs[a].area > objs[b].area })
	// The largest group of one kind and comparable size.
	byClass := map[int][]obj{}
	for _, o := range objs {
		byClass[o.cls] = append(byClass[o.cls], o)
	}
	var alike []obj
	for _, g := range byClass {
		med := g[len(g)/2].area
		var kept []obj
		for _, o := range g {
			if o.area < 3*med && o.area > med/3 {
				kept = append(kept, o)
			}
		}
		if len(kept) > len(alike) {
			alike = kept
		}
	}
	// 0: several alike objects (log of their number, from three on).
	if len(alike) >= 3 {
		m[0] = math.Log2(float64(len(alike)))
	}
	// 1: alike ones and exactly one that differs in kind or size.
	if len(alike) >= 3 && n == len(alike)+1 {
		m[1] = 1
	}
	// 2: two subjects of comparable size, nothing else of note.
	if n >= 2 && objs[1].area > 0.25*objs[0].area && objs[1].area > 0.01 && (n == 2 || objs[2].area < 0.25*objs[1].area) {
		m[2] = 1
	}
	// 3: alike objects in a row: the spread across the best-fit line of
	// their centres against the spread along it.
	if len(alike) >= 3 {
		var mx, my float64
		for _, o := range alike {
			mx += o.x / float64(len(alike))
			my += o.y / float64(len(alike))
		}
		var sxx, syy, sxy float64
		for _, o := range alike {
			sxx += (o.x - mx) * (o.x - mx)
			syy += (o.y - my) * (o.y - my)
			sxy += (o.x - mx) * (o.y - my)
		}
		tr, det := sxx+syy, sxx*syy-sxy*sxy
		l1 := tr/2 + math.Sqrt(max(tr*tr/4-det, 0))
		l2 := tr/2 - math.Sqrt(max(tr*tr/4-det, 0))
		if l1 > 0 {
			m[3] = max(1-math.Sqrt(max(l2, 0)/l1)/0.25, 0)
		}
	}
	// 4: one small figure: the main object under 6% of the frame, the
	// others (if any) smaller still.
	if objs[0].area < 0.06 && n <= 2 {
		m[4] = 1 - objs[0].area/0.06
	}
	// 5: the main subject cut off by the frame (not filling it).
	if objs[0].edge && objs[0].area < 0.5 && objs[0].area > 0.03 {
		m[5] = 1
	}
	// 6: the share of the frame the objects cover (figure against ground).
	var cover float64
	for _, o := range objs {
		cover += o.area
	}
	m[6] = min(cover, 1)
	return m
}

// sameObjectIoU: two boxes of different classes that overlap this much are
// one object the detector could not name for sure (a dog also scored as a
// cat, an orange as an apple, a bowl as the table under it). At 0.6 a
// rocket scored as a boat and as a surfboard stayed two.
const sameObjectIoU = 0.5

// sameObjectOnce keeps each object once: dets best first (as Detect gives
// them), each dropped when it overlaps a kept one of any class by more than
// sameObjectIoU. The detector's own suppression is per class, so without
// this one dog scored as dog and cat made "two subjects of similar size".
func sameObjectOnce(dets []Detection) []Detection {
	var kept []Detection
	for _, d := range dets {
		dup := false
		for _, k := range kept {
			if boxIoU(k.Box, d.Box) > sameObjectIoU {
				dup = true
				break
			}
		}
		if !dup {
			kept = append(kept, d)
		}
	}
	return kept
}
