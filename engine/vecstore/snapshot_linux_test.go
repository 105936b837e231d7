//go:build linux

package vecstore

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// mappedRss is the resident size, in bytes, of this process's mappings of
// path (/proc/self/smaps).
func mappedRss(t *testing.T, path string) int64 {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	must(t, err)
	defer f.Close()
	var rss int64
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		fields := strings.Fields(line)
		if len(fields) >= 5 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":") {
			in = len(fields) >= 6 && fields[len(fields)-1] == path
			continue
		}
		if in && len(fields) == 3 && fields[0] == "Rss:" {
			kb, err := strconv.ParseInt(fields[1], 10, 64)
			must(t, err)
			rss += kb << 10
		}
	}
	must(t, sc.Err())
	return rss
}

// A store reopened from a snapshot makes no more than the first stage and
// the small arrays resident: searches read the short list's codes from the
// file, and the load checks everything but the codes. (Before, the load
// read every page in, and the first search scanned every row.)
func TestMappedSnapshotLeavesCodesOnDisk(t *testing.T) {
	const dim, n = 1024, shortlistMinRows + 300
	vs := clusteredVectors(n, dim, 12)
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	path, err := filepath.EvalSymlinks(t.TempDir())
	must(t, err)
	path = filepath.Join(path, "s.bin")
	writeSnap(t, path, EncInt8, dim, nil, ids, vs)
	info, err := ReadSnapshotInfo(path)
	must(t, err)
	idx, err := LoadSnapshot(path, nil, LoadOptions{})
	must(t, err)
	q := idx.(*Quantized)
	defer q.Close()
	if !q.Mapped() {
		t.Skip("not mapped")
	}
	for i := range 10 {
		if _, err := q.Search(vs[i*997], 24, nil); err != nil {
			t.Fatal(err)
		}
		if _, ok := q.Get(ids[i*1001]); !ok {
			t.Fatal("get")
		}
	}
	codes := int64(n) * dim
	rest := info.size - codes
	if rss := mappedRss(t, path); rss > rest+2<<20 {
		t.Errorf("%d KB of the snapshot resident after 10 searches; the sections other than the %d KB of codes are %d KB", rss>>10, codes>>10, rest>>10)
	} else {
		t.Logf("%d KB resident of %d KB (codes %d KB)", rss>>10, info.size>>10, codes>>10)
	}
}
