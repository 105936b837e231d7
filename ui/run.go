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
	cfg := Config{K: a.Preferences().IntWithFallback(prefK, defaultK), AnalogyTop: a.Preferences().FloatWithFallback(prefAnalogyTop, defaultAnalogyTop)}
	if os.Getenv(DebugEnv) != "" {
		cfg.Debug = os.Stderr
	}
	b := NewBrowser(a, w, cfg)
	s := NewSession(b, opts.OpenEngine, engine.UserDataDir(), "")
	w.SetContent(b.Content())
	w.SetMainMenu(mainMenu(a, w, b, s))
	b.InstallKeys(w.Canvas())
	w.Canvas().AddShortcut(shortcutOpen, func(fyne.Shortcut) { openFolderDialog(w, s) })
	w.SetOnDropped(func(_ fyne.Position, uris []fyne.URI) { dropped(s, uris) })
	w.Resize(windowSize(a.Preferences()))
	w.SetOnClosed(func() { rememberWindowSize(a.Preferences(), w.Canvas().Size()) })

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

// openFolderDialog asks for a folder and opens it.
func openFolderDialog(w fyne.Window, s *Session) {
	d := dialog.NewFolderOpen(func(u fyne.ListableURI, err error) {
		if err == nil && u != nil {
			s.Open(u.Path())
		}
	}, w)
	d.Resize(fyne.NewSize(900, 600))
	d.Show()
}

func mainMenu(a fyne.App, w fyne.Window, b *Browser, s *Session) *fyne.MainMenu {
	openFolder := fyne.NewMenuItem("Open folder…", func() { openFolderDialog(w, s) })
	openFolder.Shortcut = shortcutOpen
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
	mood := fyne.NewMenuItem("Export a moodboard…", b.showMoodboard)
	mood.Shortcut = shortcutMoodboard
	file := fyne.NewMenu("File", openFolder, recent, sampleItem, fyne.NewMenuItemSeparator(), mood, fyne.NewMenuItemSeparator(), reindex, settings)
	item := func(label string, sc fyne.Shortcut, f func()) *fyne.MenuItem {
		it := fyne.NewMenuItem(label, f)
		it.Shortcut = sc
		return it
	}
	view := fyne.NewMenu("View",
		item("Back", shortcutBack, b.Back),
		item("Forward", shortcutForward, b.Forward),
		item("Filter by name", shortcutFilter, func() { b.win.Canvas().Focus(b.gallery.filterBox) }),
		item("Copy the photo's path", shortcutCopy, b.copyCurrentPath),
		item("Toggle analogies", shortcutAnalogies, func() { b.nb.analogies.SetChecked(!b.nb.analogies.Checked) }),
		item("Neighbours / similarity map", shortcutMap, func() { b.toggleMap() }),
		item("Browse by relation", shortcutRelations, func() { b.showView(2) }),
		fyne.NewMenuItem("Compare with…", b.showCompare),
	)
	help := fyne.NewMenu("Help",
		fyne.NewMenuItem("What is relational similarity?", func() { b.showRelationalHelp(s.dataDir, s.OpenSample) }),
	)
	menu = fyne.NewMainMenu(file, view, help)
	return menu
}

// Window size preferences.
const (
	prefWindowWidth  = "windowWidth"
	prefWindowHeight = "windowHeight"
)

// defaultWindow fits a 1280×720 screen with a title bar and a panel; a
// larger window the user made is remembered (windowSize).
var defaultWindow = fyne.NewSize(1200, 640)

// windowSize is the size the main window opens at: the last one, or
// defaultWindow.
func windowSize(p fyne.Preferences) fyne.Size {
	w := p.FloatWithFallback(prefWindowWidth, float64(defaultWindow.Width))
	h := p.FloatWithFallback(prefWindowHeight, float64(defaultWindow.Height))
	return fyne.NewSize(float32(max(w, 640)), float32(max(h, 480)))
}

// rememberWindowSize keeps the size the window had when it closed.
func rememberWindowSize(p fyne.Preferences, s fyne.Size) {
	if s.Width >= 640 && s.Height >= 480 {
		p.SetFloat(prefWindowWidth, float64(s.Width))
		p.SetFloat(prefWindowHeight, float64(s.Height))
	}
}
