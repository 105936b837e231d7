package realbench

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func photos(groups ...string) []Photo {
	var p []Photo
	for i, g := range groups {
		p = append(p, Photo{Set: "dev", Group: g, Package: "pkg", Path: string(rune('a'+i)) + ".jpg"})
	}
	return p
}

func TestEvaluatePerfectAndInverted(t *testing.T) {
	ps := photos("a", "a", "b", "b", None, None)
	// Each group's photos share one direction; the distractors another.
	perfect := [][]float32{{1, 0, 0}, {1, 0.1, 0}, {0, 1, 0}, {0.1, 1, 0}, {0, 0, 1}, {0, 0.1, 1}}
	r, err := Evaluate(ps, perfect, 2)
	if err != nil {
		t.Fatal(err)
	}
	if r.Queries != 4 || math.Abs(r.MAP-1) > 1e-9 {
		t.Fatalf("perfect vectors: %d queries, mAP %.3f; want 4 and 1", r.Queries, r.MAP)
	}
	if got := r.Top[0].Neighbour[0]; got != 1 {
		t.Errorf("top neighbour of photo 0 is %d, want 1", got)
	}
	// Every query's group-mate ranked last: AP = 1/5.
	inverted := [][]float32{{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0.5, 0.5, 0}, {0.5, 0.5, 0}}
	r, err = Evaluate(ps, inverted, 2)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(r.MAP-0.2) > 1e-9 {
		t.Errorf("inverted vectors: mAP %.3f, want 0.200", r.MAP)
	}
	// A random ranking of 5 with one relevant: expected AP (1+1/2+…+1/5)/5.
	want := (1 + 1.0/2 + 1.0/3 + 1.0/4 + 1.0/5) / 5
	if math.Abs(r.Chance-want) > 1e-9 {
		t.Errorf("chance %.4f, want %.4f", r.Chance, want)
	}
	if !strings.Contains(Table([]string{"x"}, map[string]Result{"x": r}), "| a | 2 |") {
		t.Errorf("table lacks the group row:\n%s", Table([]string{"x"}, map[string]Result{"x": r}))
	}
}

func TestEvaluateRejectsBadVectors(t *testing.T) {
	ps := photos("a", "a")
	if _, err := Evaluate(ps, [][]float32{{1}, {float32(math.NaN())}}, 1); err == nil {
		t.Error("NaN vector accepted")
	}
	if _, err := Evaluate(ps, [][]float32{{1}}, 1); err == nil {
		t.Error("missing vector accepted")
	}
	if _, err := Evaluate(photos("a", None), [][]float32{{1}, {1}}, 1); err == nil {
		t.Error("no group with two photos: want an error")
	}
}

func TestLoadLabels(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "labels.tsv")
	body := "set\tgroup\tpackage\tversion\tpath\tnote\n" +
		"dev\trepetition\tp\t1\ta/b.jpg\tmany coins\n" +
		"held\tnone\tq\t2\tc.png\ta cat\n"
	if err := os.WriteFile(f, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	dev, err := LoadLabels(f, "dev")
	if err != nil || len(dev) != 1 || dev[0].Group != "repetition" || dev[0].File("/x") != "/x/p/a/b.jpg" {
		t.Fatalf("dev = %+v, %v", dev, err)
	}
	if all, _ := LoadLabels(f); len(all) != 2 {
		t.Errorf("all sets: %d rows, want 2", len(all))
	}
	if _, err := LoadLabels(f, "calib"); err == nil {
		t.Error("empty set: want an error")
	}
	if err := os.WriteFile(f, []byte("h\nonly\ttwo\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadLabels(f); err == nil {
		t.Error("short row accepted")
	}
	if m := Missing(dev, dir); len(m) != 1 {
		t.Errorf("missing = %v, want the one photo", m)
	}
}

func TestLoadLabelsRefusesSpecialFiles(t *testing.T) {
	if _, err := LoadLabels(os.DevNull); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("a device as labels: %v", err)
	}
	if _, err := LoadLabels(t.TempDir()); err == nil {
		t.Error("a folder as labels accepted")
	}
}
