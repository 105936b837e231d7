package ui

import (
	"context"
	"image"

	"github.com/disintegration/imaging"
	"relview/engine"
	"relview/library"
)

// Source is what the views read: one library's catalog, thumbnails and
// neighbour queries. *library.Library provides all of it but Preview, which
// libSource adds; tests use small fakes.
type Source interface {
	Root() string
	Images() ([]library.Image, error)
	Failures() ([]library.Image, error)
	Thumbnail(im library.Image) (image.Image, error)
	// Preview is the image scaled so its longer side is at most maxSide.
	Preview(im library.Image, maxSide int) (image.Image, error)
	AbsPath(im library.Image) string
	NeighboursByID(id int64, space string, k int) ([]library.Neighbour, error)
	Scatter(id int64) ([]library.ScatterPoint, error)
}

// Indexer is the background indexing of a library.
type Indexer interface {
	Index(ctx context.Context, progress func(library.Progress)) (library.Summary, error)
	Pause()
	Resume()
}

// libSource adapts *library.Library to Source (it adds Preview).
type libSource struct{ *library.Library }

// Preview decodes the file (with its EXIF orientation) and fits it in
// maxSide×maxSide.
func (s libSource) Preview(im library.Image, maxSide int) (image.Image, error) {
	img, err := engine.DecodeFile(s.AbsPath(im))
	if err != nil {
		return nil, err
	}
	b := img.Bounds()
	if b.Dx() <= maxSide && b.Dy() <= maxSide {
		return img, nil
	}
	return imaging.Fit(img, maxSide, maxSide, imaging.Linear), nil
}
