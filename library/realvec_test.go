package library

import (
	"encoding/binary"
	"fmt"
	"image"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/disintegration/imaging"
	"relview/engine"
)

// TestDumpRealVectors encodes real photos, each with four augmentations,
// with the built-in engine and writes the vectors of both spaces as raw
// little-endian float32 (visual.f32, relational.f32, one row per image, the
// same order; names.txt). The search benchmark on real vectors
// (engine/vecstore, TestRealRecallTable) reads them:
//
//	RELVIEW_REALVEC_IN=/tmp/relview-realrel RELVIEW_REALVEC_OUT=/tmp/relview-realvec \
//	  go test ./library -run TestDumpRealVectors -v -timeout 60m
//
// Photos: every JPEG and PNG over 30 KB under the input folder (the Debian
// package photos of bench/realrel/fetch.sh: 1,265 files).
func TestDumpRealVectors(t *testing.T) {
	in, out := os.Getenv("RELVIEW_REALVEC_IN"), os.Getenv("RELVIEW_REALVEC_OUT")
	if in == "" || out == "" {
		t.Skip("set RELVIEW_REALVEC_IN and RELVIEW_REALVEC_OUT to encode real photos")
	}
	var files []string
	filepath.Walk(in, func(p string, info os.FileInfo, err error) error {
		ext := strings.ToLower(filepath.Ext(p))
		if err == nil && info.Mode().IsRegular() && info.Size() > 30<<10 && (ext == ".jpg" || ext == ".jpeg" || ext == ".png") {
			files = append(files, p)
		}
		return nil
	})
	eng := testEngine(t)
	augment := []struct {
		name string
		f    func(image.Image) image.Image
	}{
		{"orig", func(m image.Image) image.Image { return m }},
		{"flip", func(m image.Image) image.Image { return imaging.FlipH(m) }},
		{"crop70", func(m image.Image) image.Image {
			return imaging.CropCenter(m, m.Bounds().Dx()*7/10, m.Bounds().Dy()*7/10)
		}},
		{"crop80tl", func(m image.Image) image.Image {
			return imaging.Crop(m, image.Rect(0, 0, m.Bounds().Dx()*8/10, m.Bounds().Dy()*8/10))
		}},
		{"bright", func(m image.Image) image.Image { return imaging.AdjustContrast(imaging.AdjustBrightness(m, 12), 10) }},
	}
	type row struct {
		name     string
		vis, rel []float32
	}
	rows := make([][]row, len(files))
	ch := make(chan int)
	var wg sync.WaitGroup
	for range runtime.NumCPU() {
		wg.Go(func() {
			for i := range ch {
				img, err := engine.DecodeFile(files[i])
				if err != nil || img.Bounds().Dx() < 64 || img.Bounds().Dy() < 64 {
					continue
				}
				img = imaging.Fit(img, 640, 640, imaging.Box) // what the library's reduced decode gives
				for _, a := range augment {
					v, err := eng.Encode(a.f(img))
					if err != nil {
						continue
					}
					rows[i] = append(rows[i], row{files[i] + "#" + a.name, v[engine.Visual], v[engine.Relational]})
				}
			}
		})
	}
	for i := range files {
		ch <- i
	}
	close(ch)
	wg.Wait()
	must(t, os.MkdirAll(out, 0o755))
	var names strings.Builder
	var vis, rel []byte
	n := 0
	for _, rs := range rows {
		for _, r := range rs {
			fmt.Fprintln(&names, r.name)
			for _, x := range r.vis {
				vis = binary.LittleEndian.AppendUint32(vis, math.Float32bits(x))
			}
			for _, x := range r.rel {
				rel = binary.LittleEndian.AppendUint32(rel, math.Float32bits(x))
			}
			n++
		}
	}
	must(t, os.WriteFile(filepath.Join(out, "names.txt"), []byte(names.String()), 0o644))
	must(t, os.WriteFile(filepath.Join(out, "visual.f32"), vis, 0o644))
	must(t, os.WriteFile(filepath.Join(out, "relational.f32"), rel, 0o644))
	t.Logf("%d files, %d vectors (visual %d-d, relational %d-d)", len(files), n, len(vis)/4/max(n, 1), len(rel)/4/max(n, 1))
}
