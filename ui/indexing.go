package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"relview/engine"
	"relview/library"
)

// indexRun is one background indexing of the shown library, and then the
// watching of its folder.
type indexRun struct {
	ix       Indexer
	cancel   context.CancelFunc
	done     chan struct{} // closed when Index (and Watch) returned
	watching bool          // Index ended and the folder is watched (UI thread)
	clock    pauseClock    // its pauses, left out of its rate and time left
}

// watcher is an Indexer that can keep the catalog up to date from the
// folder's changes after indexing (*library.Library can).
type watcher interface {
	Watch(ctx context.Context, progress func(library.Progress)) error
}

// StartIndexing runs ix in the background (in the library's task group),
// showing its progress and refreshing the gallery as photos arrive. onDone,
// if not nil, runs on the UI thread at the end, unless the library was
// closed by then.
func (b *Browser) StartIndexing(ix Indexer, onDone func(library.Summary, error)) {
	b.CancelIndexing()
	ts := b.work
	if ts == nil {
		return // no library
	}
	ctx, cancel := context.WithCancel(context.Background())
	run := &indexRun{ix: ix, cancel: cancel, done: make(chan struct{})}
	b.index = run
	b.status.setRunning(true)
	b.status.message("Scanning the folder…")
	ts.running.Add(1)
	go func() {
		defer ts.running.Done()
		defer close(run.done)
		lastDone, lastPhase := -1, ""
		var lastCover, lastReload time.Time
		start := time.Now()
		sum, err := ix.Index(ctx, func(p library.Progress) {
			p = run.clock.adjust(p, time.Now())
			ts.do(func() {
				if b.index == run {
					b.status.update(p)
				}
			})
			// The relational column says how far the second pass (objects,
			// for "why") got, about once a second.
			if p.Phase == library.PhaseRelate && time.Since(lastCover) > time.Second {
				lastCover = time.Now()
				ts.do(b.updateCoverage)
			}
			// The first pass is over: the gallery shows all of it. Before,
			// new photos appear about once a second.
			phaseEnded := lastPhase == library.PhaseIndex && p.Phase != library.PhaseIndex
			lastPhase = p.Phase
			grew := p.Done != lastDone && (p.Phase == library.PhaseIndex || p.Phase == library.PhaseDone)
			if grew {
				lastDone = p.Done
			}
			if phaseEnded || (grew && time.Since(lastReload) > time.Second) {
				lastReload = time.Now()
				ts.do(b.Reload)
			}
		})
		sum = run.clock.adjustSummary(sum, start, time.Now())
		wt, canWatch := ix.(watcher)
		watch := canWatch && err == nil && ctx.Err() == nil
		ts.do(func() {
			b.debugf("indexed %d (scanned %d, unchanged %d, failed %d) in %s", sum.Indexed, sum.Scanned, sum.Unchanged, sum.Failed, sum.Elapsed.Round(time.Millisecond))
			if b.index == run {
				if !watch {
					b.index = nil
				}
				b.status.setRunning(false)
			}
			b.updateCoverage()
			b.recalibrate = true // the library changed: a new strength scale
			switch {
			case err != nil && ctx.Err() != nil && sum.RelateLeft > 0:
				b.status.message(fmt.Sprintf("Indexing cancelled while finding objects · %d done this run; it resumes next time", sum.Related))
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
		if !watch {
			return
		}
		// New, changed and deleted files are picked up without Refresh.
		werr := wt.Watch(ctx, func(p library.Progress) {
			switch p.Phase {
			case library.PhaseWatch:
				ts.do(func() {
					run.watching = true
					b.debugf("watching %s", b.src.Root())
				})
			case library.PhaseDone:
				ts.do(func() {
					b.recalibrate = b.recalibrate || p.Done > 0
					b.status.message(fmt.Sprintf("Updated from the folder · %d new or changed", p.Done))
					b.Reload()
					b.updateCoverage()
				})
			}
		})
		ts.do(func() {
			if werr != nil {
				b.debugf("watch: %v", werr)
			}
			if b.index == run {
				b.index = nil
			}
		})
	}()
}

// CancelIndexing stops the running index, if any, and returns a channel
// closed when it has stopped (closed at once when none runs). Its end still
// reaches the status bar and onDone.
func (b *Browser) CancelIndexing() <-chan struct{} {
	run := b.index
	if run == nil {
		done := make(chan struct{})
		close(done)
		return done
	}
	run.cancel()
	run.ix.Resume() // a paused run must wake up to stop
	return run.done
}

// summaryText is the status line after a run.
func summaryText(s library.Summary) string {
	parts := []string{fmt.Sprintf("Ready · %d photos", s.Scanned-s.Failed)}
	if s.Indexed > 0 {
		parts = append(parts, fmt.Sprintf("%d indexed in %s (%.1f/s)", s.Indexed, shortDuration(s.Elapsed), s.Rate))
	}
	if s.Related > 0 {
		parts = append(parts, fmt.Sprintf("objects found in %d in %s (%.1f/s)", s.Related, shortDuration(s.RelateElapsed), s.RelateRate))
	}
	if n := s.Failed + len(s.Problems); n > 0 {
		parts = append(parts, fmt.Sprintf("%d skipped (the Skipped button says why)", n))
	}
	if s.Repaired > 0 {
		parts = append(parts, fmt.Sprintf("%d damaged vectors found and encoded again", s.Repaired))
	}
	if s.Upgraded > 0 {
		parts = append(parts, fmt.Sprintf("the catalog was upgraded (%d vectors converted, no photo read)", s.Upgraded))
	}
	if s.DatesRead > 0 {
		parts = append(parts, fmt.Sprintf("capture dates read for %d photos", s.DatesRead))
	}
	if s.Rebuilt != nil {
		// First: the user should learn that the catalog was replaced.
		parts = append([]string{"The catalog was damaged and is rebuilt from the photos (the old file is kept in the cache folder)"}, parts...)
	}
	return strings.Join(parts, " · ")
}

// coverageSource is a Source that can say how much of the library a space
// covers (*library.Library can; test fakes need not).
type coverageSource interface {
	SpaceCoverage(space string) (library.Coverage, error)
}

// coverageNote is the relational column's line while the second indexing
// pass has not found the objects of every photo (only "why" waits for
// them): "Objects analysed in 812 of 3108 photos (for why)"; "" once
// complete.
func coverageNote(c library.Coverage) string {
	if !c.Deferred || c.Total == 0 || c.Complete() {
		return ""
	}
	return fmt.Sprintf("Objects analysed in %d of %d photos (for why)", c.Have, c.Total)
}

// updateCoverage refreshes the relational column's coverage line in the
// background.
func (b *Browser) updateCoverage() {
	cs, ok := b.src.(coverageSource)
	if !ok {
		b.nb.rel.setCoverage("")
		return
	}
	spawn(b.work, ticket{}, func() string {
		c, err := cs.SpaceCoverage(engine.Objects)
		if err != nil {
			return "" // a line about progress: nothing rather than an error
		}
		return coverageNote(c)
	}, b.nb.rel.setCoverage)
}
