package ui

import (
	"relview/engine"
	"sort"
	"strings"

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
}

// hitsOf turns library neighbours into hits.
func hitsOf(ns []library.Neighbour) []hit {
	out := make([]hit, len(ns))
	for i, n := range ns {
		out[i] = hit{Image: n.Image, Score: n.Score, Why: n.Why}
	}
	return out
}

// analogies ranks points by "relationally close, visually far":
// relational − w·visual, best first, ties by id; at most k, the query
// itself left out. lookup resolves ids to images; unknown ids are skipped.
func analogies(points []library.ScatterPoint, query int64, w float32, k int, lookup func(int64) (library.Image, bool)) []hit {
	out := make([]hit, 0, len(points))
	for _, p := range points {
		if p.ID == query {
			continue
		}
		im, ok := lookup(p.ID)
		if !ok {
			continue
		}
		out = append(out, hit{Image: im, Score: p.Relational - w*p.Visual, Relational: p.Relational, Visual: p.Visual, HasBoth: true})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].Image.ID < out[j].Image.ID
	})
	if len(out) > k {
		out = out[:k]
	}
	return out
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
func arrange(all []library.Image, filter, order string) []library.Image {
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
		less = func(a, b library.Image) bool { return a.MTime.After(b.MTime) }
	case sortOldest:
		less = func(a, b library.Image) bool { return a.MTime.Before(b.MTime) }
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
