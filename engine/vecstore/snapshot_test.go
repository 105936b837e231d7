package vecstore

import (
	"encoding/binary"
	"errors"
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
		{"flipped count", flip(20)},
		{"flipped metadata", flip(snapFixed + 1)},
		{"flipped code", flip(info.dataOff + 5)},
		{"flipped scale", flip(info.idsOff - 8)},
		{"flipped id", flip(info.idsOff + 3)},
		{"flipped padding", flip(info.dataOff + int64(n*dim) + 1)},
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
}
