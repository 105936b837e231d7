package ui

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"relview/assets"
	"relview/cli"
	"relview/engine"
	"relview/library"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// writeBackbonePlugin writes a plug-in for space whose model is a real ONNX
// model: the embedded MobileNetV2 backbone, read through its pooled output.
// (The tiny model builder, engine/internal/onnxproto, cannot be imported
// from outside engine/.) edit may change the manifest before it is written.
func writeBackbonePlugin(t *testing.T, dir, name, space string, edit func(map[string]any)) string {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name+".onnx"), assets.ModelONNX(), 0o644); err != nil {
		t.Fatal(err)
	}
	man := map[string]any{
		"name": name, "space": space, "model": name + ".onnx",
		"description": "the built-in backbone's pooled features, loaded as a plug-in",
		"input": map[string]any{
			"name": engine.BuiltinInput, "width": engine.BuiltinSize, "height": engine.BuiltinSize,
			"layout": "NHWC", "resize": "stretch", "mean": []float32{0, 0, 0}, "std": []float32{1, 1, 1},
		},
		"output": map[string]any{"name": engine.BuiltinPooled, "dim": engine.BuiltinPooledDim},
	}
	if edit != nil {
		edit(man)
	}
	b, _ := json.Marshal(man)
	p := filepath.Join(dir, name+".json")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSettingsEncoderChoice(t *testing.T) {
	b, w, _, _ := newTestBrowser(t, 3)
	p := b.app.Preferences()
	s := newLoopSession(t, b, nil, t.TempDir(), t.TempDir())
	v := b.showSettings(s)
	rel, vis := v.rows[engine.Relational], v.rows[engine.Visual]
	if rel.current.Text != "built-in" || vis.current.Text != "built-in" {
		t.Fatalf("fresh settings show %q / %q, want built-in for both", rel.current.Text, vis.current.Text)
	}

	dir := t.TempDir()
	good := writeBackbonePlugin(t, dir, "plug-rel", engine.Relational, nil)
	if !rel.pick(good) {
		t.Fatalf("a valid relational manifest was refused: %s", rel.errText.Text)
	}
	if got := p.String(prefEncoderRelational); got != good {
		t.Fatalf("relational encoder preference = %q, want %q", got, good)
	}
	if !strings.Contains(rel.current.Text, "plug-rel") || rel.errText.Visible() || rel.builtin.Disabled() {
		t.Fatalf("row after a good choice: %q, error shown %t", rel.current.Text, rel.errText.Visible())
	}
	if v.apply.Disabled() {
		t.Error("Apply is disabled after the encoder changed")
	}
	if got := wantedEngine(p).plugins(); len(got) != 1 || got[0] != good {
		t.Errorf("the engine would open with plug-ins %v", got)
	}

	// Bad manifests: each shows its error and keeps the stored choice.
	broken := filepath.Join(dir, "broken.json")
	os.WriteFile(broken, []byte(`{"name": "x", "space": `), 0o644)
	typo := writeBackbonePlugin(t, dir, "typo", engine.Relational, func(m map[string]any) { m["ouptut"] = m["output"] })
	noModel := writeBackbonePlugin(t, dir, "nomodel", engine.Relational, func(m map[string]any) { m["model"] = "missing.onnx" })
	visual := writeBackbonePlugin(t, dir, "plug-vis", engine.Visual, nil)
	for _, c := range []struct{ path, want string }{
		{broken, "unexpected EOF"},
		{typo, `unknown field "ouptut"`},
		{noModel, "missing.onnx"},
		{visual, "fills the visual space, not the relational space"},
		{filepath.Join(dir, "absent.json"), "no such file"},
	} {
		if rel.pick(c.path) {
			t.Errorf("%s was accepted", filepath.Base(c.path))
			continue
		}
		if !rel.errText.Visible() || !strings.Contains(rel.errText.Text, c.want) {
			t.Errorf("%s: the row shows %q (visible %t), want it to say %q", filepath.Base(c.path), rel.errText.Text, rel.errText.Visible(), c.want)
		}
		if got := p.String(prefEncoderRelational); got != good {
			t.Errorf("%s replaced the relational encoder: %q", filepath.Base(c.path), got)
		}
		if !strings.Contains(rel.current.Text, "plug-rel") {
			t.Errorf("%s: the row now says %q", filepath.Base(c.path), rel.current.Text)
		}
	}

	// The visual manifest belongs in the visual row.
	if !vis.pick(visual) || p.String(prefEncoderVisual) != visual {
		t.Fatalf("visual row refused its manifest: %q", vis.errText.Text)
	}
	if rel.pick(visual) || p.String(prefEncoderRelational) != good {
		t.Fatal("the relational row took the visual manifest")
	}
	rel.useBuiltin()
	if p.String(prefEncoderRelational) != "" || rel.current.Text != "built-in" || rel.errText.Visible() || !rel.builtin.Disabled() {
		t.Fatalf("back to built-in: pref %q, row %q", p.String(prefEncoderRelational), rel.current.Text)
	}
	if got := wantedEngine(p).plugins(); len(got) != 1 || got[0] != visual {
		t.Errorf("the engine would open with plug-ins %v, want only the visual one", got)
	}

	// The button opens a file dialog over the settings.
	n := len(w.Canvas().Overlays().List())
	test.Tap(vis.pickBtn)
	if len(w.Canvas().Overlays().List()) != n+1 {
		t.Fatal("Plug-in manifest… shows no file dialog")
	}
}

