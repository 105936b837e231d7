package vecstore

import (
	"bufio"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"
	"unsafe"
)

// A snapshot file is a saved store: the rows of one index in a layout that a
// Quantized store can use in place (memory-mapped, see LoadSnapshot), with a
// metadata block that the caller fills and checks (the library keeps there
// which catalog, generation, space and model the rows came from; vecstore
// does not read it).
//
// Layout, little-endian, version 3:
//
//	header  magic "RVSNAP\x00\x00", version u32, encoding u32, dim u32,
//	        count u64, CRC-32C of the data (int8: all but the codes) u32,
//	        of the ids u32, directions of the first stage u32 (d, int8
//	        only; 0: none), metadata length u32, metadata, CRC-32C of the
//	        header so far u32, zero bytes up to a multiple of 64 (where the
//	        data starts)
//	data    EncInt8: count×dim int8 codes (the store's, c = round(127·v/max|v|)),
//	        count float32 scales (1/‖codes‖), count u32 CRC-32C of each
//	        row's codes; when d > 0 the first stage of a shortlist search
//	        (shortlist.go): d float32 direction scales, d float32 direction
//	        · mean, dim float32 mean row, d×dim int8 directions, count×d
//	        int8 projections of the rows, count float32 projection scales,
//	        count float32 row · mean. Every section is followed by zero
//	        bytes to a multiple of 8.
//	        EncFloat32: count×dim float32 (the vectors as given), zero bytes
//	        to a multiple of 8
//	ids     count int64, the row order of data
//
// The codes of an int8 snapshot are the bulk of it (180 MB at 100k × 1792)
// and a search reads only a short list of them, so their integrity is
// checked row by row, each row before its first use (Quantized.verify),
// rather than all at load, which would read every page in. Everything
// else — header, scales, row checksums, first stage, ids — is checked
// before a store is returned.
//
// Versions 1 (the library's earlier format, rows of scale + codes) and 2
// (one checksum over all the data, no first stage) are refused like any
// other version: their reader must rebuild the snapshot.

// Encoding is how a snapshot stores its rows.
type Encoding uint32

// Snapshot encodings.
const (
	EncFloat32 Encoding = 1 // float32 rows, loaded into a Flat
	EncInt8    Encoding = 2 // int8 codes and scales, loaded into a Quantized
)

func (e Encoding) String() string {
	switch e {
	case EncFloat32:
		return "float32"
	case EncInt8:
		return "int8"
	}
	return fmt.Sprintf("encoding %d", uint32(e))
}

