// Package library is one photo folder on disk: it scans the folder, keeps a
// SQLite catalog of every image (size, mtime, content hash, pixel size,
// status, and one vector per embedding space with the model that made it),
// indexes new and changed files in the background, caches thumbnails, and
// answers neighbour queries from in-memory vector stores (int8-quantized or
// float32, see searchStore in snapshot.go), each loaded lazily on its space's
// first query from a derived snapshot file, or from the catalog when the
// snapshot is missing, damaged or stale.
//
// The photo folder is read-only to the library: nothing is ever written,
// moved or deleted there. Everything the library writes lives in a per-folder
// directory under the user cache dir (see CacheRoot):
//
//	<cache root>/<hash of the folder's absolute path>/
//	    catalog.db   SQLite (WAL), the truth
//	    lock         flock'ed by the one writer; holds its pid
//	    thumbs/      JPEG thumbnails keyed by content hash
//	    index-<space>.bin  search-store snapshot, derived from the catalog
//	                 (rewritten after a full Index that changed the space,
//	                 on Close after watched changes, and on a fallback load)
//
// Typical use (the GUI and `relview index`):
//
//	lib, err := library.Open(folder, library.Options{Engine: eng})
//	defer lib.Close()
//	sum, err := lib.Index(ctx, func(p library.Progress) { ... })
//	hits, err := lib.Neighbours("sub/photo.jpg", engine.Relational, 12)
//
// Only one process may write a library at a time; Open returns an error
// wrapping ErrBusy (naming the other process's pid) or, with Options.Wait,
// blocks until the other process is done. Options.ReadOnly opens for queries
// without taking the lock.
//
// The package imports no GUI toolkit.
package library
