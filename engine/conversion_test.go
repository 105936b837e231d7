package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"image"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// TestConvertedModelMatchesTFJS re-checks the embedded ONNX model against the
// original TF.js model without Node: testdata/conversion holds 224² photos
// and the pooled vectors and class probabilities TF.js computed for them
// (tools/convert/agreement.sh writes both; docs/conversion.md has the table).
func TestConvertedModelMatchesTFJS(t *testing.T) {
	needRuntime(t)
	m := builtinForTest(t)
	var ref struct {
		ModelSHA256 string `json:"model_sha256"`
		Photos      []struct {
			Name   string    `json:"name"`
			Pooled []float32 `json:"pooled"`
			Probs  []float32 `json:"probs"`
		} `json:"photos"`
	}
	b, err := os.ReadFile("testdata/conversion/tfjs_reference.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(m.ONNX)
	if got := hex.EncodeToString(sum[:]); got != ref.ModelSHA256 {
		t.Fatalf("model sha256 %s, reference made for %s: rerun tools/convert/agreement.sh", got, ref.ModelSHA256)
	}
	if len(ref.Photos) < 8 {
		t.Fatalf("%d reference photos, want >= 8", len(ref.Photos))
	}
	s, err := newSession("test", m.ONNX, BuiltinInput, []string{BuiltinPooled, "probs"}, SessionOptions{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	for _, p := range ref.Photos {
		img, err := DecodeFile(filepath.Join("testdata/conversion", p.Name))
		if err != nil {
			t.Fatal(err)
		}
		if img.Bounds() != image.Rect(0, 0, BuiltinSize, BuiltinSize) {
			t.Fatalf("%s is %v, want 224²", p.Name, img.Bounds())
		}
		// Exactly what TF.js got: pixel/255, no resampling.
		out, err := s.run(BuiltinInputSpec.Tensor(BuiltinInputSpec.Fit(img)), []int64{1, BuiltinSize, BuiltinSize, 3})
		if err != nil {
			t.Fatal(err)
		}
		cos := Cosine(out[BuiltinPooled].Data, p.Pooled)
		var maxDiff float64
		for i, v := range out["probs"].Data {
			maxDiff = math.Max(maxDiff, math.Abs(float64(v-p.Probs[i])))
		}
		t.Logf("%-20s cosine(pooled) %.7f  max |Δprob| %.2g", p.Name, cos, maxDiff)
		if cos < 0.9999 || maxDiff > 1e-3 {
			t.Errorf("%s: cosine %.7f (want >= 0.9999), max prob diff %.3g", p.Name, cos, maxDiff)
		}
	}
}
