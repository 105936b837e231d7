package ui

import (
	"sync"
	"time"

	"relview/library"
)

// pauseClock remembers when an indexing run was paused, so that its rate
// and time left count only the time it worked (the library's count wall
// time since the phase began). pause and resume run on the UI thread,
// adjust on the indexing goroutine.
type pauseClock struct {
	mu        sync.Mutex
	intervals [][2]time.Time
	since     time.Time // when the current pause began; zero: running
}

func (c *pauseClock) pause(now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.since.IsZero() {
		c.since = now
	}
}

func (c *pauseClock) resume(now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.since.IsZero() {
		c.intervals = append(c.intervals, [2]time.Time{c.since, now})
		c.since = time.Time{}
	}
}

// paused is how long the run was paused between from and to.
func (c *pauseClock) paused(from, to time.Time) time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	overlap := func(a, b time.Time) time.Duration {
		if a.Before(from) {
			a = from
		}
		if b.After(to) {
			b = to
		}
		if b.After(a) {
			return b.Sub(a)
		}
		return 0
	}
	var d time.Duration
	for _, iv := range c.intervals {
		d += overlap(iv[0], iv[1])
	}
	if !c.since.IsZero() {
		d += overlap(c.since, to)
	}
	return d
}

// adjust recomputes the rate and time left of a progress event taken at
// now from the time the phase worked, leaving out its pauses.
func (c *pauseClock) adjust(p library.Progress, now time.Time) library.Progress {
	if p.Elapsed <= 0 || p.Done <= 0 {
		return p
	}
	active := p.Elapsed - c.paused(now.Add(-p.Elapsed), now)
	if active < 200*time.Millisecond {
		p.Rate, p.ETA = 0, 0
		return p
	}
	p.Rate = float64(p.Done) / active.Seconds()
	p.ETA = time.Duration(float64(max(p.Total-p.Done, 0)) / p.Rate * float64(time.Second))
	return p
}

// adjustSummary does the same for a run's summary: the first pass began at
// start, the second pass ended at end.
func (c *pauseClock) adjustSummary(s library.Summary, start, end time.Time) library.Summary {
	if old := s.Elapsed; old > 0 {
		s.Elapsed -= c.paused(start, start.Add(old))
		if s.Elapsed > 0 {
			s.Rate *= old.Seconds() / s.Elapsed.Seconds()
		}
	}
	if old := s.RelateElapsed; old > 0 {
		s.RelateElapsed -= c.paused(end.Add(-old), end)
		if s.RelateElapsed > 0 {
			s.RelateRate *= old.Seconds() / s.RelateElapsed.Seconds()
		}
	}
	return s
}
