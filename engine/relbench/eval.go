package relbench

import (
	"fmt"
	"image"
	"maps"
	"math"
	"slices"
	"strings"
)

// Result is the score of one embedding space on the benchmark. Every
// composite is a query against all the others; a query with no relevant item
// under a truth is left out of that truth's averages.
type Result struct {
	// N is the number of composites (queries).
	N int
	// TemplateMAP is the mean AP with the same template as relevant
	// (relational truth); PhotoMAP with the same main photo (visual truth).
	TemplateMAP, PhotoMAP float64
	// TemplateChance and PhotoChance are the mAP of a random ranking (the
	// expected AP when all scores tie), for reference.
	TemplateChance, PhotoChance float64
	// TemplateP1 and PhotoP1 are the precision at rank 1 (expected over
	// ties).
	TemplateP1, PhotoP1 float64
	// Templates lists the template names in their first-appearance order.
	Templates []string
	// PerTemplate is the template-AP averaged over each template's queries;
	// PerTemplatePhoto the photo-AP averaged over the same queries.
	PerTemplate      map[string]float64
	PerTemplatePhoto map[string]float64
	// PerTemplateCount is the number of queries of each template.
	PerTemplateCount map[string]int
}

// Validate checks that vecs has one finite, non-empty vector per composite,
// all of one length.
func Validate(comps []Composite, vecs [][]float32) error {
	if len(vecs) != len(comps) {
		return fmt.Errorf("relbench: %d vectors for %d composites", len(vecs), len(comps))
	}
	for i, v := range vecs {
		if len(v) == 0 {
			return fmt.Errorf("relbench: empty vector for %s", comps[i].Name)
		}
		if len(v) != len(vecs[0]) {
			return fmt.Errorf("relbench: vector for %s has length %d, want %d", comps[i].Name, len(v), len(vecs[0]))
		}
		for _, x := range v {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return fmt.Errorf("relbench: vector for %s is not finite", comps[i].Name)
			}
		}
	}
	return nil
}

// Evaluate scores vecs (one per composite, same order) by cosine similarity.
// Vectors are L2-normalised here; an all-zero vector scores 0 against
// everything. It panics if Validate fails.
func Evaluate(comps []Composite, vecs [][]float32) Result {
	if err := Validate(comps, vecs); err != nil {
		panic(err)
	}
	n := len(comps)
	unit := make([][]float64, n)
	for i, v := range vecs {
		u := make([]float64, len(v))
		var ss float64
		for k, x := range v {
			u[k] = float64(x)
			ss += u[k] * u[k]
		}
		if ss > 0 {
			inv := 1 / math.Sqrt(ss)
			for k := range u {
				u[k] *= inv
			}
		}
		unit[i] = u
	}

	res := Result{
		N:                n,
		PerTemplate:      map[string]float64{},
		PerTemplatePhoto: map[string]float64{},
		PerTemplateCount: map[string]int{},
	}
	for _, c := range comps {
		if !slices.Contains(res.Templates, c.Template) {
			res.Templates = append(res.Templates, c.Template)
		}
	}

	var tSum, pSum, tcSum, pcSum, t1Sum, p1Sum float64
	var tN, pN int
	scores := make([]float64, 0, n)
	relT := make([]bool, 0, n)
	relP := make([]bool, 0, n)
	flat := make([]float64, 0, n)
	for i, q := range comps {
		scores, relT, relP, flat = scores[:0], relT[:0], relP[:0], flat[:0]
		for j, c := range comps {
			if j == i {
				continue
			}
			var d float64
			for k, x := range unit[i] {
				d += x * unit[j][k]
			}
			scores = append(scores, d)
			relT = append(relT, c.Template == q.Template)
			relP = append(relP, c.Photo == q.Photo)
			flat = append(flat, 0)
		}
		if countTrue(relT) > 0 {
			ap := AveragePrecision(scores, relT)
			tSum += ap
			tcSum += AveragePrecision(flat, relT)
			t1Sum += precisionAt1(scores, relT)
			tN++
			res.PerTemplate[q.Template] += ap
		}
		if countTrue(relP) > 0 {
			ap := AveragePrecision(scores, relP)
			pSum += ap
			pcSum += AveragePrecision(flat, relP)
			p1Sum += precisionAt1(scores, relP)
			pN++
			res.PerTemplatePhoto[q.Template] += ap
		}
		res.PerTemplateCount[q.Template]++
	}
	if tN > 0 {
		res.TemplateMAP, res.TemplateChance, res.TemplateP1 = tSum/float64(tN), tcSum/float64(tN), t1Sum/float64(tN)
	}
	if pN > 0 {
		res.PhotoMAP, res.PhotoChance, res.PhotoP1 = pSum/float64(pN), pcSum/float64(pN), p1Sum/float64(pN)
	}
	for t, k := range res.PerTemplateCount {
		res.PerTemplate[t] /= float64(k)
		res.PerTemplatePhoto[t] /= float64(k)
	}
	return res
}

