// Package relbench is a small, deterministic benchmark for "relational"
// versus "visual" image similarity.
//
// relview shows, for each photo, its relationally similar neighbours (images
// whose PARTS RELATE the same way: a scene above its reflection, one tile
// standing out among identical ones, a picture nested in a copy of itself)
// beside its visually similar ones (images showing the same content). This
// package builds a test set that separates the two notions and scores any
// embedding space against both.
//
// # Composites
//
// Build composes every relational Template (see Templates) with every main
// photo (MainPhotos, real photographs from assets/photos). Each Composite
// therefore has two kinds of true neighbours among the other composites:
//
//   - relational truth: the same Template applied to other photos;
//   - visual truth: the same main Photo composed by other templates.
//
// The eight templates are reflection, odd_one_out, nesting, before_after,
// rotational_symmetry, stages, mirror_scene and inset (each documented in
// templates.go). Sizes (384–640 px on each side), aspect, crops, placements,
// tones and the gutters of multi-panel templates (0–12 px, white, black, gray
// or a random colour, sometimes none) all vary, so that a descriptor cannot
// lean on a fixed layout cue. Two templates constrain their aspect a little
// because of their geometry: rotational_symmetry stays within 4:5..5:4 (its
// quarter-turned tiles must be near square) and stages is landscape (a strip
// of four panels). Secondary ("other") images used by odd_one_out and inset
// come from the other main photos and the texture-like pictures in
// OtherPhotos (brick, grass, gravel and the Hubble deep field, whose star
// field hides any relation); motorcycle_right.png is never used since it
// near-duplicates motorcycle_left.png. With the defaults there are 15 main
// photos × 8 templates = 120 composites.
//
// The nested copy of the nesting template is set off by a thin frame or a
// drop shadow; the inset always has a thin border.
//
// Everything is deterministic given the seed: each composite draws from its
// own math/rand/v2 PCG stream seeded by (seed, hash(template, photo)), and no
// result depends on map iteration order.
//
// # Evaluation
//
// Evaluate is independent of any encoder: it takes one vector per composite
// (same order as the composites), ranks all other composites by cosine
// similarity (vectors are L2-normalised inside) for every query, and reports
// mean average precision against both truths (Result.TemplateMAP and
// Result.PhotoMAP), with the chance level, precision@1 and per-template
// break-downs. Exact score ties are handled by taking the expected AP over
// all orderings of the tied items, so degenerate vectors (constant, one-hot)
// give well-defined, order-independent numbers. Run encodes every composite
// with an EncodeFunc that may return several named spaces and evaluates each;
// Result.Markdown and SummaryMarkdown render tables for docs/.
//
// BaselineEncode is a model-free baseline (tiny gray thumbnail, colour
// histogram, edge layout profile) for checking that the templates are not
// trivially separable by raw pixels. WriteContactSheet renders thumbnails of
// composites into one PNG.
package relbench

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"image"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/disintegration/imaging"
)

// MainPhotos are the photo files (in assets/photos) used as main sources.
// motorcycle_right.png is left out on purpose (near-duplicate of
// motorcycle_left.png), as are the texture-like pictures in OtherPhotos.
var MainPhotos = []string{
	"astronaut.png",
	"camera.png",
	"chelsea.png",
	"coffee.png",
	"coins.png",
	"dog.jpg",
	"eagle.jpg",
	"giraffe.jpg",
	"horses.jpg",
	"kite.jpg",
	"motorcycle_left.png",
	"person.jpg",
	"retina.jpg",
	"rocket.jpg",
	"scream.jpg",
}

// OtherPhotos are used only as secondary images (the odd tile, the inset).
// hubble_deep_field is among them because a star field is texture-like: a
// mirrored, turned, nested or re-toned star field looks like any other star
// field, so the relation it should carry is invisible.
var OtherPhotos = []string{"brick.png", "grass.png", "gravel.png", "hubble_deep_field.jpg"}

// maxSourceSide bounds the longer side of a loaded photo; larger photos are
// downscaled once at load time (the largest composite side is 640 px).
const maxSourceSide = 1024

// Composite is one benchmark image.
type Composite struct {
	// Name is the unique ID, "template/photo".
	Name string
	// Template is the relational template's name (relational truth).
	Template string
	// Photo is the main source photo's name, its file name without the
	// extension (visual truth).
	Photo string
	// Other is the secondary photo's name where the template uses one
	// (odd_one_out, inset), else "".
	Other string
	// Image is the composed picture, with Bounds().Min at (0, 0).
	Image *image.NRGBA
}

// Config selects what BuildWith composes. Zero fields take the defaults.
type Config struct {
	// Seed drives every random choice.
	Seed uint64
	// Mains are the main photo file names (default MainPhotos).
	Mains []string
	// Others are extra secondary-only file names (default OtherPhotos).
	Others []string
	// Templates to apply (default Templates()).
	Templates []Template
}

