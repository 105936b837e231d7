package library

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/jpeg"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/disintegration/imaging"

	"relview/assets"
	"relview/engine"
)

// childEnv makes the test binary a child that indexes a folder (for the
// kill -9 test): RELVIEW_LIBRARY_CHILD=folder, RELVIEW_CACHE_DIR=cache.
const childEnv = "RELVIEW_LIBRARY_CHILD"

func TestMain(m *testing.M) {
	benchChild()
	if folder := os.Getenv(childEnv); folder != "" {
		os.Exit(childIndex(folder))
	}
	os.Exit(m.Run())
}

func childIndex(folder string) int {
	eng, err := openTestEngine()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	lib, err := Open(folder, Options{Engine: eng, Wait: true, BatchSize: 4})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer lib.Close()
	fmt.Println("started")
	if _, err := lib.Index(context.Background(), nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// openTestEngine opens the built-in engine, with plug-in manifests if any.
func openTestEngine(plugins ...string) (*engine.Engine, error) {
	mean, err := assets.VisualMean()
	if err != nil {
		return nil, err
	}
	rel, err := assets.RelationalStats()
	if err != nil {
		return nil, err
	}
	m := engine.BuiltinModel{Name: assets.ModelName, ONNX: assets.ModelONNX(), VisualMean: mean, RelationalStats: rel, Detector: assets.DetectorONNX()}
	return engine.Open(engine.Options{Threads: 1, Builtin: m, Plugins: plugins})
}

var shared struct {
	once sync.Once
	e    *engine.Engine
	err  error
}

// testEngine is one engine for the whole test binary (ONNX Runtime loads
// once per process).
func testEngine(t testing.TB) *engine.Engine {
	t.Helper()
	shared.once.Do(func() { shared.e, shared.err = openTestEngine() })
	if shared.err != nil {
		t.Fatalf("engine: %v", shared.err)
	}
	return shared.e
}

const samplePhotos = "../assets/photos"

// samples lists the sample photos (not the licence file).
func samples(t testing.TB) []string {
	t.Helper()
	ents, err := os.ReadDir(samplePhotos)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if hasImageExt(e.Name()) {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out
}

// copyFile copies src to dst, creating dst's folder.
func copyFile(t testing.TB, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// sampleFolder makes a folder holding the sample photos, half of them in a
// subfolder, and returns it.
func sampleFolder(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	for i, name := range samples(t) {
		dst := filepath.Join(dir, name)
		if i%2 == 1 {
			dst = filepath.Join(dir, "sub", name)
		}
		copyFile(t, filepath.Join(samplePhotos, name), dst)
	}
	return dir
}

// writeJPEG writes img as a JPEG file.
func writeJPEG(t testing.TB, path string, img image.Image, q int) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := jpeg.Encode(f, img, &jpeg.Options{Quality: q}); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func openSample(t testing.TB, name string) image.Image {
	t.Helper()
	img, err := imaging.Open(filepath.Join(samplePhotos, name))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// openLib opens a library with a cache in a temp folder, closed at cleanup.
func openLib(t testing.TB, folder string, cache string, opts Options) *Library {
	t.Helper()
	if opts.Engine == nil && !opts.ReadOnly {
		opts.Engine = testEngine(t)
	}
	opts.CacheRoot = cache
	lib, err := Open(folder, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lib.Close() })
	return lib
}

// treeDigest hashes every file and link under dir with its mode and mtime,
// so any change to the photo folder shows.
func treeDigest(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		rel, _ := filepath.Rel(dir, p)
		if err != nil {
			out[rel] = "error " + err.Error()
			return nil
		}
		info, err := os.Lstat(p)
		if err != nil {
			out[rel] = "error " + err.Error()
			return nil
		}
		desc := fmt.Sprintf("%v %d", info.Mode(), info.ModTime().UnixNano())
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			desc += " -> " + target
		case info.Mode().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				desc += " unreadable"
			} else {
				sum := sha256.Sum256(b)
				desc += " " + hex.EncodeToString(sum[:])
			}
		}
		out[rel] = desc
		return nil
	})
	return out
}

func sameTree(t testing.TB, before, after map[string]string) {
	t.Helper()
	for k, v := range before {
		if after[k] != v {
			t.Errorf("photo folder changed: %q was %q, now %q", k, v, after[k])
		}
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			t.Errorf("photo folder changed: %q appeared", k)
		}
	}
}

// indexedSample indexes a fresh sampleFolder into a fresh cache and returns
// the folder, the cache root and the library (still open, writable).
func indexedSample(t *testing.T) (folder, cache string, lib *Library) {
	t.Helper()
	folder, cache = sampleFolder(t), t.TempDir()
	lib = openLib(t, folder, cache, Options{})
	if _, err := lib.Index(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	return folder, cache, lib
}
