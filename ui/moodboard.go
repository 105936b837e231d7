package ui

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/disintegration/imaging"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
	"relview/library"
)

// A moodboard is a contact sheet of the query and the neighbours the user
// picks, each with its file name and what it shares with the query,
// exported as a PNG into a folder the user picks, never into the photo
// folder.

// moodItem is one picture of a moodboard.
type moodItem struct {
	im      library.Image
	caption string // what it shares with the query ("the query" for it)
}

// Geometry of the sheet, in pixels.
const (
	moodCell    = 320 // picture cell (square)
	moodColumns = 4
	moodMargin  = 24
	moodText    = 15 // font size of the captions
)

// renderMoodboard draws the sheet: a title, then the pictures in a grid,
// each with its name and caption under it. pics are decoded pictures
// (nil: a grey placeholder), one per item.
func renderMoodboard(title string, items []moodItem, pics []image.Image) (image.Image, error) {
	face, err := moodFace(moodText)
	if err != nil {
		return nil, err
	}
	defer face.Close()
	bold, err := moodFace(moodText * 1.5)
	if err != nil {
		return nil, err
	}
	defer bold.Close()
	line := moodText * 3 / 2
	cols := min(moodColumns, max(len(items), 1))
	rows := (len(items) + cols - 1) / cols
	cellH := moodCell + 3*line + moodMargin/2
	w := moodMargin + cols*(moodCell+moodMargin)
	h := moodMargin*2 + 2*line + rows*cellH
	sheet := image.NewNRGBA(image.Rect(0, 0, w, h))
	draw.Draw(sheet, sheet.Bounds(), image.NewUniform(color.NRGBA{0xfa, 0xf8, 0xf4, 0xff}), image.Point{}, draw.Src)
	ink := image.NewUniform(color.NRGBA{0x20, 0x20, 0x20, 0xff})
	grey := image.NewUniform(color.NRGBA{0x60, 0x60, 0x60, 0xff})
	write := func(face font.Face, src image.Image, x, y int, s string, width int) {
		d := &font.Drawer{Dst: sheet, Src: src, Face: face, Dot: fixed.P(x, y)}
		d.DrawString(fitWidth(d, s, width))
	}
	write(bold, ink, moodMargin, moodMargin+line, title, w-2*moodMargin)
	top := moodMargin + 2*line
	for i, it := range items {
		x := moodMargin + (i%cols)*(moodCell+moodMargin)
		y := top + (i/cols)*cellH
		cell := image.Rect(x, y, x+moodCell, y+moodCell)
		if pic := pics[i]; pic != nil {
			fit := imaging.Fit(pic, moodCell, moodCell, imaging.Linear)
			b := fit.Bounds()
			at := image.Pt(x+(moodCell-b.Dx())/2, y+(moodCell-b.Dy())/2)
			draw.Draw(sheet, image.Rectangle{Min: at, Max: at.Add(b.Size())}, fit, b.Min, draw.Src)
		} else {
			draw.Draw(sheet, cell, image.NewUniform(color.NRGBA{0xd0, 0xd0, 0xd0, 0xff}), image.Point{}, draw.Src)
		}
		write(face, ink, x, y+moodCell+line, it.im.Path, moodCell)
		for j, part := range wrapCaption(it.caption, 2) {
			write(face, grey, x, y+moodCell+(2+j)*line, part, moodCell)
		}
	}
	return sheet, nil
}

// wrapCaption splits a caption of comma-separated parts over at most n
// lines.
func wrapCaption(s string, n int) []string {
	parts := strings.Split(s, ", ")
	if len(parts) <= n {
		return parts
	}
	return append(parts[:n-1], strings.Join(parts[n-1:], ", "))
}

