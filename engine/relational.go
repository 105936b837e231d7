package engine

import (
	"fmt"
	"math"
)

// RelationalEncoderName names the built-in relational encoder everywhere it
// is shown: it is a structural approximation of relsim, not relsim. The
// version changes whenever its vectors change, so catalogs re-embed.
//
// v3.1 is v3 with the object relations kept beside the vector (the Objects
// space) instead of inside it at a weight of 0.05: the rankings are the
// same to three decimals (docs/relational.md) and the column no longer
// waits for the detector.
const RelationalEncoderName = "builtin-relational-v3.1 (approximation of relsim)"

// The backbone outputs the relational descriptor is computed from (besides
// the input picture itself).
var relationalInputs = []string{"block_12"}

// Layout of the relational descriptor (docs/relational.md):
//
//	[ self-similarity of block_12 on a 7×7 grid, flip-symmetrised  (relCoarseLen)
//	| self-similarity of block_12 on a 14×14 grid, flip-symmetrised (relFineLen)
//	| the 7 relational cues of relcues.go, standardised, one-sided ]
//
// then unit-normalised, centred on the mean descriptor of real photos and
// normalised again.
const (
	relCoarse    = 7
	relFine      = 14
	relCoarseLen = 321  // flip orbits of cell pairs on 7×7 (orbitLen(7))
	relFineLen   = 4851 // ... on 14×14 (orbitLen(14))

	relDescLen = relCoarseLen + relFineLen + relCueCount

	// RelationalDim is the length of the stored relational vector: the
	// descriptor after its count sketch (relsketch.go), then the relation
	// profile (relations.go).
	RelationalDim = relSketchDim + relProfileSlots

	// RelationalStatsLen is the length of BuiltinModel.RelationalStats: the
	// mean and standard deviation of each cue, the mean descriptor, the
	// mean and standard deviation of each measure, then of each panel
	// layout.
	RelationalStatsLen = relPanelStats + 2*panelMeasureCount
	// relPanelStats is where the panel layouts' means and deviations start
	// in the statistics (after every other measure's).
	relPanelStats = 2*relCueCount + relDescLen + 2*relMeasureCount
)

// relCueWeights weigh each standardised cue against the two unit-length
// self-similarity blocks (chosen on benchmark seed 1, see docs/relational.md).
var relCueWeights = [relCueCount]float32{0.17, 0.42, 0.17, 0.17, 0.34, 0.34, 0.28}

// relationalParts computes the self-similarity blocks (each unit length) and
// the raw cues of one image from the backbone outputs and the input tensor.
func relationalParts(out map[string]tensorOut, input []float32) ([]float32, [relCueCount]float64, error) {
	var cues [relCueCount]float64
	t, ok := out["block_12"]
	if !ok || len(t.Shape) != 4 {
		return nil, cues, fmt.Errorf("backbone output block_12 missing or not 4-d")
	}
	c, h, w := int(t.Shape[1]), int(t.Shape[2]), int(t.Shape[3])
	if h != relFine || w != relFine {
		return nil, cues, fmt.Errorf("block_12 is %dx%d, want %dx%d", h, w, relFine, relFine)
	}
	if len(input) != 3*BuiltinSize*BuiltinSize {
		return nil, cues, fmt.Errorf("input has %d values, want %d", len(input), 3*BuiltinSize*BuiltinSize)
	}
	ssm := make([]float32, 0, relCoarseLen+relFineLen+relCueCount)
	for _, g := range []int{relCoarse, relFine} {
		ssm = flipSymmetricSSM(ssm, selfSimilarity(poolCells(t.Data, c, h, w, g)), g)
	}
	return ssm, relationalCues(input), nil
}

// assembleRelational appends the standardised cues to the self-similarity
// blocks and normalises; with centre it also subtracts the mean descriptor
// of real photos and normalises again. stats is RelationalStatsLen long
// (only its cue part is read when centre is false).
func assembleRelational(ssm []float32, cues [relCueCount]float64, stats []float32, centre bool) []float32 {
	d := append(ssm, make([]float32, relCueCount)...)
	for i, x := range cues {
		z := (x - float64(stats[i])) / float64(stats[relCueCount+i])
		// One-sided: a cue says that a relation is present, never how
		// absent it is (absence is the common case and carries no
		// shared structure).
		d[relCoarseLen+relFineLen+i] = float32(max(z, 0)) * relCueWeights[i]
	}
	if !Normalize(d) {
		// A blank image has no structure: give every such image the same
		// vector rather than failing it.
		for i := range d {
			d[i] = float32(1 / math.Sqrt(float64(len(d))))
		}
	}
	if centre {
		mean := stats[2*relCueCount : 2*relCueCount+relDescLen]
		for i := range d {
			d[i] -= mean[i]
		}
		if !Normalize(d) {
			d[0] = 1
		}
	}
	return d
}

// relAnalysis is what the relational encoder reads off one image.
type relAnalysis struct {
	ssm      []float32 // v2's self-similarity blocks (7×7 then 14×14)
	cues     [relCueCount]float64
	measures [relMeasureCount]float64
}

// analyseRelational computes the relational encoder's parts from the
// backbone's block_12 output, the input tensor and the image's detections
// (nil: the object measures stay zero, as in the stored vector).
func analyseRelational(out map[string]tensorOut, input []float32, dets []Detection, stats []float32) (relAnalysis, error) {
	var a relAnalysis
	if len(stats) != RelationalStatsLen {
		return a, fmt.Errorf("relational statistics have %d values, want %d", len(stats), RelationalStatsLen)
	}
	var err error
	if a.ssm, a.cues, err = relationalParts(out, input); err != nil {
		return a, err
	}
	t := out["block_12"]
	a.measures = relationMeasures(input, t.Data, int(t.Shape[1]), dets)
	return a, nil
}

// relationalDescriptor is the built-in relational vector of one image, from
// the backbone's outputs and its input tensor. The object relations are not
// in it (their slots stay zero): they are the Objects space.
func relationalDescriptor(out map[string]tensorOut, input []float32, stats []float32) ([]float32, error) {
	a, err := analyseRelational(out, input, nil, stats)
	if err != nil {
		return nil, err
	}
	v2 := sketchRelational(assembleRelational(append([]float32(nil), a.ssm...), a.cues, stats, true))
	p := relationProfile(a.measures, a.cues, stats[2*relCueCount+relDescLen:], stats[:2*relCueCount])
	return appendProfile(v2, p), nil
}
