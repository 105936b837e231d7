package vecstore

import (
	"encoding/binary"
	"errors"
	"math/bits"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// snapVectors makes n random vectors of dim (not normalised), ids 7, 14, ...
func snapVectors(n, dim int, seed uint64) ([]int64, [][]float32) {
	r := rand.New(rand.NewPCG(seed, 1))
	ids := make([]int64, n)
	vs := make([][]float32, n)
	for i := range vs {
		ids[i] = int64(7 * (i + 1))
		vs[i] = make([]float32, dim)
		for j := range vs[i] {
			vs[i][j] = float32(r.NormFloat64()) * 3
		}
	}
	return ids, vs
}

func writeSnap(t *testing.T, path string, enc Encoding, dim int, meta []byte, ids []int64, vs [][]float32) {
	t.Helper()
	w, err := CreateSnapshot(path, enc, dim, meta)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vs {
		if err := w.Add(ids[i], v); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
}

// sameSearch checks two stores give identical answers to the same queries.
func sameSearch(t *testing.T, what string, got, want Index, dim int) {
	t.Helper()
	if got.Len() != want.Len() {
		t.Fatalf("%s: %d vectors, want %d", what, got.Len(), want.Len())
	}
	_, qs := snapVectors(5, dim, 99)
	for _, q := range qs {
		g, err := got.Search(q, 10, nil)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		w, _ := want.Search(q, 10, nil)
		if !slices.Equal(g, w) {
			t.Fatalf("%s: hits %v, want %v", what, g, w)
		}
	}
}

// A saved store loads back (mapped or read) answering exactly as a store
// built from the same vectors; the metadata comes back as written.
func TestSnapshotRoundTrip(t *testing.T) {
	const dim, n = 100, 500 // dim·n not a multiple of 8: the padding is used
	ids, vs := snapVectors(n, dim, 1)
	meta := []byte(`{"space":"visual"}`)
	for _, enc := range []Encoding{EncInt8, EncFloat32} {
		var want Index = NewQuantized(dim)
		if enc == EncFloat32 {
			want = NewFlat(dim)
		}
		for i, v := range vs {
			must(t, want.Add(ids[i], v))
		}
		path := filepath.Join(t.TempDir(), "s.bin")
		writeSnap(t, path, enc, dim, meta, ids, vs)
		info, gotIDs, err := ReadSnapshotIDs(path)
		must(t, err)
		if info.Enc != enc || info.Dim != dim || info.Count != n || string(info.Meta) != string(meta) || !slices.Equal(gotIDs, ids) {
			t.Fatalf("%v: info %+v", enc, info)
		}
		for _, opt := range []LoadOptions{{}, {NoMap: true}} {
			var seen SnapshotInfo
			idx, err := LoadSnapshot(path, func(h SnapshotInfo) error { seen = h; return nil }, opt)
			must(t, err)
			if string(seen.Meta) != string(meta) {
				t.Errorf("check saw metadata %q", seen.Meta)
			}
			sameSearch(t, enc.String(), idx, want, dim)
			if q, ok := idx.(*Quantized); ok {
				if q.Mapped() == opt.NoMap && nativeLittle && mapSupported {
					t.Errorf("NoMap %v: Mapped() = %v", opt.NoMap, q.Mapped())
				}
				// Writes move a mapped store to the heap; it then follows
				// them like any store.
				must(t, q.Add(1, vs[0]))
				must(t, want.Add(1, vs[0]))
				q.Remove(ids[3])
				want.Remove(ids[3])
				if q.Mapped() {
					t.Errorf("still mapped after writes")
				}
				sameSearch(t, "after writes", q, want, dim)
				want.Remove(1)
				want.Add(ids[3], vs[3])
				must(t, q.Close())
				if q.Len() != 0 {
					t.Errorf("closed store holds %d", q.Len())
				}
			}
		}
		stop := errors.New("stale")
		if _, err := LoadSnapshot(path, func(SnapshotInfo) error { return stop }, LoadOptions{}); err != stop {
			t.Errorf("check's error came back as %v", err)
		}
	}
}

// Every damage is refused with an error wrapping ErrSnapshot.
func TestSnapshotDamageRefused(t *testing.T) {
	const dim, n = 64, 50
	ids, vs := snapVectors(n, dim, 2)
	dir := t.TempDir()
	path := filepath.Join(dir, "s.bin")
	writeSnap(t, path, EncInt8, dim, []byte("meta"), ids, vs)
	good, err := os.ReadFile(path)
	must(t, err)
	info, err := ReadSnapshotInfo(path)
	must(t, err)
	flip := func(off int64) []byte {
		b := slices.Clone(good)
		b[off] ^= 0x10
		return b
	}
	v1 := slices.Clone(good)
	binary.LittleEndian.PutUint32(v1[8:], 1)
	v2 := slices.Clone(good)
	binary.LittleEndian.PutUint32(v2[8:], 2)
	dupIDs := slices.Clone(ids)
	dupIDs[1] = dupIDs[0]
	dupPath := filepath.Join(dir, "dup.bin")
	writeSnap(t, dupPath, EncInt8, dim, nil, dupIDs, vs)
	dup, err := os.ReadFile(dupPath)
	must(t, err)
	for _, c := range []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"truncated", good[:len(good)-9]},
		{"header only", good[:info.dataOff]},
		{"longer", append(slices.Clone(good), 0)},
		{"version 1", v1},
		{"version 2 (one checksum over all data, no first stage)", v2},
		{"flipped count", flip(20)},
		{"flipped metadata", flip(snapFixed + 1)},
		{"flipped scale", flip(info.scalesOff + 1)},
		{"flipped row checksum", flip(info.crcsOff + 4)},
		{"flipped id", flip(info.idsOff + 3)},
		{"flipped padding", flip(info.scalesOff + 4*n + 1)},
		{"duplicate id", dup},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "s.bin")
			must(t, os.WriteFile(p, c.data, 0o644))
			for _, opt := range []LoadOptions{{}, {NoMap: true}} {
				if _, err := LoadSnapshot(p, nil, opt); !errors.Is(err, ErrSnapshot) {
					t.Errorf("NoMap %v: loaded (err %v)", opt.NoMap, err)
				}
			}
		})
	}
	if _, err := LoadSnapshot(dir, nil, LoadOptions{}); !errors.Is(err, ErrSnapshot) {
		t.Errorf("a folder: %v", err)
	}
	// A damaged code: read into memory, refused at load; mapped, the row is
	// verified before its first use, and that use fails (ErrFault and
	// ErrSnapshot, the store broken) instead of answering with it.
	p := filepath.Join(t.TempDir(), "s.bin")
	must(t, os.WriteFile(p, flip(info.dataOff+int64(7*dim)+5), 0o644))
	if _, err := LoadSnapshot(p, nil, LoadOptions{NoMap: true}); !errors.Is(err, ErrSnapshot) {
		t.Errorf("flipped code, read: loaded (err %v)", err)
	}
	for _, use := range []struct {
		name string
		f    func(q *Quantized) error
	}{
		{"search", func(q *Quantized) error { _, err := q.Search(vs[0], 3, nil); return err }},
		{"scores", func(q *Quantized) error { return q.Scores(vs[0], func(int64, float32) {}) }},
		{"add", func(q *Quantized) error { return q.Add(1, vs[0]) }},
		{"get", func(q *Quantized) error {
			if _, ok := q.Get(ids[7]); ok {
				return nil
			}
			return ErrSnapshot
		}},
	} {
		idx, err := LoadSnapshot(p, nil, LoadOptions{})
		must(t, err)
		q := idx.(*Quantized)
		if !q.Mapped() {
			t.Fatal("flipped code: refused when mapped, want a lazy check")
		}
		if _, ok := q.Get(ids[6]); !ok {
			t.Errorf("%s: a sound row is refused", use.name)
		}
		if err := use.f(q); !errors.Is(err, ErrSnapshot) || !errors.Is(err, ErrFault) && use.name != "get" {
			t.Errorf("%s with a flipped code: %v", use.name, err)
		}
		if !q.Broken() {
			t.Errorf("%s: not broken after a checksum mismatch", use.name)
		}
		if _, err := q.Search(vs[0], 3, nil); !errors.Is(err, ErrFault) {
			t.Errorf("%s: a broken store answered: %v", use.name, err)
		}
		q.Close()
	}
}

