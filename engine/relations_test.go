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
	p[0], p[5], p[11], p[relPanelStart-1], p[relPanelStart+1] = 3, 1.5, 2.5, 0.75, 3 // slot 11: an object relation; a v2 cue (quiet); a panel layout
	v := appendProfile(v2, p)
	if len(v) != RelationalDim {
		t.Fatalf("length %d, want %d", len(v), RelationalDim)
	}
	// The object relations and panel layouts are not in the vector: their
	// slots stay zero, and they are read from the Objects vector.
	if x, y := v[relSketchDim+11], v[relSketchDim+relPanelStart+1]; x != 0 || y != 0 {
		t.Errorf("object relation %v or panel layout %v stored in the relational vector", x, y)
	}
	obj := make([]float32, ObjectsDim)
	obj[0], obj[1+11-relCompCount], obj[1+objMeasureCount+1] = 1, 2.5, 3
	for _, c := range []struct {
		objects       []float32
		slot11, panel float64
	}{{obj, 2.5, 3}, {nil, 0, 0}, {obj[:3], 0, 0}} {
		got, ok := profileOf(v, c.objects)
		if !ok {
			t.Fatal("profile not readable")
		}
		want := p
		want[11], want[relPanelStart+1] = c.slot11, c.panel
		for i := range want {
			if math.Abs(got[i]-want[i]) > 1e-4 {
				t.Errorf("objects %v, slot %d: %.5f, want %.5f", c.objects, i, got[i], want[i])
			}
		}
	}
}

