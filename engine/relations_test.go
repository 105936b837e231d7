package engine

import (
	"math"
	"path/filepath"
	"slices"
	"testing"

	"relview/engine/realbench"
)

func TestRelationProfileRoundTrip(t *testing.T) {
	v2 := make([]float32, relSketchDim)
	for i := range v2 {
		v2[i] = float32(math.Sin(float64(i)))
	}
	Normalize(v2)
	var p [relationCount]float64
	p[0], p[5], p[11], p[relationCount-1] = 3, 1.5, 2.5, 0.75 // slot 11: an object relation, the last a v2 cue (both quiet)
	v := appendProfile(v2, p)
	if len(v) != RelationalDim {
		t.Fatalf("length %d, want %d", len(v), RelationalDim)
	}
	got, ok := profileOf(v)
	if !ok {
		t.Fatal("profile not readable")
	}
	for i := range p {
		if math.Abs(got[i]-p[i]) > 1e-4 {
			t.Errorf("slot %d: %.5f, want %.5f", i, got[i], p[i])
		}
	}
}

func TestExplainRelationalSaysNothingItCannotKnow(t *testing.T) {
	var p [relationCount]float64
	p[2], p[3] = 3, 1 // one relation clearly there, one barely
	v2 := make([]float32, relSketchDim)
	v2[0] = 1
	v := appendProfile(v2, p)
	if w := ExplainRelational(RelationalEncoderName, v, v); len(w) != 1 || w[0].Relation != relationNames[2] {
		t.Fatalf("why of a one-relation profile with itself = %+v, want %q", w, relationNames[2])
	}
	if w := ExplainRelational("relsim", v, v); w != nil {
		t.Errorf("a plug-in's vectors got a why: %+v", w)
	}
	if w := ExplainRelational(RelationalEncoderName, v[:2048], v[:2048]); w != nil {
		t.Errorf("vectors of another length got a why: %+v", w)
	}
	var q [relationCount]float64
	q[7], q[3] = 3, 3 // another relation, and the barely-there one of p
	if w := ExplainRelational(RelationalEncoderName, v, appendProfile(v2, q)); len(w) != 0 {
		t.Errorf("nothing shared, yet why = %+v", w)
	}
}

// realPhotos fetches the real-photo benchmark (skipping the test only when
// its packages cannot be downloaded) and returns its dev rows and folder.
func realPhotos(t *testing.T) ([]realbench.Photo, string) {
	t.Helper()
	dir := realPhotosDir()
	if err := realbench.Fetch(realLabels(), dir); err != nil {
		t.Skipf("real photos unavailable (apt cannot reach their packages?): %v", err)
	}
	photos, err := realbench.LoadLabels(realLabels(), "dev")
	if err != nil {
		t.Fatal(err)
	}
	return photos, dir
}

// Two real silhouettes (dark ridges against lit clouds) are explained by
// their silhouettes; two real layered landscapes by their strata.
func TestWhyNamesRelationsOfRealPhotos(t *testing.T) {
	_, dir := realPhotos(t)
	e := engineForTest(t)
	wall := filepath.Join(dir, "lxqt-themes/usr/share/lxqt/wallpapers")
	for _, c := range []struct{ a, b, want string }{
		{filepath.Join(wall, "after-the-rain.jpg"), filepath.Join(wall, "beam.png"), "dark shapes against a bright sky"},
		{filepath.Join(wall, "fog.jpg"), filepath.Join(wall, "this-is-not-windows.jpg"), "horizontal strata"},
	} {
		a, err := e.EncodeFile(c.a)
		if err != nil {
			t.Fatal(err)
		}
		b, err := e.EncodeFile(c.b)
		if err != nil {
			t.Fatal(err)
		}
		why := ExplainRelational(RelationalEncoderName, a[Relational], b[Relational])
		if !slices.ContainsFunc(why, func(r Relation) bool { return r.Relation == c.want }) {
			t.Errorf("%s vs %s: why = %+v, want %q among them", filepath.Base(c.a), filepath.Base(c.b), why, c.want)
		}
		for _, r := range why {
			if !(r.Strength > 0 && r.Strength <= 1) {
				t.Errorf("strength %v out of (0, 1]", r.Strength)
			}
		}
	}
}
