// The compare and settings dialogs.

package ui

import (
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
	"relview/engine"
	"relview/library"
)

// showCompare compares the query with another photo of the library: both
// pictures and their relational and visual similarity.
func (b *Browser) showCompare() {
	a, ok := b.byID[b.query]
	if !ok || b.src == nil {
		return
	}
	src := b.src
	candidates := make([]library.Image, 0, len(b.gallery.shown))
	for _, im := range b.gallery.shown {
		if im.ID != a.ID {
			candidates = append(candidates, im)
		}
	}
	filtered := candidates
	left, right := newThumbView(galleryThumb), newThumbView(galleryThumb)
	left.set(a, b.thumbs)
	result := widget.NewLabel("Pick a photo to compare with " + baseName(a.Path))
	result.Wrapping = fyne.TextWrapWord

	// The scores of every photo against the query, computed once; a pick
	// made before they arrive is shown when they do.
	var scores *comparison
	var picked *library.Image
	var why string
	show := func() {
		if scores != nil && picked != nil {
			result.SetText(scores.text(a, *picked, why))
		}
	}
	spawn(b.work, ticket{}, func() *comparison {
		pts, err := src.Scatter(a.ID)
		c := &comparison{err: err, scores: make(map[int64]library.ScatterPoint, len(pts))}
		for _, p := range pts {
			c.scores[p.ID] = p
		}
		return c
	}, func(c *comparison) {
		scores = c
		show()
	})
	var picks generation
	list := widget.NewList(
		func() int { return len(filtered) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(filtered[i].Path) })
	list.OnSelected = func(i widget.ListItemID) {
		other := filtered[i]
		right.set(other, b.thumbs)
		result.SetText("Comparing…")
		spawn(b.work, picks.next(), func() string { return sharedRelations(src, a.ID, other.ID) }, func(w string) {
			picked, why = &other, w
			show()
		})
	}
	filter := widget.NewEntry()
	filter.SetPlaceHolder("Filter by name")
	filter.OnChanged = func(s string) {
		filtered = arrange(candidates, s, sortName)
		list.UnselectAll()
		list.Refresh()
	}
	pics := container.NewGridWithColumns(2, left.stack, right.stack)
	body := container.NewBorder(container.NewVBox(pics, result, filter), nil, nil, nil, list)
	d := dialog.NewCustom("Compare", "Close", body, b.win)
	d.Resize(fyne.NewSize(620, 640))
	d.Show()
}

// comparison is the scores of every photo against the compared one.
type comparison struct {
	scores map[int64]library.ScatterPoint
	err    error
}

// text is the result line of comparing a with o; why names the relations
// they share ("" if none or unknown).
func (c *comparison) text(a, o library.Image, why string) string {
	if c.err != nil {
		return queryError(c.err)
	}
	p, ok := c.scores[o.ID]
	if !ok {
		return o.Path + " is not indexed in both spaces yet."
	}
	return compareText(a, o, p) + why
}

// sharedRelations is a line naming the relations two photos share, when the
// source can say ("" otherwise). Called off the UI thread.
func sharedRelations(src Source, a, b int64) string {
	ws, ok := src.(interface {
		Why(a, b int64) ([]engine.Relation, error)
	})
	if !ok {
		return ""
	}
	why, err := ws.Why(a, b)
	if err != nil || len(why) == 0 {
		return ""
	}
	return "\nBoth show: " + strings.TrimPrefix(whyText(why), "shares: ")
}

// compareText words the similarity of two photos.
func compareText(a, o library.Image, p library.ScatterPoint) string {
	var verdict string
	switch {
	case p.Relational >= 0.5 && p.Visual < 0.3:
		verdict = "an analogy: the parts relate alike, the pictures look different"
	case p.Relational >= 0.5 && p.Visual >= 0.3:
		verdict = "alike in both ways"
	case p.Visual >= 0.3:
		verdict = "they look alike, their parts relate differently"
	default:
		verdict = "alike in neither way"
	}
	return fmt.Sprintf("%s ↔ %s\nrelational %.3f · visual %.3f — %s", baseName(a.Path), baseName(o.Path), p.Relational, p.Visual, verdict)
}

// Settings keys beyond those in session.go and encoders.go.
const prefWeight = "analogyWeight"

// settingsView is the settings dialog's state (tests reach its rows).
type settingsView struct {
	dlg       dialog.Dialog
	rows      map[string]*encoderRow
	threads   *widget.Select
	apply     *widget.Button
	applyNote *widget.Label
	inUse     *widget.Label // the encoders of the open library
	update    func()        // re-checks whether Apply has something to do
}