const (
	snapMagic   = "RVSNAP\x00\x00"
	snapVersion = 3
	snapFixed   = 44 // bytes of the header before the metadata
	snapAlign   = 64 // the data starts at a multiple of this
	// MaxSnapshotMeta bounds the metadata block of a snapshot.
	MaxSnapshotMeta = 64 << 10
	maxSnapDim      = 1 << 20
	maxSnapCount    = math.MaxInt32
	maxStageDim     = 1024
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrSnapshot is wrapped by every error about a snapshot file that is not a
// sound snapshot of this format: damaged, truncated, of another version.
var ErrSnapshot = errors.New("not a sound snapshot")

// SnapshotInfo is what a snapshot's header says.
type SnapshotInfo struct {
	Enc   Encoding
	Dim   int
	Count int
	Meta  []byte // the caller's metadata block
	// Stage is the number of directions of the stored first stage of a
	// shortlist search (0: none; the store builds it when it needs it).
	Stage int
	// offsets and checksums, from the header
	dataOff, idsOff, size int64
	crcData, crcIDs       uint32
	// int8 sections: scales, row checksums, first stage (direction scales,
	// direction · mean, directions, row projections, projection scales)
	scalesOff, crcsOff, bscaleOff, bmeanOff, meanOff, basisOff, projOff, pscaleOff, pmeanOff int64
}

func align(n, a int64) int64 { return (n + a - 1) / a * a }

// layout fills the offsets of a snapshot with the header's fields.
func (h *SnapshotInfo) layout() {
	h.dataOff = align(snapFixed+int64(len(h.Meta))+4, snapAlign)
	n, d, st := int64(h.Count), int64(h.Dim), int64(h.Stage)
	if h.Enc == EncInt8 {
		h.scalesOff = h.dataOff + align(n*d, 8)
		h.crcsOff = h.scalesOff + align(4*n, 8)
		h.bscaleOff = h.crcsOff + align(4*n, 8)
		h.bmeanOff = h.bscaleOff + align(4*st, 8)
		h.meanOff = h.bmeanOff + align(4*st, 8)
		h.basisOff = h.meanOff
		if st > 0 {
			h.basisOff += align(4*d, 8)
		}
		h.projOff = h.basisOff + align(st*d, 8)
		h.pscaleOff = h.projOff + align(n*st, 8)
		h.pmeanOff = h.pscaleOff
		h.idsOff = h.pmeanOff
		if st > 0 {
			h.pmeanOff += align(4*n, 8)
			h.idsOff = h.pmeanOff + align(4*n, 8)
		}
	} else {
		h.idsOff = h.dataOff + align(4*n*d, 8)
	}
	h.size = h.idsOff + 8*n
}

func (h *SnapshotInfo) marshal() []byte {
	le := binary.LittleEndian
	b := make([]byte, 0, h.dataOff)
	b = append(b, snapMagic...)
	b = le.AppendUint32(b, snapVersion)
	b = le.AppendUint32(b, uint32(h.Enc))
	b = le.AppendUint32(b, uint32(h.Dim))
	b = le.AppendUint64(b, uint64(h.Count))
	b = le.AppendUint32(b, h.crcData)
	b = le.AppendUint32(b, h.crcIDs)
	b = le.AppendUint32(b, uint32(h.Stage))
	b = le.AppendUint32(b, uint32(len(h.Meta)))
	b = append(b, h.Meta...)
	b = le.AppendUint32(b, crc32.Checksum(b, castagnoli))
	return append(b, make([]byte, int(h.dataOff)-len(b))...)
}

// readSnapHeader reads and checks a header (not the data).
func readSnapHeader(r io.Reader) (SnapshotInfo, error) {
	var h SnapshotInfo
	fixed := make([]byte, snapFixed)
	if _, err := io.ReadFull(r, fixed); err != nil {
		return h, fmt.Errorf("%w: header: %w", ErrSnapshot, err)
	}
	if string(fixed[:8]) != snapMagic {
		return h, fmt.Errorf("%w: no snapshot magic", ErrSnapshot)
	}
	le := binary.LittleEndian
	if v := le.Uint32(fixed[8:]); v != snapVersion {
		return h, fmt.Errorf("%w: format version %d, this build reads %d", ErrSnapshot, v, snapVersion)
	}
	h.Enc = Encoding(le.Uint32(fixed[12:]))
	dim, count := le.Uint32(fixed[16:]), le.Uint64(fixed[20:])
	h.crcData, h.crcIDs = le.Uint32(fixed[28:]), le.Uint32(fixed[32:])
	stage := le.Uint32(fixed[36:])
	metaLen := le.Uint32(fixed[40:])
	if metaLen > MaxSnapshotMeta {
		return h, fmt.Errorf("%w: metadata of %d bytes", ErrSnapshot, metaLen)
	}
	rest := make([]byte, metaLen+4)
	if _, err := io.ReadFull(r, rest); err != nil {
		return h, fmt.Errorf("%w: header: %w", ErrSnapshot, err)
	}
	sum := crc32.Update(crc32.Checksum(fixed, castagnoli), castagnoli, rest[:metaLen])
	if le.Uint32(rest[metaLen:]) != sum {
		return h, fmt.Errorf("%w: header checksum mismatch", ErrSnapshot)
	}
	// Only now, with the header known sound, are its numbers trusted.
	switch {
	case h.Enc != EncInt8 && h.Enc != EncFloat32:
		return h, fmt.Errorf("%w: unknown %v", ErrSnapshot, h.Enc)
	case dim < 1 || dim > maxSnapDim:
		return h, fmt.Errorf("%w: dimension %d", ErrSnapshot, dim)
	case count > maxSnapCount:
		return h, fmt.Errorf("%w: count %d", ErrSnapshot, count)
	case stage > 0 && (h.Enc != EncInt8 || stage > dim || stage > maxStageDim):
		return h, fmt.Errorf("%w: %d first-stage directions for %v dim %d", ErrSnapshot, stage, h.Enc, dim)
	}
	h.Dim, h.Count, h.Stage, h.Meta = int(dim), int(count), int(stage), rest[:metaLen]
	h.layout()
	return h, nil
}

// ReadSnapshotInfo reads the header of the snapshot at path, checking its
// checksum but not the data, so that a caller can tell from the metadata
// whether the snapshot is worth loading. A path that is not a regular file
// (a FIFO, a device) is refused without blocking.
func ReadSnapshotInfo(path string) (SnapshotInfo, error) {
	f, err := openRegular(path)
	if err != nil {
		return SnapshotInfo{}, err
	}
	defer f.Close()
	h, err := readSnapHeader(bufio.NewReaderSize(f, 4096))
	if err != nil {
		return h, fmt.Errorf("snapshot %s: %w", path, err)
	}
	return h, nil
}

// openRegular opens path for reading if it is a regular file; anything else
// is refused before an open that could block (a FIFO) or never end (a
// device).
func openRegular(path string) (*os.File, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("snapshot %s: %w: not a regular file (%v)", path, ErrSnapshot, st.Mode().Type())
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	// Checked again on the open file: the path may have changed between.
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("snapshot %s: %w: not a regular file", path, ErrSnapshot)
	}
	return f, nil
}

