//go:build unix

package vecstore

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// A snapshot file truncated while a store has it mapped makes the next read
// fault (SIGBUS). The store turns that into errors wrapping ErrFault and
// stays broken; the process does not crash.
func TestMappedSnapshotTruncatedWhileInUse(t *testing.T) {
	const dim, n = 256, 4200 // over parallelMinElems: the split scan is tried too
	ids, vs := snapVectors(n, dim, 3)
	path := filepath.Join(t.TempDir(), "s.bin")
	writeSnap(t, path, EncInt8, dim, nil, ids, vs)
	idx, err := LoadSnapshot(path, nil, LoadOptions{})
	must(t, err)
	q := idx.(*Quantized)
	if !q.Mapped() {
		t.Skip("not mapped on this system")
	}
	if _, err := q.Search(vs[0], 5, nil); err != nil {
		t.Fatal(err)
	}
	must(t, os.Truncate(path, 0))
	if _, err := q.Search(vs[0], 5, nil); !errors.Is(err, ErrFault) {
		t.Fatalf("search of a truncated mapping: %v", err)
	}
	if !q.Broken() {
		t.Fatal("not broken after a fault")
	}
	if _, ok := q.Get(ids[10]); ok {
		t.Error("Get answered from a broken store")
	}
	if err := q.Scores(vs[0], func(int64, float32) {}); !errors.Is(err, ErrFault) {
		t.Errorf("scores: %v", err)
	}
	if err := q.Add(1, vs[1]); !errors.Is(err, ErrFault) {
		t.Errorf("add: %v", err)
	}
	// With the scan split across goroutines too.
	idx2, err := func() (Index, error) {
		writeSnap(t, path, EncInt8, dim, nil, ids, vs)
		return LoadSnapshot(path, nil, LoadOptions{})
	}()
	must(t, err)
	q2 := idx2.(*Quantized)
	q2.SetWorkers(2)
	q2.workers = 2 // even on one CPU
	must(t, os.Truncate(path, 100))
	if _, err := q2.Search(vs[0], 5, nil); !errors.Is(err, ErrFault) {
		t.Fatalf("split search of a truncated mapping: %v", err)
	}
	q.Close()
	q2.Close()
}
