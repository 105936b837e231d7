package ui

import (
	"math"
	"sort"
	"strings"
	"time"

	"relview/engine"
	"relview/library"
)

// hit is one neighbour as a column shows it.
type hit struct {
	Image library.Image
	Score float32 // what the column ranks by
	// Relational and Visual are both scores where known (the analogies
	// ranking shows them; HasBoth says so).
	Relational, Visual float32
	HasBoth            bool
	// Why names relations the image shares with the query (relational
	// column, built-in encoder only).
	Why []engine.Relation
	// Strength is the percentile of Score among the library's pairs
	// (strength.go); −1: not known yet.
	Strength float64
	// Stack holds the near-duplicates of Image that this tile stands for
	// (variants.go).
	Stack []library.Image
}

// hitsOf turns library neighbours into hits.
func hitsOf(ns []library.Neighbour) []hit {
	out := make([]hit, len(ns))
	for i, n := range ns {
		out[i] = hit{Image: n.Image, Score: n.Score, Why: n.Why, Strength: -1}
	}
	return out
}

// analogies are the photos relationally close to the query that look
// least alike: among the share top (0.05: 5 %) of the photos whose
// relational score to the query is highest (at least k photos), the k
// with the lowest visual score, least alike first, ties by id. The query
// itself, its variants (visual score at or above variantThreshold: a copy
// is no analogy) and ids lookup does not know are no candidates. It
// returns the hits and the relational threshold every one of them
// reaches.
func analogies(points []library.ScatterPoint, query int64, top float64, k int, lookup func(int64) (library.Image, bool)) ([]hit, float32) {
	cands := make([]library.ScatterPoint, 0, len(points))
	for _, p := range points {
		if _, known := lookup(p.ID); known && p.ID != query && p.Visual < variantThreshold {
			cands = append(cands, p)
		}
	}
	if len(cands) == 0 || k <= 0 {
		return nil, 0
	}
	sort.Slice(cands, func(i, j int) bool {
		if cands[i].Relational != cands[j].Relational {
			return cands[i].Relational > cands[j].Relational
		}
		return cands[i].ID < cands[j].ID
	})
	n := min(max(int(math.Ceil(top*float64(len(cands)))), k), len(cands))
	cands = cands[:n]
	threshold := cands[n-1].Relational
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].Visual != cands[j].Visual {
			return cands[i].Visual < cands[j].Visual
		}
		return cands[i].ID < cands[j].ID
	})
	out := make([]hit, 0, k)
	for _, p := range cands {
		if len(out) == k {
			break
		}
		im, _ := lookup(p.ID)
		out = append(out, hit{Image: im, Score: p.Relational, Relational: p.Relational, Visual: p.Visual, HasBoth: true})
	}
	return out, threshold
}

// Sort orders of the gallery.
const (
	sortName    = "Name"
	sortNewest  = "Newest first"
	sortOldest  = "Oldest first"
	sortLargest = "Largest first"
)

var sortOrders = []string{sortName, sortNewest, sortOldest, sortLargest}

// arrange filters images by a case-insensitive substring of their path
// (every word of filter must occur) and sorts them; it returns a new slice.
// The date orders use when a photo was taken (taken, from EXIF) where
// known, else its file's time.
func arrange(all []library.Image, filter, order string, taken map[int64]time.Time) []library.Image {
	date := func(im library.Image) time.Time {
		if t, ok := taken[im.ID]; ok {
			return t
		}
		return im.MTime
	}
	words := strings.Fields(strings.ToLower(filter))
	out := make([]library.Image, 0, len(all))
	for _, im := range all {
		if im.Status != library.StatusIndexed {
			continue
		}
		if len(words) > 0 {
			p := strings.ToLower(im.Path)
			keep := true
			for _, w := range words {
				if !strings.Contains(p, w) {
					keep = false
					break
				}
			}
			if !keep {
				continue
			}
		}
		out = append(out, im)
	}
	var less func(a, b library.Image) bool
	switch order {
	case sortNewest:
		less = func(a, b library.Image) bool { return date(a).After(date(b)) }
	case sortOldest:
		less = func(a, b library.Image) bool { return date(a).Before(date(b)) }
	case sortLargest:
		less = func(a, b library.Image) bool { return a.Width*a.Height > b.Width*b.Height }
	default:
		less = func(a, b library.Image) bool { return false }
	}
	// Path order is the tie-breaker of every order (and Name's own).
	sort.SliceStable(out, func(i, j int) bool {
		if less(out[i], out[j]) {
			return true
		}
		if less(out[j], out[i]) {
			return false
		}
		return out[i].Path < out[j].Path
	})
	return out
}
