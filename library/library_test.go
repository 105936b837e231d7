package library

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"relview/engine"
)

func TestIndexSamplesAndQuery(t *testing.T) {
	folder := sampleFolder(t)
	os.WriteFile(filepath.Join(folder, "notes.txt"), []byte("not an image"), 0o644)
	os.MkdirAll(filepath.Join(folder, ".hidden"), 0o755)
	copyFile(t, filepath.Join(samplePhotos, "dog.jpg"), filepath.Join(folder, ".hidden", "dog.jpg"))
	copyFile(t, filepath.Join(samplePhotos, "eagle.jpg"), filepath.Join(folder, ".eagle.jpg"))
	before := treeDigest(t, folder)
	n := len(samples(t))
	cache := t.TempDir()
	lib := openLib(t, folder, cache, Options{})

	var events []Progress
	sum, err := lib.Index(context.Background(), func(p Progress) { events = append(events, p) })
	if err != nil {
		t.Fatal(err)
	}
	if sum.Indexed != n || sum.Failed != 0 || sum.Scanned != n {
		t.Fatalf("summary %+v: want %d indexed, none failed (hidden files and notes.txt skipped)", sum, n)
	}
	last := events[len(events)-1]
	if last.Phase != PhaseDone || last.Done != n || last.Total != n {
		t.Errorf("last progress %+v", last)
	}
	if !strings.HasPrefix(lib.CatalogPath(), cache) {
		t.Errorf("catalog %s not under the cache root %s", lib.CatalogPath(), cache)
	}

	// Neighbours: the two motorcycle photos find each other visually.
	hits, err := lib.Neighbours("motorcycle_left.png", engine.Visual, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 3 || hits[0].Path != "sub/motorcycle_right.png" {
		t.Fatalf("visual neighbours of motorcycle_left: %+v", hits)
	}
	for i, h := range hits {
		if h.Path == "motorcycle_left.png" {
			t.Errorf("the image is its own neighbour")
		}
		if i > 0 && h.Score > hits[i-1].Score {
			t.Errorf("hits not sorted: %+v", hits)
		}
	}
	rel, err := lib.Neighbours(filepath.Join(folder, "motorcycle_left.png"), engine.Relational, 50)
	if err != nil || len(rel) != n-1 {
		t.Fatalf("relational neighbours by absolute path: %d hits, %v", len(rel), err)
	}
	// Why between two images says what the relational neighbours say.
	moto, err := lib.Lookup("motorcycle_left.png")
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range rel {
		w, err := lib.Why(moto.ID, h.ID)
		if err != nil || !reflect.DeepEqual(w, h.Why) {
			t.Errorf("Why(%s) = %+v, %v; the neighbour list says %+v", h.Path, w, err, h.Why)
		}
	}
	if w, err := lib.Why(moto.ID, 1<<40); w != nil || err != nil {
		t.Errorf("Why with an unknown image = %+v, %v; want nothing", w, err)
	}

	// A file outside the library is encoded: its copy in the library scores 1.
	ext, err := lib.NeighboursOfFile(filepath.Join(samplePhotos, "chelsea.png"), engine.Visual, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(ext) != 1 || !strings.HasSuffix(ext[0].Path, "chelsea.png") || ext[0].Score < 0.999 {
		t.Errorf("neighbours of an outside copy of chelsea.png: %+v", ext)
	}
	// Both spaces from one encode: the same copy tops both lists.
	both, err := lib.NeighboursOfFileIn(filepath.Join(samplePhotos, "chelsea.png"), []string{engine.Relational, engine.Visual}, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, sp := range []string{engine.Relational, engine.Visual} {
		if h := both[sp]; len(h) != 1 || !strings.HasSuffix(h[0].Path, "chelsea.png") || h[0].Score < 0.999 {
			t.Errorf("%s neighbours of an outside copy of chelsea.png: %+v", sp, h)
		}
	}

	// Scores and scatter cover every image.
	im, err := lib.Lookup("sub/motorcycle_right.png")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := lib.Scores(im.ID, engine.Visual)
	if err != nil || len(sc) != n || sc[im.ID] < 0.999 {
		t.Errorf("scores: %d, self %v, %v", len(sc), sc[im.ID], err)
	}
	pts, err := lib.Scatter(im.ID)
	if err != nil || len(pts) != n-1 {
		t.Errorf("scatter: %d points, %v", len(pts), err)
	}

	// Thumbnails exist on disk, at most ThumbSize.
	imgs, err := lib.Images()
	if err != nil || len(imgs) != n {
		t.Fatalf("images: %d, %v", len(imgs), err)
	}
	for _, im := range imgs {
		if _, err := os.Stat(lib.ThumbnailPath(im)); err != nil {
			t.Errorf("%s: no thumbnail on disk: %v", im.Path, err)
		}
		th, err := lib.Thumbnail(im)
		if err != nil {
			t.Fatal(err)
		}
		b := th.Bounds()
		if max(b.Dx(), b.Dy()) > ThumbSize || max(b.Dx(), b.Dy()) < min(ThumbSize, max(im.Width, im.Height)) {
			t.Errorf("%s: thumbnail %v for %dx%d", im.Path, b, im.Width, im.Height)
		}
		if im.Width == 0 || im.Hash == "" || im.Status != StatusIndexed {
			t.Errorf("image row %+v", im)
		}
	}

	// A second run reads nothing.
	sum, err = lib.Index(context.Background(), nil)
	if err != nil || sum.Unchanged != n || sum.Indexed != 0 || sum.Removed != 0 {
		t.Errorf("second run: %+v, %v", sum, err)
	}
	sameTree(t, before, treeDigest(t, folder))

	// A read-only open (another process) answers queries too.
	ro := openLib(t, folder, cache, Options{ReadOnly: true})
	hits2, err := ro.Neighbours("motorcycle_left.png", engine.Visual, 3)
	if err != nil || len(hits2) != 3 || hits2[0].ID != hits[0].ID {
		t.Errorf("read-only neighbours: %+v, %v", hits2, err)
	}
	if _, err := ro.Index(context.Background(), nil); err == nil {
		t.Errorf("read-only library indexed")
	}
}

func TestIncrementalRefresh(t *testing.T) {
	folder := sampleFolder(t)
	cache := t.TempDir()
	lib := openLib(t, folder, cache, Options{})
	n := len(samples(t))
	if _, err := lib.Index(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	moved, err := lib.Lookup("dog.jpg")
	if err != nil {
		t.Fatal(err)
	}
	movedVec, _ := lib.Vector(moved.ID, engine.Visual)
	// Warm the search store so the test also checks it follows the catalog.
	if _, err := lib.Neighbours("sub/chelsea.png", engine.Visual, 1); err != nil {
		t.Fatal(err)
	}

	// Move, delete, change, touch, copy.
	must(t, os.MkdirAll(filepath.Join(folder, "new", "deeper"), 0o755))
	must(t, os.Rename(filepath.Join(folder, "dog.jpg"), filepath.Join(folder, "new", "deeper", "renamed dog.jpg")))
	must(t, os.Remove(filepath.Join(folder, "sub", "eagle.jpg")))
	writeJPEG(t, filepath.Join(folder, "sub", "kite.jpg"), openSample(t, "scream.jpg"), 90) // content changed
	later := time.Now().Add(time.Hour)
	must(t, os.Chtimes(filepath.Join(folder, "rocket.jpg"), later, later)) // touched only
	copyFile(t, filepath.Join(samplePhotos, "chelsea.png"), filepath.Join(folder, "new", "chelsea copy.png"))

	sum, err := lib.Index(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Moved != 1 || sum.Removed != 1 || sum.Indexed != 1 || sum.Touched != 1 || sum.Copied != 1 || sum.Unchanged != n-4 {
		t.Fatalf("refresh summary %+v", sum)
	}
	im, err := lib.Lookup("new/deeper/renamed dog.jpg")
	if err != nil || im.ID != moved.ID {
		t.Fatalf("moved file: %+v, %v; want id %d kept", im, err, moved.ID)
	}
	v, err := lib.Vector(im.ID, engine.Visual)
	if err != nil || engine.Cosine(v, movedVec) < 0.99999 {
		t.Errorf("moved file lost its vector: %v", err)
	}
	if _, err := lib.Lookup("sub/eagle.jpg"); !IsNotIndexed(err) {
		t.Errorf("deleted file still catalogued: %v", err)
	}
	// The changed kite.jpg now holds The Scream: its copy-of-content neighbour.
	hits, err := lib.Neighbours("sub/kite.jpg", engine.Visual, 1)
	if err != nil || len(hits) != 1 || hits[0].Path != "sub/scream.jpg" {
		t.Errorf("changed file's neighbours: %+v, %v", hits, err)
	}
	hits, err = lib.Neighbours("new/chelsea copy.png", engine.Visual, 1)
	if err != nil || len(hits) != 1 || hits[0].Path != "sub/chelsea.png" || hits[0].Score < 0.999 {
		t.Errorf("copied file's neighbours: %+v, %v", hits, err)
	}
	// The search store follows: the deleted file is never a neighbour.
	all, err := lib.Neighbours("sub/chelsea.png", engine.Visual, 100)
	if err != nil || len(all) != n-1 {
		t.Fatalf("neighbours after refresh: %d, %v", len(all), err)
	}
	for _, h := range all {
		if h.Path == "sub/eagle.jpg" || h.Path == "dog.jpg" {
			t.Errorf("stale neighbour %s", h.Path)
		}
	}
	assertCatalogSound(t, lib, n)
}

func TestModelChangeReembedsOnlyThatSpace(t *testing.T) {
	// In two passes the second pass re-embeds the deferred relational
	// space; in one, the first pass does.
	t.Run("two passes", func(t *testing.T) { testModelChange(t, false) })
	t.Run("single pass", func(t *testing.T) { testModelChange(t, true) })
}

func testModelChange(t *testing.T, singlePass bool) {
	folder := t.TempDir()
	for _, name := range samples(t)[:4] {
		copyFile(t, filepath.Join(samplePhotos, name), filepath.Join(folder, name))
	}
	lib := openLib(t, folder, t.TempDir(), Options{SinglePass: singlePass})
	if _, err := lib.Index(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	// Pretend an older relational model made the stored vectors.
	if _, err := lib.db.Exec(`UPDATE vectors SET model = 'old-relational', data = zeroblob(length(data)) WHERE space = 'relational'`); err != nil {
		t.Fatal(err)
	}
	visBefore := blobs(t, lib, engine.Visual)
	st, _ := lib.Status()
	for _, s := range st.Spaces {
		if s.Space == engine.Relational && s.Current {
			t.Errorf("status says the old relational model is current: %+v", s)
		}
	}
	sum, err := lib.Index(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	// The relational space is filled in the first pass, with one pass or
	// two: its model change re-embeds there, and the objects stay.
	if sum.Reembed != 4 || sum.Indexed != 4 || sum.Unchanged != 0 || sum.Related != 0 {
		t.Fatalf("summary %+v: want 4 re-embedded", sum)
	}
	if after := blobs(t, lib, engine.Visual); !equalBlobs(visBefore, after) {
		t.Errorf("visual vectors were rewritten; only the relational space changed model")
	}
	rel := blobs(t, lib, engine.Relational)
	for id, b := range rel {
		if bytes.Count(b, []byte{0}) == len(b) {
			t.Errorf("image %d: relational vector still zero", id)
		}
	}
	var old int
	lib.db.QueryRow(`SELECT count(*) FROM vectors WHERE model = 'old-relational'`).Scan(&old)
	if old != 0 {
		t.Errorf("%d vectors of the old model left", old)
	}
}

func blobs(t *testing.T, lib *Library, space string) map[int64][]byte {
	t.Helper()
	rows, err := lib.db.Query(`SELECT image_id, data FROM vectors WHERE space = ?`, space)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64][]byte{}
	for rows.Next() {
		var id int64
		var b []byte
		must(t, rows.Scan(&id, &b))
		out[id] = b
	}
	return out
}

func equalBlobs(a, b map[int64][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !bytes.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

func TestOneWriter(t *testing.T) {
	folder := sampleFolder(t)
	cache := t.TempDir()
	lib := openLib(t, folder, cache, Options{})
	_, err := Open(folder, Options{CacheRoot: cache, Engine: testEngine(t)})
	if !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), "library busy (pid ") {
		t.Fatalf("second writer: %v; want library busy (pid N)", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := Open(folder, Options{CacheRoot: cache, Wait: true, WaitContext: ctx}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("waiting writer: %v; want it to wait until its context ends", err)
	}
	ro, err := Open(folder, Options{CacheRoot: cache, ReadOnly: true})
	if err != nil {
		t.Fatalf("read-only open beside a writer: %v", err)
	}
	ro.Close()
	// Once the writer closes, a waiting writer gets in.
	done := make(chan error, 1)
	go func() {
		l2, err := Open(folder, Options{CacheRoot: cache, Wait: true})
		if err == nil {
			l2.Close()
		}
		done <- err
	}()
	time.Sleep(100 * time.Millisecond)
	lib.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("waiting writer after close: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Errorf("waiting writer never got the lock")
	}
}

func TestPauseResumeCancel(t *testing.T) {
	folder := sampleFolder(t)
	lib := openLib(t, folder, t.TempDir(), Options{Workers: 1, BatchSize: 1})
	n := len(samples(t))
	lib.Pause()
	events := make(chan Progress, 1000)
	done := make(chan error, 1)
	go func() {
		_, err := lib.Index(context.Background(), func(p Progress) { events <- p })
		done <- err
	}()
	// The writer reports once a second while paused: wait for a report of
	// the indexing phase, which must still be at nothing done.
	for p := range events {
		if p.Done != 0 {
			t.Fatalf("paused indexing made progress: %+v", p)
		}
		if p.Phase == PhaseIndex {
			if !p.Paused {
				t.Errorf("report while paused says not paused: %+v", p)
			}
			break
		}
	}
	lib.Resume()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	// Cancel half way, then resume with a new run.
	folder2 := sampleFolder(t)
	lib2 := openLib(t, folder2, t.TempDir(), Options{Workers: 1, BatchSize: 1})
	ctx, cancel := context.WithCancel(context.Background())
	sum, err := lib2.Index(ctx, func(p Progress) {
		if p.Done >= 3 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) || sum.Indexed >= n {
		t.Fatalf("cancelled run: %+v, %v", sum, err)
	}
	imgs, _ := lib2.Images()
	if len(imgs) < 3 || len(imgs) >= n {
		t.Errorf("after cancel %d images catalogued, want what was done (3..%d)", len(imgs), n-1)
	}
	sum, err = lib2.Index(context.Background(), nil)
	if err != nil || sum.Indexed+sum.Unchanged != n || sum.Unchanged != len(imgs) {
		t.Errorf("resumed run: %+v, %v", sum, err)
	}
}

func TestReadOnlyFolder(t *testing.T) {
	folder := sampleFolder(t)
	// chmod -R a-w
	filepath.Walk(folder, func(p string, info os.FileInfo, err error) error {
		if err == nil {
			os.Chmod(p, info.Mode().Perm()&^0o222)
		}
		return nil
	})
	t.Cleanup(func() {
		filepath.Walk(folder, func(p string, info os.FileInfo, err error) error {
			if err == nil {
				os.Chmod(p, info.Mode().Perm()|0o200)
			}
			return nil
		})
	})
	before := treeDigest(t, folder)
	lib := openLib(t, folder, t.TempDir(), Options{})
	sum, err := lib.Index(context.Background(), nil)
	if err != nil || sum.Indexed != len(samples(t)) {
		t.Fatalf("read-only folder: %+v, %v", sum, err)
	}
	sameTree(t, before, treeDigest(t, folder))
}

func TestCacheRootFromEnv(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(CacheDirEnv, dir)
	root, err := CacheRoot("")
	if err != nil || root != dir {
		t.Errorf("CacheRoot = %q, %v; want %q", root, err, dir)
	}
	a, b := CacheDir(root, "/photos/a"), CacheDir(root, "/photos/b")
	if a == b || filepath.Dir(a) != dir {
		t.Errorf("cache dirs %s, %s", a, b)
	}
}

// assertCatalogSound checks integrity, no duplicate rows, and that every
// indexed image has one vector per space.
func assertCatalogSound(t *testing.T, lib *Library, wantIndexed int) {
	t.Helper()
	var ic string
	if err := lib.db.QueryRow(`PRAGMA integrity_check`).Scan(&ic); err != nil || ic != "ok" {
		t.Errorf("integrity_check: %q, %v", ic, err)
	}
	var fk int
	rows, _ := lib.db.Query(`PRAGMA foreign_key_check`)
	for rows.Next() {
		fk++
	}
	rows.Close()
	if fk != 0 {
		t.Errorf("%d foreign key violations", fk)
	}
	var dupPaths, indexed, badVec int
	lib.db.QueryRow(`SELECT count(*) - count(DISTINCT path) FROM images`).Scan(&dupPaths)
	lib.db.QueryRow(`SELECT count(*) FROM images WHERE status = 'indexed'`).Scan(&indexed)
	// Every indexed image has its visual and relational vectors (the first
	// pass writes them with the row); the objects, filled by the second
	// pass, may be missing only while a run is unfinished (wantIndexed < 0).
	lib.db.QueryRow(`SELECT count(*) FROM images i WHERE status = 'indexed' AND (
		(SELECT count(*) FROM vectors v WHERE v.image_id = i.id AND v.space IN ('visual', 'relational')) != 2 OR
		(SELECT count(*) FROM vectors v WHERE v.image_id = i.id) > 3 OR
		(? AND NOT EXISTS (SELECT 1 FROM vectors v WHERE v.image_id = i.id AND v.space = 'objects')))`, wantIndexed >= 0).Scan(&badVec)
	if dupPaths != 0 || badVec != 0 || (wantIndexed >= 0 && indexed != wantIndexed) {
		t.Errorf("catalog: %d duplicate paths, %d images without both vectors, %d indexed (want %d)", dupPaths, badVec, indexed, wantIndexed)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Pause holds the files already queued for the workers too: after it, only
// the batches the workers had begun finish (here two, one file each), not
// the ones waiting in the feed.
func TestPauseHoldsQueuedFiles(t *testing.T) {
	lib := openLib(t, sampleFolder(t), t.TempDir(), Options{Workers: 2})
	const n = 20
	var mu sync.Mutex
	started := 0
	release := make(chan struct{})
	work := func(ids []int) []result {
		mu.Lock()
		started += len(ids)
		first := started <= 2
		mu.Unlock()
		if first {
			<-release // the two the workers begin before the pause
		}
		return nil
	}
	w := &writer{l: lib, batch: 4, progress: func(Progress) {}, p: Progress{Phase: PhaseIndex, Total: n}, start: time.Now()}
	done := make(chan error, 1)
	go func() { done <- lib.runPool(context.Background(), n, 1, work, w) }()
	count := func() int {
		mu.Lock()
		defer mu.Unlock()
		return started
	}
	for count() < 2 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // the feed fills behind the busy workers
	lib.Pause()
	close(release)
	time.Sleep(200 * time.Millisecond)
	if got := count(); got != 2 {
		t.Errorf("%d files begun after the pause, want only the 2 begun before it", got)
	}
	lib.Resume()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := count(); got != n {
		t.Errorf("%d files processed after resuming, want %d", got, n)
	}
}
