package engine

import (
	"encoding/binary"
	"image"
	"math"
	"os"
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
	ms := calibMeasures(t)
	tail := stats[2*relCueCount+relDescLen:]
	for k := 0; k < relMeasureCount; k++ {
		var m, v float64
		for _, x := range ms {
			m += x[k] / float64(len(ms))
		}
		for _, x := range ms {
			v += (x[k] - m) * (x[k] - m) / float64(len(ms))
		}
		tail[k] = float32(m)
		tail[relMeasureCount+k] = float32(math.Sqrt(v) + 1e-6)
	}
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

// calibMeasures are the composition measures of the calibration photos
// (set calib of bench/realrel/labels.tsv; $RELVIEW_CALIB_SET picks another
// set), each whole and mirrored.
func calibMeasures(t *testing.T) [][relMeasureCount]float64 {
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
		}
	}
	return out
}
