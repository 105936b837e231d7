package realbench

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"relview/engine/relbench"
)

// Result is one space's score: every labelled photo queries all the others
// (the "none" photos included, as distractors); truth is the same group.
type Result struct {
	Queries   int
	MAP       float64            // mean AP over the labelled queries
	Chance    float64            // the mAP of a random ranking
	Groups    []string           // labelled groups, sorted
	GroupAP   map[string]float64 // mean AP of the group's queries
	GroupN    map[string]int     // photos in the group
	GroupRand map[string]float64 // the group's chance AP
	// Top holds, per labelled query (in photo order), its nearest photos.
	Top []Ranked
}

// Ranked is one query's nearest neighbours.
type Ranked struct {
	Query     int
	Neighbour []int
	Score     []float64
}

// Evaluate scores vectors (one per photo, in order) by cosine similarity,
// keeping the top k neighbours of each query.
func Evaluate(photos []Photo, vecs [][]float32, k int) (Result, error) {
	if len(vecs) != len(photos) {
		return Result{}, fmt.Errorf("realbench: %d vectors for %d photos", len(vecs), len(photos))
	}
	unit := make([][]float64, len(vecs))
	for i, v := range vecs {
		if len(v) == 0 || len(v) != len(vecs[0]) {
			return Result{}, fmt.Errorf("realbench: vector of %s has length %d", photos[i].Name(), len(v))
		}
		u := make([]float64, len(v))
		var ss float64
		for j, x := range v {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return Result{}, fmt.Errorf("realbench: vector of %s is not finite", photos[i].Name())
			}
			u[j] = float64(x)
			ss += u[j] * u[j]
		}
		if ss > 0 {
			for j := range u {
				u[j] /= math.Sqrt(ss)
			}
		}
		unit[i] = u
	}
	r := Result{GroupAP: map[string]float64{}, GroupN: map[string]int{}, GroupRand: map[string]float64{}}
	for _, p := range photos {
		if p.Group != None {
			r.GroupN[p.Group]++
		}
	}
	for g := range r.GroupN {
		r.Groups = append(r.Groups, g)
	}
	sort.Strings(r.Groups)
	var sum, chance float64
	for i, q := range photos {
		if q.Group == None || r.GroupN[q.Group] < 2 {
			continue
		}
		var scores []float64
		var rel []bool
		var idx []int
		for j, p := range photos {
			if j == i {
				continue
			}
			var d float64
			for c, x := range unit[i] {
				d += x * unit[j][c]
			}
			scores = append(scores, d)
			rel = append(rel, p.Group == q.Group)
			idx = append(idx, j)
		}
		ap := relbench.AveragePrecision(scores, rel)
		flat := relbench.AveragePrecision(make([]float64, len(scores)), rel)
		sum += ap
		chance += flat
		r.Queries++
		r.GroupAP[q.Group] += ap
		r.GroupRand[q.Group] += flat
		order := relbench.Ranking(scores)
		top := Ranked{Query: i}
		for _, o := range order[:min(k, len(order))] {
			top.Neighbour = append(top.Neighbour, idx[o])
			top.Score = append(top.Score, scores[o])
		}
		r.Top = append(r.Top, top)
	}
	if r.Queries == 0 {
		return r, fmt.Errorf("realbench: no group has two labelled photos")
	}
	r.MAP, r.Chance = sum/float64(r.Queries), chance/float64(r.Queries)
	for _, g := range r.Groups {
		if n := r.GroupN[g]; n >= 2 {
			r.GroupAP[g] /= float64(n)
			r.GroupRand[g] /= float64(n)
		}
	}
	return r, nil
}

// Table renders one row per group with every space's AP beside the chance
// level, then the mAP; spaces in the given order.
func Table(spaces []string, res map[string]Result) string {
	var b strings.Builder
	b.WriteString("| group | photos | chance |")
	for _, s := range spaces {
		fmt.Fprintf(&b, " %s AP |", s)
	}
	b.WriteString("\n|---|---:|---:|")
	for range spaces {
		b.WriteString("---:|")
	}
	b.WriteString("\n")
	first := res[spaces[0]]
	for _, g := range first.Groups {
		if first.GroupN[g] < 2 {
			continue
		}
		fmt.Fprintf(&b, "| %s | %d | %.3f |", g, first.GroupN[g], first.GroupRand[g])
		for _, s := range spaces {
			fmt.Fprintf(&b, " %.3f |", res[s].GroupAP[g])
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "| **mAP** (%d queries) | | %.3f |", first.Queries, first.Chance)
	for _, s := range spaces {
		fmt.Fprintf(&b, " **%.3f** |", res[s].MAP)
	}
	b.WriteString("\n")
	return b.String()
}

// Neighbours renders each query's top neighbours, hits marked with +.
func Neighbours(photos []Photo, r Result) string {
	var b strings.Builder
	for _, t := range r.Top {
		q := photos[t.Query]
		fmt.Fprintf(&b, "%s [%s]\n", q.Name(), q.Group)
		for i, n := range t.Neighbour {
			mark := " "
			if photos[n].Group == q.Group {
				mark = "+"
			}
			fmt.Fprintf(&b, "  %s %2d %.3f %s [%s]\n", mark, i+1, t.Score[i], photos[n].Name(), photos[n].Group)
		}
	}
	return b.String()
}
