package engine

import (
	"fmt"
	"image"

	"github.com/disintegration/imaging"
)

// Layout is the order of a model input's dimensions.
type Layout string

// Tensor layouts a model input may have.
const (
	NCHW Layout = "NCHW"
	NHWC Layout = "NHWC"
)

// ResizePolicy says how an image of any aspect becomes the model's input size.
type ResizePolicy string

// Resize policies.
const (
	// Stretch scales to exactly the input size, ignoring aspect: the whole
	// image (its whole layout) reaches the network.
	Stretch ResizePolicy = "stretch"
	// CenterCrop scales the shorter side to the input size and crops the centre
	// (CLIP-style models, relsim).
	CenterCrop ResizePolicy = "center-crop"
	// Pad fits the whole image inside and pads the rest with black.
	Pad ResizePolicy = "pad"
)

// InputSpec describes how pixels become a model's input tensor:
// value = (pixel/255*Scale - Mean[c]) / Std[c], in RGB channel order.
type InputSpec struct {
	Name   string       `json:"name"`
	Width  int          `json:"width"`
	Height int          `json:"height"`
	Layout Layout       `json:"layout"`
	Resize ResizePolicy `json:"resize"`
	Scale  float32      `json:"scale,omitempty"` // 1 (default): pixels in 0..1; 255: pixels in 0..255
	Mean   [3]float32   `json:"mean"`
	Std    [3]float32   `json:"std"`
}

// Validate reports the first thing wrong with the spec.
func (s InputSpec) Validate() error {
	switch {
	case s.Name == "":
		return fmt.Errorf("input name is empty")
	case s.Width < 8 || s.Height < 8 || s.Width > 4096 || s.Height > 4096:
		return fmt.Errorf("input size %dx%d out of range 8..4096", s.Width, s.Height)
	case s.Layout != NCHW && s.Layout != NHWC:
		return fmt.Errorf("input layout %q: want NCHW or NHWC", s.Layout)
	case s.Resize != Stretch && s.Resize != CenterCrop && s.Resize != Pad:
		return fmt.Errorf("resize policy %q: want stretch, center-crop or pad", s.Resize)
	}
	for c, v := range s.Std {
		if !(v > 0) {
			return fmt.Errorf("std[%d] = %v: must be > 0", c, v)
		}
	}
	return nil
}

// Fit resizes img to the spec's input size by its resize policy.
func (s InputSpec) Fit(img image.Image) *image.NRGBA {
	return FitImage(img, s.Width, s.Height, s.Resize)
}

// FitImage resizes img to exactly w×h by the given policy.
func FitImage(img image.Image, w, h int, policy ResizePolicy) *image.NRGBA {
	b := img.Bounds()
	sw, sh := b.Dx(), b.Dy()
	switch policy {
	case CenterCrop:
		scale := max(float64(w)/float64(sw), float64(h)/float64(sh))
		rw, rh := max(w, int(float64(sw)*scale+0.5)), max(h, int(float64(sh)*scale+0.5))
		return imaging.CropCenter(resample(img, rw, rh), w, h)
	case Pad:
		scale := min(float64(w)/float64(sw), float64(h)/float64(sh))
		rw, rh := max(1, int(float64(sw)*scale+0.5)), max(1, int(float64(sh)*scale+0.5))
		dst := imaging.New(w, h, image.Black.C)
		return imaging.Paste(dst, resample(img, rw, rh), image.Pt((w-rw)/2, (h-rh)/2))
	default:
		return resample(img, w, h)
	}
}

// resample scales to w×h. Large reductions first shrink by an integer factor
// with an area average to at least twice the target, then finish with a
// linear filter: as sharp as a full linear resize at a fraction of its cost.
func resample(img image.Image, w, h int) *image.NRGBA {
	b := img.Bounds()
	if fx, fy := max(1, b.Dx()/(2*w)), max(1, b.Dy()/(2*h)); fx*fy >= 2 {
		img = Shrink(img, fx, fy)
		b = img.Bounds()
	}
	if b.Dx() == w && b.Dy() == h {
		return imaging.Clone(img)
	}
	return imaging.Resize(img, w, h, imaging.Linear)
}

// Tensor turns a fitted image into the float32 input tensor (batch of 1).
// Transparent pixels are composited over white.
func (s InputSpec) Tensor(fitted *image.NRGBA) []float32 {
	w, h := s.Width, s.Height
	out := make([]float32, 3*w*h)
	scale := s.Scale
	if scale == 0 {
		scale = 1
	}
	var k [3]float32 // per channel multiplier and offset: v = p*k - m
	var m [3]float32
	for c := 0; c < 3; c++ {
		k[c] = scale / 255 / s.Std[c]
		m[c] = s.Mean[c] / s.Std[c]
	}
	for y := 0; y < h; y++ {
		row := fitted.Pix[y*fitted.Stride : y*fitted.Stride+4*w]
		for x := 0; x < w; x++ {
			px := row[4*x : 4*x+4]
			a := float32(px[3]) / 255
			for c := 0; c < 3; c++ {
				p := float32(px[c])*a + 255*(1-a)
				v := p*k[c] - m[c]
				if s.Layout == NHWC {
					out[(y*w+x)*3+c] = v
				} else {
					out[c*w*h+y*w+x] = v
				}
			}
		}
	}
	return out
}
