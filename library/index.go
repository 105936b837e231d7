package library

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/zeebo/blake3"
	"relview/engine"
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
	PhaseScan  = "scanning"
	PhaseIndex = "indexing"
	PhaseClean = "cleaning"
	// PhaseRelate is the second pass: it fills the deferred spaces (see
	// engine.SpaceInfo.Deferred) of the images the first pass indexed.
	PhaseRelate = "relating"
	PhaseDone   = "done"
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
	Rebuilt   *Rebuilt      `json:"rebuilt,omitempty"` // the catalog file was damaged: set aside, rebuilt from the photos
	Failures  []Problem     `json:"failures,omitempty"`
	Problems  []Problem     `json:"problems,omitempty"` // unreadable folders, broken links
	Elapsed   time.Duration `json:"elapsed"`
	Rate      float64       `json:"rate"` // processed files per second (first pass)

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

// jobKind says why a file is processed.
type jobKind int

const (
	jobNew     jobKind = iota // not catalogued
	jobChanged                // catalogued; size or mtime differs
	jobReembed                // unchanged, but some space's model changed
	jobRetry                  // unchanged, failed last time for a read error or with other models
)

type job struct {
	kind  jobKind
	entry fileEntry
	row   *catalogRow // the catalogued row of this path, if any
	stale []string    // spaces to (re)write; nil: all
}

// resultKind is what the writer does with a processed file.
type resultKind int

const (
	resIndexed resultKind = iota // (re)write the row and the listed vectors
	resFailed                    // write the row as failed
	resMoved                     // a catalogued row takes the new path
	resCopied                    // new row, vectors copied from a row with the same content
	resTouched                   // only size and mtime change
	// The second pass:
	resRelated      // write the vectors of the deferred spaces only
	resRelateFailed // record the failure of the deferred spaces; nothing else changes
	resRelateSkip   // the file changed or cannot be read now: the next run sees to it
)

type result struct {
	kind    resultKind
	entry   fileEntry
	hash    string
	width   int
	height  int
	format  string
	reason  string
	vectors engine.Vectors
	spaces  []string // spaces of vectors to write
	fromID  int64    // resMoved: the row that moves; resCopied: the row copied from
	rowID   int64    // existing row of this path, or 0
	copied  bool     // resIndexed: vectors taken from a copy encoded this run
}

// readRetryPrefix marks failure reasons worth retrying on the next run.
const readRetryPrefix = "unreadable: "

// encodeFailureTag starts the reason of a file no encoder could encode; the
// reason names the models that failed (encodeFailurePrefix), so the file is
// retried once the models change (a broken plug-in removed) and not before.
const encodeFailureTag = "encode (models "

// encodeFailurePrefix is encodeFailureTag with a short fingerprint of the
// engine's models.
func (l *Library) encodeFailurePrefix() string {
	h := blake3.New()
	for _, s := range l.eng.Spaces() {
		fmt.Fprintf(h, "%s=%s\n", s.Space, modelKey(s.Model, s.Dim))
	}
	return encodeFailureTag + hex.EncodeToString(h.Sum(nil)[:4]) + "): "
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
	sum.Rebuilt = l.RebuiltCatalog()
	// Damage met during the run (a page no read before it touched) is
	// set aside and rebuilt by the next run, which the error says.
	return sum, l.checkDB(err)
}

