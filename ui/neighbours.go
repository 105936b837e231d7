package ui

import (
	"fmt"
	"image"
	"path"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"relview/engine"
)

// neighboursView is the right pane: the query photo large with its name,
// details, history buttons and actions, and below it two tabs: the
// neighbours in two columns (relational and visual) and the similarity map.
// It shows what the Browser gives it; it runs on the UI thread.
type neighboursView struct {
	preview   *canvas.Image
	title     *widget.Label
	details   *widget.Label
	hint      *widget.Label
	back, fwd *widget.Button
	actions   []*widget.Button // open, show in folder, copy path, compare
	analogies *widget.Check
	analogyOn *widget.Label // what the analogies column holds, while on
	variants  *widget.Button
	size      *widget.Slider
	rel, vis  *column
	hoverImg  *canvas.Image   // the larger preview of the tile under the pointer
	hoverWhy  *fyne.Container // under it: the relations it shares, named in full
	// baseDetails is the query's details line before what it shows is
	// known (setShows).
	baseDetails string
	hoverBox    *fyne.Container   // its frame, placed by hand over the panes
	hoverLay    *fyne.Container   // the layer above the panes that holds it
	views       [3]*widget.Button // Neighbours, Similarity map, By relation
	panes       [3]fyne.CanvasObject
	shownView   int
	content     fyne.CanvasObject
}

// neighbourActions are what the neighbours view's buttons do.
type neighbourActions struct {
	back, forward, open, showInFolder, copyPath, compare func()
	analogies                                            func(bool)
	tapHit                                               func(hit)
	tab                                                  func() // the tab changed
	stack                                                func(hit)
	variants                                             func() // the query's variants
	size                                                 func(float64)
	details                                              func(title, text string)
	hover                                                func(t *neighbourTile, in bool)
}

// analogyHint says what the analogies column holds.
const analogyHint = "Analogies: among the %s of photos most relationally similar to this one, those that look least alike, least alike first."

