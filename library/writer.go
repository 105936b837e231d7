package library

import (
	"fmt"
	"time"
)

// writer applies results to the catalog, one transaction per batch.
type writer struct {
	l        *Library
	claims   *claimer // told which encoded files are committed (nil: none to tell)
	batch    int
	spaces   []string
	progress func(Progress)
	p        Progress
	start    time.Time
	lastEmit time.Time

	indexed, reembed, moved, copied, touched, related, dated int
	failures                                                 []Problem
}

func (w *writer) run(in <-chan result, g *gate) error {
	var pending []result
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		if err := w.commit(pending); err != nil {
			return err
		}
		pending = pending[:0]
		w.emit(g, true)
		return nil
	}
	for {
		select {
		case r, ok := <-in:
			if !ok {
				return flush()
			}
			pending = append(pending, r)
			w.count(r)
			if len(pending) >= w.batch {
				if err := flush(); err != nil {
					return err
				}
			} else {
				w.emit(g, false)
			}
		case <-tick.C:
			if err := flush(); err != nil {
				return err
			}
			w.emit(g, true)
		}
	}
}

func (w *writer) count(r result) {
	w.p.Done++
	w.p.Current = r.entry.Rel
	switch r.kind {
	case resIndexed:
		if r.copied {
			w.copied++
			break
		}
		w.indexed++
		if r.spaces != nil {
			w.reembed++
		}
	case resFailed:
		w.p.Failed++
		w.failures = append(w.failures, Problem{Path: r.entry.Rel, Reason: r.reason})
	case resMoved:
		w.moved++
	case resCopied:
		w.copied++
	case resTouched:
		w.touched++
	case resRelated:
		w.related++
	case resDated:
		w.dated++
	case resRelateFailed:
		w.p.Failed++
		w.failures = append(w.failures, Problem{Path: r.entry.Rel, Reason: r.reason})
	}
}

func (w *writer) emit(g *gate, force bool) {
	now := time.Now()
	if !force && now.Sub(w.lastEmit) < 100*time.Millisecond {
		return
	}
	w.lastEmit = now
	w.p.Elapsed = now.Sub(w.start)
	w.p.Paused = g.isPaused()
	if s := w.p.Elapsed.Seconds(); s > 0.2 && w.p.Done > 0 {
		w.p.Rate = float64(w.p.Done) / s
		w.p.ETA = time.Duration(float64(w.p.Total-w.p.Done) / w.p.Rate * float64(time.Second))
	}
	w.progress(w.p)
}

func (w *writer) tally(s *Summary) {
	s.Indexed, s.Reembed, s.Moved, s.Copied, s.Touched = w.indexed, w.reembed, w.moved, w.copied, w.touched
	s.DatesRead = w.dated
	s.Failed, s.Failures = len(w.failures), w.failures
}

// commit writes one batch in one transaction (the SQL is in
// catalog_write.go), then mirrors it into the loaded search stores.
func (w *writer) commit(batch []result) error {
	tx, err := w.l.db.Begin()
	if err != nil {
		return fmt.Errorf("catalog: begin: %w", err)
	}
	defer tx.Rollback()
	var adds []vecWrite
	var removes []int64
	type hashRow struct {
		hash string
		id   int64
	}
	var committed []hashRow // files encoded this run, now rows
	now := time.Now().UnixNano()
	putVectors := func(id int64, spaces []string, r result) error {
		for _, sp := range spaces {
			v, ok := r.vectors[sp]
			if !ok {
				continue
			}
			si, _ := w.l.eng.Space(sp)
			if err := putVector(tx, id, sp, si.Model, v); err != nil {
				return fmt.Errorf("catalog: %s: vector %s: %w", r.entry.Rel, sp, err)
			}
			adds = append(adds, vecWrite{id: id, space: sp, model: si.Model, vec: v})
		}
		return nil
	}
	for _, r := range batch {
		e := r.entry
		switch r.kind {
		case resTouched:
			if err := touchImage(tx, r.rowID, e, r.taken); err != nil {
				return fmt.Errorf("catalog: %s: %w", e.Rel, err)
			}
		case resMoved:
			if err := moveImage(tx, r.fromID, e, r.taken); err != nil {
				return fmt.Errorf("catalog: move to %s: %w", e.Rel, err)
			}
		case resCopied:
			id, err := copyImage(tx, r.fromID, e, r.taken, now)
			if err != nil {
				return fmt.Errorf("catalog: copy to %s: %w", e.Rel, err)
			}
			adds = append(adds, storedVectors(tx, id, w.spaces)...)
		case resFailed:
			id, err := putFailed(tx, e, r.hash, r.reason, now)
			if err != nil {
				return fmt.Errorf("catalog: %s: %w", e.Rel, err)
			}
			removes = append(removes, id)
		case resIndexed:
			// Re-embedded (r.spaces set): those spaces' vectors are
			// replaced. Otherwise the content changed: every old vector goes.
			id, err := putIndexed(tx, e, r.hash, r.width, r.height, r.format, r.taken, now, r.spaces == nil)
			if err != nil {
				return fmt.Errorf("catalog: %s: %w", e.Rel, err)
			}
			if r.spaces == nil && !r.copied {
				committed = append(committed, hashRow{r.hash, id})
			}
			spaces := r.spaces
			if spaces == nil {
				spaces = w.spaces
			}
			if err := putVectors(id, spaces, r); err != nil {
				return err
			}
		case resDated:
			if err := setTaken(tx, r.rowID, e, r.taken); err != nil {
				return fmt.Errorf("catalog: %s: capture date: %w", e.Rel, err)
			}
		case resRelated:
			// Only the deferred spaces' vectors: the row and its other
			// vectors stay as the first pass wrote them.
			if err := putVectors(r.rowID, r.spaces, r); err != nil {
				return err
			}
			for _, sp := range r.spaces {
				if err := clearSpaceFailure(tx, r.rowID, sp); err != nil {
					return fmt.Errorf("catalog: %s: %w", e.Rel, err)
				}
			}
		case resRelateFailed:
			// Recorded with the model that failed; the image keeps its
			// status, its gallery entry and its vectors in every space.
			for _, sp := range r.spaces {
				si, _ := w.l.eng.Space(sp)
				if err := putSpaceFailure(tx, r.rowID, sp, si.Model, si.Dim, r.reason); err != nil {
					return fmt.Errorf("catalog: %s: %w", e.Rel, err)
				}
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("catalog: commit: %w", err)
	}
	w.l.applyToStores(adds, removes)
	if w.claims != nil {
		for _, c := range committed {
			w.claims.written(c.hash, c.id)
		}
	}
	return nil
}
