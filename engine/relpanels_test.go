package engine

import (
	"slices"
	"testing"

	"relview/engine/relbench"
)

// Panel layouts on the composite benchmark (seed 1, 15 pictures a
// template): two panels side by side in the before/after pairs, a strip in
// the stages, a grid in the odd-one-out grids and the 2×2 turns; hardly
// any in the single-canvas templates (a reflection's water line is one
// seam, not panels). Measured: 8, 7, 16 and 1.
func TestPanelLayoutsOfComposites(t *testing.T) {
	comps, err := relbench.Build(testPhotos, 1)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string][panelMeasureCount]int{}
	for _, c := range comps {
		m := panelMeasures(c.Image)
		x := count[c.Template]
		for k := range m {
			if m[k] > 0 {
				x[k]++
			}
		}
		count[c.Template] = x
	}
	two, strip := count[relbench.TBeforeAfter][0], count[relbench.TStages][1]
	grid := count[relbench.TOddOneOut][2] + count[relbench.TRotational][2]
	var single int
	for _, tp := range []string{relbench.TReflection, relbench.TNesting, relbench.TMirrorScene, relbench.TInset} {
		for _, n := range count[tp] {
			single += n
		}
	}
	if two < 7 || strip < 6 || grid < 14 || single > 3 {
		t.Errorf("two panels in %d of 15 before/after, a strip in %d of 15 stages, a grid in %d of 30 grids, a layout in %d of 60 single canvases (%v)", two, strip, grid, single, count)
	}
}

// Two before/after pairs share "two panels side by side", named from
// their Objects vectors.
func TestWhyNamesTwoPanels(t *testing.T) {
	comps, err := relbench.Build(testPhotos, 1)
	if err != nil {
		t.Fatal(err)
	}
	e := engineForTest(t)
	var pairs []Vectors
	for _, c := range comps {
		if c.Template != relbench.TBeforeAfter || panelMeasures(c.Image)[0] == 0 {
			continue
		}
		v, err := e.Encode(c.Image)
		if err != nil {
			t.Fatal(err)
		}
		if pairs = append(pairs, v); len(pairs) == 2 {
			break
		}
	}
	if len(pairs) < 2 {
		t.Fatal("fewer than two before/after composites show two panels")
	}
	a, b := pairs[0], pairs[1]
	const want = "two panels side by side"
	why := ExplainRelational(RelationalEncoderName, a[Relational], b[Relational], a[Objects], b[Objects])
	if !slices.ContainsFunc(why, func(r Relation) bool { return r.Relation == want }) {
		t.Errorf("why = %+v, want %q among them", why, want)
	}
	if why := ExplainRelational(RelationalEncoderName, a[Relational], b[Relational], nil, nil); slices.ContainsFunc(why, func(r Relation) bool { return r.Relation == want }) {
		t.Errorf("without the objects, why = %+v names %q", why, want)
	}
}

// BenchmarkPanelMeasures: the panel layouts of one decoded photo (what the
// second indexing pass adds to the detector for them).
func BenchmarkPanelMeasures(b *testing.B) {
	img, err := DecodeFileScaled(photo("chelsea.png"))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		panelMeasures(img)
	}
}
