package assets

import (
	"embed"
)

// Photos holds the sample photos (photos/*.jpg, photos/*.png) and their
// licence notices (photos/LICENSES.md); package sample builds the built-in
// sample library from them.
//
//go:embed photos/*.jpg photos/*.png photos/LICENSES.md
var Photos embed.FS

// Icon is relview's application icon (256×256 PNG, drawn by tools/icon).
//
//go:embed icon.png
var Icon []byte
