package ui

import (
	"fmt"
	"path/filepath"

	"relview/engine"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
	"relview/library"
)

func (b *Browser) openCurrent() {
	if p, ok := b.currentPath(); ok {
		b.report(b.cfg.Open(p))
	}
}

func (b *Browser) showCurrentInFolder() {
	if p, ok := b.currentPath(); ok {
		b.report(b.cfg.Open(filepath.Dir(p)))
	}
}

func (b *Browser) copyCurrentPath() {
	if p, ok := b.currentPath(); ok {
		b.app.Clipboard().SetContent(p)
		b.status.message("Copied " + p)
	}
}

func (b *Browser) report(err error) {
	if err != nil {
		dialog.ShowError(err, b.win)
	}
}

// maxProblemsShown bounds the skipped list (each entry is a wrapped label).
const maxProblemsShown = 2000

// showProblems lists the skipped files, folders and links with their whole
// reasons.
func (b *Browser) showProblems(ps []library.Problem) dialog.Dialog {
	box := container.NewVBox()
	for i, p := range ps {
		if i == maxProblemsShown {
			box.Add(widget.NewLabel(fmt.Sprintf("… and %d more (relview status FOLDER lists them all)", len(ps)-i)))
			break
		}
		path := widget.NewLabelWithStyle(p.Path, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		path.Wrapping = fyne.TextWrapBreak
		reason := widget.NewLabel(p.Reason)
		reason.Wrapping = fyne.TextWrapWord
		box.Add(container.NewVBox(path, reason, widget.NewSeparator()))
	}
	d := dialog.NewCustom(fmt.Sprintf("Skipped (%d)", len(ps)), "Close", container.NewGridWrap(fyne.NewSize(700, 420), container.NewVScroll(box)), b.win)
	d.Show()
	return d
}

// InstallKeys binds the keyboard: arrows move through the gallery (the
// selection is the query), Enter opens the photo in the system viewer,
// Backspace goes back (Alt+Left/Alt+Right: back/forward), Escape clears the
// filter, then the selection; Ctrl+C copies the path, Ctrl+F filters,
// Ctrl+M switches between the neighbours and the similarity map.
func (b *Browser) InstallKeys(c fyne.Canvas) {
	c.SetOnTypedKey(b.TypedKey)
	c.AddShortcut(shortcutBack, func(fyne.Shortcut) { b.Back() })
	c.AddShortcut(shortcutForward, func(fyne.Shortcut) { b.Forward() })
	c.AddShortcut(shortcutCopy, func(fyne.Shortcut) { b.copyCurrentPath() })
	c.AddShortcut(shortcutFilter, func(fyne.Shortcut) { c.Focus(b.gallery.filterBox) })
	c.AddShortcut(shortcutAnalogies, func(fyne.Shortcut) { b.nb.analogies.SetChecked(!b.nb.analogies.Checked) })
	c.AddShortcut(shortcutMap, func(fyne.Shortcut) { b.toggleMap() })
	c.AddShortcut(shortcutRelations, func(fyne.Shortcut) { b.showView(2) })
	c.AddShortcut(shortcutMoodboard, func(fyne.Shortcut) { b.showMoodboard() })
}

// The keyboard shortcuts, bound by InstallKeys and shown in the menus.
var (
	shortcutBack      = &desktop.CustomShortcut{KeyName: fyne.KeyLeft, Modifier: fyne.KeyModifierAlt}
	shortcutForward   = &desktop.CustomShortcut{KeyName: fyne.KeyRight, Modifier: fyne.KeyModifierAlt}
	shortcutCopy      = &desktop.CustomShortcut{KeyName: fyne.KeyC, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutFilter    = &desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutAnalogies = &desktop.CustomShortcut{KeyName: fyne.KeyA, Modifier: fyne.KeyModifierShortcutDefault | fyne.KeyModifierShift}
	shortcutMap       = &desktop.CustomShortcut{KeyName: fyne.KeyM, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutOpen      = &desktop.CustomShortcut{KeyName: fyne.KeyO, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutRelations = &desktop.CustomShortcut{KeyName: fyne.KeyR, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutMoodboard = &desktop.CustomShortcut{KeyName: fyne.KeyE, Modifier: fyne.KeyModifierShortcutDefault}
)

// TypedKey handles a key no widget took.
func (b *Browser) TypedKey(ev *fyne.KeyEvent) {
	switch ev.Name {
	case fyne.KeyLeft:
		b.step(-1)
	case fyne.KeyRight:
		b.step(1)
	case fyne.KeyUp:
		b.step(-b.gallery.columns())
	case fyne.KeyDown:
		b.step(b.gallery.columns())
	case fyne.KeyReturn, fyne.KeyEnter:
		b.openCurrent()
	case fyne.KeyBackspace:
		b.Back()
	case fyne.KeyEscape:
		if b.gallery.clearFilter() {
			return
		}
		b.hist.visit(0)
		b.clearQuery()
	}
}

// step moves the selection by d cells in the gallery.
func (b *Browser) step(d int) {
	if id := b.gallery.step(d); id != 0 {
		b.Show(id)
	}
}

// showDetails shows a column's details (the encoder's ids).
func (b *Browser) showDetails(title, text string) {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	d := dialog.NewCustom(title, "Close", container.NewGridWrap(fyne.NewSize(520, 180), l), b.win)
	d.Show()
}

// showView shows the neighbours (0), the similarity map (1) or the
// library by relation (2).
func (b *Browser) showView(i int) {
	b.nb.selectView(i)
	b.loadMap()
	b.loadRelations()
}

// toggleMap switches between the similarity map and the neighbours.
func (b *Browser) toggleMap() {
	if b.nb.shownView == 1 {
		b.showView(0)
	} else {
		b.showView(1)
	}
}

// loadRelations groups the library by relation in the background when
// the "By relation" view is shown and the catalog changed since.
func (b *Browser) loadRelations() {
	if b.nb.shownView != 2 || !b.relStale || b.relLoading || b.src == nil {
		return
	}
	vs, ok := b.src.(vectorSource)
	si, known := b.spaces[engine.Relational]
	if !ok || !known || !engine.CanExplain(si.Model) {
		b.relv.setGroups(nil, nil, 0, nil)
		b.relv.setNote("Browsing by relation needs the built-in relational encoder, which names the relations it sees; a plug-in does not.")
		return
	}
	b.relStale, b.relLoading = false, true
	b.relv.setNote("Grouping the library by relation…")
	ids := make([]int64, 0, len(b.all))
	for _, im := range b.all {
		if im.Status == library.StatusIndexed {
			ids = append(ids, im.ID)
		}
	}
	model, byID := si.Model, b.byID
	spawn(b.work, ticket{}, func() []relationGroup {
		var objs map[int64][]float32
		if os, ok := vs.(objectsSource); ok {
			objs = os.ObjectsOf(ids)
		}
		return relationGroups(ids, func(id int64) []float32 {
			v, err := vs.Vector(id, engine.Relational)
			if err != nil {
				return nil // not analysed yet
			}
			return v
		}, objs, model, perRelation)
	}, func(gs []relationGroup) {
		b.relLoading = false
		b.relv.setNote("The library grouped by the relations the built-in encoder names, the strongest examples first. Click a photo to see its neighbours.")
		b.relv.setGroups(gs, byID, b.nb.rel.geo.w, b.thumbs)
		b.debugf("relations groups=%d", len(gs))
		if b.relStale {
			b.loadRelations()
		}
	})
}
