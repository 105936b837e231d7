package cli

import (
	"bufio"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"relview/library"
)

// photoFolder copies a few sample photos into a temp folder and points the
// cache at another temp folder.
func photoFolder(t *testing.T, names ...string) string {
	t.Helper()
	t.Setenv(library.CacheDirEnv, t.TempDir())
	dir := t.TempDir()
	for _, n := range names {
		b, err := os.ReadFile(photos + n)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestIndexNeighborsStatusExport(t *testing.T) {
	names := []string{"motorcycle_left.png", "motorcycle_right.png", "chelsea.png", "dog.jpg", "rocket.jpg"}
	dir := photoFolder(t, names...)
	os.WriteFile(filepath.Join(dir, "broken.jpg"), []byte("\xff\xd8\xff garbage"), 0o644)

	out, _, err := run(t, "index", dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"indexed    5", "failed     1", "broken.jpg: ", "images/s", "objects    5 analysed (for why)", "in the first pass"} {
		if !strings.Contains(out, want) {
			t.Errorf("index summary lacks %q:\n%s", want, out)
		}
	}
	out, _, err = run(t, "index", "--json", dir)
	var sum library.Summary
	if err != nil || json.Unmarshal([]byte(out), &sum) != nil || sum.Unchanged != 6 || sum.Indexed != 0 {
		t.Errorf("second index: %q, %v", out, err)
	}

	out, _, err = run(t, "neighbors", "--json", "-k", "2", dir, filepath.Join(dir, "motorcycle_left.png"))
	if err != nil {
		t.Fatal(err)
	}
	var nb map[string][]struct {
		Path  string
		Score float64
	}
	if err := json.Unmarshal([]byte(out), &nb); err != nil {
		t.Fatalf("%q: %v", out, err)
	}
	if len(nb["relational"]) != 2 || len(nb["visual"]) != 2 || nb["visual"][0].Path != "motorcycle_right.png" || nb["visual"][0].Score < 0.5 {
		t.Errorf("neighbours %+v", nb)
	}
	// An image outside the folder, one space.
	out, _, err = run(t, "neighbors", "--space", "visual", "-k", "1", dir, photos+"kite.jpg")
	if err != nil || !strings.Contains(out, "visual neighbours") || strings.Contains(out, "relational") {
		t.Errorf("outside image: %q, %v", out, err)
	}
	if _, _, err := run(t, "neighbors", "--space", "smell", dir, "dog.jpg"); err == nil {
		t.Errorf("unknown space accepted")
	}

	out, _, err = run(t, "status", "--json", dir)
	var st library.Status
	if err != nil || json.Unmarshal([]byte(out), &st) != nil {
		t.Fatalf("status: %q, %v", out, err)
	}
	if st.Indexed != 5 || st.Failed != 1 || len(st.Spaces) != 3 || st.CatalogSize == 0 || !strings.HasPrefix(st.Catalog, os.Getenv(library.CacheDirEnv)) {
		t.Errorf("status %+v", st)
	}
	if len(st.Coverage) != 3 || st.Coverage[0].Space != "objects" || st.Coverage[1].Space != "relational" || !st.Coverage[0].Deferred ||
		st.Coverage[0].Have != 5 || st.Coverage[1].Have != 5 || st.Coverage[1].Total != 5 {
		t.Errorf("status coverage %+v", st.Coverage)
	}

	out, _, err = run(t, "export", "--space", "visual", dir)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<24)
	lines := 0
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatal(err)
		}
		vec, _ := rec["visual"].([]any)
		if _, rel := rec["relational"]; rel || len(vec) != 1792 || rec["path"] == "" {
			t.Errorf("export line %v...", rec["path"])
		}
		lines++
	}
	if lines != 5 {
		t.Errorf("export: %d lines, want 5", lines)
	}
}

func TestIndexBusy(t *testing.T) {
	dir := photoFolder(t, "dog.jpg")
	lib, err := library.Open(dir, library.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	_, stderr, code := relview(t, nil, "index", dir)
	if code == 0 || !strings.Contains(stderr, fmt.Sprintf("library busy (pid %d", os.Getpid())) {
		t.Errorf("exit %d, stderr %q: want a clear 'library busy (pid N)'", code, stderr)
	}
}

// The second pass has its own progress lines, and status says how far it got.
func TestIndexProgressSecondPass(t *testing.T) {
	var b strings.Builder
	v := newProgressView(&b, false)
	v.update(library.Progress{Phase: library.PhaseUpgrade, Done: 256, Total: 300})
	v.update(library.Progress{Phase: library.PhaseIndex, Done: 2, Total: 2, Rate: 40})
	v.update(library.Progress{Phase: library.PhaseRelate, Done: 0, Total: 2})
	v.update(library.Progress{Phase: library.PhaseRelate, Done: 2, Total: 2, Rate: 12.5})
	v.update(library.Progress{Phase: library.PhaseRelate, Done: 2, Total: 2, Rate: 12.5}) // the writer's last tick
	v.finish()
	out := b.String()
	if n := strings.Count(out, "finding objects 2/2"); n != 1 {
		t.Errorf("the final line printed %d times:\n%s", n, out)
	}
	for _, want := range []string{"upgrading the catalog 256/300 vectors (no photo is read)", "indexed 2/2 (40.0 images/s", "finding objects 0/2", "finding objects 2/2 (12.5 images/s"} {
		if !strings.Contains(out, want) {
			t.Errorf("progress lacks %q:\n%s", want, out)
		}
	}
	got := coverageText(library.Coverage{Space: "objects", Have: 812, Total: 3108, Deferred: true})
	if got != "812 of 3108 images analysed for objects; 'relview index' goes on" {
		t.Errorf("coverage text %q", got)
	}
}

// A catalog made before capture dates were stored (taken NULL): the next
// index reads them and says so; --json counts them; a run after says nothing.
func TestIndexReadsDatesOfOlderCatalog(t *testing.T) {
	dir := photoFolder(t, "dog.jpg", "chelsea.png")
	if _, _, err := run(t, "index", dir); err != nil {
		t.Fatal(err)
	}
	lib, err := library.Open(dir, library.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	catalog := lib.CatalogPath()
	lib.Close()
	db, err := sql.Open("sqlite", "file:"+catalog)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE images SET taken = NULL`); err != nil {
		t.Fatal(err)
	}
	db.Close()

	out, _, err := run(t, "index", dir)
	if err != nil || !strings.Contains(out, "dates      2 capture dates (EXIF) read") {
		t.Errorf("index of an older catalog: %v\n%s", err, out)
	}
	out, _, err = run(t, "index", "--json", dir)
	var sum library.Summary
	if err != nil || json.Unmarshal([]byte(out), &sum) != nil || sum.DatesRead != 0 || strings.Contains(out, "dates_read") {
		t.Errorf("the run after: %v\n%s", err, out)
	}
	lib, err = library.Open(dir, library.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	im, err := lib.Lookup("dog.jpg")
	if err != nil || im.Taken.IsZero() || im.Taken.Year() != 2014 {
		t.Errorf("dog.jpg after the dates were read: %+v, %v", im, err)
	}
}
