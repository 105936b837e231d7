package engine

import (
	"image"
	"image/color"
)

// Shrink reduces img by integer factors fx, fy (each >= 1) with a box
// (area-average) filter: the cheap first step before a fine resize, used by
// the encoders' preprocessing and by the library before thumbnails. Camera JPEGs decode to *image.YCbCr: averaging in YCbCr before
// converting to RGB (an affine map) reads each source byte once and skips
// millions of colour conversions. Other types go through a generic path.
func Shrink(img image.Image, fx, fy int) *image.NRGBA {
	b := img.Bounds()
	dst := image.NewNRGBA(image.Rect(0, 0, b.Dx()/fx, b.Dy()/fy))
	switch src := img.(type) {
	case *image.YCbCr:
		shrinkYCbCr(src, fx, fy, dst)
	case *image.Gray:
		shrinkGeneric(b, fx, fy, dst, func(x, y int) (r, g, bl, a uint32) {
			v := uint32(src.Pix[(y-b.Min.Y)*src.Stride+(x-b.Min.X)])
			return v, v, v, 255
		})
	case *image.NRGBA:
		shrinkGeneric(b, fx, fy, dst, func(x, y int) (r, g, bl, a uint32) {
			p := src.Pix[(y-b.Min.Y)*src.Stride+4*(x-b.Min.X):]
			return uint32(p[0]), uint32(p[1]), uint32(p[2]), uint32(p[3])
		})
	case *image.NRGBA64: // 16-bit PNGs: read in place; At would box every pixel
		shrinkGeneric(b, fx, fy, dst, func(x, y int) (r, g, bl, a uint32) {
			p := src.Pix[(y-b.Min.Y)*src.Stride+8*(x-b.Min.X):]
			return uint32(p[0]), uint32(p[2]), uint32(p[4]), uint32(p[6])
		})
	case *image.RGBA64:
		shrinkGeneric(b, fx, fy, dst, func(x, y int) (r, g, bl, a uint32) {
			p := src.Pix[(y-b.Min.Y)*src.Stride+8*(x-b.Min.X):]
			return unpremultiply(uint32(p[0])<<8|uint32(p[1]), uint32(p[2])<<8|uint32(p[3]), uint32(p[4])<<8|uint32(p[5]), uint32(p[6])<<8|uint32(p[7]))
		})
	case *image.RGBA:
		shrinkGeneric(b, fx, fy, dst, func(x, y int) (r, g, bl, a uint32) {
			p := src.Pix[(y-b.Min.Y)*src.Stride+4*(x-b.Min.X):]
			return unpremultiply(uint32(p[0])*0x101, uint32(p[1])*0x101, uint32(p[2])*0x101, uint32(p[3])*0x101)
		})
	default:
		shrinkGeneric(b, fx, fy, dst, func(x, y int) (r, g, bl, a uint32) {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			return uint32(c.R), uint32(c.G), uint32(c.B), uint32(c.A)
		})
	}
	return dst
}

func shrinkGeneric(b image.Rectangle, fx, fy int, dst *image.NRGBA, at func(x, y int) (r, g, bl, a uint32)) {
	n := uint32(fx * fy)
	for oy := 0; oy < dst.Rect.Dy(); oy++ {
		for ox := 0; ox < dst.Rect.Dx(); ox++ {
			var sr, sg, sb, sa uint32
			for y := b.Min.Y + oy*fy; y < b.Min.Y+(oy+1)*fy; y++ {
				for x := b.Min.X + ox*fx; x < b.Min.X+(ox+1)*fx; x++ {
					r, g, bl, a := at(x, y)
					sr, sg, sb, sa = sr+r, sg+g, sb+bl, sa+a
				}
			}
			p := dst.Pix[oy*dst.Stride+4*ox:]
			p[0], p[1], p[2], p[3] = uint8(sr/n), uint8(sg/n), uint8(sb/n), uint8(sa/n)
		}
	}
}

func shrinkYCbCr(src *image.YCbCr, fx, fy int, dst *image.NRGBA) {
	b := src.Rect
	w, h := dst.Rect.Dx(), dst.Rect.Dy()
	// Chroma planes are subsampled: map source x and y to chroma indices once.
	cx := make([]int, w*fx)
	for x := range cx {
		cx[x] = src.COffset(b.Min.X+x, b.Min.Y) - src.COffset(b.Min.X, b.Min.Y)
	}
	sumY := make([]uint32, w)
	sumCb := make([]uint32, w)
	sumCr := make([]uint32, w)
	n := uint32(fx * fy)
	for oy := 0; oy < h; oy++ {
		clear(sumY)
		clear(sumCb)
		clear(sumCr)
		for y := b.Min.Y + oy*fy; y < b.Min.Y+(oy+1)*fy; y++ {
			yrow := src.Y[(y-b.Min.Y)*src.YStride:]
			c0 := src.COffset(b.Min.X, y)
			cb, cr := src.Cb[c0:], src.Cr[c0:]
			for ox := 0; ox < w; ox++ {
				var sy, scb, scr uint32
				for x := ox * fx; x < (ox+1)*fx; x++ {
					sy += uint32(yrow[x])
					scb += uint32(cb[cx[x]])
					scr += uint32(cr[cx[x]])
				}
				sumY[ox] += sy
				sumCb[ox] += scb
				sumCr[ox] += scr
			}
		}
		row := dst.Pix[oy*dst.Stride:]
		for ox := 0; ox < w; ox++ {
			r, g, bl := color.YCbCrToRGB(uint8(sumY[ox]/n), uint8(sumCb[ox]/n), uint8(sumCr[ox]/n))
			p := row[4*ox:]
			p[0], p[1], p[2], p[3] = r, g, bl, 255
		}
	}
}

// unpremultiply turns 16-bit premultiplied RGBA into 8-bit non-premultiplied
// values, as color.NRGBAModel does.
func unpremultiply(r, g, b, a uint32) (uint32, uint32, uint32, uint32) {
	switch a {
	case 0xffff:
		return r >> 8, g >> 8, b >> 8, 255
	case 0:
		return 0, 0, 0, 0
	}
	return (r * 0xffff / a) >> 8, (g * 0xffff / a) >> 8, (b * 0xffff / a) >> 8, a >> 8
}
