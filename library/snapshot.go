package library

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"relview/engine"
	"runtime"
	"slices"
	"sync"
	"time"
	"unsafe"

	"relview/engine/vecstore"
)

// A snapshot is a derived copy of one space's search store in the library's
// cache folder (index-<space>.bin), laid out so that opening a library reads
// it sequentially in large chunks instead of pulling every vector blob out of
// SQLite. The catalog stays the truth: a snapshot records the catalog's
// identity and the space's generation (a random token a trigger renews on
// every write to the space's vectors, see migrations 1 -> 2 and 3 -> 4), and one that does not match, is
// damaged or is of another format is ignored; the store is then loaded from
// the catalog and the snapshot rewritten.
//
// Layout, little-endian:
//
//	header  magic "RVSNAP\x00\x00", version u32, encoding u32, dim u32,
//	        count u64, generation i64, CRC-32C of the ids u32, of the data u32,
//	        catalog id, space, model (each u16 length + bytes),
//	        CRC-32C of the header so far u32
//	data    count rows: encFloat32: dim float32; encInt8: scale float32 + dim int8
//	ids     count int64, the row order of data
//
// Rows hold the catalog's vectors as they are (not normalised); loading adds
// them to the store like the catalog path does.

const (
	snapMagic   = "RVSNAP\x00\x00"
	snapVersion = 1
	// Snapshot encodings.
	encFloat32 = 1
	encInt8    = 2
	// snapChunk is the size of one read when loading a snapshot.
	snapChunk = 4 << 20
	// loadGCEvery is the number of vector components loaded between two
	// forced collections (see loadSnapshot).
	loadGCEvery = 32 << 20
	// maxSnapString bounds the strings of a header.
	maxSnapString = 4096
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// storeKind is the search store every space uses, with the snapshot encoding
// that suits it.
type storeKind struct {
	name string
	new  func(dim int) vecstore.Index
	enc  uint32
}

// flatStore keeps float32 vectors: exact scores, 4 bytes per component.
var flatStore = storeKind{name: "flat float32", new: func(dim int) vecstore.Index { return vecstore.NewFlat(dim) }, enc: encFloat32}

// quantStore keeps int8 codes and one float32 scale per vector: a quarter of
// flatStore's memory; its scores are estimates within about 0.01 of the
// exact cosine (TestQuantizedScoresNearExact).
var quantStore = storeKind{name: "int8 quantized", new: func(dim int) vecstore.Index { return vecstore.NewQuantized(dim) }, enc: encInt8}

// searchStore is the one constructor choice for the library's stores. int8:
// at 100k images both spaces take about 400 MB instead of 1.5 GB of float32
// (docs/benchmarks.md, "Library"), for scores within about 0.01 of exact.
var searchStore = quantStore

// rowBytes is the size of one snapshot row.
func rowBytes(enc uint32, dim int) int {
	if enc == encInt8 {
		return 4 + dim
	}
	return 4 * dim
}

type snapHeader struct {
	enc     uint32
	dim     int
	count   int
	gen     int64
	crcIDs  uint32
	crcData uint32
	catalog string
	space   string
	model   string
}

func (h *snapHeader) marshal() []byte {
	var b bytes.Buffer
	b.WriteString(snapMagic)
	le := binary.LittleEndian
	b.Write(le.AppendUint32(nil, snapVersion))
	b.Write(le.AppendUint32(nil, h.enc))
	b.Write(le.AppendUint32(nil, uint32(h.dim)))
	b.Write(le.AppendUint64(nil, uint64(h.count)))
	b.Write(le.AppendUint64(nil, uint64(h.gen)))
	b.Write(le.AppendUint32(nil, h.crcIDs))
	b.Write(le.AppendUint32(nil, h.crcData))
	for _, s := range []string{h.catalog, h.space, h.model} {
		b.Write(le.AppendUint16(nil, uint16(len(s))))
		b.WriteString(s)
	}
	b.Write(le.AppendUint32(nil, crc32.Checksum(b.Bytes(), castagnoli)))
	return b.Bytes()
}

// readSnapHeader reads a header and returns it with its length in bytes.
func readSnapHeader(r io.Reader) (snapHeader, int, error) {
	var h snapHeader
	fixed := make([]byte, 44)
	if _, err := io.ReadFull(r, fixed); err != nil {
		return h, 0, fmt.Errorf("header: %w", err)
	}
	if string(fixed[:8]) != snapMagic {
		return h, 0, errors.New("not a relview index snapshot")
	}
	le := binary.LittleEndian
	if v := le.Uint32(fixed[8:]); v != snapVersion {
		return h, 0, fmt.Errorf("format version %d, want %d", v, snapVersion)
	}
	h.enc = le.Uint32(fixed[12:])
	h.dim = int(le.Uint32(fixed[16:]))
	count := le.Uint64(fixed[20:])
	if count > math.MaxInt32 {
		return h, 0, fmt.Errorf("count %d out of range", count)
	}
	h.count = int(count)
	h.gen = int64(le.Uint64(fixed[28:]))
	h.crcIDs = le.Uint32(fixed[36:])
	h.crcData = le.Uint32(fixed[40:])
	sum := crc32.Update(0, castagnoli, fixed)
	n := len(fixed)
	var strs [3]string
	for i := range strs {
		var l [2]byte
		if _, err := io.ReadFull(r, l[:]); err != nil {
			return h, 0, fmt.Errorf("header: %w", err)
		}
		sl := int(le.Uint16(l[:]))
		if sl > maxSnapString {
			return h, 0, fmt.Errorf("header string of %d bytes", sl)
		}
		s := make([]byte, sl)
		if _, err := io.ReadFull(r, s); err != nil {
			return h, 0, fmt.Errorf("header: %w", err)
		}
		sum = crc32.Update(crc32.Update(sum, castagnoli, l[:]), castagnoli, s)
		strs[i] = string(s)
		n += 2 + sl
	}
	var c [4]byte
	if _, err := io.ReadFull(r, c[:]); err != nil {
		return h, 0, fmt.Errorf("header: %w", err)
	}
	if le.Uint32(c[:]) != sum {
		return h, 0, errors.New("header checksum mismatch")
	}
	h.catalog, h.space, h.model = strs[0], strs[1], strs[2]
	return h, n + 4, nil
}

// snapshotPath is where the snapshot of space lives.
func (l *Library) snapshotPath(space string) string {
	name := space
	for _, r := range space {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			name = "x" + hex.EncodeToString([]byte(space))
			break
		}
	}
	return filepath.Join(l.dir, "index-"+name+".bin")
}

