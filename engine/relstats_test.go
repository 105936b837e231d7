//go:build research

package engine

import (
	"encoding/binary"
	"fmt"
	"image"
	"math"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/disintegration/imaging"
	"relview/engine/realbench"
)

// TestWriteRelationalStats regenerates the built-in relational statistics
// (assets/models/mobilenet_v2_140_224.relational-stats.f32): v2's cue and
// descriptor statistics from plain views of the photos in assets/photos
// (each photo whole, mirrored and four crops; no benchmark composite is
// among them), and v3's composition-measure statistics from the `calib` set
// of bench/realrel (ordinary photos that no benchmark scores; fetch them
// first with bench/realrel/fetch.sh):
//
//	RELVIEW_WRITE_RELSTATS=1 go test ./engine -run TestWriteRelationalStats
func TestWriteRelationalStats(t *testing.T) {
	if os.Getenv("RELVIEW_WRITE_RELSTATS") == "" {
		t.Skip("set RELVIEW_WRITE_RELSTATS=1 to regenerate the relational statistics")
	}
	views := photoViews(t)
	stats := make([]float32, RelationalStatsLen)
	ssms := make([][]float32, len(views))
	cues := make([][relCueCount]float64, len(views))
	for i, o := range views {
		var err error
		ssms[i], cues[i], err = relationalParts(o, o["input"].Data)
		if err != nil {
			t.Fatal(err)
		}
	}
	n := float64(len(views))
	for k := 0; k < relCueCount; k++ {
		var m, v float64
		for _, c := range cues {
			m += c[k] / n
		}
		for _, c := range cues {
			v += (c[k] - m) * (c[k] - m) / n
		}
		stats[k] = float32(m)
		stats[relCueCount+k] = float32(math.Sqrt(v) + 1e-6)
	}
	mean := make([]float64, relDescLen)
	for i := range views {
		d := assembleRelational(append([]float32(nil), ssms[i]...), cues[i], stats, false)
		for k, x := range d {
			mean[k] += float64(x) / n
		}
	}
	for k, x := range mean {
		stats[2*relCueCount+k] = float32(x)
	}
	ms, cs, ps := calibMeasures(t)
	tail := stats[2*relCueCount+relDescLen:]
	meanSD := func(n int, x func(i int) float64) (float32, float32) {
		var m, v float64
		for i := range n {
			m += x(i) / float64(n)
		}
		for i := range n {
			v += (x(i) - m) * (x(i) - m) / float64(n)
		}
		return float32(m), float32(math.Sqrt(v) + 1e-6)
	}
	for k := 0; k < relMeasureCount; k++ {
		tail[k], tail[relMeasureCount+k] = meanSD(len(ms), func(i int) float64 { return ms[i][k] })
	}
	pt := stats[relPanelStats:]
	for k := 0; k < panelMeasureCount; k++ {
		pt[k], pt[panelMeasureCount+k] = meanSD(len(ps), func(i int) float64 { return ps[i][k] })
	}
	writeWhyLevels(t, ms, cs, ps, stats)
	buf := make([]byte, 4*len(stats))
	for i, x := range stats {
		binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(x))
	}
	if err := os.WriteFile(testRelStatsPath, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s: %d views, cue means %v, deviations %v; %d calibration photos, measure means %v, deviations %v",
		testRelStatsPath, len(views), stats[:relCueCount], stats[relCueCount:2*relCueCount], len(ms), tail[:relMeasureCount], tail[relMeasureCount:])
}

// calibMeasures are the measures, v2's cues and the panel layouts of the
// calibration photos
// (set calib of bench/realrel/labels.tsv; $RELVIEW_CALIB_SET picks another
// set), each whole and mirrored.
func calibMeasures(t *testing.T) ([][relMeasureCount]float64, [][relCueCount]float64, [][panelMeasureCount]float64) {
	set := os.Getenv("RELVIEW_CALIB_SET")
	if set == "" {
		set = "calib"
	}
	photos, err := realbench.LoadLabels(realLabels(), set)
	if err != nil {
		t.Fatal(err)
	}
	dir := realPhotosDir()
	if err := realbench.Fetch(realLabels(), dir); err != nil {
		t.Fatal(err)
	}
	needRuntime(t)
	m := builtinForTest(t)
	s, err := newSession("calib", m.ONNX, BuiltinInput, relationalInputs, SessionOptions{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	det, err := OpenDetector(m.Detector, SessionOptions{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer det.Close()
	var out [][relMeasureCount]float64
	var cues [][relCueCount]float64
	var panels [][panelMeasureCount]float64
	for _, p := range photos {
		img, err := DecodeFile(p.File(dir))
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range []image.Image{img, imaging.FlipH(img)} {
			in := BuiltinInputSpec.Tensor(BuiltinInputSpec.Fit(v))
			o, err := s.run(in, []int64{1, BuiltinSize, BuiltinSize, 3})
			if err != nil {
				t.Fatal(err)
			}
			dets, err := det.Detect(v)
			if err != nil {
				t.Fatal(err)
			}
			b := o["block_12"]
			out = append(out, relationMeasures(in, b.Data, int(b.Shape[1]), dets))
			cues = append(cues, relationalCues(in))
			panels = append(panels, panelMeasures(v))
		}
	}
	return out, cues, panels
}

// writeWhyLevels writes engine/relwhy_levels.go: for each named relation,
// the strength that only one in twenty calibration views exceeds (at least
// one standard deviation). "Why" names a relation only above it in both
// photos.
func writeWhyLevels(t *testing.T, ms [][relMeasureCount]float64, cs [][relCueCount]float64, ps [][panelMeasureCount]float64, stats []float32) {
	var b strings.Builder
	b.WriteString("// Code generated by TestWriteRelationalStats (RELVIEW_WRITE_RELSTATS=1 go test -tags research ./engine\n")
	b.WriteString("// -run TestWriteRelationalStats); DO NOT EDIT.\n\npackage engine\n\n")
	b.WriteString("// relWhyLevel is, per named relation, the strength that only one in twenty\n")
	b.WriteString("// views of the calibration photos exceeds (at least 1, below the cap): \"why\"\n")
	b.WriteString("// names a relation only when both photos show it more strongly than that.\n")
	b.WriteString("var relWhyLevel = [relationCount]float64{\n")
	for r := 0; r < relationCount; r++ {
		v := make([]float64, len(ms))
		for i := range ms {
			p := relationProfile(ms[i], cs[i], stats[2*relCueCount+relDescLen:], stats[:2*relCueCount])
			for k, x := range ps[i] {
				p[relPanelStart+k] = strength(x, stats[relPanelStats+k], stats[relPanelStats+panelMeasureCount+k])
			}
			v[i] = p[r]
		}
		sort.Float64s(v)
		// A relation that one in twenty ordinary views shows at full
		// strength (a yes/no measure such as "two subjects of similar
		// size") stays nameable at full strength in both photos.
		lvl := min(max(v[len(v)*95/100], 1), relProfileCap-0.01)
		fmt.Fprintf(&b, "\t%.3f, // %s\n", lvl, relationNames[r])
	}
	b.WriteString("}\n")
	if err := os.WriteFile("relwhy_levels.go", []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