func newNeighboursView(do neighbourActions, mapPane, relPane fyne.CanvasObject, tileWidth float32) *neighboursView {
	v := &neighboursView{}
	v.preview = canvas.NewImageFromImage(nil)
	v.preview.FillMode = canvas.ImageFillContain
	v.preview.SetMinSize(previewMin)
	v.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.title.Truncation = fyne.TextTruncateEllipsis
	v.details = widget.NewLabel("")
	v.details.Truncation = fyne.TextTruncateEllipsis
	v.hint = widget.NewLabel(hintPick)
	v.hint.Wrapping = fyne.TextWrapWord
	v.hint.Alignment = fyne.TextAlignCenter
	v.back = widget.NewButtonWithIcon("", theme.NavigateBackIcon(), do.back)
	v.fwd = widget.NewButtonWithIcon("", theme.NavigateNextIcon(), do.forward)
	open := widget.NewButtonWithIcon("Open", theme.FileImageIcon(), do.open)
	show := widget.NewButtonWithIcon("Show folder", theme.FolderOpenIcon(), do.showInFolder)
	cp := widget.NewButtonWithIcon("Copy path", theme.ContentCopyIcon(), do.copyPath)
	cmp := widget.NewButtonWithIcon("Compare…", theme.ViewRestoreIcon(), do.compare)
	v.actions = []*widget.Button{open, show, cp, cmp}
	v.analogies = widget.NewCheck("Analogies", func(on bool) {
		if on {
			v.analogyOn.Show()
		} else {
			v.analogyOn.Hide()
		}
		do.analogies(on)
	})
	v.analogyOn = widget.NewLabel("")
	v.analogyOn.Wrapping = fyne.TextWrapWord
	v.analogyOn.SizeName = theme.SizeNameCaptionText
	v.analogyOn.Hide()
	v.variants = widget.NewButtonWithIcon("", theme.ContentCopyIcon(), do.variants)
	v.variants.Hide()
	v.size = widget.NewSlider(minTileWidth, maxTileWidth)
	v.size.Step = 8
	v.size.SetValue(float64(tileWidth))
	v.size.OnChangeEnded = func(w float64) {
		v.rel.setTileWidth(float32(w))
		v.vis.setTileWidth(float32(w))
		if do.size != nil {
			do.size(w)
		}
	}
	// The tile size: a slider never narrower than 110 (beside the icon that
	// says what it does).
	sizeRow := container.NewBorder(nil, nil, widget.NewIcon(theme.ZoomInIcon()), nil,
		container.NewStack(container.NewGridWrap(fyne.NewSize(110, v.size.MinSize().Height)), v.size))
	v.views[0] = widget.NewButtonWithIcon("Neighbours", theme.GridIcon(), func() { v.selectView(0); do.tab() })
	v.views[1] = widget.NewButtonWithIcon("Map", theme.MediaRecordIcon(), func() { v.selectView(1); do.tab() })
	v.views[2] = widget.NewButtonWithIcon("Relations", theme.ListIcon(), func() { v.selectView(2); do.tab() })
	nav := container.NewBorder(nil, nil, container.NewHBox(v.views[0], v.views[1], v.views[2], v.analogies, v.variants), nil, sizeRow)
	info := container.NewVBox(v.title, v.details, container.NewHBox(v.back, v.fwd, open, show, cp, cmp), nav)
	head := container.NewBorder(nil, nil, container.NewStack(v.preview, v.hint), nil, info)
	v.rel = newColumn("Relationally similar", maxChips, tileWidth, do.tapHit, do.stack)
	v.rel.setExtra(nil, v.analogyOn)
	v.vis = newColumn("Visually similar", 0, tileWidth, do.tapHit, do.stack)
	for _, c := range []*column{v.rel, v.vis} {
		c.onHover = do.hover
		c.info.OnTapped = func() {
			if do.details != nil {
				do.details(c.title.Text, c.details)
			}
		}
	}
	cols := container.NewGridWithColumns(2, v.rel.content, v.vis.content)
	v.panes = [3]fyne.CanvasObject{cols, mapPane, relPane}
	v.selectView(0)
	// The hover preview: a picture over the panes, never in the way of a
	// tap (a canvas image takes no events).
	v.hoverImg = canvas.NewImageFromImage(nil)
	v.hoverImg.FillMode = canvas.ImageFillContain
	frame := canvas.NewRectangle(theme.Color(theme.ColorNameOverlayBackground))
	frame.StrokeColor = theme.Color(theme.ColorNameSeparator)
	frame.StrokeWidth = 1
	v.hoverWhy = container.NewVBox()
	v.hoverBox = container.NewStack(frame, container.NewPadded(container.NewBorder(nil, v.hoverWhy, nil, nil, v.hoverImg)))
	v.hoverBox.Hide()
	v.hoverLay = container.NewWithoutLayout(v.hoverBox)
	v.content = container.NewBorder(head, nil, nil, nil, container.NewStack(cols, mapPane, relPane, v.hoverLay))
	return v
}

// selectView shows the neighbours (0), the similarity map (1) or the
// library by relation (2); the caller then runs the tab action (loading
// the map or the relations).
func (v *neighboursView) selectView(i int) {
	v.shownView = i
	for j := range v.panes {
		if j == i {
			v.panes[j].Show()
			v.views[j].Importance = widget.HighImportance
		} else {
			v.panes[j].Hide()
			v.views[j].Importance = widget.MediumImportance
		}
		v.views[j].Refresh()
	}
}

// showHover shows img in a box of size at pos (relative to the panes),
// with the lines of why under it; nil hides it.
func (v *neighboursView) showHover(img image.Image, why []string, pos fyne.Position, size fyne.Size) {
	if img == nil {
		v.hoverBox.Hide()
		return
	}
	v.hoverImg.Image = img
	v.hoverImg.Refresh()
	v.hoverWhy.RemoveAll()
	for _, line := range why {
		t := canvas.NewText(line, theme.Color(theme.ColorNameForeground))
		t.TextSize = theme.CaptionTextSize()
		v.hoverWhy.Add(t)
	}
	v.hoverWhy.Refresh()
	v.hoverBox.Move(pos)
	v.hoverBox.Resize(size)
	v.hoverBox.Show()
}

// mapShown reports whether the similarity map is shown.
func (v *neighboursView) mapShown() bool { return v.shownView == 1 }

