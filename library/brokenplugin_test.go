package library

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"relview/engine"
)

// Issue 10, item 1 (the plug-in: the backbone fed inputs scaled by 1e38,
// whose outputs are never finite): a plug-in that outputs NaN must not wipe the library.
// Re-embedding with it fails only its space, keeps every image and every
// vector, and indexing again without it finds the library as it was; a file
// that first met the broken plug-in is retried once the models change.
func TestBrokenPluginKeepsTheLibrary(t *testing.T) {
	folder := sampleFolder(t)
	n := len(samples(t))
	cache := t.TempDir()
	lib := openLib(t, folder, cache, Options{})
	if _, err := lib.Index(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	lib.Close()

	broken := openLib(t, folder, cache, Options{Engine: pluginEngine(t, writeScaledBackbonePlugin(t, t.TempDir(), "nan", engine.Relational, 1e-38))})
	copyFile(t, filepath.Join(samplePhotos, "chelsea.png"), filepath.Join(folder, "new", "cat.png"))
	sum, err := broken.Index(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Failed == 0 {
		t.Errorf("the broken plug-in failed nothing: %+v", sum)
	}
	var indexed, failed int
	broken.db.QueryRow(`SELECT count(*) FROM images WHERE status = 'indexed'`).Scan(&indexed)
	broken.db.QueryRow(`SELECT count(*) FROM images WHERE status = 'failed'`).Scan(&failed)
	if indexed != n || failed != 1 {
		t.Errorf("after the broken plug-in: %d indexed, %d failed; want %d and 1 (the new file)", indexed, failed, n)
	}
	var reason string
	broken.db.QueryRow(`SELECT reason FROM images WHERE path = 'new/cat.png'`).Scan(&reason)
	if !strings.HasPrefix(reason, encodeFailureTag) || !strings.Contains(reason, "not finite") {
		t.Errorf("reason of the new file: %q", reason)
	}
	broken.Close()

	again := openLib(t, folder, cache, Options{})
	sum, err = again.Index(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Unchanged != n || sum.Indexed != 1 || sum.Failed != 0 {
		t.Errorf("without the plug-in: %+v; want %d unchanged and the new file indexed", sum, n)
	}
	for _, sp := range []string{engine.Relational, engine.Visual} {
		if hits, err := again.Neighbours(samples(t)[0], sp, 3); err != nil || len(hits) != 3 {
			t.Errorf("%s neighbours after the broken plug-in: %d, %v", sp, len(hits), err)
		}
	}
}
