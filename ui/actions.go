package ui

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"
	"relview/engine"
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
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) { c.Focus(b.filterBox) })
	c.AddShortcut(&desktop.CustomShortcut{KeyName: fyne.KeyM, Modifier: fyne.KeyModifierShortcutDefault}, func(fyne.Shortcut) {
		b.tabs.SelectIndex(1 - b.tabs.SelectedIndex())
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
		b.step(-max(b.grid.ColumnCount(), 1))
	case fyne.KeyDown:
		b.step(max(b.grid.ColumnCount(), 1))
	case fyne.KeyReturn, fyne.KeyEnter:
		b.openCurrent()
	case fyne.KeyBackspace:
		b.Back()
	case fyne.KeyEscape:
		if b.filterBox.Text != "" {
			b.filterBox.SetText("")
			return
		}
		b.hist.visit(0)
		b.clearQuery()
		b.grid.UnselectAll()
	}
}

// step moves the selection by d cells in the gallery.
func (b *Browser) step(d int) {
	if len(b.shown) == 0 {
		return
	}
	i := b.indexOf(b.query)
	if i < 0 {
		i = 0
	} else {
		i = min(max(i+d, 0), len(b.shown)-1)
	}
	b.Show(b.shown[i].ID)
}

// StartIndexing runs ix in the background, showing its progress and
// refreshing the gallery as photos arrive. onDone, if not nil, runs on the
// UI thread at the end.
func (b *Browser) StartIndexing(ix Indexer, onDone func(library.Summary, error)) {
	b.CancelIndexing()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	b.indexer, b.indexCancel, b.indexDone = ix, cancel, done
	b.status.setRunning(true)
	b.status.message("Scanning the folder…")
	src := b.src
	lastDone := -1
	lastPhase := ""
	var lastCover time.Time
	b.jobs.Add(1)
	go func() {
		defer b.jobs.Done()
		defer close(done)
		sum, err := ix.Index(ctx, func(p library.Progress) {
			fyne.Do(func() {
				if b.src == src {
					b.status.update(p)
				}
			})
			// The relational column says how far the second pass got, about
			// once a second.
			if p.Phase == library.PhaseRelate && time.Since(lastCover) > time.Second {
				lastCover = time.Now()
				fyne.Do(func() {
					if b.src == src {
						b.updateCoverage()
					}
				})
			}
			// The first pass is over: the gallery shows all of it.
			phaseEnded := lastPhase == library.PhaseIndex && p.Phase != library.PhaseIndex
			lastPhase = p.Phase
			if phaseEnded {
				fyne.Do(func() {
					if b.src == src {
						b.Reload()
					}
				})
			}
			// New photos appear in the gallery about once a second.
			if p.Done != lastDone && (p.Phase == library.PhaseIndex || p.Phase == library.PhaseDone) {
				lastDone = p.Done
				b.reloadMu.Lock()
				due := time.Since(b.lastReload) > time.Second
				b.reloadMu.Unlock()
				if due {
					fyne.Do(func() {
						if b.src == src {
							b.Reload()
						}
					})
				}
			}
		})
		b.debugf("indexed %d (scanned %d, unchanged %d, failed %d) in %s", sum.Indexed, sum.Scanned, sum.Unchanged, sum.Failed, sum.Elapsed.Round(time.Millisecond))
		fyne.Do(func() {
			if b.src != src {
				return
			}
			b.status.setRunning(false)
			b.updateCoverage()
			switch {
			case err != nil && ctx.Err() != nil && sum.RelateLeft > 0:
				b.status.message(fmt.Sprintf("Indexing cancelled while analysing relations · %d analysed this run; it resumes next time", sum.Related))
			case err != nil && ctx.Err() != nil:
				b.status.message(fmt.Sprintf("Indexing cancelled · %d indexed this run; it resumes next time", sum.Indexed))
			case err != nil:
				b.status.message("Indexing failed: " + err.Error())
			default:
				b.status.message(summaryText(sum))
			}
			b.Reload()
			if onDone != nil {
				onDone(sum, err)
			}
		})
	}()
}

// CancelIndexing stops the running index (if any) and waits for it.
func (b *Browser) CancelIndexing() {
	if b.indexCancel == nil {
		return
	}
	b.indexCancel()
	if b.indexer != nil {
		b.indexer.Resume() // a paused run must wake up to stop
	}
	b.indexCancel = nil
}

// waitIndexing waits for a cancelled run to end (not on the UI thread while
// the run needs it: the progress callback does not block on the UI).
func (b *Browser) waitIndexing(timeout time.Duration) {
	if b.indexDone == nil {
		return
	}
	select {
	case <-b.indexDone:
	case <-time.After(timeout):
	}
}

// summaryText is the status line after a run.
func summaryText(s library.Summary) string {
	parts := []string{fmt.Sprintf("Ready · %d photos", s.Scanned-s.Failed)}
	if s.Indexed > 0 {
		parts = append(parts, fmt.Sprintf("%d indexed in %s (%.1f/s)", s.Indexed, shortDuration(s.Elapsed), s.Rate))
	}
	if s.Related > 0 {
		parts = append(parts, fmt.Sprintf("relations analysed for %d in %s (%.1f/s)", s.Related, shortDuration(s.RelateElapsed), s.RelateRate))
	}
	if s.Failed > 0 {
		parts = append(parts, fmt.Sprintf("%d skipped", s.Failed))
	}
	return strings.Join(parts, " · ")
}

// coverageSource is a Source that can say how much of the library a space
// covers (*library.Library can; test fakes need not).
type coverageSource interface {
	SpaceCoverage(space string) (library.Coverage, error)
}

// coverageNote is the relational column's line while the second indexing
// pass has not filled its space: "Relations analysed for 812 of 3108
// photos"; "" once complete.
func coverageNote(c library.Coverage) string {
	if !c.Deferred || c.Total == 0 || c.Complete() {
		return ""
	}
	return fmt.Sprintf("Relations analysed for %d of %d photos", c.Have, c.Total)
}

// updateCoverage refreshes the relational column's coverage line in the
// background.
func (b *Browser) updateCoverage() {
	src := b.src
	cs, ok := src.(coverageSource)
	if !ok {
		b.rel.setCoverage("")
		return
	}
	b.jobs.Add(1)
	go func() {
		defer b.jobs.Done()
		c, err := cs.SpaceCoverage(engine.Relational)
		fyne.Do(func() {
			if b.src != src {
				return
			}
			if err != nil {
				b.rel.setCoverage("")
				return
			}
			b.rel.setCoverage(coverageNote(c))
		})
	}()
}