// refresh is Index limited to scope: relative paths of files or folders
// (nil: the whole folder).
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
	progress(Progress{Phase: PhaseScan, Paused: l.Paused()})

	// Scan the folder (or the scope), then compare with the catalog.
	if _, err := os.Stat(l.root); err != nil {
		return Summary{}, fmt.Errorf("index %s: %w", l.root, err)
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
				return Summary{}, fmt.Errorf("index %s: %w", l.root, err)
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
			return Summary{}, fmt.Errorf("index %s: %w", l.root, err)
		}
		rows, err = loadRows(ctx, l.db)
	}
	if err != nil {
		return Summary{}, fmt.Errorf("index %s: %w", l.root, err)
	}
	want := map[string]string{}
	// spaces: every space; first: those the first pass fills; deferred: the
	// ones left to the second pass.
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
	split := len(deferred) > 0
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
					jobs = append(jobs, job{kind: jobReembed, entry: e, row: row, stale: stale})
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
			return sum, err
		}
	}
	// Process in path order: deterministic, and folders stay together.
	sort.Slice(jobs, func(i, j int) bool { return jobs[i].entry.Rel < jobs[j].entry.Rel })

	claims := &claimer{missing: missing, present: present}
	w := &writer{l: l, claims: claims, batch: l.opts.BatchSize, spaces: spaces, progress: progress,
		p: Progress{Phase: PhaseIndex, Total: len(jobs), Skipped: sum.Unchanged}, start: time.Now()}
	var encodeSpaces []string // nil: every space, as Encode does
	if split {
		encodeSpaces = first
	}
	werr := l.runPool(ctx, len(jobs), func(i int) result { return l.process(jobs[i], claims, encodeSpaces) }, w)
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

	// Complete: rows whose files are gone (and did not move) leave.
	w.p.Phase = PhaseClean
	progress(w.p)
	var removeIDs []int64
	for _, r := range gone {
		if !claims.wasClaimed(r.ID) {
			removeIDs = append(removeIDs, r.ID)
		}
	}
	if err := l.removeRows(removeIDs); err != nil {
		return sum, err
	}
	sum.Removed = len(removeIDs)
	if split {
		// The second pass: the gallery and the other spaces are complete.
		sum.Deferred = deferred
		if err := l.relate(ctx, deferred, scope, progress, &sum); err != nil {
			sum.Elapsed = time.Since(start)
			return sum, err
		}
	}
	if scope == nil {
		// Bring the search snapshots up to date with what this run changed
		// (watch refreshes leave that to Close). A snapshot that cannot be
		// written only makes the next open slower: the catalog is complete.
		l.snapDirty.Store(false)
		if err := l.refreshSnapshots(); err != nil {
			l.snapDirty.Store(true)
		}
	}
	sum.Elapsed = time.Since(start)
	w.p.Phase = PhaseDone
	w.p.Elapsed = sum.Elapsed
	w.p.ETA = 0
	progress(w.p)
	return sum, nil
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

// claimer hands out catalogued rows to new files with the same content.
type claimer struct {
	mu      sync.Mutex
	missing map[string][]*catalogRow // gone rows by hash: a new file with that hash is a move
	present map[string]*catalogRow   // present rows by hash: a new file with that hash is a copy
	claimed map[int64]bool
	done    map[string]*encodedFile // encoded this run, by hash: a later copy reuses the vectors
}

// encodedFile is a file encoded this run. Its vectors are kept only until
// the writer has committed its row (id set): a later copy then copies the
// row in the catalog, so a first index of 100k photos does not hold 100k
// sets of vectors (about 30 KB each) until it ends.
type encodedFile struct {
	width, height int
	format        string
	vectors       engine.Vectors
	id            int64
}

// finished records a file encoded this run so its copies need no decoding.
func (c *claimer) finished(r *result) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done == nil {
		c.done = map[string]*encodedFile{}
	}
	if _, ok := c.done[r.hash]; !ok {
		c.done[r.hash] = &encodedFile{width: r.width, height: r.height, format: r.format, vectors: r.vectors}
	}
}

// written records that the file with content hash h, encoded this run, is
// committed as row id: its vectors are dropped.
func (c *claimer) written(h string, id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d := c.done[h]; d != nil && d.id == 0 {
		d.id, d.vectors = id, nil
	}
}

// encoded returns a file with content hash h encoded earlier in this run:
// either its vectors or, once it is committed, its row id.
func (c *claimer) encoded(h string) (encodedFile, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	d := c.done[h]
	if d == nil {
		return encodedFile{}, false
	}
	return *d, true
}

