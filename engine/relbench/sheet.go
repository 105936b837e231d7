package relbench

import (
	"errors"
	"image"
	"image/color"
	"image/png"
	"os"
	"slices"

	"github.com/disintegration/imaging"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// Contact sheet geometry.
const (
	sheetThumb = 200 // thumbnail box side
	sheetLabel = 30  // two text lines under each thumbnail
	sheetPad   = 8
)

// PickPerTemplate returns up to n composites of each template (the first n
// in comps order), grouped by template in first-appearance order.
func PickPerTemplate(comps []Composite, n int) []Composite {
	var order []string
	for _, c := range comps {
		if !slices.Contains(order, c.Template) {
			order = append(order, c.Template)
		}
	}
	var out []Composite
	for _, t := range order {
		k := 0
		for _, c := range comps {
			if c.Template == t && k < n {
				out = append(out, c)
				k++
			}
		}
	}
	return out
}

// WriteContactSheet writes a PNG with one row per template (first-appearance
// order) and the thumbnails of that template's composites in comps order,
// each labelled with its template and photo (and secondary photo).
func WriteContactSheet(comps []Composite, path string) error {
	img, err := ContactSheet(comps)
	if err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ContactSheet renders the image written by WriteContactSheet.
func ContactSheet(comps []Composite) (*image.NRGBA, error) {
	if len(comps) == 0 {
		return nil, errors.New("relbench: no composites for the contact sheet")
	}
	var order []string
	rows := map[string][]Composite{}
	for _, c := range comps {
		if _, ok := rows[c.Template]; !ok {
			order = append(order, c.Template)
		}
		rows[c.Template] = append(rows[c.Template], c)
	}
	cols := 0
	for _, t := range order {
		cols = max(cols, len(rows[t]))
	}
	cw, ch := sheetThumb+sheetPad, sheetThumb+sheetLabel+sheetPad
	out := imaging.New(sheetPad+cols*cw, sheetPad+len(order)*ch, color.NRGBA{235, 235, 235, 255})
	face := basicfont.Face7x13
	d := font.Drawer{Dst: out, Src: image.NewUniform(color.Black), Face: face}
	maxChars := sheetThumb / 7
	for ri, t := range order {
		for ci, c := range rows[t] {
			x0, y0 := sheetPad+ci*cw, sheetPad+ri*ch
			th := imaging.Fit(c.Image, sheetThumb, sheetThumb, imaging.Lanczos)
			tb := th.Bounds()
			fillRect(out, image.Rect(x0, y0, x0+sheetThumb, y0+sheetThumb), color.NRGBA{200, 200, 200, 255})
			place(out, th, x0+(sheetThumb-tb.Dx())/2, y0+(sheetThumb-tb.Dy())/2)
			l2 := c.Photo
			if c.Other != "" {
				l2 += " + " + c.Other
			}
			for li, s := range []string{c.Template, l2} {
				if len(s) > maxChars {
					s = s[:maxChars]
				}
				d.Dot = fixed.P(x0, y0+sheetThumb+12+li*13)
				d.DrawString(s)
			}
		}
	}
	return out, nil
}
