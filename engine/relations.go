package engine

import (
	"image"
	"math"
	"sort"
)

// The relation profile of the built-in relational encoder v3: one strength
// per named relation, each the one-sided standard score of a measure
// against ordinary photos (how many standard deviations above a typical
// photo), capped at relProfileCap. It is stored unsketched at the end of the
// relational vector, so that "why" can be read back from any two stored
// vectors (ExplainRelational) — all but the object relations, which are
// the Objects space's vector (objectVector) and leave their slots zero.

// relationNames name each profile slot as the user reads it: relcomp.go's
// composition measures, relobjects.go's object relations (together the
// relMeasureCount measures), then v2's seven cues (relcues.go).
var relationNames = [relationCount]string{
	"horizontal strata",
	"dark shapes against a bright sky",
	"small figure on empty ground",
	"detail spread evenly across the frame",
	"parts that repeat across the frame",
	"mirror symmetry (left-right)",
	"reflection about a horizontal line",
	"radial structure around a centre",
	"lines converging on a point",
	"one concentrated subject",
	// object relations (relobjects.go)
	"several alike objects",
	"alike objects and one different",
	"two subjects of similar size",
	"alike objects in a row",
	"one small figure",
	"subject cut off by the frame",
	"subject fills the frame",
	// v2 cues
	"exact mirror copy",
	"reflection of a scene below itself",
	"half-turn symmetry",
	"quarter-turn symmetry",
	"a copy nested inside itself",
	"an inset frame near a corner",
	"a frame around the centre",
	// panel layouts (relpanels.go), with the object relations in the
	// Objects space
	"two panels side by side",
	"a strip of panels",
	"a grid of panels",
}

// relationLabels are the same relations in a word or two, for a chip on
// a tile too narrow for the full name (RelationLabel); in slot order.
var relationLabels = [relationCount]string{
	"strata",
	"silhouette",
	"figure on ground",
	"even detail",
	"repeats",
	"mirror",
	"reflection",
	"radial",
	"converging",
	"one subject",
	"alike objects",
	"odd one out",
	"pair",
	"in a row",
	"small figure",
	"cut off",
	"fills frame",
	"mirror copy",
	"reflected scene",
	"half-turn",
	"quarter-turn",
	"nested copy",
	"corner inset",
	"framed centre",
	"two panels",
	"panel strip",
	"panel grid",
}

// relUnnamedSmallFigure is the slot of the object relation "one small
// figure", which "why" never names: on the real photos it was named for 12,
// and in none was there a small figure alone; it fires when the detector
// finds nothing but one tiny, mostly false box in a scene it cannot parse
// (a "car" of 0.3 % in a facade, an "orange" on a baboon's face).
// "small figure on empty ground", measured on the picture itself, names
// that relation (docs/relational.md, "Why").
const relUnnamedSmallFigure = relCompCount + 4

// RelationLabel is a relation's short label for a chip ("strata" for
// "horizontal strata"); a name it does not know is its own label.
func RelationLabel(name string) string {
	for i, n := range relationNames {
		if n == name {
			return relationLabels[i]
		}
	}
	return name
}

const (
	relCompCount    = 10
	relMeasureCount = relCompCount + objMeasureCount
	relPanelStart   = relMeasureCount + relCueCount // the panel layouts' first slot
	relationCount   = relPanelStart + panelMeasureCount
	// relProfileSlots is the profile block's length in the vector (room to
	// grow without changing the dimension's alignment).
	relProfileSlots = 32
	relSketchDim    = 2048 // the v2 part: the count sketch (relsketch.go)
	relProfileCap   = 3.0  // standard deviations
	// relAlpha is the profile's share of the vector (its weight in the
	// cosine); the rest is v2's self-similarity and cues. 0.5 keeps the
	// composite benchmark at its target (template-mAP ≥ 0.75;
	// docs/relational.md has the sweep).
	relAlpha = 0.5
	// relProfileScale divides the profile (in standard deviations) before
	// it enters the vector: a photo with one relation at the cap gives a
	// block of length 0.6, an ordinary photo (measures near the mean) almost
	// nothing. Not normalised, so every strength can be read back exactly.
	relProfileScale = 5.0
	// relQuietWeight scales v2's cues inside the profile block: they are
	// already in the v2 part, and counting them twice cost both benchmarks
	// (docs/relational.md). They weigh almost nothing in the cosine and stay
	// exactly readable for "why". (The object relations weighed the same in
	// v3 and changed no ranking: v3.1 keeps them out of the vector.)
	relQuietWeight = 0.05

	// ObjectsDim is the length of an Objects vector: a leading 1 (so that a
	// photo without objects is not a zero vector, which a catalog would take
	// for damage), then the object relations' strengths.
	ObjectsDim = 1 + objMeasureCount + panelMeasureCount
	// ObjectsModelName names what fills the Objects space. v2 counts an
	// object the detector scored under two classes once (sameObjectOnce)
	// and adds the panel layouts (relpanels.go): a catalog's v1 vectors are
	// made again by the next index's second pass, and meanwhile "why" names
	// no object relation for those photos.
	ObjectsModelName = "nanodet-g object relations v2"
)

