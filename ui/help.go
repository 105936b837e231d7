package ui

import (
	"image"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
	"relview/engine"
	"relview/sample"
)

// relationalHelp is Help → "What is relational similarity?".
const relationalHelp = `Two photos are visually similar when they look alike: colours, textures, the same kind of thing. ` +
	`They are relationally similar when their parts relate to one another in the same way, whatever the parts are: ` +
	`a before/after pair, an odd one out among many alike, a reflection, a figure on empty ground, repetition, symmetry. ` +
	`relview shows both side by side: the left column is what relates alike, the right what looks alike. ` +
	`Below, a photo of a cat split into before and after relates to coffee split the same way, though the two look nothing alike; ` +
	`its visual neighbour is another picture of the same cat. The built-in relational encoder is an approximation of the ` +
	`Relational Visual Similarity model (relsim): it reads layout, repetition, symmetry, reflection and nesting, not meaning.`

// helpExample are the sample library's pictures the help shows: a query,
// its relational match and its visual match.
var helpExample = [3]struct{ file, caption string }{
	{"compositions/before-after-chelsea.jpg", "A photo: before / after"},
	{"compositions/before-after-coffee.jpg", "Relationally similar: the same before / after, other content"},
	{"compositions/stages-chelsea.jpg", "Visually similar: the same cat, another arrangement"},
}

// showRelationalHelp explains relational similarity with the sample
// library's before/after example (the pictures when the sample library is
// written; the text alone otherwise) and offers to open the sample library.
func (b *Browser) showRelationalHelp(dataDir string, openSample func()) dialog.Dialog {
	text := widget.NewLabel(relationalHelp)
	text.Wrapping = fyne.TextWrapWord
	var pics []fyne.CanvasObject
	dir := sample.Dir(dataDir)
	for _, ex := range helpExample {
		img := loadHelpPicture(filepath.Join(dir, filepath.FromSlash(ex.file)))
		if img == nil {
			pics = nil
			break
		}
		c := canvas.NewImageFromImage(img)
		c.FillMode = canvas.ImageFillContain
		c.SetMinSize(fyne.NewSize(200, 150))
		cap := widget.NewLabel(ex.caption)
		cap.Wrapping = fyne.TextWrapWord
		cap.Alignment = fyne.TextAlignCenter
		pics = append(pics, container.NewBorder(nil, cap, nil, nil, c))
	}
	body := container.NewVBox(text)
	if len(pics) > 0 {
		body.Add(container.NewGridWithColumns(3, pics...))
	}
	var d dialog.Dialog
	if openSample != nil {
		body.Add(widget.NewButton("Open the sample library", func() {
			d.Hide()
			openSample()
		}))
	}
	d = dialog.NewCustom("What is relational similarity?", "Close", container.NewGridWrap(fyne.NewSize(720, 470), container.NewVScroll(body)), b.win)
	d.Show()
	return d
}

// loadHelpPicture decodes a picture of the sample library; nil when it is
// not there.
func loadHelpPicture(p string) image.Image {
	if _, err := os.Stat(p); err != nil {
		return nil
	}
	img, err := engine.DecodeFile(p)
	if err != nil {
		return nil
	}
	return img
}
