package library

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// indexPlan is what a refresh does, decided before any file is read: the
// jobs for the pipeline and what the finish needs.
type indexPlan struct {
	sum  Summary // counts known from the scan (unchanged, scanned, problems)
	jobs []job   // files to read, in path order
	gone []*catalogRow
	// missing: rows not found, by hash (a new file with that hash is a
	// move); present: indexed rows found, by hash (one is a copy).
	missing map[string][]*catalogRow
	present map[string]*catalogRow
	// spaces: every space; first: those the first pass fills; deferred:
	// the ones left to the second pass.
	spaces, first, deferred []string
}

// plan scans the folder (or the scope), checks the catalog, and compares
// the two. A damaged catalog file is set aside and rebuilt first (a full
// run only).
func (l *Library) plan(ctx context.Context, scope []string) (*indexPlan, error) {
	// Scan the folder (or the scope), then compare with the catalog.
	if _, err := os.Stat(l.root); err != nil {
		return nil, fmt.Errorf("index %s: %w", l.root, err)
	}
	sc := &scanner{root: l.root, skipDir: l.dir}
	if scope == nil {
		sc.walk("")
	} else {
		for _, rel := range scope {
			sc.scanPath(rel)
		}
	}
	damagedBefore := l.DamagedVectors()
	if scope == nil {
		// A stale snapshot means the catalog's vectors have not all been
		// read since they changed: reading them now drops damaged ones
		// (damaged.go), which this run then encodes again. Other failures
		// here cost only speed later; the search never uses a damaged
		// vector. A damaged catalog file is set aside and rebuilt.
		if err := l.refreshSnapshots(); isCorrupt(err) {
			if err := l.rebuildCatalog(err); err != nil {
				return nil, fmt.Errorf("index %s: %w", l.root, err)
			}
		}
	}
	repaired := 0
	for sp, n := range l.DamagedVectors() {
		repaired += n - damagedBefore[sp]
	}
	rows, err := loadRows(ctx, l.db)
	if isCorrupt(err) && scope == nil {
		if err := l.rebuildCatalog(err); err != nil {
			return nil, fmt.Errorf("index %s: %w", l.root, err)
		}
		rows, err = loadRows(ctx, l.db)
	}
	if err != nil {
		return nil, fmt.Errorf("index %s: %w", l.root, err)
	}
	want := map[string]string{}
	var spaces, first, deferred []string
	for _, s := range l.eng.Spaces() {
		want[s.Space] = modelKey(s.Model, s.Dim)
		spaces = append(spaces, s.Space)
		if s.Deferred && !l.opts.SinglePass {
			deferred = append(deferred, s.Space)
		} else {
			first = append(first, s.Space)
		}
	}
	encPrefix := l.encodeFailurePrefix()
	sum := Summary{Problems: sc.res.Problems, Repaired: repaired}
	var jobs []job
	seen := map[string]bool{}
	for _, e := range sc.res.Files {
		row := rows[e.Rel]
		if row != nil && row.Size == e.Size && row.MTime == e.MTime {
			seen[e.Rel] = true
			sum.Scanned++
			switch {
			case row.Status == StatusIndexed:
				if stale := staleSpaces(row, want, first); len(stale) > 0 {
					// Reads the file whole: its capture date too.
					jobs = append(jobs, job{kind: jobReembed, entry: e, row: row, stale: stale})
				} else if !row.TakenKnown {
					jobs = append(jobs, job{kind: jobDate, entry: e, row: row})
				} else {
					sum.Unchanged++
				}
			case strings.HasPrefix(row.Reason, readRetryPrefix),
				strings.HasPrefix(row.Reason, encodeFailureTag) && !strings.HasPrefix(row.Reason, encPrefix):
				jobs = append(jobs, job{kind: jobRetry, entry: e, row: row})
			default:
				sum.Unchanged++
			}
			continue
		}
		if row == nil && !hasImageExt(e.Rel) {
			// Not named like an image: index it only if its content says so.
			f, err := sniffFile(filepath.Join(l.root, filepath.FromSlash(e.Rel)))
			if err != nil || f == "" {
				continue
			}
		}
		seen[e.Rel] = true
		sum.Scanned++
		if row == nil {
			jobs = append(jobs, job{kind: jobNew, entry: e})
		} else {
			jobs = append(jobs, job{kind: jobChanged, entry: e, row: row})
		}
	}
	// Catalogued files not found: candidates for moves, deleted at the end.
	missing := map[string][]*catalogRow{} // hash -> rows
	var gone []*catalogRow
	for p, r := range rows {
		if seen[p] || underAny(p, sc.res.Unread) || (scope != nil && !underAny(p, scope)) {
			continue
		}
		gone = append(gone, r)
		if r.Status == StatusIndexed {
			missing[r.Hash] = append(missing[r.Hash], r)
		}
	}
	// Catalogued, present, indexed files by content: a copy takes their vectors.
	present := map[string]*catalogRow{}
	for p, r := range rows {
		if seen[p] && r.Status == StatusIndexed && len(staleSpaces(r, want, first)) == 0 {
			present[r.Hash] = r
		}
	}
	if scope == nil {
		if err := l.saveProblems(sc.res.Problems); err != nil {
			return nil, err
		}
	}
	// Process in path order: deterministic, and folders stay together.
	sort.Slice(jobs, func(i, j int) bool { return jobs[i].entry.Rel < jobs[j].entry.Rel })
	return &indexPlan{sum: sum, jobs: jobs, gone: gone, missing: missing, present: present,
		spaces: spaces, first: first, deferred: deferred}, nil

}
