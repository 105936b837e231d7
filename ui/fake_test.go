package ui

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
	"path/filepath"
	"sort"
	"time"

	"relview/engine"
	"relview/library"
)

// fakeSource is a fixed catalog of nine drawn pictures: three layouts
// (stripes, checks, ring) in three colours (red, green, blue). Relational
// scores follow the layout, visual scores the colour, so the two columns
// disagree the way they do on real photos.
type fakeSource struct {
	images []library.Image
}

var (
	fakeLayouts = []string{"stripes", "checks", "ring"}
	fakeColours = []string{"red", "green", "blue"}
	fakeRGB     = []color.NRGBA{{0xd0, 0x30, 0x30, 0xff}, {0x30, 0xa0, 0x40, 0xff}, {0x30, 0x50, 0xd0, 0xff}}
)

func newFakeSource() *fakeSource {
	s := &fakeSource{}
	for li, l := range fakeLayouts {
		for ci, c := range fakeColours {
			id := int64(1 + li*3 + ci)
			s.images = append(s.images, library.Image{
				ID: id, Path: fmt.Sprintf("%s-%s.png", l, c), Size: 1000 * id,
				MTime: time.Date(2024, 1, int(id), 12, 0, 0, 0, time.UTC), Hash: fmt.Sprintf("h%d", id),
				Width: 64, Height: 48, Format: "png", Status: library.StatusIndexed,
			})
		}
	}
	return s
}

// fakeSpaces are the encoders the fake catalog claims.
var fakeSpaces = []engine.SpaceInfo{
	{Space: engine.Relational, Model: "fake-structural (approximation of relsim)", Note: "test encoder: layout only"},
	{Space: engine.Visual, Model: "fake-colour", Note: "test encoder: colour only"},
}

func (s *fakeSource) id(name string) int64 {
	for _, im := range s.images {
		if im.Path == name {
			return im.ID
		}
	}
	panic("no fake image " + name)
}

func (s *fakeSource) Root() string { return "/fake" }
func (s *fakeSource) Images() ([]library.Image, error) {
	return append([]library.Image(nil), s.images...), nil
}
func (s *fakeSource) Failures() ([]library.Image, error) { return nil, nil }
func (s *fakeSource) AbsPath(im library.Image) string    { return filepath.Join("/fake", im.Path) }

func (s *fakeSource) Thumbnail(im library.Image) (image.Image, error) {
	return s.picture(im, 64, 48), nil
}
func (s *fakeSource) Preview(im library.Image, _ int) (image.Image, error) {
	return s.picture(im, 240, 180), nil
}

// picture draws im's layout in its colour.
func (s *fakeSource) picture(im library.Image, w, h int) image.Image {
	li, ci := int(im.ID-1)/3, int(im.ID-1)%3
	fg, bg := fakeRGB[ci], color.NRGBA{0xf4, 0xf0, 0xe8, 0xff}
	out := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			on := false
			switch li {
			case 0:
				on = (x*8/w)%2 == 0
			case 1:
				on = ((x*6/w)+(y*4/h))%2 == 0
			case 2:
				dx, dy := float64(x)-float64(w)/2, float64(y)-float64(h)/2
				r := math.Hypot(dx, dy) / (float64(h) / 2)
				on = r > 0.45 && r < 0.8
			}
			if on {
				out.SetNRGBA(x, y, fg)
			} else {
				out.SetNRGBA(x, y, bg)
			}
		}
	}
	return out
}

func (s *fakeSource) score(a, b int64, space string) float32 {
	d := a - b
	if d < 0 {
		d = -d
	}
	same := false
	if space == engine.Relational {
		same = (a-1)/3 == (b-1)/3
		if same {
			return 0.9 - 0.01*float32(d)
		}
		return 0.3 - 0.01*float32(d)
	}
	same = (a-1)%3 == (b-1)%3
	if same {
		return 0.85 - 0.01*float32(d)
	}
	return 0.15 - 0.01*float32(d)
}

func (s *fakeSource) NeighboursByID(id int64, space string, k int) ([]library.Neighbour, error) {
	if space != engine.Relational && space != engine.Visual {
		return nil, errors.New("no such space")
	}
	var out []library.Neighbour
	for _, im := range s.images {
		if im.ID != id {
			out = append(out, library.Neighbour{Image: im, Score: s.score(id, im.ID, space)})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	if len(out) > k {
		out = out[:k]
	}
	return out, nil
}

func (s *fakeSource) Scatter(id int64) ([]library.ScatterPoint, error) {
	var out []library.ScatterPoint
	for _, im := range s.images {
		if im.ID != id {
			out = append(out, library.ScatterPoint{ID: im.ID, Relational: s.score(id, im.ID, engine.Relational), Visual: s.score(id, im.ID, engine.Visual)})
		}
	}
	return out, nil
}