// Build composes every template with every main photo in MainPhotos, read
// from photoDir. The result is ordered template-major (Templates() order),
// then by photo (MainPhotos order), and is a pure function of the photos and
// the seed.
func Build(photoDir string, seed uint64) ([]Composite, error) {
	return BuildWith(photoDir, Config{Seed: seed})
}

// BuildWith is Build with a custom selection of photos and templates.
func BuildWith(photoDir string, cfg Config) ([]Composite, error) {
	mains := cfg.Mains
	if mains == nil {
		mains = MainPhotos
	}
	others := cfg.Others
	if others == nil {
		others = OtherPhotos
	}
	tmpls := cfg.Templates
	if tmpls == nil {
		tmpls = Templates()
	}
	if len(mains) < 2 {
		return nil, errors.New("relbench: need at least two main photos")
	}
	if len(tmpls) == 0 {
		return nil, errors.New("relbench: no templates")
	}

	// Load every file once, in a fixed order.
	files := make([]string, 0, len(mains)+len(others))
	seen := map[string]bool{}
	for _, f := range append(append([]string{}, mains...), others...) {
		if seen[f] {
			return nil, fmt.Errorf("relbench: photo %q listed twice", f)
		}
		seen[f] = true
		files = append(files, f)
	}
	imgs := make([]*image.NRGBA, len(files))
	names := make([]string, len(files))
	for i, f := range files {
		img, err := loadPhoto(filepath.Join(photoDir, f))
		if err != nil {
			return nil, err
		}
		imgs[i] = img
		names[i] = PhotoName(f)
	}
	tnames := map[string]bool{}
	for _, t := range tmpls {
		if t.Name == "" || t.Make == nil {
			return nil, errors.New("relbench: template without a name or Make")
		}
		if tnames[t.Name] {
			return nil, fmt.Errorf("relbench: template %q listed twice", t.Name)
		}
		tnames[t.Name] = true
	}

	comps := make([]Composite, 0, len(tmpls)*len(mains))
	for _, t := range tmpls {
		for mi := range mains {
			r := rand.New(rand.NewPCG(cfg.Seed, streamID(t.Name, names[mi])))
			// The secondary image: any loaded file but the main one.
			oi := r.IntN(len(files) - 1)
			if oi >= mi {
				oi++
			}
			img := t.Make(r, imgs[mi], imgs[oi])
			if img == nil {
				return nil, fmt.Errorf("relbench: template %s returned nil for %s", t.Name, names[mi])
			}
			img = imaging.Clone(img) // own it, with Min at (0,0)
			other := ""
			if t.UsesOther {
				other = names[oi]
			}
			comps = append(comps, Composite{
				Name:     t.Name + "/" + names[mi],
				Template: t.Name,
				Photo:    names[mi],
				Other:    other,
				Image:    img,
			})
		}
	}
	return comps, nil
}

// PhotoName is a photo's name as used in Composite.Photo: the file's base
// name without its extension.
func PhotoName(file string) string {
	b := filepath.Base(file)
	return strings.TrimSuffix(b, filepath.Ext(b))
}

// Hash is a SHA-256 over the names and pixels of comps, for checking that two
// builds are identical.
func Hash(comps []Composite) [32]byte {
	h := sha256.New()
	var buf [8]byte
	for _, c := range comps {
		h.Write([]byte(c.Name))
		h.Write([]byte{0})
		b := c.Image.Bounds()
		binary.LittleEndian.PutUint32(buf[:4], uint32(b.Dx()))
		binary.LittleEndian.PutUint32(buf[4:], uint32(b.Dy()))
		h.Write(buf[:])
		for y := b.Min.Y; y < b.Max.Y; y++ {
			i := c.Image.PixOffset(b.Min.X, y)
			h.Write(c.Image.Pix[i : i+4*b.Dx()])
		}
	}
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

func streamID(template, photo string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(template))
	h.Write([]byte{0})
	h.Write([]byte(photo))
	return h.Sum64()
}

func loadPhoto(path string) (*image.NRGBA, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("relbench: %w", err)
	}
	img, err := imaging.Open(path, imaging.AutoOrientation(true))
	if err != nil {
		return nil, fmt.Errorf("relbench: open %s: %w", path, err)
	}
	b := img.Bounds()
	if b.Dx() < 16 || b.Dy() < 16 {
		return nil, fmt.Errorf("relbench: %s is too small (%dx%d)", path, b.Dx(), b.Dy())
	}
	if m := max(b.Dx(), b.Dy()); m > maxSourceSide {
		w := b.Dx() * maxSourceSide / m
		h := b.Dy() * maxSourceSide / m
		return imaging.Resize(img, max(w, 1), max(h, 1), imaging.Lanczos), nil
	}
	return imaging.Clone(img), nil
}