func countTrue(b []bool) int {
	n := 0
	for _, x := range b {
		if x {
			n++
		}
	}
	return n
}

// Ranking returns the item indices by descending score (stable: ties keep
// their input order).
func Ranking(scores []float64) []int {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case scores[a] > scores[b]:
			return -1
		case scores[a] < scores[b]:
			return 1
		}
		return 0
	})
	return idx
}

// rankGroups orders the items by descending score and groups exact ties.
func rankGroups(scores []float64) [][]int {
	idx := Ranking(scores)
	var groups [][]int
	for s := 0; s < len(idx); {
		e := s + 1
		for e < len(idx) && scores[idx[e]] == scores[idx[s]] {
			e++
		}
		groups = append(groups, idx[s:e])
		s = e
	}
	return groups
}

// AveragePrecision is the AP of ranking items by descending score, where
// relevant marks the relevant items: the mean, over the relevant items, of
// the precision at each one's rank. Items with exactly equal scores are
// treated as tied and the result is the expected AP over all their orderings
// (so it never depends on input order). It returns 0 when nothing is
// relevant.
func AveragePrecision(scores []float64, relevant []bool) float64 {
	if len(scores) != len(relevant) {
		panic("relbench: AveragePrecision: length mismatch")
	}
	total := countTrue(relevant)
	if total == 0 {
		return 0
	}
	var sum float64
	before := 0 // items ranked above the current tie group
	relBefore := 0
	for _, g := range rankGroups(scores) {
		m := len(g)
		rel := 0
		for _, i := range g {
			if relevant[i] {
				rel++
			}
		}
		if rel > 0 {
			// Position k (1-based) of the group holds a relevant item with
			// probability rel/m; given that, the expected number of other
			// relevant items above it in the group is (k-1)(rel-1)/(m-1).
			for k := 1; k <= m; k++ {
				hits := float64(relBefore + 1)
				if m > 1 {
					hits += float64(k-1) * float64(rel-1) / float64(m-1)
				}
				sum += float64(rel) / float64(m) * hits / float64(before+k)
			}
		}
		before += m
		relBefore += rel
	}
	return sum / float64(total)
}

// precisionAt1 is the expected precision of the top-ranked item.
func precisionAt1(scores []float64, relevant []bool) float64 {
	groups := rankGroups(scores)
	if len(groups) == 0 {
		return 0
	}
	rel := 0
	for _, i := range groups[0] {
		if relevant[i] {
			rel++
		}
	}
	return float64(rel) / float64(len(groups[0]))
}

