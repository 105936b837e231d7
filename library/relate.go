package library

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"relview/engine"
)

// relateJob is one image the second pass fills the deferred spaces of.
type relateJob struct {
	id     int64
	entry  fileEntry // as catalogued
	spaces []string  // the deferred spaces it lacks a current vector in
}

// relate is the second indexing pass (PhaseRelate): for every indexed image
// (under scope, when not nil) that lacks a vector of the current model in
// one of the deferred spaces, and whose encoding there has not already
// failed with that model, it decodes the file again (the same reduced decode
// as the first pass) and encodes those spaces only. What is missing comes
// from the catalog alone, so a run stopped here resumes where it stopped;
// results are written in batches like the first pass's. A failure is
// recorded for the space and the model (space_failures) and touches nothing
// else; it is retried when the model or the file changes.
func (l *Library) relate(ctx context.Context, deferred, scope []string, progress func(Progress), sum *Summary) error {
	jobs, err := l.relateJobs(ctx, deferred, scope)
	if err != nil {
		return fmt.Errorf("index %s: %w", l.root, err)
	}
	var all []string
	for _, s := range l.eng.Spaces() {
		all = append(all, s.Space)
	}
	w := &writer{l: l, batch: l.opts.BatchSize, spaces: all, progress: progress,
		p: Progress{Phase: PhaseRelate, Total: len(jobs)}, start: time.Now()}
	w.emit(l.gate, true)
	werr := l.runPool(ctx, len(jobs), 1, func(ids []int) []result { return []result{l.relateOne(jobs[ids[0]])} }, w)
	sum.Related = w.related
	sum.RelateFailed, sum.RelateFailures = len(w.failures), w.failures
	sum.RelateLeft = len(jobs) - w.p.Done
	sum.RelateElapsed = time.Since(w.start)
	if d := sum.RelateElapsed.Seconds(); d > 0 && w.p.Done > 0 {
		sum.RelateRate = float64(w.p.Done) / d
	}
	if werr != nil {
		return werr
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("index %s: stopped while %s: %w", l.root, PhaseRelate, err)
	}
	return nil
}

// relateJobs lists, in path order, the indexed images that lack a current
// vector in a deferred space.
func (l *Library) relateJobs(ctx context.Context, deferred, scope []string) ([]relateJob, error) {
	byID := map[int64]*relateJob{}
	for _, sp := range deferred {
		si, _ := l.eng.Space(sp)
		rows, err := l.db.QueryContext(ctx, `SELECT i.id, i.path, i.size, i.mtime FROM images i
			WHERE i.status = 'indexed'
			AND NOT EXISTS (SELECT 1 FROM vectors v WHERE v.image_id = i.id AND v.space = ? AND v.model = ? AND v.dim = ?)
			AND NOT EXISTS (SELECT 1 FROM space_failures f WHERE f.image_id = i.id AND f.space = ? AND f.model = ? AND f.dim = ?)`,
			sp, si.Model, si.Dim, sp, si.Model, si.Dim)
		if err != nil {
			return nil, fmt.Errorf("read catalog: %w", err)
		}
		for rows.Next() {
			var j relateJob
			if err := rows.Scan(&j.id, &j.entry.Rel, &j.entry.Size, &j.entry.MTime); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read catalog: %w", err)
			}
			if scope != nil && !underAny(j.entry.Rel, scope) {
				continue
			}
			if p := byID[j.id]; p != nil {
				p.spaces = append(p.spaces, sp)
				continue
			}
			j.spaces = []string{sp}
			byID[j.id] = &j
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("read catalog: %w", err)
		}
	}
	jobs := make([]relateJob, 0, len(byID))
	for _, j := range byID {
		jobs = append(jobs, *j)
	}
	sort.Slice(jobs, func(a, b int) bool { return jobs[a].entry.Rel < jobs[b].entry.Rel })
	return jobs, nil
}

// relateOne decodes one catalogued file again and encodes its missing
// deferred spaces.
func (l *Library) relateOne(j relateJob) result {
	r := result{kind: resRelateSkip, entry: j.entry, rowID: j.id, spaces: j.spaces}
	abs := filepath.Join(l.root, filepath.FromSlash(j.entry.Rel))
	if st, err := os.Stat(abs); err != nil || st.Size() != j.entry.Size || st.ModTime().UnixNano() != j.entry.MTime {
		// Gone or changed since it was catalogued: the next run's first
		// pass sees to it.
		return r
	}
	data, err := readFile(abs)
	if err != nil {
		if !strings.HasPrefix(err.Error(), readRetryPrefix) {
			r.kind, r.reason = resRelateFailed, err.Error()
		}
		return r
	}
	img, _, _, err := engine.DecodeScaled(data)
	data = nil
	if err != nil {
		r.kind, r.reason = resRelateFailed, failureReason(err)
		return r
	}
	v, err := l.eng.EncodeSpaces(img, j.spaces...)
	if err != nil {
		r.kind, r.reason = resRelateFailed, "encode: "+err.Error()
		return r
	}
	r.kind, r.vectors = resRelated, v
	return r
}

// Coverage says how much of the library a space's vectors cover.
type Coverage struct {
	Space string `json:"space"`
	// Have counts the indexed images with a vector of the space's current
	// model (the engine's; without an engine, the catalog's most common).
	Have int `json:"have"`
	// Failed counts the indexed images whose encoding in the space failed
	// with that model (second pass only).
	Failed int `json:"failed"`
	Total  int `json:"total"` // indexed images
	// Deferred: the engine fills the space in the second indexing pass.
	Deferred bool `json:"deferred,omitempty"`
}

// Complete reports whether every indexed image has the space's vector or
// failed to get it.
func (c Coverage) Complete() bool { return c.Have+c.Failed >= c.Total }

// SpaceCoverage counts the indexed images that have a current vector in
// space: a space the second pass is still filling searches what is there.
// Two count queries on indexed columns: cheap enough for a status bar.
func (l *Library) SpaceCoverage(space string) (Coverage, error) {
	c := Coverage{Space: space}
	if l.eng != nil {
		if si, ok := l.eng.Space(space); ok {
			c.Deferred = si.Deferred && !l.opts.SinglePass
		}
	}
	if err := l.db.QueryRow(`SELECT count(*) FROM images WHERE status = 'indexed'`).Scan(&c.Total); err != nil {
		return c, fmt.Errorf("coverage %s: %w", space, err)
	}
	model, dim, err := l.wantModel(space)
	if err != nil {
		return c, nil // no vectors in the space yet
	}
	err = l.db.QueryRow(`SELECT
		(SELECT count(*) FROM vectors v JOIN images i ON i.id = v.image_id
			WHERE v.space = ? AND v.model = ? AND v.dim = ? AND i.status = 'indexed'),
		(SELECT count(*) FROM space_failures f JOIN images i ON i.id = f.image_id
			WHERE f.space = ? AND f.model = ? AND f.dim = ? AND i.status = 'indexed')`,
		space, model, dim, space, model, dim).Scan(&c.Have, &c.Failed)
	if err != nil {
		return c, fmt.Errorf("coverage %s: %w", space, err)
	}
	return c, nil
}
