package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A tiny real-photo benchmark from the sample photos: two "texture" photos,
// two "animal" ones and a distractor, laid out as fetch.sh lays out packages.
func TestBenchReal(t *testing.T) {
	dir := t.TempDir()
	pkg := filepath.Join(dir, "pkg", "img")
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	rows := "set\tgroup\tpackage\tversion\tpath\tnote\n"
	for _, r := range [][2]string{{"gravel.png", "texture"}, {"brick.png", "texture"}, {"dog.jpg", "animal"}, {"horses.jpg", "animal"}, {"rocket.jpg", "none"}} {
		b, err := os.ReadFile(photos + r[0])
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(pkg, r[0]), b, 0o644); err != nil {
			t.Fatal(err)
		}
		rows += "dev\t" + r[1] + "\tpkg\t1\timg/" + r[0] + "\tnote\n"
	}
	labels := filepath.Join(dir, "labels.tsv")
	if err := os.WriteFile(labels, []byte(rows), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, "bench", "real", "--labels", labels, "--photos", dir, "--show", "2")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"| texture | 2 |", "| animal | 2 |", "**mAP** (4 queries)", "relational / visual mAP", "pkg/gravel.png [texture]", "relational AP"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// Photos not fetched: a clear error naming fetch.sh.
	_, _, err = run(t, "bench", "real", "--labels", labels, "--photos", t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "fetch.sh") {
		t.Errorf("missing photos: %v, want a hint at fetch.sh", err)
	}
}