// claim returns a row the file with hash h can take over (moved=true) or
// copy vectors from (moved=false), or nil.
func (c *claimer) claim(h string) (row *catalogRow, moved bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if rs := c.missing[h]; len(rs) > 0 {
		row, c.missing[h] = rs[0], rs[1:]
		if c.claimed == nil {
			c.claimed = map[int64]bool{}
		}
		c.claimed[row.ID] = true
		return row, true
	}
	if r := c.present[h]; r != nil {
		return r, false
	}
	return nil, false
}

func (c *claimer) wasClaimed(id int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.claimed[id]
}

// runPool hands the indices 0..n-1 to the workers (work runs on each, in
// order of the indices, as pause and ctx allow) and their results to w.
// It returns when every result handed out is written, or when writing fails.
func (l *Library) runPool(ctx context.Context, n int, work func(int) result, w *writer) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	idx := make(chan int)
	resCh := make(chan result, 2*l.opts.Workers)
	var wg sync.WaitGroup
	for range l.opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range idx {
				resCh <- work(i)
			}
		}()
	}
	go func() {
		defer close(idx)
		for i := range n {
			if l.gate.wait(ctx) != nil || ctx.Err() != nil {
				return
			}
			select {
			case idx <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(resCh) }()
	werr := w.run(resCh, l.gate)
	if werr != nil {
		// Stop the workers and drain so they can exit.
		cancel()
		for range resCh {
		}
	}
	return werr
}

// process reads, hashes, decodes, encodes and thumbnails one file. It
// encodes the spaces in encodeSpaces (nil: every space).
func (l *Library) process(j job, claims *claimer, encodeSpaces []string) result {
	r := result{entry: j.entry, spaces: j.stale}
	if j.row != nil {
		r.rowID = j.row.ID
	}
	abs := filepath.Join(l.root, filepath.FromSlash(j.entry.Rel))
	data, err := readFile(abs)
	if err != nil {
		r.kind, r.reason = resFailed, err.Error()
		return r
	}
	r.hash = contentHash(data)
	switch j.kind {
	case jobChanged:
		if j.row.Hash == r.hash && j.row.Status == StatusIndexed {
			r.kind = resTouched
			return r
		}
	case jobNew:
		if row, moved := claims.claim(r.hash); row != nil {
			r.fromID = row.ID
			if moved {
				r.kind = resMoved
			} else {
				r.kind = resCopied
			}
			return r
		}
		if d, ok := claims.encoded(r.hash); ok {
			if d.id != 0 { // committed: copy its row
				r.kind, r.fromID = resCopied, d.id
				return r
			}
			r.kind, r.copied = resIndexed, true
			r.width, r.height, r.format, r.vectors = d.width, d.height, d.format, d.vectors
			return r
		}
	}
	r.format = sniffFormat(data[:min(len(data), 16)])
	img, w, h, err := engine.DecodeScaled(data)
	data = nil
	if err != nil {
		r.kind, r.reason = resFailed, failureReason(err)
		return r
	}
	r.width, r.height = w, h
	// A thumbnail that cannot be written is remade on demand by Thumbnail;
	// it does not fail the file.
	_ = l.thumbs.put(r.hash, img)
	var v engine.Vectors
	switch {
	case encodeSpaces == nil:
		v, err = l.eng.Encode(img)
	case j.stale != nil:
		v, err = l.eng.EncodeSpaces(img, j.stale...)
	default:
		v, err = l.eng.EncodeSpaces(img, encodeSpaces...)
	}
	if err != nil {
		if j.kind == jobReembed {
			// Only the stale spaces were encoded: the image keeps its
			// gallery entry and its vectors in every space (a broken
			// plug-in must not wipe the library); the failure is recorded
			// for those spaces with the model that failed.
			r.kind, r.reason = resRelateFailed, "encode: "+err.Error()
			return r
		}
		r.kind, r.reason = resFailed, l.encodeFailurePrefix()+err.Error()
		return r
	}
	r.kind, r.vectors = resIndexed, v
	if j.kind == jobNew {
		claims.finished(&r)
	}
	return r
}

// readFile reads a whole file, refusing empty and oversized ones. Its errors
// are short reasons (the path is recorded beside them).
func readFile(abs string) ([]byte, error) {
	f, st, err := engine.OpenRegular(abs)
	if err != nil {
		return nil, errors.New(readRetryPrefix + errReason(err))
	}
	defer f.Close()
	if st.Size() == 0 {
		return nil, errors.New("empty file")
	}
	if st.Size() > engine.MaxImageBytes {
		return nil, fmt.Errorf("file of %s is larger than the %s limit", FormatBytes(st.Size()), FormatBytes(engine.MaxImageBytes))
	}
	data, err := io.ReadAll(io.LimitReader(f, engine.MaxImageBytes+1))
	if err != nil {
		return nil, errors.New(readRetryPrefix + errReason(err))
	}
	if len(data) == 0 {
		return nil, errors.New("empty file")
	}
	return data, nil
}

// failureReason turns a decode error into the reason recorded for the file.
func failureReason(err error) string {
	return err.Error()
}

// contentHash is the BLAKE3 hash of a file's bytes, 128 bits in hex.
func contentHash(data []byte) string {
	sum := blake3.Sum256(data)
	return hex.EncodeToString(sum[:16])
}

// scanPath scans one relative path of a scope: a file, a folder (recursively)
// or nothing (it is gone).
func (s *scanner) scanPath(rel string) {
	rel = path.Clean(filepath.ToSlash(rel))
	if rel == "." || rel == "/" {
		rel = ""
	}
	for _, part := range strings.Split(rel, "/") {
		if hidden(part) {
			return
		}
	}
	abs := filepath.Join(s.root, filepath.FromSlash(rel))
	st, err := os.Lstat(abs)
	if err != nil {
		return
	}
	switch {
	case st.IsDir():
		s.walk(rel)
	case st.Mode()&os.ModeSymlink != 0:
		if t, err := os.Stat(abs); err == nil && t.Mode().IsRegular() {
			s.addFile(rel, t)
		}
	case st.Mode().IsRegular():
		s.addFile(rel, st)
	}
}

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

	indexed, reembed, moved, copied, touched, related int
	failures                                          []Problem
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
	s.Failed, s.Failures = len(w.failures), w.failures
}

