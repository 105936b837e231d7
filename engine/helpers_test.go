package engine

import (
	"image"

	"github.com/disintegration/imaging"
)

func flipH(img image.Image) image.Image { return imaging.FlipH(img) }
