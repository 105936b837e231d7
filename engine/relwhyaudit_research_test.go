//go:build research

package engine

// TestExploreWhyLevels: how often each relation is named for one photo
// (RelationsOf) on the composite benchmark, per template, and on the real
// dev + held photos, at the current "why" levels:
//
//	RELVIEW_EXPLORE=1 go test -tags research ./engine -run TestExploreWhyLevels -v

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"relview/engine/realbench"
	"relview/engine/relbench"
)

func TestExploreWhyLevels(t *testing.T) {
	if os.Getenv("RELVIEW_EXPLORE") == "" {
		t.Skip("set RELVIEW_EXPLORE=1")
	}
	e := engineForTest(t)
	comps, err := relbench.Build(testPhotos, 1)
	if err != nil {
		t.Fatal(err)
	}
	// per relation: template -> count
	named := map[string]map[string]int{}
	strengths := map[string][]string{}
	perTemplate := map[string]int{}
	add := func(rel, where string) {
		if named[rel] == nil {
			named[rel] = map[string]int{}
		}
		named[rel][where]++
	}
	for _, c := range comps {
		v, err := e.Encode(c.Image)
		if err != nil {
			t.Fatal(err)
		}
		perTemplate[c.Template]++
		for _, r := range RelationsOf(RelationalEncoderName, v[Relational], v[Objects]) {
			add(r.Relation, c.Template)
			strengths[r.Relation] = append(strengths[r.Relation], fmt.Sprintf("%s:%.2f", c.Template[:3], 3*r.Strength))
		}
	}
	dir := realPhotosDir()
	real := 0
	for _, set := range []string{"dev", "held"} {
		photos, err := realbench.LoadLabels(realLabels(), set)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range photos {
			v, err := e.EncodeFile(p.File(dir))
			if err != nil {
				t.Fatal(err)
			}
			real++
			for _, r := range RelationsOf(RelationalEncoderName, v[Relational], v[Objects]) {
				add(r.Relation, "real:"+p.Group)
				strengths[r.Relation] = append(strengths[r.Relation], fmt.Sprintf("R:%.2f", 3*r.Strength))
			}
		}
	}
	for _, name := range relationNames {
		var parts []string
		for where, n := range named[name] {
			parts = append(parts, fmt.Sprintf("%s %d", where, n))
		}
		sort.Strings(parts)
		t.Logf("%-38s %s", name, strings.Join(parts, ", "))
	}
	if os.Getenv("RELVIEW_STRENGTHS") != "" {
		for _, name := range relationNames {
			t.Logf("%-38s %s", name, strings.Join(strengths[name], " "))
		}
	}
	t.Logf("composites per template %v; real photos %d", perTemplate, real)
}
