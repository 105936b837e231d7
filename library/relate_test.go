package library

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"relview/assets"
	"relview/engine"
)

// phasesOf records the phases of an Index run in order (each once per run
// of consecutive events) and the last event of each.
type phasesOf struct {
	seq  []string
	last map[string]Progress
}

func (ph *phasesOf) add(p Progress) {
	if len(ph.seq) == 0 || ph.seq[len(ph.seq)-1] != p.Phase {
		ph.seq = append(ph.seq, p.Phase)
	}
	if ph.last == nil {
		ph.last = map[string]Progress{}
	}
	ph.last[p.Phase] = p
}

func coverage(t *testing.T, lib *Library, space string) Coverage {
	t.Helper()
	c, err := lib.SpaceCoverage(space)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// With the built-in encoders the first pass fills the gallery and both
// columns (visual and relational) and the second only the objects (for
// "why"), with the same vectors a single pass makes.
func TestTwoPassIndex(t *testing.T) {
	folder := sampleFolder(t)
	n := len(samples(t))
	lib := openLib(t, folder, t.TempDir(), Options{BatchSize: 4})
	var ph phasesOf
	var atSecond []Coverage // both columns when the second pass starts
	sum, err := lib.Index(context.Background(), func(p Progress) {
		if p.Phase == PhaseRelate && atSecond == nil {
			atSecond = []Coverage{coverage(t, lib, engine.Relational), coverage(t, lib, engine.Visual), coverage(t, lib, engine.Objects)}
		}
		ph.add(p)
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{PhaseScan, PhaseIndex, PhaseClean, PhaseRelate, PhaseDone}
	if !slices.Equal(ph.seq, want) {
		t.Fatalf("phases %v, want %v", ph.seq, want)
	}
	if len(atSecond) != 3 || atSecond[0].Have != n || atSecond[1].Have != n || atSecond[2].Have != 0 {
		t.Errorf("coverage (relational, visual, objects) when the second pass started: %+v, want %d, %d, 0", atSecond, n, n)
	}
	if r := ph.last[PhaseRelate]; r.Done != n || r.Total != n || r.Failed != 0 {
		t.Errorf("last relating event %+v, want %d of %d", r, n, n)
	}
	if sum.Indexed != n || sum.Related != n || sum.RelateFailed != 0 || sum.RelateLeft != 0 || !slices.Equal(sum.Deferred, []string{engine.Objects}) {
		t.Errorf("summary %+v", sum)
	}
	if sum.RelateRate <= 0 || sum.Rate <= 0 {
		t.Errorf("rates: first pass %.2f, second %.2f", sum.Rate, sum.RelateRate)
	}
	for _, sp := range []string{engine.Relational, engine.Visual, engine.Objects} {
		if c := coverage(t, lib, sp); c.Have != n || c.Total != n || !c.Complete() || c.Deferred != (sp == engine.Objects) {
			t.Errorf("coverage %+v, want %d of %d", c, n, n)
		}
	}
	st, err := lib.Status()
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Coverage) != 3 || st.Coverage[0].Space != engine.Objects || st.Coverage[0].Have != n {
		t.Errorf("status coverage %+v", st.Coverage)
	}
	if _, err := json.Marshal(sum); err != nil {
		t.Fatal(err)
	}

	// The same vectors as one pass filling every space.
	single := openLib(t, folder, t.TempDir(), Options{SinglePass: true})
	var ph1 phasesOf
	if _, err := single.Index(context.Background(), ph1.add); err != nil {
		t.Fatal(err)
	}
	if slices.Contains(ph1.seq, PhaseRelate) {
		t.Errorf("single pass ran a second pass: %v", ph1.seq)
	}
	ims, _ := lib.Images()
	var ids []int64
	for _, im := range ims {
		ids = append(ids, im.ID)
	}
	objs := lib.ObjectsOf(ids)
	for _, im := range ims {
		other, err := single.Lookup(im.Path)
		if err != nil {
			t.Fatal(err)
		}
		for _, sp := range []string{engine.Relational, engine.Visual} {
			a, err1 := lib.Vector(im.ID, sp)
			b, err2 := single.Vector(other.ID, sp)
			if err1 != nil || err2 != nil {
				t.Fatalf("%s %s: %v %v", im.Path, sp, err1, err2)
			}
			if c := engine.Cosine(a, b); c < 0.9999 {
				t.Errorf("%s %s: two-pass vs single-pass cosine %.5f", im.Path, sp, c)
			}
		}
		a, b := objs[im.ID], single.ObjectsOf([]int64{other.ID})[other.ID]
		if len(a) != engine.ObjectsDim || !slices.Equal(a, b) {
			t.Errorf("%s: objects %v in two passes, %v in one", im.Path, a, b)
		}
	}

	// Nothing left: a second run reads nothing.
	sum, err = lib.Index(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Indexed != 0 || sum.Related != 0 || sum.Unchanged != n {
		t.Errorf("second run %+v", sum)
	}

	// Objects made by an older object-relations model (v1 counted one
	// object scored under two classes twice) are not used for "why", and
	// the next run makes them again in the second pass alone.
	if _, err := lib.db.Exec(`UPDATE vectors SET model = 'nanodet-g object relations v1' WHERE space = ?`, engine.Objects); err != nil {
		t.Fatal(err)
	}
	if got := lib.ObjectsOf(ids); len(got) != 0 {
		t.Errorf("objects of the older model read for why: %d", len(got))
	}
	sum, err = lib.Index(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Indexed != 0 || sum.Related != n || sum.Unchanged != n {
		t.Errorf("run after the objects model changed: %+v", sum)
	}
	if again := lib.ObjectsOf(ids); len(again) != n || !slices.Equal(again[ids[0]], objs[ids[0]]) {
		t.Errorf("objects made again: %d of %d", len(again), n)
	}
}

// Cancelled in the second pass: both columns answer for every photo, the
// objects of the analysed ones are there, and the next run finds the rest
// without running the first pass again.
func TestRelateCancelResume(t *testing.T) {
	folder := sampleFolder(t)
	n := len(samples(t))
	cache := t.TempDir()
	lib := openLib(t, folder, cache, Options{BatchSize: 2, Workers: 2})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sum, err := lib.Index(ctx, func(p Progress) {
		if p.Phase == PhaseRelate && p.Done >= 4 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("index: %v, want cancelled", err)
	}
	if sum.Indexed != n || sum.Related < 4 || sum.Related >= n || sum.RelateLeft != n-sum.Related {
		t.Fatalf("cancelled run %+v", sum)
	}
	obj := coverage(t, lib, engine.Objects)
	if obj.Have != sum.Related || obj.Total != n || obj.Complete() {
		t.Errorf("objects coverage %+v after %d analysed", obj, sum.Related)
	}
	for _, sp := range []string{engine.Relational, engine.Visual} {
		if c := coverage(t, lib, sp); c.Have != n {
			t.Errorf("%s coverage %+v", sp, c)
		}
	}
	ims, _ := lib.Images()
	var ids []int64
	for _, im := range ims {
		ids = append(ids, im.ID)
		for _, sp := range []string{engine.Relational, engine.Visual} {
			if hits, err := lib.NeighboursByID(im.ID, sp, 5); err != nil || len(hits) != 5 {
				t.Errorf("%s: %s neighbours %d, %v", im.Path, sp, len(hits), err)
			}
		}
	}
	if got := len(lib.ObjectsOf(ids)); got != obj.Have {
		t.Errorf("%d photos with objects, coverage says %d", got, obj.Have)
	}
	lib.Close()

	lib = openLib(t, folder, cache, Options{BatchSize: 2, Workers: 2})
	var ph phasesOf
	sum2, err := lib.Index(context.Background(), ph.add)
	if err != nil {
		t.Fatal(err)
	}
	if sum2.Indexed != 0 || sum2.Unchanged != n || sum2.Related != n-sum.Related {
		t.Errorf("resumed run %+v, want 0 indexed, %d related", sum2, n-sum.Related)
	}
	if r := ph.last[PhaseRelate]; r.Total != n-sum.Related {
		t.Errorf("resumed second pass of %d, want %d", r.Total, n-sum.Related)
	}
	if c := coverage(t, lib, engine.Objects); c.Have != n {
		t.Errorf("objects coverage %+v after resuming", c)
	}
	if got := len(lib.ObjectsOf(ids)); got != n {
		t.Errorf("%d photos with objects after resuming, want %d", got, n)
	}
}

// A second-pass failure is recorded for the objects and their model; the
// image keeps its gallery entry and both columns' vectors, and it is
// retried only when the model changes.
func TestRelateFailureKeepsColumns(t *testing.T) {
	folder := sampleFolder(t)
	n := len(samples(t))
	lib := openLib(t, folder, t.TempDir(), Options{BatchSize: 4})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := lib.Index(ctx, func(p Progress) {
		if p.Phase == PhaseRelate {
			cancel()
		}
	}); !errors.Is(err, context.Canceled) {
		t.Fatalf("index: %v, want cancelled", err)
	}
	if c := coverage(t, lib, engine.Objects); c.Have != 0 {
		t.Fatalf("objects coverage %+v, want none yet", c)
	}
	// The file's bytes go bad between the passes; its size and time stay.
	name := samples(t)[0]
	p := filepath.Join(folder, name)
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, bytes.Repeat([]byte("x"), int(st.Size())), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, st.ModTime(), st.ModTime()); err != nil {
		t.Fatal(err)
	}

	sum, err := lib.Index(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Indexed != 0 || sum.Related != n-1 || sum.RelateFailed != 1 || len(sum.RelateFailures) != 1 || sum.RelateFailures[0].Path != name {
		t.Fatalf("summary %+v", sum)
	}
	im, err := lib.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	if im.Status != StatusIndexed {
		t.Errorf("%s: status %q after a second-pass failure", name, im.Status)
	}
	for _, sp := range []string{engine.Relational, engine.Visual} {
		if hits, err := lib.NeighboursByID(im.ID, sp, 3); err != nil || len(hits) != 3 {
			t.Errorf("%s: %s neighbours %d, %v", name, sp, len(hits), err)
		}
		if c := coverage(t, lib, sp); c.Have != n {
			t.Errorf("%s coverage %+v", sp, c)
		}
	}
	if o := lib.ObjectsOf([]int64{im.ID}); len(o) != 0 {
		t.Errorf("%s: objects %v, want none", name, o)
	}
	if c := coverage(t, lib, engine.Objects); c.Have != n-1 || c.Failed != 1 || !c.Complete() {
		t.Errorf("objects coverage %+v", c)
	}

	// Same model: not retried.
	sum, err = lib.Index(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Related != 0 || sum.RelateFailed != 0 {
		t.Errorf("third run retried: %+v", sum)
	}
	// Another model made the failure: retried (and it fails again).
	if _, err := lib.db.Exec(`UPDATE space_failures SET model = 'an older detector'`); err != nil {
		t.Fatal(err)
	}
	sum, err = lib.Index(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Related != 0 || sum.RelateFailed != 1 {
		t.Errorf("run after a model change: %+v", sum)
	}
	// A file that changes (here back to the content the first pass saw:
	// only its time changes) loses its failure.
	copyFile(t, filepath.Join(samplePhotos, name), p)
	sum, err = lib.Index(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Touched != 1 || sum.Related != 1 || sum.RelateFailed != 0 {
		t.Errorf("run after the file was restored: %+v", sum)
	}
	if c := coverage(t, lib, engine.Objects); c.Have != n || c.Failed != 0 {
		t.Errorf("objects coverage %+v", c)
	}
}

// writeBackbonePlugin writes a plug-in for space made of the embedded
// backbone read through its pooled output (as ui's tests do: the tiny model
// builder, engine/internal/onnxproto, cannot be imported from here).
func writeBackbonePlugin(t *testing.T, dir, name, space string) string {
	t.Helper()
	return writeScaledBackbonePlugin(t, dir, name, space, 1)
}

// writeScaledBackbonePlugin is writeBackbonePlugin with the input divided by
// std (a tiny std makes every output non-finite: a broken plug-in).
func writeScaledBackbonePlugin(t *testing.T, dir, name, space string, std float32) string {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name+".onnx"), assets.ModelONNX(), 0o644); err != nil {
		t.Fatal(err)
	}
	man := map[string]any{
		"name": name, "space": space, "model": name + ".onnx",
		"description": "the built-in backbone's pooled features, loaded as a plug-in",
		"input": map[string]any{
			"name": engine.BuiltinInput, "width": engine.BuiltinSize, "height": engine.BuiltinSize,
			"layout": "NHWC", "resize": "stretch", "mean": []float32{0, 0, 0}, "std": []float32{std, std, std},
		},
		"output": map[string]any{"name": engine.BuiltinPooled, "dim": engine.BuiltinPooledDim},
	}
	b, _ := json.Marshal(man)
	p := filepath.Join(dir, name+".json")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// pluginEngine is the built-in engine with the plug-in manifests added.
func pluginEngine(t *testing.T, manifests ...string) *engine.Engine {
	t.Helper()
	testEngine(t) // ONNX Runtime loaded once per process
	eng, err := openTestEngine(manifests...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(eng.Close)
	return eng
}

// A plug-in fills the relational space: nothing is deferred, one pass.
func TestSinglePassWithPluginRelational(t *testing.T) {
	eng := pluginEngine(t, writeBackbonePlugin(t, t.TempDir(), "plug-rel", engine.Relational))
	for _, s := range eng.Spaces() {
		if s.Deferred {
			t.Fatalf("space %s deferred with a plug-in relational encoder", s.Space)
		}
	}
	folder := sampleFolder(t)
	n := len(samples(t))
	lib := openLib(t, folder, t.TempDir(), Options{Engine: eng})
	var ph phasesOf
	sum, err := lib.Index(context.Background(), ph.add)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{PhaseScan, PhaseIndex, PhaseClean, PhaseDone}
	if !slices.Equal(ph.seq, want) {
		t.Errorf("phases %v, want %v", ph.seq, want)
	}
	if sum.Indexed != n || sum.Related != 0 || sum.Deferred != nil {
		t.Errorf("summary %+v", sum)
	}
	for _, sp := range []string{engine.Relational, engine.Visual} {
		if c := coverage(t, lib, sp); c.Have != n || c.Deferred {
			t.Errorf("coverage %+v", c)
		}
	}
	if hits, err := lib.Neighbours(samples(t)[0], engine.Relational, 3); err != nil || len(hits) != 3 {
		t.Errorf("relational neighbours %d, %v", len(hits), err)
	}
}
