// Package vecstore holds the embedding vectors of one embedding space (for
// example the visual space or the relational space) and answers
// nearest-neighbour queries by cosine similarity.
//
// Every vector is normalised to unit length when it is added, so cosine
// similarity is the dot product of the stored vector and the (normalised)
// query. Scores lie in [-1, 1]; higher is more similar.
//
// # API
//
//	type Hit struct { ID int64; Score float32 }
//
//	type Index interface {
//	    Dim() int
//	    Len() int
//	    Add(id int64, v []float32) error
//	    Remove(id int64) bool
//	    Search(q []float32, k int, exclude func(id int64) bool) ([]Hit, error)
//	    Get(id int64) ([]float32, bool)
//	    Scores(q []float32, fn func(id int64, score float32)) error
//	}
//
//	func NewFlat(dim int) *Flat           // exact search; implements Index
//	func NewQuantized(dim int) *Quantized // int8 codes, ¼ the memory; implements Index
//
// Index is the seam for an approximate index (HNSW, IVF, ...) to be added
// later; callers should depend on Index, not on *Flat.
//
// # Snapshots
//
// A store can be saved to a snapshot file (CreateSnapshot, Add, Commit:
// temporary file, fsync, rename) and loaded back (LoadSnapshot), with a
// metadata block the caller fills and checks (the library: catalog,
// generation, space, model). Size and CRC-32C checksums are checked before
// a store is returned; any damage is an error wrapping ErrSnapshot. An int8
// snapshot is laid out as a Quantized's arrays (codes, scales, row
// checksums, the shortlist's projections, ids), so on unix it is
// memory-mapped read-only and used in place: no copy onto the heap, the
// pages shared with the page cache. The codes are checked row by row, each
// before it is first read (a mismatch is an error wrapping ErrFault and
// ErrSnapshot, and the store reports Broken), so a search makes only the
// codes of its short list resident. The first write to a mapped
// store copies it to the heap. A mapped file truncated while in use makes
// the next read fault (SIGBUS); reads of a mapped store run with
// debug.SetPanicOnFault, so the fault becomes an error wrapping ErrFault and
// the store reports Broken instead of the process crashing. Elsewhere
// (Windows, big-endian machines) the snapshot is read into memory.
//
// # Flat
//
// Flat is an exact (brute-force) index: one contiguous row-major []float32
// holding every vector, plus id<->row maps. Remove swaps the last row into the
// hole. Search computes the dot product of the query with every row (SIMD
// through github.com/viterin/vek when the CPU has AVX2 and FMA, otherwise an
// unrolled Go loop; see Accelerated) and keeps the best k in a bounded
// min-heap, so it costs O(n·dim + n·log k) time and O(k) extra memory.
// SetWorkers lets a large scan be split across goroutines; it is off by
// default because the scan is bound by memory bandwidth and a second
// goroutine measured no faster on a 2-core machine.
//
// Results are sorted by score descending; equal scores are ordered by ID
// ascending, so results are deterministic.
//
// # Quantized
//
// Quantized scans every row like Flat but stores each unit vector as dim
// int8 codes c = round(127·v/max|v|) (symmetric, -128 never used) plus one
// float32 scale 1/‖c‖, so dim+4 bytes instead of 4·dim: 100k × (1792+2048)
// is 384 MB instead of 1.5 GB. The query is quantised the same way; a score
// is the int32 dot product of the codes times both scales, i.e. the cosine
// of the two dequantised vectors (clamped to [-1, 1] against rounding). On
// amd64 with AVX2 the dot product is assembly (VPMOVSXBW + VPMADDWD, exact
// integer arithmetic, see Int8Accelerated); elsewhere, or with the purego
// build tag, a Go loop. Get returns the dequantised vector.
//
// Against Flat's exact float32 scores, on random and clustered vectors of
// dimension 384-2048, the score error averages 1-4e-4 (max 2e-3) and the
// recall of the top 24 is about 0.98-0.99: neighbours whose exact scores
// are closer than the quantisation error may swap across the cut. Ordering
// (score, then ID) is deterministic, and Search and Scores give identical
// scores. SetWorkers and Grow behave as for Flat.
//
// From 20,000 rows on, a Quantized search is two-stage (shortlist.go): every
// row also has a projection, its vector less the store's mean projected on
// the 256 directions along which the rows vary most (principal components
// of a sample of 2,048 rows, by subspace iteration), as 256 int8 codes, a
// scale and the row's dot product with the mean. A search scores all rows
// by their projections (256 bytes a row instead of dim), then scores the
// best DefaultShortlist (1000) with the codes as a full scan would (a
// mapped store reads those rows from its file rather than through the
// mapping, so that only the projections become resident). The
// projections are built in the background after the first search of a
// large store, or loaded with it from a snapshot, and kept up to date by
// writes. SetShortlist(0) restores the full scan. The recall and speed of
// both on real photo vectors are in docs/benchmarks.md.
//
// # Concurrency
//
// All methods are safe for concurrent use. Reads (Search, Scores, Get, Len)
// share a sync.RWMutex read lock and run in parallel with each other; Add and
// Remove take the write lock and wait for running searches to finish (a
// search over 100k×1792 vectors takes tens of milliseconds).
//
// The exclude callback of Search is called while the read lock is held,
// from several goroutines at once if SetWorkers was raised, and only for rows that could enter
// the top k: it must be safe for concurrent use and must not call methods of
// the index. The Scores callback is called after the lock is released.
//
// # Memory
//
// A Flat costs 4·dim bytes per vector plus about 40 bytes of bookkeeping:
// 100k × 1792 float32 is 717 MB. A Quantized costs dim+4 bytes plus the same
// bookkeeping: 183 MB for 100k × 1792. Use Grow before bulk loading to avoid the
// transient copy that growing a large slice makes.
package vecstore
