package ui

import (
	"fmt"
	"path/filepath"

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

// showProblems lists the skipped files with their reasons.
func (b *Browser) showProblems(ps []library.Problem) {
	list := widget.NewList(
		func() int { return len(ps) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(ps[i].Path + " — " + ps[i].Reason)
		})
	d := dialog.NewCustom(fmt.Sprintf("Skipped files (%d)", len(ps)), "Close", container.NewGridWrap(fyne.NewSize(640, 320), list), b.win)
	d.Show()
}

// InstallKeys binds the keyboard: arrows move through the gallery (the
// selection is the query), Enter opens the photo in the system viewer,
// Backspace goes back (Alt+Left/Alt+Right: back/forward), Escape clears the
// filter, then the selection; Ctrl+C copies the path, Ctrl+F filters,
// Ctrl+M switches between the neighbours and the similarity map.
func (b *Browser) InstallKeys(c fyne.Canvas) {
	c.SetOnTypedKey(b.TypedKey)
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyLeft, Modifier: fyne.KeyModifierAlt}, func(fyne.Shortcut) { b.Back() })
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyRight, Modifier: fyne.KeyModifierAlt}, func(fyne.Shortcut) { b.Forward() })
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyC, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) { b.copyCurrentPath() })
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) { c.Focus(b.gallery.filterBox) })
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyM, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) {
		b.nb.tabs.SelectIndex(1 - b.nb.tabs.SelectedIndex())
	})
}

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