// The relational plug-in preference of earlier versions still counts until
// the relational encoder is chosen anew.
func TestEncoderPrefLegacyKey(t *testing.T) {
	a := test.NewTempApp(t)
	p := a.Preferences()
	p.SetString(prefPlugin, "/old/relsim.json")
	if got := wantedEngine(p); got.relational != "/old/relsim.json" || got.visual != "" {
		t.Fatalf("wanted engine %+v", got)
	}
	setEncoderPref(p, engine.Relational, "")
	if got := wantedEngine(p); got.relational != "" || p.String(prefPlugin) != "" {
		t.Fatalf("after choosing built-in: %+v, legacy %q", got, p.String(prefPlugin))
	}
}

// TestApplyPluginEncoderLive indexes real photos with the built-in
// encoders, then makes a plug-in the visual encoder in the settings and
// applies it: a plug-in ONNX Runtime cannot load is refused and the running
// engine kept; a good one re-embeds only the visual space and the visual
// column's caption names it.
func TestApplyPluginEncoderLive(t *testing.T) {
	if _, err := engine.FindRuntime(""); err != nil {
		t.Skipf("ONNX Runtime not installed (scripts/get-onnxruntime.sh): %v", err)
	}
	photos := []string{"chelsea.png", "coffee.png", "motorcycle_left.png"}
	dir := samplePhotoFolder(t, photos...)
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, widget.NewLabel(""))
	b := newLoopBrowser(t, a, w, Config{K: 2, ThumbWorkers: 1})
	w.SetContent(b.Content())
	w.Resize(fyne.NewSize(1100, 760))
	var opened [][]string
	s := newLoopSession(t, b, func(threads int, plugins []string) (*engine.Engine, error) {
		opened = append(opened, plugins)
		return cli.OpenEngine("", 1, plugins)
	}, t.TempDir(), t.TempDir())
	type result struct {
		sum library.Summary
		err error
	}
	var indexed []result // OnIndexed runs on the test's UI loop
	s.OnIndexed = func(sum library.Summary, err error) { indexed = append(indexed, result{sum, err}) }
	wait := func(what string) result {
		t.Helper()
		n := len(indexed)
		waitUntil(t, b, what, func() bool { return len(indexed) > n })
		settle(b)
		r := indexed[n]
		if r.err != nil {
			t.Fatalf("%s: %v", what, r.err)
		}
		return r
	}
	s.Open(dir)
	if r := wait("indexing"); r.sum.Indexed != len(photos) {
		t.Fatalf("indexed %+v", r.sum)
	}
	builtinVis := b.nb.vis.caption.Text
	if !strings.Contains(b.nb.vis.details, "mobilenet") || strings.Contains(builtinVis, "plug-in") {
		t.Fatalf("visual caption before: %q", builtinVis)
	}

	v := b.showSettings(s)
	if !v.apply.Disabled() {
		t.Error("Apply is enabled though nothing changed")
	}
	// Apply: the settings show the outcome once the lifecycle step ran.
	apply := func() error {
		t.Helper()
		test.Tap(v.apply)
		settle(b)
		if strings.HasPrefix(v.applyNote.Text, "Not applied") {
			return errors.New(v.applyNote.Text)
		}
		return nil
	}

	// A manifest that passes the checks but names a file that is no ONNX
	// model: the engine does not open, the built-in one keeps running and
	// the preference goes back to it.
	plugDir := t.TempDir()
	junk := writeBackbonePlugin(t, plugDir, "junk", engine.Visual, nil)
	os.WriteFile(filepath.Join(plugDir, "junk.onnx"), []byte("not a model"), 0o644)
	if !v.rows[engine.Visual].pick(junk) {
		t.Fatalf("junk manifest refused early: %s", v.rows[engine.Visual].errText.Text)
	}
	if err := apply(); err == nil {
		t.Fatal("an engine with a junk model opened")
	}
	if !strings.HasPrefix(v.applyNote.Text, "Not applied") || !strings.Contains(v.applyNote.Text, "junk") {
		t.Fatalf("after a failed apply the note says %q", v.applyNote.Text)
	}
	if got := a.Preferences().String(prefEncoderVisual); got != "" || v.rows[engine.Visual].current.Text != "built-in" {
		t.Fatalf("after a failed apply the visual encoder is %q (row %q), want the built-in one back", got, v.rows[engine.Visual].current.Text)
	}
	if b.nb.vis.caption.Text != builtinVis || s.library() == nil {
		t.Fatalf("a failed apply changed the view: %q", b.nb.vis.caption.Text)
	}

	good := writeBackbonePlugin(t, plugDir, "test-visual-plugin", engine.Visual, nil)
	if !v.rows[engine.Visual].pick(good) {
		t.Fatal(v.rows[engine.Visual].errText.Text)
	}
	if err := apply(); err != nil {
		t.Fatal(err)
	}
	r := wait("re-indexing with the plug-in")
	if r.sum.Reembed != len(photos) || r.sum.Indexed != len(photos) {
		t.Errorf("after applying: %+v, want every photo re-embedded", r.sum)
	}
	if last := opened[len(opened)-1]; len(last) != 1 || last[0] != good {
		t.Errorf("engine opened with plug-ins %v", last)
	}
	if c := b.nb.vis.caption.Text; c != "plug-in: test-visual-plugin.json" || !strings.Contains(b.nb.vis.details, "test-visual-plugin") {
		t.Errorf("visual caption after apply: %q", c)
	}
	if c := b.nb.rel.caption.Text; !strings.Contains(c, "approximation") || strings.Contains(c, "plug-in") {
		t.Errorf("relational caption after apply: %q", c)
	}
	if !strings.Contains(v.inUse.Text, "test-visual-plugin") {
		t.Errorf("settings list the encoders in use as %q", v.inUse.Text)
	}
	st, err := s.library().Status()
	if err != nil {
		t.Fatal(err)
	}
	for _, sp := range st.Spaces {
		if sp.Vectors != len(photos) || !sp.Current {
			t.Errorf("space %+v after re-indexing", sp)
		}
		if sp.Space == engine.Visual && sp.Model != "test-visual-plugin" {
			t.Errorf("visual vectors made by %q", sp.Model)
		}
	}
	// Both columns still answer, the visual one from the plug-in's vectors.
	b.Show(b.gallery.shown[0].ID)
	settle(b)
	if b.nb.rel.shown != 2 || b.nb.vis.shown != 2 {
		t.Fatalf("columns %d/%d (%q / %q)", b.nb.rel.shown, b.nb.vis.shown, b.nb.rel.note.Text, b.nb.vis.note.Text)
	}
}