// ReadSnapshotIDs returns the ids of a snapshot's rows, in row order, after
// checking the header and the ids' checksum (not the data's).
func ReadSnapshotIDs(path string) (SnapshotInfo, []int64, error) {
	f, err := openRegular(path)
	if err != nil {
		return SnapshotInfo{}, nil, err
	}
	defer f.Close()
	h, err := readSnapHeader(bufio.NewReaderSize(f, 4096))
	if err != nil {
		return h, nil, fmt.Errorf("snapshot %s: %w", path, err)
	}
	b := make([]byte, 8*h.Count)
	if _, err := f.ReadAt(b, h.idsOff); err != nil {
		return h, nil, fmt.Errorf("snapshot %s: ids: %w: %w", path, ErrSnapshot, err)
	}
	if crc32.Checksum(b, castagnoli) != h.crcIDs {
		return h, nil, fmt.Errorf("snapshot %s: %w: ids checksum mismatch", path, ErrSnapshot)
	}
	ids := make([]int64, h.Count)
	for i := range ids {
		ids[i] = int64(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return h, ids, nil
}

// SnapshotWriter writes a snapshot to a temporary file beside its path and
// renames it into place on Commit, so a reader sees the old file or the
// complete new one, never a part.
type SnapshotWriter struct {
	f      *os.File
	w      *bufio.Writer
	path   string
	h      SnapshotInfo
	crc    uint32 // of the data written so far (int8: not the codes)
	n      int64  // data bytes written so far
	ids    []byte
	scales []byte
	crcs   []byte // int8: the CRC-32C of each row's codes
	stage  int    // directions of the first stage (0: stageDim; tests change it)
	row    []byte
	codes  []int8
}

// CreateSnapshot starts a snapshot of vectors of dimension dim stored as
// enc, with the caller's metadata block (at most MaxSnapshotMeta bytes), to
// be renamed to path on Commit. Temporary files of earlier writers that
// crashed, older than an hour, are removed.
func CreateSnapshot(path string, enc Encoding, dim int, meta []byte) (*SnapshotWriter, error) {
	switch {
	case enc != EncInt8 && enc != EncFloat32:
		return nil, fmt.Errorf("snapshot %s: unknown %v", path, enc)
	case dim < 1 || dim > maxSnapDim:
		return nil, fmt.Errorf("snapshot %s: dimension %d", path, dim)
	case len(meta) > MaxSnapshotMeta:
		return nil, fmt.Errorf("snapshot %s: metadata of %d bytes", path, len(meta))
	}
	if old, _ := filepath.Glob(path + ".tmp-*"); len(old) > 0 {
		for _, p := range old { // a fresh one may be another process's write
			if st, err := os.Stat(p); err == nil && time.Since(st.ModTime()) > time.Hour {
				os.Remove(p)
			}
		}
	}
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	sw := &SnapshotWriter{f: f, w: bufio.NewWriterSize(f, 1<<20), path: path,
		h: SnapshotInfo{Enc: enc, Dim: dim, Meta: append([]byte(nil), meta...)}}
	sw.h.layout()
	if enc == EncInt8 {
		sw.codes = make([]int8, dim)
	} else {
		sw.row = make([]byte, 4*dim)
	}
	// The header is written last; its room is zeros until then.
	if _, err := sw.w.Write(make([]byte, sw.h.dataOff)); err != nil {
		sw.Abort()
		return nil, fmt.Errorf("snapshot %s: %w", path, err)
	}
	return sw, nil
}

// write appends data bytes.
func (sw *SnapshotWriter) write(b []byte) error {
	sw.crc = crc32.Update(sw.crc, castagnoli, b)
	sw.n += int64(len(b))
	_, err := sw.w.Write(b)
	return err
}

// Add appends the vector v (not retained) under id. An int8 snapshot stores
// v's codes as Quantized makes them, a float32 one v as it is. v must be
// finite and not zero (what a store accepts).
func (sw *SnapshotWriter) Add(id int64, v []float32) error {
	if _, err := inverseNorm(v, sw.h.Dim); err != nil {
		return fmt.Errorf("snapshot %s: id %d: %w", sw.path, id, err)
	}
	if sw.h.Count >= maxSnapCount {
		return fmt.Errorf("snapshot %s: more than %d rows", sw.path, maxSnapCount)
	}
	le := binary.LittleEndian
	var err error
	if sw.h.Enc == EncInt8 {
		s := quantise(sw.codes, v)
		b := unsafe.Slice((*byte)(unsafe.Pointer(&sw.codes[0])), len(sw.codes))
		// The codes are covered by their row's checksum, not the data's.
		_, err = sw.w.Write(b)
		sw.n += int64(len(b))
		sw.scales = le.AppendUint32(sw.scales, math.Float32bits(s))
		sw.crcs = le.AppendUint32(sw.crcs, crc32.Checksum(b, castagnoli))
	} else {
		for i, x := range v {
			le.PutUint32(sw.row[4*i:], math.Float32bits(x))
		}
		err = sw.write(sw.row)
	}
	if err != nil {
		return fmt.Errorf("snapshot %s: %w", sw.path, err)
	}
	sw.ids = le.AppendUint64(sw.ids, uint64(id))
	sw.h.Count++
	return nil
}

// Commit completes the snapshot: the rest of the data, the ids, the header,
// fsync, rename into place, and an fsync of the folder where the system
// allows it. On an error the temporary file is removed.
func (sw *SnapshotWriter) Commit() error {
	pad := func() error { return sw.write(make([]byte, align(sw.n, 8)-sw.n)) }
	err := pad()
	if err == nil && sw.h.Enc == EncInt8 {
		if err = sw.write(sw.scales); err == nil {
			err = pad()
		}
		if err == nil {
			err = sw.write(sw.crcs)
		}
		if err == nil {
			err = pad()
		}
		if err == nil && sw.h.Count >= shortlistMinRows {
			err = sw.writeStage(pad)
		}
	}
	sw.h.layout()
	if err == nil && sw.h.dataOff+sw.n != sw.h.idsOff {
		err = fmt.Errorf("wrote %d data bytes, the layout says %d", sw.n, sw.h.idsOff-sw.h.dataOff)
	}
	sw.h.crcData = sw.crc
	sw.h.crcIDs = crc32.Checksum(sw.ids, castagnoli)
	if err == nil {
		_, err = sw.w.Write(sw.ids)
	}
	if err == nil {
		err = sw.w.Flush()
	}
	if err == nil {
		_, err = sw.f.WriteAt(sw.h.marshal(), 0)
	}
	if err == nil {
		err = sw.f.Sync()
	}
	if cerr := sw.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(sw.f.Name(), sw.path)
	}
	if err != nil {
		os.Remove(sw.f.Name())
		return fmt.Errorf("snapshot %s: %w", sw.path, err)
	}
	if d, err := os.Open(filepath.Dir(sw.path)); err == nil {
		d.Sync() // make the rename durable where the file system allows
		d.Close()
	}
	return nil
}

// writeStage computes the first stage of a shortlist search from the codes
// written so far (read back from the file) and writes it.
func (sw *SnapshotWriter) writeStage(pad func() error) error {
	if err := sw.w.Flush(); err != nil {
		return err
	}
	n, dim := sw.h.Count, sw.h.Dim
	le := binary.LittleEndian
	scale := func(r int) float32 { return math.Float32frombits(le.Uint32(sw.scales[4*r:])) }
	buf := make([]int8, dim)
	bb := unsafe.Slice((*byte)(unsafe.Pointer(&buf[0])), dim)
	var rerr error
	fs := newFirstStage(dim, cmp.Or(sw.stage, stageDim), n, func(r int) ([]int8, float32) {
		if _, err := sw.f.ReadAt(bb, sw.h.dataOff+int64(r)*int64(dim)); err != nil && rerr == nil {
			rerr = err
		}
		return buf, scale(r)
	})
	if rerr != nil {
		return fmt.Errorf("reading the codes back: %w", rerr)
	}
	f32s := func(v []float32) error {
		b := make([]byte, 0, 4*len(v))
		for _, x := range v {
			b = le.AppendUint32(b, math.Float32bits(x))
		}
		if err := sw.write(b); err != nil {
			return err
		}
		return pad()
	}
	if err := f32s(fs.bscale); err != nil {
		return err
	}
	if err := f32s(fs.bmean); err != nil {
		return err
	}
	if err := f32s(fs.mean); err != nil {
		return err
	}
	if err := sw.write(unsafe.Slice((*byte)(unsafe.Pointer(&fs.basis[0])), len(fs.basis))); err != nil {
		return err
	}
	if err := pad(); err != nil {
		return err
	}
	r := bufio.NewReaderSize(io.NewSectionReader(sw.f, sw.h.dataOff, int64(n)*int64(dim)), 1<<20)
	proj := make([]int8, fs.d)
	pb := unsafe.Slice((*byte)(unsafe.Pointer(&proj[0])), fs.d)
	tmp := make([]float32, fs.d)
	ps, pm := make([]float32, n), make([]float32, n)
	for i := range n {
		if _, err := io.ReadFull(r, bb); err != nil {
			return fmt.Errorf("reading the codes back: %w", err)
		}
		ps[i], pm[i] = fs.project(proj, tmp, buf, scale(i), dotInt8)
		if err := sw.write(pb); err != nil {
			return err
		}
	}
	if err := pad(); err != nil {
		return err
	}
	if err := f32s(ps); err != nil {
		return err
	}
	if err := f32s(pm); err != nil {
		return err
	}
	sw.h.Stage = fs.d
	return nil
}

// Abort drops the snapshot being written.
func (sw *SnapshotWriter) Abort() {
	sw.f.Close()
	os.Remove(sw.f.Name())
}

// Count is the number of rows added so far.
func (sw *SnapshotWriter) Count() int { return sw.h.Count }

// LoadOptions tune LoadSnapshot.
type LoadOptions struct {
	// NoMap reads an int8 snapshot into memory instead of mapping it (what
	// systems without mmap, and big-endian ones, always do).
	NoMap bool
}

// LoadSnapshot opens the snapshot at path and returns the store it holds: a
// *Quantized for EncInt8, a *Flat for EncFloat32. check is called with the
// header before any data is read; an error from it is returned as is (the
// caller's staleness test). Everything else — size, checksums of data and
// ids, duplicate ids, invalid scales — is checked before the store is
// returned, and any fault is an error wrapping ErrSnapshot: a damaged
// snapshot is never loaded.
//
// An int8 snapshot is memory-mapped where the system allows it (unix,
// little-endian): the store's codes, scales and ids are the file's pages,
// shared with the page cache and read in by the checksum pass, not copied
// onto the heap. Close the store (Quantized.Close) to unmap it. See
// Quantized for what happens if the file is truncated while mapped.
func LoadSnapshot(path string, check func(SnapshotInfo) error, opt LoadOptions) (Index, error) {
	f, err := openRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h, err := readSnapHeader(bufio.NewReaderSize(f, 4096))
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", path, err)
	}
	if check != nil {
		if err := check(h); err != nil {
			return nil, err
		}
	}
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", path, err)
	}
	if st.Size() != h.size {
		return nil, fmt.Errorf("snapshot %s: %w: %d bytes, the header says %d", path, ErrSnapshot, st.Size(), h.size)
	}
	var idx Index
	if h.Enc == EncInt8 {
		idx, err = loadQuantized(f, h, opt)
	} else {
		idx, err = loadFlat(f, h)
	}
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", path, err)
	}
	return idx, nil
}

