package relsynth

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/disintegration/imaging"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

const photoDir = "../../assets/photos"

var (
	photosOnce sync.Once
	photos     []image.Image
	photosErr  error
)

// loadPhotos decodes every image in photoDir (not LICENSES.md).
func loadPhotos(t testing.TB) []image.Image {
	t.Helper()
	photosOnce.Do(func() {
		ents, err := os.ReadDir(photoDir)
		if err != nil {
			photosErr = err
			return
		}
		for _, e := range ents {
			n := e.Name()
			if e.IsDir() || n == "LICENSES.md" || strings.HasSuffix(strings.ToLower(n), ".md") {
				continue
			}
			img, err := imaging.Open(filepath.Join(photoDir, n))
			if err != nil {
				photosErr = err
				return
			}
			photos = append(photos, img)
		}
	})
	if photosErr != nil {
		t.Fatal(photosErr)
	}
	if len(photos) < 8 {
		t.Fatalf("need ≥ 8 photos in %s, have %d", photoDir, len(photos))
	}
	return photos
}

func lumaVar(img *image.NRGBA) float64 {
	var n, s, ss float64
	for i := 0; i < len(img.Pix); i += 4 {
		l := luma(img.Pix[i : i+3])
		s += l
		ss += l * l
		n++
	}
	m := s / n
	return ss/n - m*m
}

func TestGeneratorsList(t *testing.T) {
	gs := Generators()
	if len(gs) != 13 {
		t.Fatalf("got %d generators, want 13", len(gs))
	}
	seen := map[string]bool{}
	for _, g := range gs {
		if g.Name == "" || g.Make == nil || seen[g.Name] {
			t.Fatalf("bad or duplicate generator %q", g.Name)
		}
		seen[g.Name] = true
	}
}

func TestGenerators(t *testing.T) {
	src := loadPhotos(t)
	for gi, g := range Generators() {
		t.Run(g.Name, func(t *testing.T) {
			var total time.Duration
			for k := range 3 {
				r := rand.New(rand.NewPCG(uint64(gi), uint64(k)))
				t0 := time.Now()
				img := g.Make(r, src)
				total += time.Since(t0)
				b := img.Bounds()
				w, h := b.Dx(), b.Dy()
				if w < MinSide || w > MaxSide || h < MinSide || h > MaxSide {
					t.Errorf("size %dx%d out of [%d, %d]", w, h, MinSide, MaxSide)
				}
				if a := float64(w) / float64(h); a < MinAspect-0.01 || a > MaxAspect+0.01 {
					t.Errorf("aspect %.2f out of [%.2f, %.2f]", a, MinAspect, MaxAspect)
				}
				if v := lumaVar(img); v < 20 {
					t.Errorf("image %d nearly blank: luminance variance %.1f", k, v)
				}
				for i := 3; i < len(img.Pix); i += 4 {
					if img.Pix[i] != 255 {
						t.Errorf("image %d not opaque", k)
						break
					}
				}
			}
			t.Logf("%s: %.1f ms per image", g.Name, float64(total.Microseconds())/3000)
		})
	}
}

func TestDeterministic(t *testing.T) {
	src := loadPhotos(t)
	for _, g := range Generators() {
		a := g.Make(rand.New(rand.NewPCG(7, 11)), src)
		b := g.Make(rand.New(rand.NewPCG(7, 11)), src)
		c := g.Make(rand.New(rand.NewPCG(8, 11)), src)
		if a.Bounds() != b.Bounds() || !bytes.Equal(a.Pix, b.Pix) {
			t.Errorf("%s: not deterministic for one seed", g.Name)
		}
		if a.Bounds() == c.Bounds() && bytes.Equal(a.Pix, c.Pix) {
			t.Errorf("%s: same image for different seeds", g.Name)
		}
	}
}

// TestContactSheet writes 4 examples per generator (a row each) to the PNG
// named by RELVIEW_SYNTH_SHEET.
func TestContactSheet(t *testing.T) {
	path := os.Getenv("RELVIEW_SYNTH_SHEET")
	if path == "" {
		t.Skip("set RELVIEW_SYNTH_SHEET=path.png to write a contact sheet")
	}
	src := loadPhotos(t)
	const thumb, label, pad, per = 160, 110, 6, 4
	var gs []Generator
	only := os.Getenv("RELVIEW_SYNTH_ONLY") // optional comma-separated names
	for _, g := range Generators() {
		if only == "" || slices.Contains(strings.Split(only, ","), g.Name) {
			gs = append(gs, g)
		}
	}
	if len(gs) == 0 {
		t.Fatalf("no generator matches RELVIEW_SYNTH_ONLY=%q", only)
	}
	sheet := imaging.New(label+per*(thumb+pad)+pad, len(gs)*(thumb+pad)+pad, color.NRGBA{235, 235, 235, 255})
	d := font.Drawer{Dst: sheet, Src: image.NewUniform(color.Black), Face: basicfont.Face7x13}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("RELVIEW_SYNTH_SEED"); s != "" {
		seed = 0
		for _, c := range s {
			seed = seed*31 + uint64(c)
		}
	}
	for gi, g := range gs {
		y0 := pad + gi*(thumb+pad)
		d.Dot = fixed.P(pad, y0+thumb/2)
		d.DrawString(g.Name)
		for k := range per {
			img := g.Make(rand.New(rand.NewPCG(seed, uint64(gi*100+k))), src)
			th := imaging.Fit(img, thumb, thumb, imaging.Linear)
			tb := th.Bounds()
			x0 := label + k*(thumb+pad)
			over(sheet, th, x0+(thumb-tb.Dx())/2, y0+(thumb-tb.Dy())/2)
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, sheet); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (seed %d)", path, seed)
}
