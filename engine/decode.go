package engine

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // registered decoders: relview reads what a photo folder holds
	_ "image/jpeg"
	_ "image/png"
	"io"

	"github.com/disintegration/imaging"
	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/tiff"
	_ "golang.org/x/image/webp"
)

// Limits that keep a hostile file from exhausting memory: the header is read
// first and anything larger is refused before pixels are allocated.
const (
	MaxImagePixels = 120_000_000 // 120 MP, larger than any consumer camera
	MaxImageBytes  = 512 << 20
)

// ErrNotImage is wrapped when a file is not an image relview can decode.
var ErrNotImage = errors.New("not a supported image")

// DecodeFile reads an image file with its EXIF orientation applied.
// Errors name the file and the cause; a decoder panic on a hostile file is
// turned into an error.
func DecodeFile(path string) (image.Image, error) {
	data, err := readImageFile(path)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", path, err)
	}
	img, err := DecodeBytes(data)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", path, err)
	}
	return img, nil
}

// readImageFile reads a regular file of at most MaxImageBytes.
func readImageFile(path string) ([]byte, error) {
	f, st, err := OpenRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st.Size() == 0 {
		return nil, errors.New("empty file")
	}
	if st.Size() > MaxImageBytes {
		return nil, fmt.Errorf("file of %d bytes is larger than the %d-byte limit", st.Size(), MaxImageBytes)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxImageBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read: %w", err)
	}
	return data, nil
}

// DecodeBytes decodes an in-memory image at full size with its EXIF
// orientation (see Orientation) applied, refusing images whose header
// claims more than MaxImagePixels.
func DecodeBytes(data []byte) (image.Image, error) {
	return decodeWithin(data, func(img image.Image) image.Image { return img })
}

// decodeWithin checks the header, waits for room for the decoded pixels
// (see decodeBudget), decodes and orients the image and hands it to keep,
// whose result is returned: the room is held until keep returns, so a
// caller that reduces the image (DecodeScaled) does so inside the budget.
func decodeWithin(data []byte, keep func(image.Image) image.Image) (img image.Image, err error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		if errors.Is(err, image.ErrFormat) {
			return nil, fmt.Errorf("%w (unknown format; relview reads JPEG, PNG, GIF, BMP, TIFF and WebP)", ErrNotImage)
		}
		return nil, fmt.Errorf("%w: header: %v", ErrNotImage, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, fmt.Errorf("%w: %s header gives size %dx%d", ErrNotImage, format, cfg.Width, cfg.Height)
	}
	if int64(cfg.Width)*int64(cfg.Height) > MaxImagePixels {
		return nil, fmt.Errorf("%w: %s of %dx%d pixels exceeds the %d MP limit", ErrNotImage, format, cfg.Width, cfg.Height, MaxImagePixels/1_000_000)
	}
	defer decodeBudget.release(decodeBudget.acquire(decodedBytes(cfg)))
	defer func() {
		if r := recover(); r != nil {
			img, err = nil, fmt.Errorf("%w: %s decoder failed: %v", ErrNotImage, format, r)
		}
	}()
	img, err = imaging.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrNotImage, format, err)
	}
	return keep(orient(img, Orientation(data))), nil
}