// Markdown renders r as a table, one row per template, then the overall mAP
// and the chance level. "relational AP" is the same-template AP of the
// template's queries, "visual AP" their same-photo AP.
func (r Result) Markdown(spaceName string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "### %s\n\n", spaceName)
	b.WriteString("| template | queries | relational AP | visual AP |\n")
	b.WriteString("|---|---:|---:|---:|\n")
	for _, t := range r.Templates {
		fmt.Fprintf(&b, "| %s | %d | %.3f | %.3f |\n", t, r.PerTemplateCount[t], r.PerTemplate[t], r.PerTemplatePhoto[t])
	}
	fmt.Fprintf(&b, "| **mAP (all)** | %d | **%.3f** | **%.3f** |\n", r.N, r.TemplateMAP, r.PhotoMAP)
	fmt.Fprintf(&b, "| P@1 (all) | %d | %.3f | %.3f |\n", r.N, r.TemplateP1, r.PhotoP1)
	fmt.Fprintf(&b, "| chance mAP | | %.3f | %.3f |\n", r.TemplateChance, r.PhotoChance)
	return b.String()
}

// SummaryMarkdown renders one row per space (sorted by name) with the overall
// relational and visual mAP and P@1.
func SummaryMarkdown(results map[string]Result) string {
	names := slices.Sorted(maps.Keys(results))
	var b strings.Builder
	b.WriteString("| space | relational mAP | visual mAP | relational P@1 | visual P@1 |\n")
	b.WriteString("|---|---:|---:|---:|---:|\n")
	var chanceT, chanceP float64
	for _, k := range names {
		r := results[k]
		fmt.Fprintf(&b, "| %s | %.3f | %.3f | %.3f | %.3f |\n", k, r.TemplateMAP, r.PhotoMAP, r.TemplateP1, r.PhotoP1)
		chanceT, chanceP = r.TemplateChance, r.PhotoChance
	}
	if len(names) > 0 {
		fmt.Fprintf(&b, "| chance | %.3f | %.3f | | |\n", chanceT, chanceP)
	}
	return b.String()
}

// Report renders SummaryMarkdown followed by every space's Markdown table,
// spaces sorted by name.
func Report(results map[string]Result) string {
	names := slices.Sorted(maps.Keys(results))
	var b strings.Builder
	b.WriteString(SummaryMarkdown(results))
	for _, k := range names {
		b.WriteString("\n")
		b.WriteString(results[k].Markdown(k))
	}
	return b.String()
}

// EncodeFunc embeds one image into one or more named vector spaces.
type EncodeFunc func(img image.Image) (map[string][]float32, error)

// Run encodes every composite with enc (sequentially, in order) and
// evaluates each space it returns. Every call must return the same space
// names with vectors of a constant length per space.
func Run(comps []Composite, enc EncodeFunc) (map[string]Result, error) {
	if len(comps) < 2 {
		return nil, fmt.Errorf("relbench: need at least two composites, got %d", len(comps))
	}
	var spaces []string
	vecs := map[string][][]float32{}
	for i, c := range comps {
		out, err := enc(c.Image)
		if err != nil {
			return nil, fmt.Errorf("relbench: encode %s: %w", c.Name, err)
		}
		if i == 0 {
			for k := range out {
				spaces = append(spaces, k)
			}
			slices.Sort(spaces)
			if len(spaces) == 0 {
				return nil, fmt.Errorf("relbench: encoder returned no spaces for %s", c.Name)
			}
		} else if len(out) != len(spaces) {
			return nil, fmt.Errorf("relbench: encoder returned %d spaces for %s, want %d", len(out), c.Name, len(spaces))
		}
		for _, k := range spaces {
			v, ok := out[k]
			if !ok {
				return nil, fmt.Errorf("relbench: encoder returned no %q vector for %s", k, c.Name)
			}
			vecs[k] = append(vecs[k], slices.Clone(v))
		}
	}
	results := make(map[string]Result, len(spaces))
	for _, k := range spaces {
		if err := Validate(comps, vecs[k]); err != nil {
			return nil, fmt.Errorf("space %q: %w", k, err)
		}
		results[k] = Evaluate(comps, vecs[k])
	}
	return results, nil
}
