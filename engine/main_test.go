package engine

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"relview/engine/realbench"
	"sync"
	"testing"
)

// The engine's tests run the real ONNX Runtime with the real embedded model
// (read from ../assets, since engine imports nothing of relview's).

const (
	testModelPath = "../assets/models/mobilenet_v2_140_224.onnx"
	testMeanPath  = "../assets/models/mobilenet_v2_140_224.visual-mean.f32"
	// testRelStatsPath is written by TestWriteRelationalStats.
	testRelStatsPath = "../assets/models/mobilenet_v2_140_224.relational-stats.f32"
	testPhotos       = "../assets/photos"
)

func needRuntime(t testing.TB) {
	t.Helper()
	if _, err := LoadRuntime(""); err != nil {
		t.Fatalf("ONNX Runtime: %v", err)
	}
}

var testModel struct {
	once sync.Once
	m    BuiltinModel
	err  error
}

func builtinForTest(t testing.TB) BuiltinModel {
	t.Helper()
	testModel.once.Do(func() {
		onnx, err := os.ReadFile(testModelPath)
		if err != nil {
			testModel.err = err
			return
		}
		raw, err := os.ReadFile(testMeanPath)
		if err != nil {
			testModel.err = err
			return
		}
		det, err := os.ReadFile(testDetectorPath)
		if err != nil {
			testModel.err = err
			return
		}
		testModel.m = BuiltinModel{Name: "mobilenet_v2_140_224", ONNX: onnx, VisualMean: f32s(raw), Detector: det}
		// Absent while TestWriteRelationalStats has not yet written it.
		if raw, err := os.ReadFile(testRelStatsPath); err == nil {
			testModel.m.RelationalStats = f32s(raw)
		}
	})
	if testModel.err != nil {
		t.Fatalf("built-in model: %v", testModel.err)
	}
	return testModel.m
}

var testEngine struct {
	once sync.Once
	e    *Engine
	err  error
}

// engineForTest is one shared Engine with the built-in encoders.
func engineForTest(t testing.TB) *Engine {
	t.Helper()
	m := builtinForTest(t)
	testEngine.once.Do(func() {
		testEngine.e, testEngine.err = Open(Options{Builtin: m})
	})
	if testEngine.err != nil {
		t.Fatalf("open engine: %v", testEngine.err)
	}
	return testEngine.e
}

func photo(name string) string { return filepath.Join(testPhotos, name) }

func f32s(raw []byte) []float32 {
	v := make([]float32, len(raw)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
	}
	return v
}

// The real-photo benchmark: its labels, and where bench/realrel/fetch.sh
// unpacks the photos ($RELVIEW_REALREL_PHOTOS, else its default).
// ($RELVIEW_REALREL_LABELS overrides the labels file.)
func realLabels() string {
	if f := os.Getenv("RELVIEW_REALREL_LABELS"); f != "" {
		return f
	}
	return "../bench/realrel/labels.tsv"
}

func realPhotosDir() string { return realbench.DefaultDir() }