// fitWidth shortens s with "…" to width pixels.
func fitWidth(d *font.Drawer, s string, width int) string {
	if d.MeasureString(s).Ceil() <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && d.MeasureString(string(r)+"…").Ceil() > width {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

// moodFace is the app's text font at size points (72 dpi: pixels).
func moodFace(size float64) (font.Face, error) {
	f, err := opentype.Parse(theme.DefaultTextFont().Content())
	if err != nil {
		return nil, fmt.Errorf("moodboard font: %w", err)
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, fmt.Errorf("moodboard font: %w", err)
	}
	return face, nil
}

// errIntoLibrary refuses a moodboard into the photo folder.
var errIntoLibrary = errors.New("relview never writes into the photo folder: pick a folder outside it")

// within reports whether path is dir or inside it.
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// writeMoodboard writes img as a PNG named after the query into dir
// (atomically: a temporary file renamed), refusing any folder inside the
// library root; it returns the file's path.
func writeMoodboard(img image.Image, dir, libRoot, query string, now time.Time) (string, error) {
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("moodboard: %w", err)
	}
	if root, err := filepath.EvalSymlinks(libRoot); err == nil {
		if real, err := filepath.EvalSymlinks(absDir); err == nil && within(real, root) {
			return "", errIntoLibrary
		}
	}
	if within(absDir, libRoot) {
		return "", errIntoLibrary
	}
	base := strings.TrimSuffix(filepath.Base(query), filepath.Ext(query))
	name := fmt.Sprintf("moodboard-%s-%s.png", base, now.Format("20060102-150405"))
	tmp, err := os.CreateTemp(absDir, ".moodboard-*.png")
	if err != nil {
		return "", fmt.Errorf("moodboard: %w", err)
	}
	defer os.Remove(tmp.Name()) // gone after the rename
	if err := png.Encode(tmp, img); err != nil {
		tmp.Close()
		return "", fmt.Errorf("moodboard: writing %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("moodboard: writing %s: %w", tmp.Name(), err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil { // CreateTemp makes it 0600
		return "", fmt.Errorf("moodboard: %w", err)
	}
	out := filepath.Join(absDir, name)
	if err := os.Rename(tmp.Name(), out); err != nil {
		return "", fmt.Errorf("moodboard: %w", err)
	}
	return out, nil
}

// moodboardItems are what the moodboard dialog offers: the query, then its
// relational neighbours (picked), then its visual ones (not picked).
func (b *Browser) moodboardItems() (items []moodItem, picked []bool) {
	q, ok := b.byID[b.query]
	if !ok || b.query == 0 {
		return nil, nil
	}
	items = append(items, moodItem{im: q, caption: "the query"})
	picked = append(picked, true)
	for _, t := range b.nb.rel.tiles[:b.nb.rel.shown] {
		c := "relates alike"
		if names := whyNames(t.hit.Why); len(names) > 0 {
			c = "shares: " + strings.Join(names, ", ")
		} else if w := strengthWord(t.hit.Strength); w != "" {
			c = "relates alike (" + w + ")"
		}
		items = append(items, moodItem{im: t.hit.Image, caption: c})
		picked = append(picked, true)
	}
	for _, t := range b.nb.vis.tiles[:b.nb.vis.shown] {
		c := "looks alike"
		if w := strengthWord(t.hit.Strength); w != "" {
			c = "looks alike (" + w + ")"
		}
		items = append(items, moodItem{im: t.hit.Image, caption: c})
		picked = append(picked, false)
	}
	return items, picked
}

// exportMoodboard renders items and writes the sheet into dir in the
// background; done gets the file's path or the error (UI thread).
func (b *Browser) exportMoodboard(items []moodItem, dir string, done func(string, error)) {
	src := b.src
	if src == nil || len(items) == 0 {
		return
	}
	type result struct {
		path string
		err  error
	}
	title := "relview moodboard · " + items[0].im.Path
	spawn(b.work, ticket{}, func() result {
		pics := make([]image.Image, len(items))
		for i, it := range items {
			if img, err := src.Preview(it.im, 2*moodCell); err == nil {
				pics[i] = img
			}
		}
		sheet, err := renderMoodboard(title, items, pics)
		if err != nil {
			return result{err: err}
		}
		p, err := writeMoodboard(sheet, dir, src.Root(), items[0].im.Path, time.Now())
		return result{p, err}
	}, func(r result) {
		if r.err == nil {
			b.status.message("Moodboard saved: " + r.path)
			b.debugf("moodboard %s", r.path)
		}
		done(r.path, r.err)
	})
}

// showMoodboard lets the user pick the photos of a moodboard and the folder
// to export it into.
func (b *Browser) showMoodboard() {
	items, picked := b.moodboardItems()
	if len(items) == 0 {
		dialog.ShowInformation("Moodboard", "Pick a photo first: the moodboard holds it and the neighbours you choose.", b.win)
		return
	}
	list := container.NewVBox()
	for i, it := range items {
		c := widget.NewCheck(fmt.Sprintf("%s — %s", baseName(it.im.Path), it.caption), func(on bool) { picked[i] = on })
		c.SetChecked(picked[i])
		list.Add(c)
	}
	var d dialog.Dialog
	export := widget.NewButtonWithIcon("Export PNG…", theme.DocumentSaveIcon(), func() {
		var chosen []moodItem
		for i, it := range items {
			if picked[i] {
				chosen = append(chosen, it)
			}
		}
		if len(chosen) == 0 {
			return
		}
		fd := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
			if err != nil || u == nil {
				return
			}
			d.Hide()
			b.exportMoodboard(chosen, u.Path(), func(p string, err error) {
				if err != nil {
					dialog.ShowError(err, b.win)
					return
				}
				dialog.ShowInformation("Moodboard saved", p, b.win)
			})
		}, b.win)
		fd.Resize(fyne.NewSize(900, 600))
		fd.Show()
	})
	note := widget.NewLabel("The query and the photos you tick, with their names and what they share, as one PNG in a folder you pick (never the photo folder).")
	note.Wrapping = fyne.TextWrapWord
	d = dialog.NewCustom("Moodboard", "Close", container.NewBorder(note, export, nil, nil,
		container.NewGridWrap(fyne.NewSize(640, 360), container.NewVScroll(list))), b.win)
	d.Show()
}