// commit writes one batch in one transaction, then mirrors it into the
// loaded search stores.
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
	for _, r := range batch {
		e := r.entry
		switch r.kind {
		case resTouched:
			if _, err := tx.Exec(`UPDATE images SET size = ?, mtime = ? WHERE id = ?`, e.Size, e.MTime, r.rowID); err != nil {
				return fmt.Errorf("catalog: %s: %w", e.Rel, err)
			}
			// A second-pass failure is retried when the file is touched.
			if _, err := tx.Exec(`DELETE FROM space_failures WHERE image_id = ?`, r.rowID); err != nil {
				return fmt.Errorf("catalog: %s: %w", e.Rel, err)
			}
		case resMoved:
			if _, err := tx.Exec(`UPDATE images SET path = ?, size = ?, mtime = ? WHERE id = ?`, e.Rel, e.Size, e.MTime, r.fromID); err != nil {
				return fmt.Errorf("catalog: move to %s: %w", e.Rel, err)
			}
		case resCopied:
			var id int64
			err := tx.QueryRow(`INSERT INTO images(path, size, mtime, hash, width, height, format, status, reason, indexed_at)
				SELECT ?, ?, ?, hash, width, height, format, status, '', ? FROM images WHERE id = ?
				ON CONFLICT(path) DO UPDATE SET size = excluded.size, mtime = excluded.mtime, hash = excluded.hash,
					width = excluded.width, height = excluded.height, format = excluded.format,
					status = excluded.status, reason = '', indexed_at = excluded.indexed_at
				RETURNING id`, e.Rel, e.Size, e.MTime, now, r.fromID).Scan(&id)
			if err != nil {
				return fmt.Errorf("catalog: copy to %s: %w", e.Rel, err)
			}
			if err := clearImage(tx, id); err != nil {
				return fmt.Errorf("catalog: %s: %w", e.Rel, err)
			}
			if _, err := tx.Exec(`INSERT INTO vectors(image_id, space, model, dim, data)
				SELECT ?, space, model, dim, data FROM vectors WHERE image_id = ?`, id, r.fromID); err != nil {
				return fmt.Errorf("catalog: copy vectors to %s: %w", e.Rel, err)
			}
			for _, sp := range w.spaces {
				var model string
				var blob []byte
				var dim int
				if err := tx.QueryRow(`SELECT model, dim, data FROM vectors WHERE image_id = ? AND space = ?`, id, sp).Scan(&model, &dim, &blob); err == nil {
					if v, err := decodeVector(blob, dim); err == nil {
						adds = append(adds, vecWrite{id: id, space: sp, model: model, vec: v})
					}
				}
			}
		case resFailed:
			var id int64
			err := tx.QueryRow(`INSERT INTO images(path, size, mtime, hash, status, reason, indexed_at)
				VALUES (?, ?, ?, ?, 'failed', ?, ?)
				ON CONFLICT(path) DO UPDATE SET size = excluded.size, mtime = excluded.mtime, hash = excluded.hash,
					width = 0, height = 0, format = '', status = 'failed', reason = excluded.reason, indexed_at = excluded.indexed_at
				RETURNING id`, e.Rel, e.Size, e.MTime, r.hash, r.reason, now).Scan(&id)
			if err != nil {
				return fmt.Errorf("catalog: %s: %w", e.Rel, err)
			}
			if err := clearImage(tx, id); err != nil {
				return fmt.Errorf("catalog: %s: %w", e.Rel, err)
			}
			removes = append(removes, id)
		case resIndexed:
			var id int64
			err := tx.QueryRow(`INSERT INTO images(path, size, mtime, hash, width, height, format, status, reason, indexed_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, 'indexed', '', ?)
				ON CONFLICT(path) DO UPDATE SET size = excluded.size, mtime = excluded.mtime, hash = excluded.hash,
					width = excluded.width, height = excluded.height, format = excluded.format,
					status = 'indexed', reason = '', indexed_at = excluded.indexed_at
				RETURNING id`, e.Rel, e.Size, e.MTime, r.hash, r.width, r.height, r.format, now).Scan(&id)
			if err != nil {
				return fmt.Errorf("catalog: %s: %w", e.Rel, err)
			}
			if r.spaces == nil && !r.copied {
				committed = append(committed, hashRow{r.hash, id})
			}
			spaces := r.spaces
			if spaces == nil {
				// Content changed: every old vector goes.
				spaces = w.spaces
				if err := clearImage(tx, id); err != nil {
					return fmt.Errorf("catalog: %s: %w", e.Rel, err)
				}
			}
			for _, sp := range spaces {
				v, ok := r.vectors[sp]
				if !ok {
					continue
				}
				si, _ := w.l.eng.Space(sp)
				if _, err := tx.Exec(`INSERT INTO vectors(image_id, space, model, dim, data) VALUES (?, ?, ?, ?, ?)
					ON CONFLICT(image_id, space) DO UPDATE SET model = excluded.model, dim = excluded.dim, data = excluded.data`,
					id, sp, si.Model, len(v), encodeVector(v)); err != nil {
					return fmt.Errorf("catalog: %s: vector %s: %w", e.Rel, sp, err)
				}
				adds = append(adds, vecWrite{id: id, space: sp, model: si.Model, vec: v})
			}
		case resRelated:
			// Only the deferred spaces' vectors: the row and its other
			// vectors stay as the first pass wrote them.
			for _, sp := range r.spaces {
				v, ok := r.vectors[sp]
				if !ok {
					continue
				}
				si, _ := w.l.eng.Space(sp)
				if _, err := tx.Exec(`INSERT INTO vectors(image_id, space, model, dim, data) VALUES (?, ?, ?, ?, ?)
					ON CONFLICT(image_id, space) DO UPDATE SET model = excluded.model, dim = excluded.dim, data = excluded.data`,
					r.rowID, sp, si.Model, len(v), encodeVector(v)); err != nil {
					return fmt.Errorf("catalog: %s: vector %s: %w", e.Rel, sp, err)
				}
				if _, err := tx.Exec(`DELETE FROM space_failures WHERE image_id = ? AND space = ?`, r.rowID, sp); err != nil {
					return fmt.Errorf("catalog: %s: %w", e.Rel, err)
				}
				adds = append(adds, vecWrite{id: r.rowID, space: sp, model: si.Model, vec: v})
			}
		case resRelateFailed:
			// Recorded with the model that failed; the image keeps its
			// status, its gallery entry and its vectors in every space.
			for _, sp := range r.spaces {
				si, _ := w.l.eng.Space(sp)
				if _, err := tx.Exec(`INSERT INTO space_failures(image_id, space, model, dim, reason) VALUES (?, ?, ?, ?, ?)
					ON CONFLICT(image_id, space) DO UPDATE SET model = excluded.model, dim = excluded.dim, reason = excluded.reason`,
					r.rowID, sp, si.Model, si.Dim, r.reason); err != nil {
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

// clearImage deletes every vector of an image and every failure recorded
// for it in a deferred space: its content changed.
func clearImage(tx *sql.Tx, id int64) error {
	if _, err := tx.Exec(`DELETE FROM vectors WHERE image_id = ?`, id); err != nil {
		return err
	}
	_, err := tx.Exec(`DELETE FROM space_failures WHERE image_id = ?`, id)
	return err
}

// removeRows deletes catalogued files (their vectors cascade) in one
// transaction.
func (l *Library) removeRows(ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	tx, err := l.db.Begin()
	if err != nil {
		return fmt.Errorf("catalog: begin: %w", err)
	}
	defer tx.Rollback()
	for _, id := range ids {
		if _, err := tx.Exec(`DELETE FROM images WHERE id = ?`, id); err != nil {
			return fmt.Errorf("catalog: remove %d: %w", id, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("catalog: commit: %w", err)
	}
	l.applyToStores(nil, ids)
	return nil
}

// saveProblems replaces the recorded scan problems.
func (l *Library) saveProblems(ps []Problem) error {
	tx, err := l.db.Begin()
	if err != nil {
		return fmt.Errorf("catalog: begin: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`DELETE FROM problems`); err != nil {
		return fmt.Errorf("catalog: problems: %w", err)
	}
	for _, p := range ps {
		if _, err := tx.Exec(`INSERT OR REPLACE INTO problems(path, reason) VALUES (?, ?)`, p.Path, p.Reason); err != nil {
			return fmt.Errorf("catalog: problems: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("catalog: commit: %w", err)
	}
	return nil
}

// Thumbnail returns the gallery thumbnail of a catalogued image: from memory,
// from the disk cache, or made from the file (and cached) when missing.
func (l *Library) Thumbnail(im Image) (image.Image, error) {
	if im.Hash != "" {
		if t, ok, err := l.thumbs.get(im.Hash); err != nil {
			return nil, err
		} else if ok {
			return t, nil
		}
	}
	img, err := engine.DecodeFile(l.AbsPath(im))
	if err != nil {
		return nil, fmt.Errorf("thumbnail: %w", err)
	}
	t := makeThumb(img)
	if im.Hash != "" {
		if err := l.thumbs.put(im.Hash, img); err != nil {
			return t, nil
		}
		l.thumbs.mem.Add(im.Hash, t)
	}
	return t, nil
}

// ThumbnailPath is where the disk cache keeps an image's thumbnail (it may
// not exist yet; Thumbnail makes it).
func (l *Library) ThumbnailPath(im Image) string { return l.thumbs.path(im.Hash) }
