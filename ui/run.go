package ui

import (
	"fmt"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"relview/assets"
	"relview/engine"
)

// Run opens the main window and returns the process exit code when it
// closes. Without a display it prints one error and returns 1.
func Run(opts Options) int {
	if err := CheckDisplay(os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "relview:", err)
		return 1
	}
	a := app.NewWithID(AppID)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))
	w := a.NewWindow("relview")
	cfg := Config{K: a.Preferences().IntWithFallback(prefK, 8), AnalogyWeight: float32(a.Preferences().FloatWithFallback(prefWeight, 0.6))}
	if os.Getenv(DebugEnv) != "" {
		cfg.Debug = os.Stderr
	}
	b := NewBrowser(a, w, cfg)
	s := NewSession(b, opts.OpenEngine, engine.UserDataDir(), "")
	w.SetContent(b.Content())
	w.SetMainMenu(mainMenu(a, w, b, s))
	b.InstallKeys(w.Canvas())
	w.SetOnDropped(func(_ fyne.Position, uris []fyne.URI) { dropped(s, uris) })
	w.Resize(fyne.NewSize(1280, 800))

	s.OpenStart(opts.Folder)
	w.ShowAndRun()
	s.Close()
	return 0
}

// dropped opens a folder dropped on the window, or makes a dropped image
// file the query.
func dropped(s *Session, uris []fyne.URI) {
	for _, u := range uris {
		if u.Scheme() != "file" {
			continue
		}
		if ok, err := storage.CanList(u); err == nil && ok {
			s.Open(u.Path())
			return
		}
		s.b.ShowFile(u.Path())
		return
	}
}

func mainMenu(a fyne.App, w fyne.Window, b *Browser, s *Session) *fyne.MainMenu {
	openFolder := fyne.NewMenuItem("Open folder…", func() {
		d := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
			if err == nil && u != nil {
				s.Open(u.Path())
			}
		}, w)
		d.Resize(fyne.NewSize(900, 600))
		d.Show()
	})
	openFolder.Shortcut = nil
	recent := fyne.NewMenuItem("Recent folders", nil)
	var menu *fyne.MainMenu
	refreshRecent := func() {
		var items []*fyne.MenuItem
		for _, r := range s.Recent() {
			items = append(items, fyne.NewMenuItem(r, func() { s.Open(r) }))
		}
		if len(items) == 0 {
			items = append(items, fyne.NewMenuItem("(none)", nil))
		}
		recent.ChildMenu = fyne.NewMenu("", items...)
		if menu != nil {
			menu.Refresh()
		}
	}
	refreshRecent()
	a.Preferences().AddChangeListener(func() { fyne.Do(refreshRecent) })
	sampleItem := fyne.NewMenuItem("Open the sample library", s.OpenSample)
	reindex := fyne.NewMenuItem("Refresh the index", s.Reindex)
	settings := fyne.NewMenuItem("Settings…", func() { b.showSettings(s) })
	file := fyne.NewMenu("File", openFolder, recent, sampleItem, fyne.NewMenuItemSeparator(), reindex, settings)
	view := fyne.NewMenu("View",
		fyne.NewMenuItem("Back", b.Back),
		fyne.NewMenuItem("Forward", b.Forward),
		fyne.NewMenuItem("Toggle analogies", func() { b.nb.analogies.SetChecked(!b.nb.analogies.Checked) }),
		fyne.NewMenuItem("Compare with…", b.showCompare),
		fyne.NewMenuItem("Similarity map", func() { b.nb.tabs.SelectIndex(1) }),
	)
	menu = fyne.NewMainMenu(file, view)
	return menu
}
