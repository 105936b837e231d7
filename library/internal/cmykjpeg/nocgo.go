//go:build !cgo || windows

package cmykjpeg

import (
	"errors"
	"image"
)

// Encode needs cgo (libjpeg-turbo); without it, it says so.
func Encode(img image.Image, quality int) ([]byte, error) {
	return nil, errors.New("cmykjpeg: built without cgo")
}