// relationMeasures are the raw measures of one image: composition, from its
// 224² input tensor and the backbone's block_12 map (c×14×14), and object
// relations from its detections.
func relationMeasures(in []float32, block12 []float32, c int, dets []Detection) [relMeasureCount]float64 {
	t112 := lumGrid(in, 112)
	g112 := sobel(t112, 112)
	t56 := halve(t112, 112)
	g56 := sobel(t56, 56)
	c28 := colourGrid(in, 28)
	dm := detailMap(g112, 28)
	var m [relMeasureCount]float64
	m[0] = bandScore(colourGrid(in, 32), 32)
	m[1] = silhouetteFlatness(t56, g56)
	m[2] = emptiness(dm, c28)
	m[3] = evenness(detailMap(g112, 8))
	m[4] = twins(rawCells(block12, c, 14, 7), 7)
	h := orientHist(g112, 16)
	m[5] = mirrorHOG(h, 16)
	m[6] = reflectHOG(h, 16)
	m[7] = polarOrder(g56)
	m[8] = vanishing(g112)
	m[9] = concentration(dm, c28)
	o := objectMeasures(dets)
	copy(m[relCompCount:], o[:])
	return m
}

// rawCells average-pools an NCHW map (batch 1, c×n×n) to g×g cells and
// unit-normalises each, without subtracting the mean cell: what each region
// looks like, for finding regions that look alike.
func rawCells(data []float32, c, n, g int) [][]float32 {
	cells := make([][]float32, g*g)
	f := n / g
	for gy := 0; gy < g; gy++ {
		for gx := 0; gx < g; gx++ {
			v := make([]float32, c)
			for ch := 0; ch < c; ch++ {
				var s float32
				for y := gy * f; y < (gy+1)*f; y++ {
					for _, x := range data[ch*n*n+y*n+gx*f : ch*n*n+y*n+(gx+1)*f] {
						s += x
					}
				}
				v[ch] = s
			}
			Normalize(v)
			cells[gy*g+gx] = v
		}
	}
	return cells
}

// relationProfile standardises the measures and v2's cues into strengths:
// max(z, 0) capped at relProfileCap. stats holds each measure's mean then
// deviation (2·relMeasureCount values); cueStats v2's (2·relCueCount).
func relationProfile(m [relMeasureCount]float64, cues [relCueCount]float64, stats, cueStats []float32) [relationCount]float64 {
	var p [relationCount]float64
	for i, x := range m {
		p[i] = strength(x, stats[i], stats[relMeasureCount+i])
	}
	for i, x := range cues {
		p[relMeasureCount+i] = strength(x, cueStats[i], cueStats[relCueCount+i])
	}
	return p
}

// strength is a measure's one-sided standard score, max(z, 0) capped at
// relProfileCap (0 for NaN).
func strength(x float64, mean, sd float32) float64 {
	v := (x - float64(mean)) / float64(sd)
	if math.IsNaN(v) {
		return 0
	}
	return min(max(v, 0), relProfileCap)
}

// objectVector is the Objects space's vector of one image: 1, then the
// object relations' strengths from its detections, then the panel
// layouts' from the picture itself (standardised like every measure).
func objectVector(dets []Detection, img image.Image, stats []float32) []float32 {
	ms := stats[2*relCueCount+relDescLen:]
	m := objectMeasures(dets)
	v := make([]float32, ObjectsDim)
	v[0] = 1
	for i, x := range m {
		j := relCompCount + i
		v[1+i] = float32(strength(x, ms[j], ms[relMeasureCount+j]))
	}
	ps := stats[relPanelStats:]
	for i, x := range panelMeasures(img) {
		v[1+objMeasureCount+i] = float32(strength(x, ps[i], ps[panelMeasureCount+i]))
	}
	return v
}

