package ui

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"relview/library"
)

// statusBar shows the indexing progress with pause, resume and cancel, and
// the files that could not be indexed.
type statusBar struct {
	bar      *widget.ProgressBar
	barBox   *fyne.Container
	label    *widget.Label
	pause    *widget.Button
	cancel   *widget.Button
	skipped  *widget.Button
	content  fyne.CanvasObject
	paused   bool
	running  bool
	problems []library.Problem
	noted    string // the last noteOnce text

	onPause, onResume, onCancel func()
	onSkipped                   func([]library.Problem)
}

func newStatusBar() *statusBar {
	s := &statusBar{bar: widget.NewProgressBar(), label: widget.NewLabel("")}
	s.bar.TextFormatter = func() string {
		if s.bar.Max <= 0 {
			return ""
		}
		return fmt.Sprintf("%.0f%%", 100*s.bar.Value/s.bar.Max)
	}
	s.label.Truncation = fyne.TextTruncateEllipsis
	s.pause = widget.NewButtonWithIcon("Pause", theme.MediaPauseIcon(), func() {
		if s.paused {
			if s.onResume != nil {
				s.onResume()
			}
		} else if s.onPause != nil {
			s.onPause()
		}
		s.setPaused(!s.paused)
	})
	s.cancel = widget.NewButtonWithIcon("Cancel", theme.CancelIcon(), func() {
		if s.onCancel != nil {
			s.onCancel()
		}
	})
	s.skipped = widget.NewButtonWithIcon("Skipped", theme.WarningIcon(), func() {
		if s.onSkipped != nil {
			s.onSkipped(s.problems)
		}
	})
	s.skipped.Hide()
	s.barBox = container.NewGridWrap(fyne.NewSize(220, s.bar.MinSize().Height), s.bar)
	s.content = container.NewBorder(nil, nil, s.barBox, container.NewHBox(s.skipped, s.pause, s.cancel), s.label)
	s.setRunning(false)
	return s
}

func (s *statusBar) setPaused(p bool) {
	s.paused = p
	if p {
		s.pause.SetText("Resume")
		s.pause.SetIcon(theme.MediaPlayIcon())
	} else {
		s.pause.SetText("Pause")
		s.pause.SetIcon(theme.MediaPauseIcon())
	}
}

func (s *statusBar) setRunning(r bool) {
	s.running = r
	if r {
		s.pause.Enable()
		s.cancel.Enable()
	} else {
		s.pause.Disable()
		s.cancel.Disable()
		s.setPaused(false)
	}
	// The bar shows only while a run goes on.
	if r {
		s.barBox.Show()
	} else {
		s.barBox.Hide()
	}
}

// noteOnce shows text as a message the first time it comes (nothing for
// ""): a note that every query repeats, such as damaged vectors found,
// should not hide every later message.
func (s *statusBar) noteOnce(text string) {
	if text == "" || text == s.noted {
		return
	}
	s.noted = text
	s.message(text)
}

// message shows a line without progress: one line, however many the text
// has (a long error would squeeze the panes; its dialog has it whole).
func (s *statusBar) message(text string) {
	s.label.SetText(strings.Join(strings.Fields(text), " "))
}

// update shows one progress event.
func (s *statusBar) update(p library.Progress) {
	s.bar.Max = float64(max(p.Total, 1))
	s.bar.SetValue(float64(p.Done))
	s.label.SetText(progressText(p))
	if p.Paused != s.paused {
		s.setPaused(p.Paused)
	}
}

// setProblems lists the files that were skipped, with their reasons.
func (s *statusBar) setProblems(ps []library.Problem) {
	s.problems = ps
	if len(ps) == 0 {
		s.skipped.Hide()
		return
	}
	s.skipped.SetText(fmt.Sprintf("Skipped (%d)", len(ps)))
	s.skipped.Show()
}

// progressText is the status line of a progress event.
func progressText(p library.Progress) string {
	var b strings.Builder
	switch p.Phase {
	case library.PhaseScan:
		b.WriteString("Scanning the folder…")
		return b.String()
	case library.PhaseDone:
		fmt.Fprintf(&b, "Indexed %d of %d", p.Done, p.Total)
	case library.PhaseClean:
		fmt.Fprintf(&b, "Cleaning up · %d of %d", p.Done, p.Total)
	case library.PhaseUpgrade:
		fmt.Fprintf(&b, "Upgrading the catalog (no photo is read) · %d of %d", p.Done, p.Total)
	case library.PhaseRelate:
		if p.Paused {
			b.WriteString("Paused · ")
		}
		b.WriteString("Finding objects · ")
		fmt.Fprintf(&b, "%d of %d", p.Done, p.Total)
	default:
		if p.Paused {
			b.WriteString("Paused · ")
		} else {
			b.WriteString("Indexing · ")
		}
		fmt.Fprintf(&b, "%d of %d", p.Done, p.Total)
	}
	if p.Rate > 0 {
		fmt.Fprintf(&b, " · %.1f photos/s", p.Rate)
	}
	if p.ETA > 0 && (p.Phase == library.PhaseIndex || p.Phase == library.PhaseRelate) && !p.Paused {
		fmt.Fprintf(&b, " · %s left", shortDuration(p.ETA))
	}
	if p.Skipped > 0 && p.Phase != library.PhaseRelate {
		fmt.Fprintf(&b, " · %d unchanged", p.Skipped)
	}
	if p.Failed > 0 {
		fmt.Fprintf(&b, " · %d failed", p.Failed)
	}
	return b.String()
}

// shortDuration formats d as 42s, 3m05s or 1h02m.
func shortDuration(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	default:
		return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	}
}
