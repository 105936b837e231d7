package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"relview/assets"
	"relview/engine"
	"relview/library"
)

// What a new user met on the command line (issue 10): each case failed
// before its fix.
func TestNewUserRoughEdges(t *testing.T) {
	t.Run("status and export of a folder never indexed create nothing", func(t *testing.T) {
		dir := photoFolder(t, "dog.jpg")
		cache := os.Getenv(library.CacheDirEnv)
		out, _, err := run(t, "status", dir)
		if err != nil || !strings.Contains(out, "not indexed yet") {
			t.Errorf("status: %q, %v", out, err)
		}
		out, _, err = run(t, "status", "--json", dir)
		if err != nil || !strings.Contains(out, `"indexed":false`) {
			t.Errorf("status --json: %q, %v", out, err)
		}
		if _, _, err := run(t, "export", dir); err == nil || !strings.Contains(err.Error(), "relview index") {
			t.Errorf("export of a folder never indexed: %v, want an error saying to index it", err)
		}
		if ents, _ := os.ReadDir(cache); len(ents) != 0 {
			t.Errorf("the cache root holds %d entries after status and export of a folder never indexed", len(ents))
		}
	})
	t.Run("missing arguments show the usage line", func(t *testing.T) {
		for _, args := range [][]string{{"neighbors"}, {"compare", "a.jpg"}, {"index"}} {
			_, _, err := run(t, args...)
			if err == nil || !strings.Contains(err.Error(), "usage: relview "+args[0]) {
				t.Errorf("relview %v: %v, want the usage line", args, err)
			}
		}
	})
	t.Run("a path that is not a folder is explained", func(t *testing.T) {
		for arg, want := range map[string]string{
			"/no/such/folder":  "no such folder or image: /no/such/folder",
			photos + "dog.jpg": "is a file, not a folder",
			"frobnicate":       `unknown command "frobnicate"`,
		} {
			if _, _, err := run(t, arg); err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("relview %s: %v, want %q", arg, err, want)
			}
		}
	})
	t.Run("models --json keys are snake_case", func(t *testing.T) {
		out, _, err := run(t, "models", "--json")
		if err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{`"path":`, `"version":`, `"space":`} {
			if !strings.Contains(out, key) {
				t.Errorf("models --json lacks %s: %s", key, out)
			}
		}
		if strings.Contains(out, `"Path"`) || strings.Contains(out, `"Version"`) {
			t.Errorf("models --json mixes Go field names in: %s", out)
		}
	})
}

// writePlugin writes a plug-in for space made of the embedded backbone read
// through its pooled output (a real ONNX model, another encoder than the
// built-in one of that space).
func writePlugin(t *testing.T, space string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pooled.onnx"), assets.ModelONNX(), 0o644); err != nil {
		t.Fatal(err)
	}
	man := map[string]any{
		"name": "pooled-plugin", "space": space, "model": "pooled.onnx",
		"description": "the built-in backbone's pooled features as a plug-in",
		"input": map[string]any{
			"name": engine.BuiltinInput, "width": engine.BuiltinSize, "height": engine.BuiltinSize,
			"layout": "NHWC", "resize": "stretch", "mean": []float32{0, 0, 0}, "std": []float32{1, 1, 1},
		},
		"output": map[string]any{"name": engine.BuiltinPooled, "dim": engine.BuiltinPooledDim},
	}
	b, _ := json.Marshal(man)
	p := filepath.Join(dir, "pooled.json")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPluginQueryOfALibraryIndexedWithout: neighbors with a --plugin the
// library was not indexed with used to answer from the previous encoder's
// vectors (or print nothing, exit 0), and status --json said current: true.
func TestPluginQueryOfALibraryIndexedWithout(t *testing.T) {
	dir := photoFolder(t, "motorcycle_left.png", "motorcycle_right.png", "dog.jpg")
	if _, _, err := run(t, "index", dir); err != nil {
		t.Fatal(err)
	}
	plugin := writePlugin(t, "relational")
	for _, img := range []string{filepath.Join(dir, "dog.jpg"), photos + "chelsea.png"} {
		out, _, err := run(t, "--plugin", plugin, "neighbors", "--space", "relational", dir, img)
		if err == nil || !strings.Contains(err.Error(), "indexed with another encoder") {
			t.Errorf("neighbors of %s with a plug-in the library lacks: %q, %v; want an error saying to re-index", filepath.Base(img), out, err)
		}
	}
	out, _, err := run(t, "--plugin", plugin, "status", "--json", dir)
	if err != nil {
		t.Fatal(err)
	}
	var st library.Status
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatal(err)
	}
	for _, sp := range st.Spaces {
		// The built-in encoder's objects explain only its own relational
		// vectors: with a relational plug-in they are not current either.
		if want := sp.Space == "visual"; sp.Current != want {
			t.Errorf("status with the plug-in: %s current=%v, want %v", sp.Space, sp.Current, want)
		}
	}
	// Re-indexed with the plug-in, the same query answers.
	if _, _, err := run(t, "--plugin", plugin, "index", dir); err != nil {
		t.Fatal(err)
	}
	if out, _, err := run(t, "--plugin", plugin, "neighbors", "--space", "relational", dir, filepath.Join(dir, "dog.jpg")); err != nil || !strings.Contains(out, "motorcycle") {
		t.Errorf("after re-indexing with the plug-in: %q, %v", out, err)
	}
}

// TestNonUTF8NamesKeepTheirBytes: two files whose names differ only in
// bytes that are not UTF-8 both print as "a\ufffd.jpg" in JSON; path_bytes
// tells them apart.
func TestNonUTF8NamesKeepTheirBytes(t *testing.T) {
	dir := photoFolder(t)
	names := []string{"a\xff.jpg", "a\xfe.jpg"}
	for _, n := range names {
		b, err := os.ReadFile(photos + "dog.jpg")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
			t.Skipf("this file system refuses the name: %v", err)
		}
	}
	if _, _, err := run(t, "index", dir); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, "export", dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var rec struct {
			PathBytes []byte `json:"path_bytes"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		got[string(rec.PathBytes)] = true
	}
	for _, n := range names {
		if !got[n] {
			t.Errorf("export: no path_bytes %q in %v", n, got)
		}
	}
	out, _, err = run(t, "neighbors", "--json", "--space", "visual", dir, filepath.Join(dir, names[0]))
	if err != nil {
		t.Fatal(err)
	}
	var nb map[string][]struct {
		PathBytes []byte `json:"path_bytes"`
	}
	if err := json.Unmarshal([]byte(out), &nb); err != nil || len(nb["visual"]) != 1 || string(nb["visual"][0].PathBytes) != names[1] {
		t.Errorf("neighbors --json: %s (%v); want the other file's bytes", out, err)
	}
}
