package engine

import (
	"image"
	"image/color"
	"runtime/debug"
	"sync"
)

// decodeBudget bounds the bytes of decoded pixels held by decodes in
// flight. MaxImagePixels bounds one image's pixels, not its bytes, nor how
// many workers decode such an image at once: two 16-bit RGBA PNGs near the
// limit (8 bytes a pixel) once took 3.5 GB together. A decode waits until
// its estimate fits; one larger than the whole budget runs alone.
var decodeBudget = newByteBudget(1 << 30)

// byteBudget is a weighted semaphore that also records its peak use.
type byteBudget struct {
	mu    sync.Mutex
	cond  *sync.Cond
	limit int64
	used  int64
	peak  int64
}

func newByteBudget(limit int64) *byteBudget {
	b := &byteBudget{limit: limit}
	b.cond = sync.NewCond(&b.mu)
	return b
}

// acquire waits until n bytes fit (n is capped at the limit) and returns
// what to release.
func (b *byteBudget) acquire(n int64) int64 {
	n = min(max(n, 0), b.limit)
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.used+n > b.limit {
		b.cond.Wait()
	}
	b.used += n
	b.peak = max(b.peak, b.used)
	return n
}

func (b *byteBudget) release(n int64) {
	if n >= reclaimAbove {
		// The pixels are garbage by now (release runs after the decode
		// returned its reduced image); without a collection the next big
		// decode would allocate beside them, as the Go heap may grow to
		// twice its live size before collecting.
		debug.FreeOSMemory()
	}
	b.mu.Lock()
	b.used -= n
	b.mu.Unlock()
	b.cond.Broadcast()
}

// reclaimAbove is the size of a decode whose memory is handed back at once
// when it ends: rare, exceptional images (a 12 MP JPEG takes the
// libjpeg-turbo path and never comes here; one decoded in Go is ~36 MB).
const reclaimAbove = 192 << 20

// decodedBytes estimates the memory a decoder allocates for an image of
// cfg's size and colour model.
func decodedBytes(cfg image.Config) int64 {
	px := int64(cfg.Width) * int64(cfg.Height)
	switch cfg.ColorModel {
	case color.RGBA64Model, color.NRGBA64Model:
		return 8 * px
	case color.Gray16Model:
		return 2 * px
	case color.GrayModel, color.AlphaModel:
		return px
	case color.YCbCrModel:
		return 3 * px // 4:4:4 at most
	}
	if _, ok := cfg.ColorModel.(color.Palette); ok {
		return px
	}
	return 4 * px // RGBA, NRGBA, CMYK
}
