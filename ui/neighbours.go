package ui

import (
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
	rel, vis  *column
	tabs      *container.AppTabs
	content   fyne.CanvasObject
}

// neighbourActions are what the neighbours view's buttons do.
type neighbourActions struct {
	back, forward, open, showInFolder, copyPath, compare func()
	analogies                                            func(bool)
	tapHit                                               func(hit)
	tab                                                  func() // the tab changed
}

func newNeighboursView(do neighbourActions, mapPane fyne.CanvasObject) *neighboursView {
	v := &neighboursView{}
	v.preview = canvas.NewImageFromImage(nil)
	v.preview.FillMode = canvas.ImageFillContain
	v.preview.SetMinSize(previewMin)
	v.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.title.Truncation = fyne.TextTruncateEllipsis
	v.details = widget.NewLabel("")
	v.details.Truncation = fyne.TextTruncateEllipsis
	v.hint = widget.NewLabel("Click a photo to see its relationally similar neighbours beside its visually similar ones.")
	v.hint.Wrapping = fyne.TextWrapWord
	v.hint.Alignment = fyne.TextAlignCenter
	v.back = widget.NewButtonWithIcon("", theme.NavigateBackIcon(), do.back)
	v.fwd = widget.NewButtonWithIcon("", theme.NavigateNextIcon(), do.forward)
	open := widget.NewButtonWithIcon("Open", theme.FileImageIcon(), do.open)
	show := widget.NewButtonWithIcon("Show in folder", theme.FolderOpenIcon(), do.showInFolder)
	cp := widget.NewButtonWithIcon("Copy path", theme.ContentCopyIcon(), do.copyPath)
	cmp := widget.NewButtonWithIcon("Compare…", theme.ViewRestoreIcon(), do.compare)
	v.actions = []*widget.Button{open, show, cp, cmp}
	v.analogies = widget.NewCheck("Analogies: relationally close, visually far", do.analogies)
	info := container.NewVBox(v.title, v.details, container.NewHBox(v.back, v.fwd),
		container.NewGridWithColumns(2, open, show, cp, cmp))
	head := container.NewBorder(nil, nil, container.NewStack(v.preview, v.hint), nil, info)
	v.rel = newColumn("Relationally similar", do.tapHit)
	v.rel.setExtra(v.analogies)
	v.vis = newColumn("Visually similar", do.tapHit)
	cols := container.NewGridWithColumns(2, v.rel.content, v.vis.content)
	v.tabs = container.NewAppTabs(
		container.NewTabItem("Neighbours", cols),
		container.NewTabItem("Similarity map", mapPane))
	v.tabs.OnSelected = func(*container.TabItem) { do.tab() }
	v.content = container.NewBorder(head, nil, nil, nil, v.tabs)
	return v
}

// mapShown reports whether the similarity map tab is open.
func (v *neighboursView) mapShown() bool { return v.tabs.SelectedIndex() == 1 }

// clear shows no query.
func (v *neighboursView) clear(l *thumbLoader) {
	v.setPreview(nil)
	v.title.SetText("")
	v.details.SetText("")
	v.hint.Show()
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
	v.details.SetText(details)
	v.setPreview(thumb)
	v.rel.setNote(searching)
	v.vis.setNote(searching)
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

// setCaptions says which encoder fills each column.
func (v *neighboursView) setCaptions(spaces map[string]engine.SpaceInfo) {
	caption := func(space string) string {
		si, ok := spaces[space]
		if !ok {
			return "Encoder: not loaded"
		}
		s := "Encoder: " + si.Model
		if si.Source != "" && !strings.HasPrefix(si.Source, "built-in") {
			s += " (plug-in, " + path.Base(filepath.ToSlash(si.Source)) + ")"
		}
		if si.Note != "" {
			s += " — " + si.Note
		}
		return s
	}
	v.rel.caption.SetText(caption(engine.Relational))
	v.vis.caption.SetText(caption(engine.Visual))
}