// queryRower is a *sql.DB or a *sql.Tx.
type queryRower interface {
	QueryRow(query string, args ...any) *sql.Row
}

// catalogGen returns the catalog's identity and the generation of space's
// vectors (0 if they were never written).
func catalogGen(q queryRower, space string) (string, int64, error) {
	var id string
	if err := q.QueryRow(`SELECT value FROM meta WHERE key = 'catalog_id'`).Scan(&id); err != nil {
		return "", 0, fmt.Errorf("catalog id: %w", err)
	}
	var gen int64
	err := q.QueryRow(`SELECT gen FROM space_gen WHERE space = ?`, space).Scan(&gen)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", 0, fmt.Errorf("space %q generation: %w", space, err)
	}
	return id, gen, nil
}

// errStale says a snapshot does not match the catalog.
var errStale = errors.New("stale")

// checkHeader reports why h is not a current snapshot of space.
func checkHeader(h snapHeader, space, model string, dim int, catalog string, gen int64) error {
	switch {
	case h.space != space || h.model != model || h.dim != dim:
		return fmt.Errorf("%w: holds %s/%s dim %d, want %s/%s dim %d", errStale, h.space, h.model, h.dim, space, model, dim)
	case h.enc != searchStore.enc:
		return fmt.Errorf("%w: encoding %d, the store wants %d", errStale, h.enc, searchStore.enc)
	case h.catalog != catalog:
		return fmt.Errorf("%w: made from another catalog", errStale)
	case h.gen != gen:
		return fmt.Errorf("%w: generation %d, the catalog is at %d", errStale, h.gen, gen)
	}
	return nil
}

// snapshotCurrent reports whether space's snapshot matches the catalog.
func (l *Library) snapshotCurrent(space, model string, dim int) bool {
	f, _, err := engine.OpenRegular(l.snapshotPath(space))
	if err != nil {
		return false
	}
	defer f.Close()
	h, _, err := readSnapHeader(bufio.NewReader(f))
	if err != nil {
		return false
	}
	cid, gen, err := catalogGen(l.db, space)
	return err == nil && checkHeader(h, space, model, dim, cid, gen) == nil
}

