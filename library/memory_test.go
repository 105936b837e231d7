package library

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// noisePNGs writes n small PNGs of distinct random noise (distinct content,
// so none is a copy of another) into dir.
func noisePNGs(t testing.TB, dir string, n, side int) {
	t.Helper()
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < n; i++ {
		img := image.NewNRGBA(image.Rect(0, 0, side, side))
		base := color.NRGBA{uint8(rng.Intn(256)), uint8(rng.Intn(256)), uint8(rng.Intn(256)), 255}
		for p := 0; p < len(img.Pix); p += 4 {
			img.Pix[p] = base.R + uint8(rng.Intn(64))
			img.Pix[p+1] = base.G + uint8(rng.Intn(64))
			img.Pix[p+2] = base.B + uint8(rng.Intn(64))
			img.Pix[p+3] = 255
		}
		sub := filepath.Join(dir, fmt.Sprintf("d%02d", i/100))
		must(t, os.MkdirAll(sub, 0o755))
		f, err := os.Create(filepath.Join(sub, fmt.Sprintf("n%05d.png", i)))
		must(t, err)
		must(t, png.Encode(f, img))
		must(t, f.Close())
	}
}

// TestIndexMemoryPerImage: the Go heap of a first index grows by a bounded
// amount per image. Before the claimer dropped committed vectors it kept
// every new image's vectors to the end of the run: ~30 KB per image, 3 GB
// for 100k photos.
func TestIndexMemoryPerImage(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("indexes 2,100 photos to measure the heap (not under -short or -race)")
	}
	const n, from, to = 2100, 100, 2000
	folder := t.TempDir()
	noisePNGs(t, folder, n, 40)
	// Small write batches: the vectors waiting for their commit (15 KB a
	// photo) would otherwise swing the heap by megabytes between events.
	lib := openLib(t, folder, t.TempDir(), Options{BatchSize: 8})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	// The least heap over the events of a window of 30 photos after each
	// point: what a run retains, without the photos and vectors in flight
	// at one instant (workers, the writer's batch), which vary.
	const window = 30
	var d0, d1 int
	var h0, h1 uint64
	_, _ = lib.Index(ctx, func(p Progress) {
		if p.Phase == PhaseRelate {
			cancel() // the second pass is not measured here
		}
		if p.Phase != PhaseIndex {
			return
		}
		switch {
		case p.Done >= from && p.Done < from+window:
			if h := heap(); d0 == 0 || h < h0 {
				d0, h0 = p.Done, h
			}
		case p.Done >= to && p.Done < to+window:
			if h := heap(); d1 == 0 || h < h1 {
				d1, h1 = p.Done, h
			}
		case p.Done >= to+window:
			cancel()
		}
	})
	if d1 == 0 {
		t.Fatalf("the index never reached %d photos (first measure at %d)", to, d0)
	}
	growth := (float64(h1) - float64(h0)) / float64(d1-d0) * 1000
	t.Logf("Go heap: %.1f MB at %d photos, %.1f MB at %d: %.2f MB per 1000 photos", float64(h0)/1e6, d0, float64(h1)/1e6, d1, growth/1e6)
	if growth > 4e6 {
		t.Errorf("the heap grows %.1f MB per 1000 photos indexed, want under 4 MB", growth/1e6)
	}
}
