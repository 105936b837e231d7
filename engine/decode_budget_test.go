package engine

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"sync"
	"testing"
)

// TestDecodeBudgetBoundsPixelsInFlight: 16-bit PNGs (8 bytes a pixel)
// decoded by four workers at once never hold more than the budget's bytes
// of pixels together; before the budget, two near-limit ones took 3.5 GB.
func TestDecodeBudgetBoundsPixelsInFlight(t *testing.T) {
	const side = 1500 // 18 MB of RGBA64 pixels each
	img := image.NewRGBA64(image.Rect(0, 0, side, side))
	for y := 0; y < side; y++ {
		for x := 0; x < side; x++ {
			img.SetRGBA64(x, y, color.RGBA64{uint16(x * 40), uint16(y * 40), 0x8000, 0xFFFF})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	each := decodedBytes(cfg)
	if each != 8*side*side {
		t.Fatalf("a %dx%d 16-bit PNG is estimated at %d bytes, want %d", side, side, each, 8*side*side)
	}

	saved := decodeBudget
	defer func() { decodeBudget = saved }()
	decodeBudget = newByteBudget(each + each/2) // room for one and a half
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			small, w, h, err := DecodeScaled(buf.Bytes())
			if err == nil && (w != side || h != side || small.Bounds().Dx() >= side) {
				t.Errorf("decoded %dx%d, reduced to %v", w, h, small.Bounds())
			}
			errs[i] = err
		}(i)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if decodeBudget.peak != each {
		t.Errorf("peak pixels in flight %d bytes, want one image's %d (limit %d)", decodeBudget.peak, each, decodeBudget.limit)
	}
	if decodeBudget.used != 0 {
		t.Errorf("%d bytes still held after every decode returned", decodeBudget.used)
	}

	// One image larger than the whole budget still decodes (alone).
	decodeBudget = newByteBudget(each / 4)
	if _, err := DecodeBytes(buf.Bytes()); err != nil {
		t.Fatalf("an image larger than the budget: %v", err)
	}
	if decodeBudget.peak != decodeBudget.limit {
		t.Errorf("an image larger than the budget held %d of %d", decodeBudget.peak, decodeBudget.limit)
	}
}