// appendProfile appends the profile block to the unit v2 vector: the v2
// part weighted √(1−α), the profile √α·w·p/relProfileScale (w: slotWeight),
// then normalises the whole.
func appendProfile(v2 []float32, p [relationCount]float64) []float32 {
	out := make([]float32, RelationalDim)
	a := math.Sqrt(1 - relAlpha)
	for i, x := range v2 {
		out[i] = float32(float64(x) * a)
	}
	b := math.Sqrt(relAlpha) / relProfileScale
	for i, x := range p {
		out[relSketchDim+i] = float32(b * slotWeight(i) * x)
	}
	Normalize(out)
	return out
}

// slotWeight is the weight of profile slot i in the vector: 0 for the
// object relations (kept in the Objects space instead).
func slotWeight(i int) float64 {
	switch {
	case i >= relPanelStart:
		return 0
	case i >= relMeasureCount:
		return relQuietWeight
	case i >= relCompCount:
		return 0
	}
	return 1
}

// profileOf reads the relation profile (standard scores) back from a
// stored v3 vector and, when objects is an Objects vector, the object
// relations from it: the v2 part had length √(1−α) before the whole was
// normalised, so its length now gives the factor to undo.
func profileOf(v, objects []float32) ([relationCount]float64, bool) {
	var p [relationCount]float64
	if len(v) != RelationalDim {
		return p, false
	}
	var n float64
	for _, x := range v[:relSketchDim] {
		n += float64(x) * float64(x)
	}
	if n <= 0 || math.IsNaN(n) {
		return p, false
	}
	f := math.Sqrt(1-relAlpha) / math.Sqrt(n) * relProfileScale / math.Sqrt(relAlpha)
	for i := range p {
		if w := slotWeight(i); w > 0 {
			p[i] = float64(v[relSketchDim+i]) * f / w
		}
	}
	if len(objects) == ObjectsDim && objects[0] == 1 {
		read := func(slot int, x float32) {
			if !math.IsNaN(float64(x)) {
				p[slot] = min(max(float64(x), 0), relProfileCap)
			}
		}
		for i, x := range objects[1 : 1+objMeasureCount] {
			read(relCompCount+i, x)
		}
		for i, x := range objects[1+objMeasureCount:] {
			read(relPanelStart+i, x)
		}
	}
	return p, true
}

// Relation is one named relation two photos share, with its strength: the
// smaller of its two standard scores over relProfileCap (1 = both at least
// three standard deviations above ordinary photos). It is named only when
// both photos show it more strongly than 19 in 20 ordinary photos do
// (relWhyLevel).
type Relation struct {
	Relation string  `json:"relation"`
	Strength float32 `json:"strength"`
}

// ExplainRelational names up to three relations that two photos share,
// strongest first, from their vectors of the built-in relational encoder
// (a, b) and their Objects vectors (objA, objB; nil when not known yet:
// then no object relation is named). model is the name of the encoder that
// made a and b: for any other encoder (a plug-in) it says nothing rather
// than guess, and so it does for vectors of another length.
func ExplainRelational(model string, a, b, objA, objB []float32) []Relation {
	if !CanExplain(model) {
		return nil
	}
	pa, okA := profileOf(a, objA)
	pb, okB := profileOf(b, objB)
	if !okA || !okB {
		return nil
	}
	var out []Relation
	for i := range pa {
		s := min(pa[i], pb[i])
		if s > relWhyLevel[i] && i != relUnnamedSmallFigure {
			out = append(out, Relation{Relation: relationNames[i], Strength: float32(min(s/relProfileCap, 1))})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Strength > out[j].Strength })
	if len(out) > 3 {
		out = out[:3]
	}
	return out
}

// RelationsOf names the relations one photo shows (strength above the
// threshold), strongest first, from its built-in relational vector and its
// Objects vector (may be nil); nil for other encoders.
func RelationsOf(model string, v, objects []float32) []Relation {
	return ExplainRelational(model, v, v, objects, objects)
}

// CanExplain reports whether vectors of the named relational encoder carry a
// relation profile ExplainRelational can read (only the built-in encoder's).
func CanExplain(model string) bool { return model == RelationalEncoderName }
