package engine

import (
	"encoding/binary"
	"math"
	"os"
	"testing"
)

// TestWriteRelationalStats regenerates the built-in relational statistics
// (assets/models/mobilenet_v2_140_224.relational-stats.f32) from plain views
// of the photos in assets/photos (each photo whole, mirrored and four
// crops; no benchmark composite is among them):
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
	buf := make([]byte, 4*len(stats))
	for i, x := range stats {
		binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(x))
	}
	if err := os.WriteFile(testRelStatsPath, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s: %d views, cue means %v, deviations %v", testRelStatsPath, len(views), stats[:relCueCount], stats[relCueCount:2*relCueCount])
}
