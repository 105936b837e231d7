package engine

import (
	"cmp"
	"slices"
)

// nms is greedy per-class non-maximum suppression: candidates best first
// (ties broken by class, then box, so the result does not depend on the
// input order); a candidate is dropped when it overlaps an already kept box
// of the same class with IoU > iou. At most limit are returned (all when
// limit ≤ 0). The input slice is reordered.
func nms(cands []Detection, iou float32, limit int) []Detection {
	slices.SortFunc(cands, func(a, b Detection) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Class, b.Class); c != 0 {
			return c
		}
		for k := range a.Box {
			if c := cmp.Compare(a.Box[k], b.Box[k]); c != 0 {
				return c
			}
		}
		return 0
	})
	var kept []Detection
	for _, c := range cands {
		if limit > 0 && len(kept) >= limit {
			break
		}
		ok := true
		for _, k := range kept {
			if k.Class == c.Class && boxIoU(k.Box, c.Box) > iou {
				ok = false
				break
			}
		}
		if ok {
			kept = append(kept, c)
		}
	}
	return kept
}

// boxIoU is the intersection over union of two x0,y0,x1,y1 boxes (0 when
// either is empty).
func boxIoU(a, b [4]float32) float32 {
	iw := min(a[2], b[2]) - max(a[0], b[0])
	ih := min(a[3], b[3]) - max(a[1], b[1])
	if iw <= 0 || ih <= 0 {
		return 0
	}
	inter := iw * ih
	union := (a[2]-a[0])*(a[3]-a[1]) + (b[2]-b[0])*(b[3]-b[1]) - inter
	if union <= 0 {
		return 0
	}
	return inter / union
}
