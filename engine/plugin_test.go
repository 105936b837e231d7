package engine

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"relview/engine/internal/onnxproto"
)

// writePlugin writes a tiny real ONNX model and its manifest to dir.
func writePlugin(t *testing.T, dir string, spec onnxproto.ImageEmbedderSpec, man map[string]any) string {
	t.Helper()
	m, err := spec.Model()
	if err != nil {
		t.Fatal(err)
	}
	if err := m.WriteFile(filepath.Join(dir, "tiny.onnx")); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(man)
	p := filepath.Join(dir, "tiny.json")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// relsimLikeManifest mirrors what a relsim export's manifest looks like, at a
// small input size so the test model stays tiny.
func relsimLikeManifest(size, dim int) map[string]any {
	return map[string]any{
		"name": "tiny-relsim", "space": Relational, "model": "tiny.onnx",
		"input": map[string]any{
			"name": "pixel_values", "width": size, "height": size, "layout": "NCHW", "resize": "center-crop",
			"mean": []float32{0.48145466, 0.4578275, 0.40821073}, "std": []float32{0.26862954, 0.26130258, 0.27577711},
		},
		"output": map[string]any{"name": "embedding", "dim": dim},
	}
}

func TestPluginFillsRelationalSpace(t *testing.T) {
	needRuntime(t)
	dir := t.TempDir()
	spec := onnxproto.ImageEmbedderSpec{Size: 32, OutDim: 24, Seed: 7}
	p := writePlugin(t, dir, spec, relsimLikeManifest(32, 24))
	e, err := Open(Options{Builtin: builtinForTest(t), Plugins: []string{p}})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	rel, _ := e.Space(Relational)
	vis, _ := e.Space(Visual)
	if rel.Model != "tiny-relsim" || rel.Dim != 24 || rel.Source != p {
		t.Errorf("relational space = %+v, want the plug-in", rel)
	}
	if vis.Dim != BuiltinPooledDim {
		t.Errorf("visual space = %+v, want the built-in", vis)
	}
	img, err := DecodeFile(photo("chelsea.png"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.Encode(img)
	if err != nil {
		t.Fatal(err)
	}
	// The same numbers computed in Go from the manifest's preprocessing.
	m, err := LoadManifest(p)
	if err != nil {
		t.Fatal(err)
	}
	want, err := spec.Reference(m.Input.Tensor(m.Input.Fit(img)), 1)
	if err != nil {
		t.Fatal(err)
	}
	Normalize(want)
	if c := Cosine(got[Relational], want); c < 0.99999 {
		t.Errorf("plug-in output vs Go reference: cosine %.6f", c)
	}
	if len(got[Visual]) != BuiltinPooledDim {
		t.Errorf("visual vector has %d values", len(got[Visual]))
	}
}

func TestPluginNHWCAndPad(t *testing.T) {
	needRuntime(t)
	dir := t.TempDir()
	spec := onnxproto.ImageEmbedderSpec{Size: 16, OutDim: 8, Seed: 3, NHWC: true}
	man := relsimLikeManifest(16, 8)
	man["space"] = Visual
	in := man["input"].(map[string]any)
	in["layout"], in["resize"] = "NHWC", "pad"
	p := writePlugin(t, dir, spec, man)
	m, err := LoadManifest(p)
	if err != nil {
		t.Fatal(err)
	}
	enc, err := OpenPlugin(m, SessionOptions{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	img, _ := DecodeFile(photo("rocket.jpg"))
	got, err := enc.Encode(img)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := spec.Reference(m.Input.Tensor(m.Input.Fit(img)), 1)
	Normalize(want)
	if c := Cosine(got[Visual], want); c < 0.99999 {
		t.Errorf("cosine %.6f to the Go reference", c)
	}
}

func TestPluginBadManifests(t *testing.T) {
	needRuntime(t)
	spec := onnxproto.ImageEmbedderSpec{Size: 32, OutDim: 24, Seed: 7}
	cases := []struct {
		name   string
		modify func(m map[string]any, dir string)
		want   string
	}{
		{"wrong input name", func(m map[string]any, _ string) { m["input"].(map[string]any)["name"] = "images" }, `no input "images"`},
		{"wrong output name", func(m map[string]any, _ string) { m["output"].(map[string]any)["name"] = "emb" }, `no output "emb"`},
		{"wrong dim", func(m map[string]any, _ string) { m["output"].(map[string]any)["dim"] = 384 }, "dim 384"},
		{"wrong size", func(m map[string]any, _ string) { m["input"].(map[string]any)["width"] = 448 }, "needs"},
		{"wrong layout", func(m map[string]any, _ string) { m["input"].(map[string]any)["layout"] = "NHWC" }, "needs"},
		{"missing model", func(m map[string]any, _ string) { m["model"] = "absent.onnx" }, "absent.onnx"},
		{"corrupt model", func(m map[string]any, dir string) {
			os.WriteFile(filepath.Join(dir, "bad.onnx"), []byte("this is not protobuf"), 0o644)
			m["model"] = "bad.onnx"
		}, "not a loadable ONNX model"},
		{"unknown field", func(m map[string]any, _ string) { m["outptu"] = 1 }, "unknown field"},
		{"bad resize", func(m map[string]any, _ string) { m["input"].(map[string]any)["resize"] = "squash" }, "resize policy"},
		{"zero std", func(m map[string]any, _ string) { m["input"].(map[string]any)["std"] = []float32{0, 1, 1} }, "std[0]"},
		{"four means", func(m map[string]any, _ string) { m["input"].(map[string]any)["mean"] = []float32{0.5, 0.5, 0.5, 0.5} }, "mean has 4 values"},
		{"unknown space", func(m map[string]any, _ string) { m["space"] = "style" }, `space "style"`},
		{"trailing JSON", func(m map[string]any, _ string) { m["name"] = "trailing" }, "more after the JSON object"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			man := relsimLikeManifest(32, 24)
			c.modify(man, dir)
			p := writePlugin(t, dir, spec, man)
			if c.name == "trailing JSON" {
				f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
				if err != nil {
					t.Fatal(err)
				}
				f.WriteString(`{"name": "second"}`)
				f.Close()
			}
			e, err := Open(Options{Builtin: builtinForTest(t), Plugins: []string{p}})
			if err == nil {
				e.Close()
				t.Fatal("opened; want an error")
			}
			if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p) {
				t.Errorf("error %q: want it to name %s and say %q", err, p, c.want)
			}
		})
	}
}