func TestExplainRelationalSaysNothingItCannotKnow(t *testing.T) {
	var p [relationCount]float64
	p[2], p[3] = 3, 1 // one relation clearly there, one barely
	v2 := make([]float32, relSketchDim)
	v2[0] = 1
	v := appendProfile(v2, p)
	if w := ExplainRelational(RelationalEncoderName, v, v, nil, nil); len(w) != 1 || w[0].Relation != relationNames[2] {
		t.Fatalf("why of a one-relation profile with itself = %+v, want %q", w, relationNames[2])
	}
	if w := ExplainRelational("relsim", v, v, nil, nil); w != nil {
		t.Errorf("a plug-in's vectors got a why: %+v", w)
	}
	if w := ExplainRelational(RelationalEncoderName, v[:2048], v[:2048], nil, nil); w != nil {
		t.Errorf("vectors of another length got a why: %+v", w)
	}
	var q [relationCount]float64
	q[7], q[3] = 3, 3 // another relation, and the barely-there one of p
	if w := ExplainRelational(RelationalEncoderName, v, appendProfile(v2, q), nil, nil); len(w) != 0 {
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
		why := ExplainRelational(RelationalEncoderName, a[Relational], b[Relational], a[Objects], b[Objects])
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

// Object relations come from the Objects space, not from the relational
// vector: a crowd in rows (Solvay 1927) and a sky of hot-air balloons share
// "several alike objects" only when their Objects vectors are given.
func TestWhyNamesObjectRelationsFromObjects(t *testing.T) {
	_, dir := realPhotos(t)
	e := engineForTest(t)
	a, err := e.EncodeFile(filepath.Join(dir, "visp-images-data/usr/share/visp-images-data/ViSP-images/Solvay/Solvay_conference_1927_Version2_2126x1463.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.EncodeFile(filepath.Join(dir, "ruby-rmagick-doc/usr/share/doc/ruby-rmagick-doc/html/ex/images/Hot_Air_Balloons_H.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	const want = "several alike objects"
	named := func(why []Relation) bool {
		return slices.ContainsFunc(why, func(r Relation) bool { return r.Relation == want })
	}
	if why := ExplainRelational(RelationalEncoderName, a[Relational], b[Relational], a[Objects], b[Objects]); !named(why) {
		t.Errorf("why = %+v, want %q among them", why, want)
	}
	if why := ExplainRelational(RelationalEncoderName, a[Relational], b[Relational], nil, nil); named(why) {
		t.Errorf("without the objects, why = %+v still names %q: it is in the relational vector", why, want)
	}
	if len(a[Objects]) != ObjectsDim || a[Objects][0] != 1 {
		t.Errorf("objects vector %v", a[Objects])
	}
}

// One object the detector scores under two classes (a dog's face as dog
// and cat) is one subject, not "two subjects of similar size"; a bear with
// her cub and two people toasting are two.
func TestTwoSubjectsCountsEachObjectOnce(t *testing.T) {
	_, dir := realPhotos(t)
	e := engineForTest(t)
	const two = "two subjects of similar size"
	for _, c := range []struct {
		path string
		want bool
	}{
		{"opencv-doc/usr/share/doc/opencv-doc/examples/data/chicky_512.png", false},
		{"opencv-doc/usr/share/doc/opencv-doc/opencv4/html/Pyramids_Tutorial_Original_Image.jpg", false},
		{"opencv-doc/usr/share/doc/opencv-doc/examples/data/orange.jpg", false},
		{"libvigraimpex-doc/usr/share/doc/libvigraimpex-dev/html/bears.jpg", true},
		{"kphotoalbum/usr/share/kphotoalbum/demo/bar55_2.jpg", true},
	} {
		v, err := e.EncodeFile(filepath.Join(dir, c.path))
		if err != nil {
			t.Fatal(err)
		}
		rs := RelationsOf(RelationalEncoderName, v[Relational], v[Objects])
		if got := slices.ContainsFunc(rs, func(r Relation) bool { return r.Relation == two }); got != c.want {
			t.Errorf("%s: %q named %v, want %v (relations %+v)", filepath.Base(c.path), two, got, c.want, rs)
		}
	}
}

// "One small figure" is never named: a facade where the detector finds
// only one tiny car shows it at full strength, and it is no figure.
func TestOneSmallFigureIsNotNamed(t *testing.T) {
	_, dir := realPhotos(t)
	e := engineForTest(t)
	v, err := e.EncodeFile(filepath.Join(dir, "opencv-doc/usr/share/doc/opencv-doc/examples/data/building.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	p, ok := profileOf(v[Relational], v[Objects])
	if !ok || p[relUnnamedSmallFigure] <= relWhyLevel[relUnnamedSmallFigure] {
		t.Fatalf("the facade's %q strength %.2f: want it above its level %.2f for this test to mean anything", relationNames[relUnnamedSmallFigure], p[relUnnamedSmallFigure], relWhyLevel[relUnnamedSmallFigure])
	}
	for _, r := range RelationsOf(RelationalEncoderName, v[Relational], v[Objects]) {
		if r.Relation == relationNames[relUnnamedSmallFigure] {
			t.Errorf("named %+v", r)
		}
	}
}

// sameObjectOnce drops a box of another class over a kept one, and keeps
// two objects side by side or one inside another's box.
func TestSameObjectOnce(t *testing.T) {
	dets := []Detection{
		{Box: [4]float32{0.1, 0.1, 0.6, 0.9}, Score: 0.6, Class: 16},   // dog
		{Box: [4]float32{0.12, 0.1, 0.6, 0.88}, Score: 0.5, Class: 15}, // the same, as cat
		{Box: [4]float32{0.6, 0.1, 0.95, 0.9}, Score: 0.45, Class: 16}, // a second dog beside it
		{Box: [4]float32{0.3, 0.3, 0.4, 0.4}, Score: 0.4, Class: 32},   // a ball in front of the first
	}
	got := sameObjectOnce(dets)
	if len(got) != 3 || got[0].Class != 16 || got[1].Class != 16 || got[2].Class != 32 {
		t.Errorf("kept %+v", got)
	}
}

// The relational column needs no detector: encoding only the relational
// space gives the vector a full encoding gives, and no objects.
func TestRelationalVectorNeedsNoDetector(t *testing.T) {
	e := engineForTest(t)
	img, err := DecodeFile(photo("chelsea.png"))
	if err != nil {
		t.Fatal(err)
	}
	all, err := e.Encode(img)
	if err != nil {
		t.Fatal(err)
	}
	rel, err := e.EncodeSpaces(img, Relational)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := rel[Objects]; ok || len(rel) != 1 {
		t.Errorf("relational only gave %d spaces, objects %v", len(rel), rel[Objects])
	}
	if c := Cosine(all[Relational], rel[Relational]); c < 0.99999 {
		t.Errorf("relational alone vs with the rest: cosine %.6f", c)
	}
	for i := relCompCount; i < relMeasureCount; i++ {
		if x := rel[Relational][relSketchDim+i]; x != 0 {
			t.Errorf("object relation slot %d holds %v in the relational vector", i, x)
		}
	}
	obj, err := e.EncodeSpaces(img, Objects)
	if err != nil || len(obj) != 1 || len(obj[Objects]) != ObjectsDim {
		t.Errorf("objects alone: %v, %v", obj, err)
	}
	cols := e.Columns()
	if len(cols) != 2 || slices.ContainsFunc(cols, func(s SpaceInfo) bool { return s.Space == Objects }) {
		t.Errorf("columns %+v", cols)
	}
	if si, ok := e.Space(Objects); !ok || !si.Aux || !si.Deferred || Searchable(Objects) {
		t.Errorf("objects space %+v", si)
	}
	if si, _ := e.Space(Relational); si.Deferred || si.Aux {
		t.Errorf("relational space %+v is deferred or auxiliary", si)
	}
}

// Every relation has a short label of its own, no longer than its name and
// short enough for a chip; a name the engine does not know labels itself.
func TestRelationLabels(t *testing.T) {
	seen := map[string]string{}
	for i, name := range relationNames {
		l := RelationLabel(name)
		if l == "" || len([]rune(l)) > 16 || len(l) > len(name) {
			t.Errorf("label of %q is %q: want 1..16 characters, at most the name's", name, l)
		}
		if other, ok := seen[l]; ok {
			t.Errorf("%q and %q share the label %q", other, name, l)
		}
		seen[l] = name
		if l != relationLabels[i] {
			t.Errorf("RelationLabel(%q) = %q, want slot %d's %q", name, l, i, relationLabels[i])
		}
	}
	if got := RelationLabel("made up"); got != "made up" {
		t.Errorf("RelationLabel of an unknown name = %q", got)
	}
}