// showSettings edits the preferences: neighbours per column, analogy
// weight, worker threads, the encoder of each space (built-in or a plug-in
// manifest); it shows where the cache is and clears it.
func (b *Browser) showSettings(s *Session) *settingsView {
	v := &settingsView{rows: map[string]*encoderRow{}}
	p := b.app.Preferences()
	kSel := widget.NewSelect([]string{"4", "6", "8", "12", "16", "24"}, func(val string) {
		n, _ := strconv.Atoi(val)
		if n > 0 && n != b.cfg.K {
			b.cfg.K = n
			p.SetInt(prefK, n)
			b.refreshQuery()
		}
	})
	kSel.SetSelected(strconv.Itoa(b.cfg.K))
	wLabel := widget.NewLabel("")
	wSlider := widget.NewSlider(0.1, 1.5)
	wSlider.Step = 0.1
	wSlider.SetValue(float64(b.cfg.AnalogyWeight))
	wLabel.SetText(fmt.Sprintf("%.1f", b.cfg.AnalogyWeight))
	wSlider.OnChangeEnded = func(w float64) {
		b.cfg.AnalogyWeight = float32(w)
		p.SetFloat(prefWeight, w)
		wLabel.SetText(fmt.Sprintf("%.1f", w))
		if b.nb.analogies.Checked {
			b.refreshQuery()
		}
	}
	threads := widget.NewSelect([]string{"auto", "1", "2", "4", "8", "16"}, nil)
	if n := p.Int(prefThreads); n > 0 {
		threads.SetSelected(strconv.Itoa(n))
	} else {
		threads.SetSelected("auto")
	}
	v.threads = threads

	v.applyNote = widget.NewLabel("")
	v.applyNote.Wrapping = fyne.TextWrapWord
	v.inUse = widget.NewLabel("")
	v.inUse.Wrapping = fyne.TextWrapWord
	v.update = func() {
		var encoders []string
		for _, sp := range []string{engine.Relational, engine.Visual} {
			if si, ok := b.spaces[sp]; ok {
				encoders = append(encoders, fmt.Sprintf("%s: %s (%d-d, %s)", sp, si.Model, si.Dim, si.Source))
			}
		}
		v.inUse.SetText(strings.Join(encoders, "\n"))
		running, ok := s.runningEngine()
		if ok && running == wantedEngine(p) {
			v.apply.Disable()
			v.applyNote.SetText("The encoders and threads above are in use.")
			return
		}
		v.apply.Enable()
		v.applyNote.SetText("Changed encoders and threads take effect when you press Apply (or at the next start): " +
			"relview reloads the encoders and re-indexes only the spaces whose encoder changed.")
	}
	v.apply = widget.NewButton("Apply", func() {
		v.apply.Disable()
		v.applyNote.SetText("Loading the encoders…")
		s.ApplyEncoders(func(err error) {
			if err == nil {
				v.update()
				return
			}
			// Keep what runs: the preferences go back to it.
			if running, ok := s.runningEngine(); ok {
				for _, sp := range []string{engine.Relational, engine.Visual} {
					setEncoderPref(p, sp, running.manifest(sp))
					v.rows[sp].refresh()
				}
				p.SetInt(prefThreads, running.threads)
				if running.threads > 0 {
					threads.SetSelected(strconv.Itoa(running.threads))
				} else {
					threads.SetSelected("auto")
				}
			}
			v.update()
			v.applyNote.SetText("Not applied, the encoders in use stay: " + err.Error())
		})
	})
	threads.OnChanged = func(val string) {
		n, _ := strconv.Atoi(val) // "auto" -> 0
		p.SetInt(prefThreads, n)
		v.update()
	}
	for _, sp := range []string{engine.Relational, engine.Visual} {
		v.rows[sp] = newEncoderRow(sp, p, b.win, func() { v.update() })
	}

	enc := v.inUse
	cacheDir := "(no library open)"
	if lib := s.library(); lib != nil {
		cacheDir = lib.CacheFolder()
	}
	cacheLabel := widget.NewLabel(cacheDir)
	cacheLabel.Wrapping = fyne.TextWrapBreak
	clear := widget.NewButton("Clear this library's cache and re-index", func() {
		dialog.ShowConfirm("Clear the cache?", "The catalog and thumbnails of this library are deleted and the folder is indexed again. Your photos are not touched.", func(ok bool) {
			if ok {
				s.ClearCache()
			}
		}, b.win)
	})
	form := widget.NewForm(
		widget.NewFormItem("Neighbours per column", kSel),
		widget.NewFormItem("Analogy weight w", container.NewBorder(nil, nil, nil, wLabel, wSlider)),
		widget.NewFormItem("Worker threads", threads),
		widget.NewFormItem("Relational encoder", v.rows[engine.Relational].content),
		widget.NewFormItem("Visual encoder", v.rows[engine.Visual].content),
		widget.NewFormItem("", container.NewBorder(nil, nil, nil, v.apply, v.applyNote)),
		widget.NewFormItem("Encoders in use", enc),
		widget.NewFormItem("Cache", container.NewVBox(cacheLabel, clear)),
	)
	v.update()
	v.dlg = dialog.NewCustom("Settings", "Close", form, b.win)
	v.dlg.Resize(fyne.NewSize(820, 620))
	v.dlg.Show()
	return v
}