// Apply after changing the threads reopens the library with a new engine
// and keeps the photo shown and the history (issue 9 item 7).
func TestApplyThreadsKeepsQueryAndHistory(t *testing.T) {
	if _, err := engine.FindRuntime(""); err != nil {
		t.Skipf("ONNX Runtime not installed (scripts/get-onnxruntime.sh): %v", err)
	}
	dir := samplePhotoFolder(t, "chelsea.png", "coffee.png", "rocket.jpg")
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, widget.NewLabel(""))
	b := newLoopBrowser(t, a, w, Config{K: 2, ThumbWorkers: 1})
	w.SetContent(b.Content())
	w.Resize(fyne.NewSize(1100, 760))
	var threads []int
	s := newLoopSession(t, b, func(n int, plugins []string) (*engine.Engine, error) {
		threads = append(threads, n)
		return cli.OpenEngine("", 1, plugins)
	}, t.TempDir(), t.TempDir())
	runs := 0
	s.OnIndexed = func(library.Summary, error) { runs++ }
	s.Open(dir)
	waitUntil(t, b, "indexing", func() bool { return runs == 1 })
	settle(b)
	first, second := b.gallery.shown[0].ID, b.gallery.shown[2].ID
	b.Show(first)
	b.Show(second)
	settle(b)

	v := b.showSettings(s)
	v.threads.SetSelected("2")
	if v.apply.Disabled() {
		t.Fatal("Apply is disabled after changing the threads")
	}
	test.Tap(v.apply)
	waitUntil(t, b, "re-opening", func() bool { return runs == 2 })
	settle(b)
	if len(threads) != 2 || threads[1] != 2 {
		t.Fatalf("engines opened with threads %v", threads)
	}
	if b.query != second || b.nb.rel.shown == 0 {
		t.Fatalf("after Apply the query is %d with %d neighbours, want %d", b.query, b.nb.rel.shown, second)
	}
	if b.nb.back.Disabled() {
		t.Fatal("after Apply the history is gone")
	}
	b.Back()
	settle(b)
	if b.query != first {
		t.Errorf("back after Apply: %d, want %d", b.query, first)
	}
}