// loadFlat reads a float32 snapshot into a Flat, chunk by chunk.
func loadFlat(f *os.File, h SnapshotInfo) (*Flat, error) {
	idb := make([]byte, 8*h.Count)
	if _, err := f.ReadAt(idb, h.idsOff); err != nil {
		return nil, fmt.Errorf("%w: ids: %w", ErrSnapshot, err)
	}
	if crc32.Checksum(idb, castagnoli) != h.crcIDs {
		return nil, fmt.Errorf("%w: ids checksum mismatch", ErrSnapshot)
	}
	x := NewFlat(h.Dim)
	x.Grow(h.Count)
	r := bufio.NewReaderSize(io.NewSectionReader(f, h.dataOff, h.idsOff-h.dataOff), 1<<20)
	row := make([]byte, 4*h.Dim)
	v := make([]float32, h.Dim)
	var crc uint32
	for i := range h.Count {
		if _, err := io.ReadFull(r, row); err != nil {
			return nil, fmt.Errorf("%w: data: %w", ErrSnapshot, err)
		}
		crc = crc32.Update(crc, castagnoli, row)
		for j := range v {
			v[j] = math.Float32frombits(binary.LittleEndian.Uint32(row[4*j:]))
		}
		id := int64(binary.LittleEndian.Uint64(idb[8*i:]))
		if x.has(id) {
			return nil, fmt.Errorf("%w: id %d twice", ErrSnapshot, id)
		}
		if err := x.Add(id, v); err != nil {
			return nil, fmt.Errorf("%w: row %d: %w", ErrSnapshot, i, err)
		}
	}
	rest, err := io.ReadAll(r) // the padding
	if err != nil {
		return nil, fmt.Errorf("%w: data: %w", ErrSnapshot, err)
	}
	if crc32.Update(crc, castagnoli, rest) != h.crcData {
		return nil, fmt.Errorf("%w: data checksum mismatch", ErrSnapshot)
	}
	return x, nil
}