// loadSnapshot fills idx (empty) from space's snapshot if it is current and
// sound; on an error idx holds an unknown part of it and must be dropped.
func (l *Library) loadSnapshot(space, model string, dim int, idx vecstore.Index) error {
	f, _, err := engine.OpenRegular(l.snapshotPath(space))
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	defer f.Close()
	h, hlen, err := readSnapHeader(bufio.NewReaderSize(f, 64<<10))
	if err != nil {
		return fmt.Errorf("snapshot %s: %w", f.Name(), err)
	}
	cid, gen, err := catalogGen(l.db, space)
	if err != nil {
		return fmt.Errorf("snapshot %s: %w", f.Name(), err)
	}
	if err := checkHeader(h, space, model, dim, cid, gen); err != nil {
		return fmt.Errorf("snapshot %s: %w", f.Name(), err)
	}
	rb := rowBytes(h.enc, dim)
	dataLen := int64(h.count) * int64(rb)
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("snapshot %s: %w", f.Name(), err)
	}
	if want := int64(hlen) + dataLen + 8*int64(h.count); st.Size() != want {
		return fmt.Errorf("snapshot %s: %d bytes, want %d", f.Name(), st.Size(), want)
	}
	idBytes := make([]byte, 8*h.count)
	if _, err := f.ReadAt(idBytes, int64(hlen)+dataLen); err != nil {
		return fmt.Errorf("snapshot %s: ids: %w", f.Name(), err)
	}
	if crc32.Checksum(idBytes, castagnoli) != h.crcIDs {
		return fmt.Errorf("snapshot %s: ids checksum mismatch", f.Name())
	}
	if g, ok := idx.(interface{ Grow(int) }); ok {
		g.Grow(h.count)
	}
	if _, err := f.Seek(int64(hlen), io.SeekStart); err != nil {
		return fmt.Errorf("snapshot %s: %w", f.Name(), err)
	}
	perChunk := max(1, snapChunk/rb)
	buf := make([]byte, min(perChunk, max(h.count, 1))*rb)
	// Add normalises (and a quantized store quantises) each vector outside
	// its lock, so the rows of a chunk are added by one goroutine per core.
	workers := runtime.GOMAXPROCS(0)
	scratch := make([][]float32, workers)
	for i := range scratch {
		scratch[i] = make([]float32, dim)
	}
	errs := make([]error, workers)
	// A quantized store takes the snapshot's codes as they are: no decoding,
	// normalising or re-quantising (the slow part of loading 100k rows).
	var bulk codeAppender
	var bulkBuf int8Buffers
	if a, ok := idx.(codeAppender); ok && h.enc == encInt8 {
		bulk = a
	}
	var crc uint32
	sinceGC := 0
	for row := 0; row < h.count; {
		n := min(perChunk, h.count-row)
		chunk := buf[:n*rb]
		if _, err := io.ReadFull(f, chunk); err != nil {
			return fmt.Errorf("snapshot %s: data: %w", f.Name(), err)
		}
		crc = crc32.Update(crc, castagnoli, chunk)
		if bulk != nil {
			if err := appendInt8Chunk(bulk, chunk, idBytes[8*row:8*(row+n)], dim, workers, &bulkBuf); err != nil {
				return fmt.Errorf("snapshot %s: rows %d..%d: %w", f.Name(), row, row+n-1, err)
			}
			row += n
			continue
		}
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for i := n * w / workers; i < n*(w+1)/workers; i++ {
					v := decodeRow(scratch[w], h.enc, chunk[i*rb:(i+1)*rb])
					id := int64(binary.LittleEndian.Uint64(idBytes[8*(row+i):]))
					if err := idx.Add(id, v); err != nil {
						errs[w] = fmt.Errorf("row %d: %w", row+i, err)
						return
					}
				}
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return fmt.Errorf("snapshot %s: %w", f.Name(), err)
		}
		row += n
		// A store's Add may allocate per vector (vecstore.Quantized makes its
		// codes in a fresh slice): collected only when the heap doubles, that
		// garbage would lift peak memory well above the store's own size.
		if sinceGC += n * dim; sinceGC >= loadGCEvery {
			runtime.GC()
			sinceGC = 0
		}
	}
	if crc != h.crcData {
		return fmt.Errorf("snapshot %s: data checksum mismatch", f.Name())
	}
	return nil
}

// codeAppender is a store that loads int8 rows as they are
// (vecstore.Quantized).
type codeAppender interface {
	AppendCodes(ids []int64, codes []int8, scales []float32) error
}

