package relbench

import (
	"image"
	"math"

	"github.com/disintegration/imaging"
)

// Baseline space names returned by BaselineEncode.
const (
	SpaceThumb16  = "thumb16_gray" // 16×16 gray thumbnail, zero mean, unit variance
	SpaceRGBHist  = "rgb_hist"     // 4×4×4 joint colour histogram, square-rooted
	SpaceEdgeProf = "edge_profile" // 32-bin column |d/dx| and row |d/dy| profiles, centred
)

// BaselineEncode is a model-free EncodeFunc for sanity checks: a tiny gray
// thumbnail (global layout of brightness), a colour histogram (content
// colour, no layout at all) and an edge profile (where vertical and
// horizontal edges such as gutters, seams and splits lie).
func BaselineEncode(img image.Image) (map[string][]float32, error) {
	return map[string][]float32{
		SpaceThumb16:  thumbGray(img, 16),
		SpaceRGBHist:  rgbHist(img, 4),
		SpaceEdgeProf: edgeProfile(img, 32),
	}, nil
}

func luma(p []uint8) float64 {
	return 0.299*float64(p[0]) + 0.587*float64(p[1]) + 0.114*float64(p[2])
}

// standardise shifts v to zero mean and scales it to unit variance (all
// zeros when constant).
func standardise(v []float64) []float32 {
	var mean float64
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	var ss float64
	for _, x := range v {
		ss += (x - mean) * (x - mean)
	}
	out := make([]float32, len(v))
	if ss == 0 {
		return out
	}
	inv := 1 / math.Sqrt(ss/float64(len(v)))
	for i, x := range v {
		out[i] = float32((x - mean) * inv)
	}
	return out
}

func thumbGray(img image.Image, s int) []float32 {
	t := imaging.Resize(img, s, s, imaging.Box)
	v := make([]float64, s*s)
	for y := 0; y < s; y++ {
		for x := 0; x < s; x++ {
			i := t.PixOffset(x, y)
			v[y*s+x] = luma(t.Pix[i : i+3])
		}
	}
	return standardise(v)
}

func rgbHist(img image.Image, bins int) []float32 {
	n := imaging.Clone(img)
	h := make([]float64, bins*bins*bins)
	b := n.Bounds()
	var total float64
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			i := n.PixOffset(x, y)
			r := int(n.Pix[i]) * bins / 256
			g := int(n.Pix[i+1]) * bins / 256
			bl := int(n.Pix[i+2]) * bins / 256
			h[(r*bins+g)*bins+bl]++
			total++
		}
	}
	out := make([]float32, len(h))
	for i, c := range h {
		out[i] = float32(math.Sqrt(c / total))
	}
	return out
}

func edgeProfile(img image.Image, bins int) []float32 {
	const s = 128
	t := imaging.Resize(img, s, s, imaging.Box)
	var g [s][s]float64
	for y := 0; y < s; y++ {
		for x := 0; x < s; x++ {
			i := t.PixOffset(x, y)
			g[y][x] = luma(t.Pix[i : i+3])
		}
	}
	col := make([]float64, bins)
	row := make([]float64, bins)
	for y := 0; y < s; y++ {
		for x := 0; x < s-1; x++ {
			col[x*bins/(s-1)] += math.Abs(g[y][x+1] - g[y][x])
		}
	}
	for y := 0; y < s-1; y++ {
		for x := 0; x < s; x++ {
			row[y*bins/(s-1)] += math.Abs(g[y+1][x] - g[y][x])
		}
	}
	return append(standardise(col), standardise(row)...)
}