// MapsSnapshots reports whether LoadSnapshot memory-maps int8 snapshots on
// this system (else it reads them into memory).
func MapsSnapshots() bool { return canMap && nativeLittle }

// nativeLittle is whether this machine lays out numbers as a snapshot does.
var nativeLittle = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// loadQuantized maps (or reads) an int8 snapshot and makes a Quantized of
// it.
func loadQuantized(f *os.File, h SnapshotInfo, opt LoadOptions) (_ *Quantized, err error) {
	var m *mapping
	if !opt.NoMap && nativeLittle {
		m, err = mapFile(f, h.size)
		if err != nil {
			m = nil // fall back to reading
		}
	}
	var buf []byte
	if m != nil {
		buf = m.data
		defer func() {
			if err != nil {
				m.unmap()
			}
		}()
	} else {
		// Read into memory: aligned to 8 (an []int64 backing) so the ids
		// and scales can be viewed in place as well.
		words := make([]uint64, (h.size+7)/8)
		buf = unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(words))), h.size)
		if _, err := f.ReadAt(buf, 0); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrSnapshot, err)
		}
	}
	n, dim, st := h.Count, h.Dim, h.Stage
	codesEnd := h.dataOff + int64(n)*int64(dim)
	// The checksums of everything but the codes: the pages of the scales,
	// row checksums, first stage and ids are read in (a file truncated
	// meanwhile faults here, which becomes an error, not a crash); the
	// codes are verified row by row before their first use.
	if err := guard(func() error {
		if crc32.Checksum(buf[codesEnd:h.idsOff], castagnoli) != h.crcData {
			return fmt.Errorf("%w: data checksum mismatch", ErrSnapshot)
		}
		if crc32.Checksum(buf[h.idsOff:h.size], castagnoli) != h.crcIDs {
			return fmt.Errorf("%w: ids checksum mismatch", ErrSnapshot)
		}
		return nil
	}); err != nil {
		return nil, asSnapshotErr(err)
	}
	var codes, basis, proj []int8
	var scales, bscale, bmean, mean, pscale, pmean []float32
	var crcs []uint32
	var ids []int64
	i8 := func(off int64, l int) []int8 {
		if l == 0 {
			return nil
		}
		return unsafe.Slice((*int8)(unsafe.Pointer(&buf[off])), l)
	}
	f32 := func(off int64, l int) []float32 {
		if l == 0 {
			return nil
		}
		if !nativeLittle {
			v := make([]float32, l)
			for i := range v {
				v[i] = math.Float32frombits(binary.LittleEndian.Uint32(buf[off+4*int64(i):]))
			}
			return v
		}
		return unsafe.Slice((*float32)(unsafe.Pointer(&buf[off])), l)
	}
	codes, scales = i8(h.dataOff, n*dim), f32(h.scalesOff, n)
	if n > 0 {
		crcs = unsafe.Slice((*uint32)(unsafe.Pointer(&buf[h.crcsOff])), n)
		ids = unsafe.Slice((*int64)(unsafe.Pointer(&buf[h.idsOff])), n)
	}
	if !nativeLittle { // a copy in this machine's order
		crcs, ids = make([]uint32, n), make([]int64, n)
		for i := range n {
			crcs[i] = binary.LittleEndian.Uint32(buf[h.crcsOff+4*int64(i):])
			ids[i] = int64(binary.LittleEndian.Uint64(buf[h.idsOff+8*int64(i):]))
		}
	}
	if st > 0 {
		bscale, bmean, mean, basis = f32(h.bscaleOff, st), f32(h.bmeanOff, st), f32(h.meanOff, dim), i8(h.basisOff, st*dim)
		proj, pscale, pmean = i8(h.projOff, n*st), f32(h.pscaleOff, n), f32(h.pmeanOff, n)
	}
	x := NewQuantized(dim)
	x.rows = make(map[int64]int, n)
	// Still reading the mapping: a fault is an error here too.
	if err := guard(func() error {
		for r, s := range scales {
			if !(s > 0) || math.IsInf(float64(s), 0) {
				return fmt.Errorf("%w: row %d: scale %v", ErrSnapshot, r, s)
			}
		}
		for _, v := range [][]float32{bscale, bmean, mean, pscale, pmean} {
			for _, s := range v {
				if math.IsNaN(float64(s)) || math.IsInf(float64(s), 0) {
					return fmt.Errorf("%w: first stage: %v", ErrSnapshot, s)
				}
			}
		}
		for r, id := range ids {
			if _, dup := x.rows[id]; dup {
				return fmt.Errorf("%w: id %d twice", ErrSnapshot, id)
			}
			x.rows[id] = r
		}
		return nil
	}); err != nil {
		return nil, asSnapshotErr(err)
	}
	// Full slices (cap == len): the first append moves a slice to the heap
	// rather than writing past it into the next section.
	x.codes, x.scales, x.ids = codes[:len(codes):len(codes)], scales[:n:n], ids[:n:n]
	if st > 0 {
		x.fs = &firstStage{d: st, dim: dim, basis: basis[:len(basis):len(basis)], bscale: bscale[:st:st], bmean: bmean[:st:st], mean: mean[:dim:dim]}
		x.proj, x.pscale, x.pmean = proj[:len(proj):len(proj)], pscale[:n:n], pmean[:n:n]
	}
	x.rowCRC = crcs[:n:n]
	x.verified = make([]atomic.Uint64, (n+63)/64)
	if m == nil {
		// Read into memory: every page is here anyway, so every row is
		// checked now.
		if err := x.verifyAll(); err != nil {
			return nil, err
		}
		x.rowCRC, x.verified = nil, nil
		return x, nil
	}
	// Searches read a short list of rows: no read-ahead of the codes'
	// neighbouring pages, which would make them resident for nothing.
	m.adviseRandom(h.dataOff, codesEnd)
	x.codesOff = h.dataOff
	x.attach(m)
	return x, nil
}

// asSnapshotErr makes a fault while loading (the file truncated meanwhile)
// an error about the snapshot, like any other damage.
func asSnapshotErr(err error) error {
	if errors.Is(err, ErrFault) && !errors.Is(err, ErrSnapshot) {
		return fmt.Errorf("%w: %w", ErrSnapshot, err)
	}
	return err
}