// int8Buffers are appendInt8Chunk's reusable buffers.
type int8Buffers struct {
	ids    []int64
	codes  []int8
	scales []float32
}

// appendInt8Chunk hands n int8 snapshot rows (scale + dim codes each) to a
// quantized store. The store's scale is 1/‖codes‖ (the snapshot keeps
// max|x|/127 for decoding), computed here on every core.
func appendInt8Chunk(a codeAppender, chunk, idBytes []byte, dim, workers int, buf *int8Buffers) error {
	rb := rowBytes(encInt8, dim)
	n := len(chunk) / rb
	// The store copies what it is given: one set of buffers serves every
	// chunk, so loading makes no garbage to lift peak memory.
	buf.ids = slices.Grow(buf.ids[:0], n)[:n]
	buf.codes = slices.Grow(buf.codes[:0], n*dim)[:n*dim]
	buf.scales = slices.Grow(buf.scales[:0], n)[:n]
	ids, codes, scales := buf.ids, buf.codes, buf.scales
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := n * w / workers; i < n*(w+1)/workers; i++ {
				ids[i] = int64(binary.LittleEndian.Uint64(idBytes[8*i:]))
				dst := codes[i*dim : (i+1)*dim]
				for j, b := range chunk[i*rb+4 : (i+1)*rb] {
					dst[j] = int8(b)
				}
				scales[i] = vecstore.CodeScale(dst)
			}
		})
	}
	wg.Wait()
	return a.AppendCodes(ids, codes, scales)
}

// nativeLittle is whether float32s in memory are laid out as in a snapshot.
var nativeLittle = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// decodeRow returns the vector of one snapshot row, in scratch or (float32
// rows on a little-endian machine) aliasing row.
func decodeRow(scratch []float32, enc uint32, row []byte) []float32 {
	if enc == encInt8 {
		scale := math.Float32frombits(binary.LittleEndian.Uint32(row))
		for i, c := range row[4:] {
			scratch[i] = float32(int8(c)) * scale
		}
		return scratch
	}
	if nativeLittle && uintptr(unsafe.Pointer(unsafe.SliceData(row)))%4 == 0 {
		return unsafe.Slice((*float32)(unsafe.Pointer(unsafe.SliceData(row))), len(row)/4)
	}
	decodeInto(scratch, row)
	return scratch
}

// snapWriter writes a snapshot to a temporary file in the cache folder and
// renames it into place when complete.
type snapWriter struct {
	f    *os.File
	w    *bufio.Writer
	path string
	h    snapHeader
	ids  []byte
	crc  uint32
	row  []byte
}

