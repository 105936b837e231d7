package library

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Progress is one progress event of Index.
type Progress struct {
	Phase   string        `json:"phase"`   // PhaseScan, PhaseIndex, PhaseClean, PhaseRelate or PhaseDone
	Done    int           `json:"done"`    // files processed this run (indexed, failed, moved, ...); in PhaseRelate, of the second pass
	Total   int           `json:"total"`   // files this run (or, in PhaseRelate, its second pass) has to process
	Skipped int           `json:"skipped"` // files skipped because they are unchanged since the last run
	Failed  int           `json:"failed"`  // files of this run that could not be indexed
	Rate    float64       `json:"rate"`    // files processed per second
	ETA     time.Duration `json:"eta"`     // estimated time left (0 when unknown)
	Elapsed time.Duration `json:"elapsed"`
	Current string        `json:"current"` // the file most recently processed
	Paused  bool          `json:"paused"`
}

// Index phases.
const (
	PhaseScan = "scanning"
	// PhaseUpgrade converts vectors of an earlier built-in encoder in the
	// catalog, without the photos (upgrade.go), before the first pass.
	PhaseUpgrade = "upgrading"
	PhaseIndex   = "indexing"
	PhaseClean   = "cleaning"
	// PhaseRelate is the second pass: it fills the deferred spaces (see
	// engine.SpaceInfo.Deferred) of the images the first pass indexed.
	PhaseRelate = "relating"
	PhaseDone   = "done"
	// PhaseWatch is sent once by Watch when the folder is watched: changes
	// made from then on are picked up.
	PhaseWatch = "watching"
)

// Summary is what one Index run did.
type Summary struct {
	Scanned   int           `json:"scanned"`           // image files found
	Indexed   int           `json:"indexed"`           // decoded and encoded this run
	Reembed   int           `json:"reembedded"`        // of Indexed: unchanged files re-encoded for a new model
	Unchanged int           `json:"unchanged"`         // skipped: same size and mtime as catalogued
	Moved     int           `json:"moved"`             // recognised by content hash at a new path; vectors kept
	Copied    int           `json:"copied"`            // same content as another catalogued file; vectors copied
	Touched   int           `json:"touched"`           // mtime changed, content did not
	Failed    int           `json:"failed"`            // could not be indexed this run (see Failures)
	Removed   int           `json:"removed"`           // left the catalog: the file is gone
	Repaired  int           `json:"repaired"`          // damaged vectors found in the catalog, dropped and encoded again
	Upgraded  int           `json:"upgraded"`          // vectors of an earlier built-in encoder converted without their photos
	Rebuilt   *Rebuilt      `json:"rebuilt,omitempty"` // the catalog file was damaged: set aside, rebuilt from the photos
	Failures  []Problem     `json:"failures,omitempty"`
	Problems  []Problem     `json:"problems,omitempty"` // unreadable folders, broken links
	Elapsed   time.Duration `json:"elapsed"`
	Rate      float64       `json:"rate"` // processed files per second (first pass)

	// DatesRead counts unchanged files whose capture date (EXIF) was read
	// from their head only (rows of a catalog from before schema 5, which
	// stored none); they are not counted in Unchanged.
	DatesRead int `json:"dates_read,omitempty"`

	// The second pass (only when the engine defers a space): Deferred names
	// the spaces it fills, Related counts the images that got their vectors
	// in them this run, RelateFailed those whose encoding failed (they keep
	// their other vectors and their gallery entry), RelateLeft those left
	// for the next run (the run stopped during the pass).
	Deferred       []string      `json:"deferred,omitempty"`
	Related        int           `json:"related"`
	RelateFailed   int           `json:"relate_failed"`
	RelateFailures []Problem     `json:"relate_failures,omitempty"`
	RelateLeft     int           `json:"relate_left"`
	RelateElapsed  time.Duration `json:"relate_elapsed"`
	RelateRate     float64       `json:"relate_rate"` // images per second of the second pass
}

// Index brings the catalog up to date with the folder: new and changed
// files are decoded, encoded and thumbnailed by a pool of workers; results
// are written by one writer, one transaction per batch, so a crash loses at
// most the batch in flight; unchanged files are not read at all; moved files
// keep their vectors; files that left the folder leave the catalog (only when
// the run completes). When the engine defers a space (engine.SpaceInfo.
// Deferred), that first pass leaves it out, and a second pass (PhaseRelate)
// then fills it for every indexed image that lacks a vector of its current
// model, in batches too (see relate). progress, if not nil, is called from one goroutine, at
// most about ten times a second and once at the end; it must not block.
// Cancelling ctx stops the run after writing what is done; the next run
// resumes.
func (l *Library) Index(ctx context.Context, progress func(Progress)) (Summary, error) {
	sum, err := l.refresh(ctx, nil, progress)
	sum.Rebuilt = l.takeRebuilt()
	// Damage met during the run (a page no read before it touched) is
	// set aside and rebuilt by the next run, which the error says.
	return sum, l.checkDB(err)
}