// A store of shortlistMinRows rows or more is saved with the first stage of
// its shortlist search; loaded back it searches through it from the first
// query, verifying only the rows it scores, and answers exactly as a store
// that built its first stage itself. Damage to the first stage is refused
// at load.
func TestSnapshotFirstStage(t *testing.T) {
	const dim, n, k = 64, shortlistMinRows + 300, 10
	vs := clusteredVectors(n, dim, 9)
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	path := filepath.Join(t.TempDir(), "s.bin")
	writeSnap(t, path, EncInt8, dim, nil, ids, vs)
	info, err := ReadSnapshotInfo(path)
	must(t, err)
	if info.Stage != min(stageDim, dim) {
		t.Fatalf("first stage of %d directions, want %d", info.Stage, min(stageDim, dim))
	}
	want := NewQuantized(dim)
	for i, v := range vs {
		must(t, want.Add(ids[i], v))
	}
	want.SetShortlist(1000)
	want.buildStage()
	for _, opt := range []LoadOptions{{}, {NoMap: true}} {
		idx, err := LoadSnapshot(path, nil, opt)
		must(t, err)
		q := idx.(*Quantized)
		q.SetShortlist(1000)
		if !q.useShortlist(k) {
			t.Fatalf("NoMap %v: no shortlist search at the first query", opt.NoMap)
		}
		if q.building.Load() {
			t.Fatalf("NoMap %v: building a first stage the file holds", opt.NoMap)
		}
		if _, err := q.Search(vs[5], k, nil); err != nil {
			t.Fatal(err)
		}
		if q.Mapped() {
			seen := 0
			for i := range q.verified {
				seen += bits.OnesCount64(q.verified[i].Load())
			}
			if seen > 1000 {
				t.Errorf("one search of a short list of 1000 verified %d rows", seen)
			}
		}
		checkStage(t, q)
		// The same directions as a store computes from the same rows.
		if !slices.Equal(q.fs.basis, want.fs.basis) || !slices.Equal(q.fs.mean, want.fs.mean) {
			t.Errorf("NoMap %v: the file's first stage differs from the store's own", opt.NoMap)
		}
		sameSearch(t, "first stage from the file", q, want, dim)
		q.Close()
	}
	good, err := os.ReadFile(path)
	must(t, err)
	// A damaged code of a row that the short list reads: the search fails
	// (ErrFault and ErrSnapshot, the store broken) instead of answering
	// with it; a file truncated under the store fails the same way.
	hits, err := want.Search(vs[5], k, nil)
	must(t, err)
	top := int64(hits[0].ID - 1) // ids are rows + 1
	for _, damage := range []string{"flipped code", "truncated"} {
		p := filepath.Join(t.TempDir(), "s.bin")
		b := slices.Clone(good)
		if damage == "flipped code" {
			b[info.dataOff+top*dim+3] ^= 0x01
		}
		must(t, os.WriteFile(p, b, 0o644))
		idx, err := LoadSnapshot(p, nil, LoadOptions{})
		must(t, err)
		q := idx.(*Quantized)
		q.SetShortlist(1000)
		if !q.Mapped() {
			q.Close()
			break
		}
		if damage == "truncated" {
			must(t, os.Truncate(p, info.dataOff+int64(n*dim/2)))
		}
		_, err = q.Search(vs[5], k, nil)
		if !errors.Is(err, ErrFault) || damage == "flipped code" && !errors.Is(err, ErrSnapshot) || !q.Broken() {
			t.Errorf("%s in a short-listed row: search error %v, broken %v", damage, err, q.Broken())
		}
		q.Close()
	}
	for _, off := range []int64{info.bscaleOff + 2, info.meanOff + 5, info.basisOff + 100, info.projOff + 1000, info.pscaleOff + 8, info.pmeanOff + 3} {
		b := slices.Clone(good)
		b[off] ^= 0x04
		p := filepath.Join(t.TempDir(), "s.bin")
		must(t, os.WriteFile(p, b, 0o644))
		if _, err := LoadSnapshot(p, nil, LoadOptions{}); !errors.Is(err, ErrSnapshot) {
			t.Errorf("byte %d of the first stage flipped: loaded (err %v)", off, err)
		}
	}
}
