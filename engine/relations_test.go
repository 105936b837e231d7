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
	for _, scale := range []float64{0.5, 3} { // a short and a saturated profile
		var p [relationCount]float64
		p[0], p[5], p[11] = 1*scale, 0.5*scale, 0.25*scale
		v := appendProfile(v2, p)
		if len(v) != RelationalDim {
			t.Fatalf("length %d, want %d", len(v), RelationalDim)
		}
		got, ok := profileOf(v)
		if !ok {
			t.Fatal("profile not readable")
		}
		// Slot 11 is an object relation: it counts at relObjectWeight.
		norm := math.Sqrt(1+0.25+sq(0.25*relObjectWeight)) * scale
		for i := range p {
			if want := p[i] / max(norm, relProfileSat); math.Abs(got[i]-want) > 1e-5 {
				t.Errorf("scale %g slot %d: %.5f, want %.5f", scale, i, got[i], want)
			}
		}
	}
}

func TestExplainRelationalSaysNothingItCannotKnow(t *testing.T) {
	var p [relationCount]float64
	p[2] = 4
	v := appendProfile(make([]float32, relSketchDim), p)
	v[0] = 1
	Normalize(v)
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
	q[7] = 4 // another relation only
	if w := ExplainRelational(RelationalEncoderName, v, appendProfile(v[:relSketchDim], q)); len(w) != 0 {
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
		{filepath.Join(wall, "Valendas.png"), filepath.Join(wall, "after-the-rain.jpg"), "dark shapes against a bright sky"},
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