// clear shows no query.
func (v *neighboursView) clear(l *thumbLoader) {
	v.setPreview(nil)
	v.title.SetText("")
	v.details.SetText("")
	v.hint.Show()
	v.setVariants(0)
	for _, c := range []*column{v.rel, v.vis} {
		c.setNote("")
		c.setHits(nil, l)
		c.setNote("")
	}
}

// showQuery names the query while its neighbours are searched for.
func (v *neighboursView) showQuery(title, details, searching string, thumb image.Image) {
	v.hint.Hide()
	v.title.SetText(title)
	v.baseDetails = details
	v.details.SetText(details)
	v.setPreview(thumb)
	v.rel.setNote(searching)
	v.vis.setNote(searching)
}

// setShows adds what the query shows (queryRelations) to its details line;
// "" leaves the line as showQuery set it.
func (v *neighboursView) setShows(shows string) {
	if shows == "" {
		v.details.SetText(v.baseDetails)
		return
	}
	v.details.SetText(v.baseDetails + " · " + shows)
}

// setVariants shows how many variants of the query were stacked away (0
// hides the button).
func (v *neighboursView) setVariants(n int) {
	if n == 0 {
		v.variants.Hide()
		return
	}
	v.variants.SetText(fmt.Sprintf("%d variants", n))
	if n == 1 {
		v.variants.SetText("1 variant")
	}
	v.variants.Show()
}

func (v *neighboursView) setPreview(img image.Image) {
	v.preview.Image = img
	v.preview.Refresh()
}

// fill shows the neighbours of both columns, or why a column has none.
func (v *neighboursView) fill(rel, vis []hit, relErr, visErr error, l *thumbLoader) {
	fillColumn(v.rel, rel, relErr, l)
	fillColumn(v.vis, vis, visErr, l)
}

func fillColumn(c *column, hits []hit, err error, l *thumbLoader) {
	if err != nil {
		c.setNote(queryError(err))
		c.setHits(nil, l)
		return
	}
	c.setNote("")
	c.setHits(hits, l)
}

// setNav enables the history buttons and the actions: all four for a
// catalogued photo, all but Compare for a dropped file.
func (v *neighboursView) setNav(canBack, canForward, catalogued, external bool) {
	setEnabled(v.back, canBack)
	setEnabled(v.fwd, canForward)
	for i, a := range v.actions {
		setEnabled(a, catalogued || (external && i < 3))
	}
}

func setEnabled(w *widget.Button, on bool) {
	if on {
		w.Enable()
	} else {
		w.Disable()
	}
}

// setCaptions says in words which encoder fills each column; its ids are
// in the column's details (the info button).
func (v *neighboursView) setCaptions(spaces map[string]engine.SpaceInfo) {
	for _, c := range []struct {
		col   *column
		space string
	}{{v.rel, engine.Relational}, {v.vis, engine.Visual}} {
		si, ok := spaces[c.space]
		c.col.caption.SetText(captionWords(c.space, si, ok))
		c.col.details = captionDetails(si, ok)
	}
}

// captionWords names a space's encoder in a few words.
func captionWords(space string, si engine.SpaceInfo, ok bool) string {
	switch {
	case !ok:
		return "encoder not loaded"
	case si.Source != "" && !strings.HasPrefix(si.Source, "built-in"):
		return "plug-in: " + path.Base(filepath.ToSlash(si.Source))
	case space == engine.Relational:
		return "built-in approximation of relsim"
	default:
		return "built-in: colours, textures, objects"
	}
}

// captionDetails is what the info button shows: the encoder's ids.
func captionDetails(si engine.SpaceInfo, ok bool) string {
	if !ok {
		return "No encoder is loaded for this space: the library shows what is already indexed."
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Encoder: %s\n", si.Model)
	if si.Dim > 0 {
		fmt.Fprintf(&b, "Vectors: %d values\n", si.Dim)
	}
	src := si.Source
	if src == "" {
		src = "built-in"
	}
	fmt.Fprintf(&b, "Source: %s\n", src)
	if si.Note != "" {
		b.WriteString(si.Note + "\n")
	}
	b.WriteString("Strength: the percentile of a match's score among pairs of photos of this library (strong: top 1 %, fair: top 5 %).")
	return b.String()
}
