package library

import (
	"image"

	"relview/library/internal/cmykjpeg"
)

func cmykJPEG(img image.Image) ([]byte, error) { return cmykjpeg.Encode(img, 90) }
