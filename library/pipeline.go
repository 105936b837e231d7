package library

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"io"
	"path/filepath"
	"strings"
	"sync"

	"github.com/zeebo/blake3"

	"relview/engine"
)

// jobKind says why a file is processed.
type jobKind int

const (
	jobNew     jobKind = iota // not catalogued
	jobChanged                // catalogued; size or mtime differs
	jobReembed                // unchanged, but some space's model changed
	jobRetry                  // unchanged, failed last time for a read error or with other models
	// jobDate: unchanged and indexed, but its capture date was never read
	// (a row from before schema 5): only the file's head is read, nothing
	// is decoded or encoded.
	jobDate
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
	// Capture dates of unchanged files (jobDate):
	resDated    // only the row's taken column changes
	resDateSkip // the file cannot be read now: taken stays NULL, the next run tries again
)

type result struct {
	kind    resultKind
	entry   fileEntry
	hash    string
	width   int
	height  int
	format  string
	taken   int64 // takenOf the file's bytes, when they were read
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

// runPool hands the indices 0..n-1 to the workers (work runs on each, in
// order of the indices, up to batch at a time, as pause and ctx allow) and
// their results to w. It returns when every result handed out is written,
// or when writing fails.
func (l *Library) runPool(ctx context.Context, n, batch int, work func(ids []int) []result, w *writer) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	idx := make(chan int, batch*l.opts.Workers)
	resCh := make(chan result, 2*l.opts.Workers)
	var wg sync.WaitGroup
	for range l.opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range idx {
				// The feed holds a batch per worker: a pause must also hold
				// what is queued, not only what the feeder has yet to send.
				if l.gate.wait(ctx) != nil {
					continue // stopped: the rest of the feed is dropped
				}
				for _, r := range work(takeMore(idx, i, batch)) {
					resCh <- r
				}
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

// takeMore makes a batch of first and up to batch-1 more indices that are
// ready now (the feeder waits to hand them over); it never waits for one,
// so a paused or ending run does not hold back what a worker has.
func takeMore(idx <-chan int, first, batch int) []int {
	ids := []int{first}
	for len(ids) < batch {
		select {
		case i, ok := <-idx:
			if !ok {
				return ids
			}
			ids = append(ids, i)
		default:
			return ids
		}
	}
	return ids
}

// encodeBatch is how many photos a worker of the first pass encodes with one
// backbone run: 2 costs ~20 % less backbone time per photo than 1 on one
// thread (engine BenchmarkBackboneBatch), more holds more decoded photos for
// little more gain.
const encodeBatch = 2

// processBatch processes files of the first pass: each is read, hashed,
// decoded and thumbnailed on its own (prepare), and those to encode in the
// same spaces (encodeSpaces; nil: every space) are encoded together
// (engine.EncodeSpacesBatch).
func (l *Library) processBatch(js []job, claims *claimer, encodeSpaces []string) []result {
	rs := make([]result, len(js))
	imgs := make([]image.Image, len(js))
	for i, j := range js {
		rs[i], imgs[i] = l.prepare(j, claims)
	}
	// Group by the spaces each needs (a re-embedding needs its stale ones).
	groups := map[string][]int{}
	var order []string
	for i, img := range imgs {
		if img == nil {
			continue
		}
		key := strings.Join(l.spacesToEncode(js[i], encodeSpaces), "\x00")
		if _, ok := groups[key]; !ok {
			order = append(order, key)
		}
		groups[key] = append(groups[key], i)
	}
	for _, key := range order {
		idx := groups[key]
		batch := make([]image.Image, len(idx))
		for k, i := range idx {
			batch[k] = imgs[i]
		}
		vs, errs := l.eng.EncodeSpacesBatch(batch, strings.Split(key, "\x00")...)
		for k, i := range idx {
			l.encoded(js[i], &rs[i], vs[k], errs[k], claims)
		}
	}
	return rs
}

// spacesToEncode names the spaces a job's photo is encoded in: its stale
// spaces when re-embedding, else encodeSpaces, else (nil) every space.
func (l *Library) spacesToEncode(j job, encodeSpaces []string) []string {
	switch {
	case j.stale != nil:
		return j.stale
	case encodeSpaces != nil:
		return encodeSpaces
	}
	var all []string
	for _, s := range l.eng.Spaces() {
		all = append(all, s.Space)
	}
	return all
}

// prepare reads, hashes, decodes and thumbnails one file: it returns the
// decoded photo to encode, or nil when the result is already known (failed,
// moved, copied, touched; a jobDate only reads the capture date from the
// file's head).
func (l *Library) prepare(j job, claims *claimer) (result, image.Image) {
	r := result{entry: j.entry, spaces: j.stale}
	if j.row != nil {
		r.rowID = j.row.ID
	}
	abs := filepath.Join(l.root, filepath.FromSlash(j.entry.Rel))
	if j.kind == jobDate {
		taken, err := readTaken(abs)
		if err != nil {
			// Not a failure of the image: it keeps its row, and the next
			// refresh tries again.
			r.kind = resDateSkip
			return r, nil
		}
		r.kind, r.taken = resDated, taken
		return r, nil
	}
	data, err := readFile(abs)
	if err != nil {
		r.kind, r.reason = resFailed, err.Error()
		return r, nil
	}
	r.hash = contentHash(data)
	// The date costs a look at the header of bytes already in memory; every
	// row written from this read (moved, copied, touched, indexed) keeps it.
	r.taken = takenOf(data)
	switch j.kind {
	case jobChanged:
		if j.row.Hash == r.hash && j.row.Status == StatusIndexed {
			r.kind = resTouched
			return r, nil
		}
	case jobNew:
		if row, moved := claims.claim(r.hash); row != nil {
			r.fromID = row.ID
			if moved {
				r.kind = resMoved
			} else {
				r.kind = resCopied
			}
			return r, nil
		}
		if d, ok := claims.encoded(r.hash); ok {
			if d.id != 0 { // committed: copy its row
				r.kind, r.fromID = resCopied, d.id
				return r, nil
			}
			r.kind, r.copied = resIndexed, true
			r.width, r.height, r.format, r.vectors = d.width, d.height, d.format, d.vectors
			return r, nil
		}
	}
	r.format = sniffFormat(data[:min(len(data), 16)])
	img, w, h, err := engine.DecodeScaled(data)
	data = nil
	if err != nil {
		r.kind, r.reason = resFailed, failureReason(err)
		return r, nil
	}
	r.width, r.height = w, h
	// A thumbnail that cannot be written is remade on demand by Thumbnail;
	// it does not fail the file.
	_ = l.thumbs.put(r.hash, img)
	return r, img
}

// encoded records a prepared photo's encoding (vectors or failure) in r.
func (l *Library) encoded(j job, r *result, v engine.Vectors, err error, claims *claimer) {
	if err != nil {
		if j.kind == jobReembed {
			// Only the stale spaces were encoded: the image keeps its
			// gallery entry and its vectors in every space (a broken
			// plug-in must not wipe the library); the failure is recorded
			// for those spaces with the model that failed.
			r.kind, r.reason = resRelateFailed, "encode: "+err.Error()
			return
		}
		r.kind, r.reason = resFailed, l.encodeFailurePrefix()+err.Error()
		return
	}
	r.kind, r.vectors = resIndexed, v
	if j.kind == jobNew {
		claims.finished(r)
	}
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

// takenHead is how much of a file a date job reads first: a JPEG's EXIF
// block sits in its first segments.
const takenHead = 256 << 10

// readTaken reads the capture date (takenOf) from the head of the file at
// abs (a TIFF dated past it, whole). It tells a file it cannot read (an
// error: the date stays unknown, to be read again) from one without a date
// (0). FIFOs and devices are refused by engine.OpenRegular, never waited on.
func readTaken(abs string) (int64, error) {
	f, _, err := engine.OpenRegular(abs)
	if err != nil {
		return 0, fmt.Errorf("read capture date: %w", err)
	}
	defer f.Close()
	buf := make([]byte, takenHead)
	n, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return 0, fmt.Errorf("read capture date: %w", err)
	}
	if t := takenOf(buf[:n]); t != 0 || n < takenHead || !isTIFF(buf) {
		return t, nil
	}
	// A TIFF may keep its IFDs after the pixels (libtiff writes them
	// there): read it whole, as indexing does.
	data, err := readFile(abs)
	if err != nil {
		return 0, fmt.Errorf("read capture date: %w", err)
	}
	return takenOf(data), nil
}

// isTIFF reports whether data starts with a TIFF header (either byte
// order).
func isTIFF(data []byte) bool {
	return bytes.HasPrefix(data, []byte("II*\x00")) || bytes.HasPrefix(data, []byte("MM\x00*"))
}

// takenOf is the catalog's taken value of a file's bytes: its EXIF capture
// date in Unix nanoseconds, or 0 when it has none. A date int64 nanoseconds
// cannot hold (before 1678 or after 2262) counts as none.
func takenOf(data []byte) int64 {
	t, ok := engine.CaptureTime(data)
	if !ok || t.Year() < 1678 || t.Year() > 2261 {
		return 0
	}
	return t.UnixNano()
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