// createSnapshot starts a snapshot of h's space (count and checksums are
// filled in as rows come).
func (l *Library) createSnapshot(h snapHeader) (*snapWriter, error) {
	path := l.snapshotPath(h.space)
	// A crash while writing leaves a temporary file; clear old ones (a fresh
	// one may be another process's write in progress).
	if old, _ := filepath.Glob(path + ".tmp-*"); len(old) > 0 {
		for _, p := range old {
			if st, err := os.Stat(p); err == nil && time.Since(st.ModTime()) > time.Hour {
				os.Remove(p)
			}
		}
	}
	f, err := os.CreateTemp(l.dir, filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	sw := &snapWriter{f: f, w: bufio.NewWriterSize(f, 1<<20), path: path, h: h, row: make([]byte, rowBytes(h.enc, h.dim))}
	if _, err := sw.w.Write(h.marshal()); err != nil {
		sw.abort()
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	return sw, nil
}

// add appends one row: raw is the catalog blob of v (little-endian float32).
func (sw *snapWriter) add(id int64, raw []byte, v []float32) error {
	row := raw
	if sw.h.enc == encInt8 {
		row = sw.row
		quantizeRow(row, v)
	}
	sw.crc = crc32.Update(sw.crc, castagnoli, row)
	if _, err := sw.w.Write(row); err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	sw.ids = binary.LittleEndian.AppendUint64(sw.ids, uint64(id))
	sw.h.count++
	return nil
}

// quantizeRow writes v as a scale and int8 codes (code × scale ≈
// component), the codes made by vecstore's quantiser, so a quantized store
// takes them as they are.
func quantizeRow(row []byte, v []float32) {
	codes := unsafe.Slice((*int8)(unsafe.Pointer(&row[4])), len(v))
	m, _ := vecstore.Int8Codes(codes, v)
	binary.LittleEndian.PutUint32(row, math.Float32bits(float32(m)/127))
}

// commit completes the snapshot: ids, header, fsync, rename, folder fsync.
func (sw *snapWriter) commit() error {
	sw.h.crcData = sw.crc
	sw.h.crcIDs = crc32.Checksum(sw.ids, castagnoli)
	_, err := sw.w.Write(sw.ids)
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

func (sw *snapWriter) abort() {
	sw.f.Close()
	os.Remove(sw.f.Name())
}

// validVector reports whether a store accepts v: finite and not zero.
func validVector(v []float32) bool {
	nonzero := false
	for _, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return false
		}
		nonzero = nonzero || x != 0
	}
	return nonzero
}

// loadFromCatalog reads space's vectors made by (model, dim) out of the
// catalog in one read transaction. Each valid one goes into idx (unless nil)
// and, when write is set, into a new snapshot stamped with the generation the
// transaction saw. A snapshot that cannot be written fails the call only when
// idx is nil (nothing else was asked for).
func (l *Library) loadFromCatalog(space, model string, dim int, idx vecstore.Index, write bool) error {
	tx, err := l.db.BeginTx(context.Background(), &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("space %q: load: %w", space, err)
	}
	defer tx.Rollback()
	cid, gen, err := catalogGen(tx, space)
	if err != nil {
		return fmt.Errorf("space %q: load: %w", space, err)
	}
	if idx != nil {
		var n int
		if err := tx.QueryRow(`SELECT count(*) FROM vectors WHERE space = ? AND model = ? AND dim = ?`, space, model, dim).Scan(&n); err != nil {
			return fmt.Errorf("space %q: load: %w", space, err)
		}
		if g, ok := idx.(interface{ Grow(int) }); ok {
			g.Grow(n)
		}
	}
	var sw *snapWriter
	var snapErr error
	if write {
		sw, snapErr = l.createSnapshot(snapHeader{enc: searchStore.enc, dim: dim, gen: gen, catalog: cid, space: space, model: model})
	}
	// Failed images have no vectors (the writer deletes them), so no join.
	rows, err := tx.Query(`SELECT image_id, data FROM vectors WHERE space = ? AND model = ? AND dim = ? ORDER BY id`, space, model, dim)
	if err != nil {
		if sw != nil {
			sw.abort()
		}
		return fmt.Errorf("space %q: load: %w", space, err)
	}
	defer rows.Close()
	vec := make([]float32, dim)
	var damaged []int64 // rows that cannot be a vector (see noteDamaged)
	for rows.Next() {
		var id int64
		var blob sql.RawBytes // valid until Next: no copy, no garbage
		if err := rows.Scan(&id, &blob); err != nil {
			if sw != nil {
				sw.abort()
			}
			return fmt.Errorf("space %q: load: %w", space, err)
		}
		if len(blob) != 4*dim {
			damaged = append(damaged, id)
			continue
		}
		decodeInto(vec, blob)
		if !validVector(vec) { // a zero or NaN vector cannot be searched
			damaged = append(damaged, id)
			continue
		}
		if idx != nil {
			if err := idx.Add(id, vec); err != nil {
				continue
			}
		}
		if sw != nil {
			if snapErr = sw.add(id, blob, vec); snapErr != nil {
				sw.abort()
				sw = nil
			}
		}
	}
	if err := rows.Err(); err != nil {
		if sw != nil {
			sw.abort()
		}
		return fmt.Errorf("space %q: load: %w", space, err)
	}
	switch {
	case sw != nil && len(damaged) > 0:
		// No current snapshot of a catalog with damage: the next refresh
		// must read the catalog again to find and repair it.
		sw.abort()
	case sw != nil:
		snapErr = sw.commit()
	}
	rows.Close()
	tx.Rollback()
	if err := l.noteDamaged(space, damaged); err != nil {
		return err
	}
	if idx == nil && snapErr != nil {
		return fmt.Errorf("space %q: %w", space, snapErr)
	}
	return nil
}

// refreshSnapshots rewrites, from the catalog, the snapshot of every space
// whose snapshot is missing or stale. It does not load any store.
func (l *Library) refreshSnapshots() error {
	spaces, err := l.Spaces()
	if err != nil {
		return err
	}
	var errs []error
	for _, sp := range spaces {
		model, dim, err := l.wantModel(sp)
		if err != nil || l.snapshotCurrent(sp, model, dim) {
			continue
		}
		if err := l.loadFromCatalog(sp, model, dim, nil, true); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