// refresh is Index limited to scope: relative paths of files or folders
// (nil: the whole folder). It plans (plan.go), runs the pipeline
// (pipeline.go, writer.go), then finishes: removes what left the folder,
// runs the second pass (relate.go) and brings the snapshots up to date.
func (l *Library) refresh(ctx context.Context, scope []string, progress func(Progress)) (Summary, error) {
	if l.opts.ReadOnly {
		return Summary{}, errors.New("index: library opened read-only")
	}
	if l.eng == nil {
		return Summary{}, errors.New("index: library opened without an engine")
	}
	l.indexMu.Lock()
	defer l.indexMu.Unlock()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	if progress == nil {
		progress = func(Progress) {}
	}
	upgraded, err := l.upgradeVectors(ctx, progress)
	if err != nil && !isCorrupt(err) { // a damaged catalog is rebuilt by the plan
		return Summary{Upgraded: upgraded}, err
	}
	progress(Progress{Phase: PhaseScan, Paused: l.Paused()})

	p, err := l.plan(ctx, scope)
	if err != nil {
		return Summary{}, err
	}
	sum := p.sum
	sum.Upgraded = upgraded
	claims := &claimer{missing: p.missing, present: p.present}
	w := &writer{l: l, claims: claims, batch: l.opts.BatchSize, spaces: p.spaces, progress: progress,
		p: Progress{Phase: PhaseIndex, Total: len(p.jobs), Skipped: sum.Unchanged}, start: time.Now()}
	var encodeSpaces []string // nil: every space, as Encode does
	if len(p.deferred) > 0 {
		encodeSpaces = p.first
	}
	werr := l.runPool(ctx, len(p.jobs), encodeBatch, func(ids []int) []result {
		js := make([]job, len(ids))
		for k, i := range ids {
			js[k] = p.jobs[i]
		}
		return l.processBatch(js, claims, encodeSpaces)
	}, w)
	w.tally(&sum)
	if d := time.Since(w.start).Seconds(); d > 0 {
		sum.Rate = float64(w.p.Done) / d
	}
	if werr != nil {
		return sum, werr
	}
	if err := ctx.Err(); err != nil {
		sum.Elapsed = time.Since(start)
		return sum, fmt.Errorf("index %s: stopped: %w", l.root, err)
	}
	err = l.finish(ctx, scope, p, claims, w, progress, &sum)
	sum.Elapsed = time.Since(start)
	if err != nil {
		return sum, err
	}
	w.p.Phase = PhaseDone
	w.p.Elapsed = sum.Elapsed
	w.p.ETA = 0
	progress(w.p)
	return sum, nil
}

// finish completes a run whose pipeline ended: rows whose files are gone
// (and did not move) leave, the second pass fills the deferred spaces, and
// a full run brings the search snapshots up to date.
func (l *Library) finish(ctx context.Context, scope []string, p *indexPlan, claims *claimer, w *writer, progress func(Progress), sum *Summary) error {
	w.p.Phase = PhaseClean
	progress(w.p)
	var removeIDs []int64
	for _, r := range p.gone {
		if !claims.wasClaimed(r.ID) {
			removeIDs = append(removeIDs, r.ID)
		}
	}
	if err := l.removeRows(removeIDs); err != nil {
		return err
	}
	sum.Removed = len(removeIDs)
	if len(p.deferred) > 0 {
		// The second pass: the gallery and the other spaces are complete.
		sum.Deferred = p.deferred
		if err := l.relate(ctx, p.deferred, scope, progress, sum); err != nil {
			return err
		}
	}
	if scope == nil {
		// Watch refreshes leave the snapshots to Close. A snapshot that
		// cannot be written only makes the next open slower: the catalog
		// is complete.
		l.snapDirty.Store(false)
		if err := l.refreshSnapshots(); err != nil {
			l.snapDirty.Store(true)
		}
	}
	return nil
}

// staleSpaces lists the spaces whose stored vector is missing or was made by
// another model than the engine's.
func staleSpaces(r *catalogRow, want map[string]string, spaces []string) []string {
	var s []string
	for _, sp := range spaces {
		if r.Models[sp] != want[sp] {
			s = append(s, sp)
		}
	}
	return s
}
