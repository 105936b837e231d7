package sample

import (
	"image"
	_ "image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEnsureWritesOnceAndAtomically(t *testing.T) {
	data := t.TempDir()
	dir, err := Ensure(data)
	if err != nil {
		t.Fatal(err)
	}
	if dir != Dir(data) {
		t.Fatalf("dir = %s, want %s", dir, Dir(data))
	}
	if !Complete(dir) {
		t.Fatal("no marker after Ensure")
	}
	photos, _ := filepath.Glob(filepath.Join(dir, "photos", "*.*"))
	comps, _ := filepath.Glob(filepath.Join(dir, "compositions", "*.jpg"))
	if len(photos) != 21 { // 20 photos + LICENSES.md
		t.Errorf("photos/: %d files, want 21", len(photos))
	}
	if want := len(Templates) * len(Mains); len(comps) != want {
		t.Errorf("compositions/: %d files, want %d", len(comps), want)
	}
	// Every composition decodes, and is named template-photo.jpg.
	for _, c := range comps {
		f, err := os.Open(c)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = image.DecodeConfig(f)
		f.Close()
		if err != nil {
			t.Errorf("%s: %v", c, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "compositions", "odd-one-out-chelsea.jpg")); err != nil {
		t.Error(err)
	}
	// No temporary folder is left behind.
	left, _ := filepath.Glob(filepath.Join(data, ".sample-tmp-*"))
	if len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}

	// A second Ensure keeps the folder as it is (same mtime on a file).
	p := filepath.Join(dir, "README.md")
	st1, _ := os.Stat(p)
	if _, err := Ensure(data); err != nil {
		t.Fatal(err)
	}
	st2, _ := os.Stat(p)
	if !st1.ModTime().Equal(st2.ModTime()) {
		t.Error("second Ensure rewrote the sample")
	}
}

func TestEnsureReplacesIncompleteFolder(t *testing.T) {
	data := t.TempDir()
	dir := Dir(data)
	if err := os.MkdirAll(filepath.Join(dir, "photos"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "stale.txt"), []byte("x"), 0o644)
	if _, err := Ensure(data); err != nil {
		t.Fatal(err)
	}
	if !Complete(dir) {
		t.Fatal("not complete")
	}
	if _, err := os.Stat(filepath.Join(dir, "stale.txt")); !os.IsNotExist(err) {
		t.Error("the incomplete folder was not replaced")
	}
	old, _ := filepath.Glob(dir + ".old-*")
	if len(old) != 0 {
		t.Errorf("old folder left: %v", old)
	}
}

func TestEnsureNeedsDataDir(t *testing.T) {
	if _, err := Ensure(""); err == nil || !strings.Contains(err.Error(), "data folder") {
		t.Fatalf("err = %v", err)
	}
}

func TestCompositionsDeterministic(t *testing.T) {
	dir := t.TempDir()
	if err := Write(dir); err != nil {
		t.Fatal(err)
	}
	a, err := Compositions(filepath.Join(dir, "photos"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := Compositions(filepath.Join(dir, "photos"))
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != len(b) || len(a) != len(Templates)*len(Mains) {
		t.Fatalf("len %d %d", len(a), len(b))
	}
	for i := range a {
		if a[i].Name != b[i].Name || string(a[i].Image.Pix) != string(b[i].Image.Pix) {
			t.Fatalf("composition %d differs between runs", i)
		}
	}
}
