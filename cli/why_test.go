package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"relview/engine/realbench"
	"relview/library"
)

// Real photos from the real-photo benchmark: two silhouettes among ordinary
// photos. Among the relational neighbours of one silhouette, `neighbors
// --json` says of the other why they relate.
func TestNeighborsSayWhy(t *testing.T) {
	src := realbench.DefaultDir()
	if err := realbench.Fetch("../bench/realrel/labels.tsv", src); err != nil {
		t.Skipf("real photos unavailable (apt cannot reach their packages?): %v", err)
	}
	t.Setenv(library.CacheDirEnv, t.TempDir())
	dir := t.TempDir()
	wall := filepath.Join(src, "lxqt-themes/usr/share/lxqt/wallpapers")
	for _, f := range []string{
		filepath.Join(wall, "after-the-rain.jpg"), filepath.Join(wall, "beam.png"),
		photos + "chelsea.png", photos + "dog.jpg", photos + "coffee.png", photos + "astronaut.png",
	} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := run(t, "index", dir); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, "neighbors", "--json", "-k", "5", dir, "after-the-rain.jpg")
	if err != nil {
		t.Fatal(err)
	}
	var nb map[string][]struct {
		Path string
		Why  []struct {
			Relation string
			Strength float64
		}
	}
	if err := json.Unmarshal([]byte(out), &nb); err != nil {
		t.Fatalf("%q: %v", out, err)
	}
	rel := nb["relational"]
	i := slices.IndexFunc(rel, func(h struct {
		Path string
		Why  []struct {
			Relation string
			Strength float64
		}
	}) bool {
		return h.Path == "beam.png"
	})
	if i < 0 {
		t.Fatalf("relational neighbours %+v: beam.png missing", rel)
	}
	if !slices.ContainsFunc(rel[i].Why, func(w struct {
		Relation string
		Strength float64
	}) bool {
		return w.Relation == "dark shapes against a bright sky" && w.Strength > 0
	}) {
		t.Errorf("why = %+v: want the silhouette named", rel[i].Why)
	}
	for _, h := range nb["visual"] {
		if h.Why != nil {
			t.Errorf("a visual neighbour has a why: %+v", h)
		}
	}
	text, _, err := run(t, "neighbors", "--space", "relational", "-k", "5", dir, "after-the-rain.jpg")
	if err != nil || !strings.Contains(text, "why: dark shapes against a bright sky") {
		t.Errorf("text output %q, %v: want the why line", text, err)
	}
}
