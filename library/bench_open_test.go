package library

import (
	"cmp"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"relview/engine"
)

// The reopen benchmark (issue 11, item 2): a 100k catalog with current int8
// snapshots, opened by a fresh process that fills both columns of a first
// click (k = 24 in each space), then 20 more clicks. Baseline and change
// alternate, five children each, in the same run:
//
//	RELVIEW_LIBRARY_BENCH=reopen go test ./library -run TestReopenBenchmark -v -timeout 60m
//
// RELVIEW_LIBRARY_BENCH_DIR keeps the 100k catalog there between runs
// (filling it takes minutes); otherwise it goes to a temp folder.
func TestReopenBenchmark(t *testing.T) {
	if os.Getenv(benchEnv) != "reopen" {
		t.Skip("set " + benchEnv + "=reopen to run the reopen benchmark")
	}
	work := os.Getenv("RELVIEW_LIBRARY_BENCH_DIR")
	if work == "" {
		work = t.TempDir()
	}
	lib100k := filepath.Join(work, "lib100k")
	cache := filepath.Join(work, "cache100k")
	if _, err := os.Stat(filepath.Join(work, "filled")); err != nil {
		must(t, os.RemoveAll(lib100k))
		must(t, os.RemoveAll(cache))
		must(t, os.MkdirAll(lib100k, 0o755))
		t0 := time.Now()
		fill100k(t, lib100k, cache, 100000)
		t.Logf("filled the 100k catalog in %s", time.Since(t0))
		must(t, os.WriteFile(filepath.Join(work, "filled"), nil, 0o644))
	}
	// The first open writes (or rewrites) the snapshots of this build's
	// format; every later child finds them current.
	first, _ := runCase(t, "click", lib100k, cache)
	t.Logf("first open (snapshots made if missing): %.2f s; %s", first.Seconds, first.Extra)
	cases := []struct {
		name string
		env  []string
	}{
		{"int8 snapshot read onto the heap (before)", []string{benchNoMapEnv + "=1"}},
		{"int8 snapshot memory-mapped (after)", nil},
	}
	// RELVIEW_LIBRARY_BENCH_OLD: a test binary of this package built at an
	// older commit, whose "open" case is the loader before this change (or
	// its "click" case, this one's, with RELVIEW_LIBRARY_BENCH_OLD_KIND=click);
	// it gets a copy of the catalog (its own snapshot format).
	oldBin := os.Getenv("RELVIEW_LIBRARY_BENCH_OLD")
	oldKind := cmp.Or(os.Getenv("RELVIEW_LIBRARY_BENCH_OLD_KIND"), "open")
	oldCache := filepath.Join(work, "cacheold")
	if oldBin != "" {
		if _, err := os.Stat(oldCache); err != nil {
			cp := exec.Command("cp", "-r", cache, oldCache)
			if out, err := cp.CombinedOutput(); err != nil {
				t.Fatalf("copying the catalog: %v %s", err, out)
			}
			snaps, _ := filepath.Glob(filepath.Join(oldCache, "*", "index-*"))
			for _, p := range snaps {
				os.Remove(p)
			}
		}
		r, _ := runCaseBin(t, oldBin, oldKind, lib100k, oldCache)
		t.Logf("old build, first open: %.2f s; %s", r.Seconds, r.Extra)
		cases = append([]struct {
			name string
			env  []string
		}{{"old build (" + oldKind + ")", nil}}, cases...)
	}
	type agg struct {
		secs, rss []float64
		extra     []string
	}
	res := make([]agg, len(cases))
	for round := range 5 {
		for i, c := range cases {
			var r benchResult
			var rss float64
			if oldBin != "" && i == 0 && oldKind == "click" {
				r, rss = runCaseBin(t, oldBin, "click", lib100k, oldCache)
			} else if oldBin != "" && i == 0 {
				// The old case: open + first visual query, then the first
				// relational query, timed inside the child.
				r, rss = runCaseBin(t, oldBin, "open", lib100k, oldCache)
				var rel float64
				if at := strings.Index(r.Extra, "first relational query "); at >= 0 {
					fmt.Sscanf(r.Extra[at+len("first relational query "):], "%f", &rel)
				}
				r.Seconds += rel
			} else {
				r, rss = runCase(t, "click", lib100k, cache, c.env...)
			}
			res[i].secs = append(res[i].secs, r.Seconds)
			res[i].rss = append(res[i].rss, rss)
			res[i].extra = append(res[i].extra, r.Extra)
			t.Logf("round %d, %s: %.3f s, peak RSS %.0f MB; %s", round, c.name, r.Seconds, rss, r.Extra)
		}
	}
	var rows []string
	rows = append(rows, "| case | process start → both columns, median of 5 (range) | peak RSS, median (range) |", "|---|---|---|")
	for i, c := range cases {
		s, m := slices.Clone(res[i].secs), slices.Clone(res[i].rss)
		slices.Sort(s)
		slices.Sort(m)
		rows = append(rows, fmt.Sprintf("| %s | %.3f s (%.3f–%.3f) | %.0f MB (%.0f–%.0f) |", c.name, s[2], s[0], s[4], m[2], m[0], m[4]))
	}
	fmt.Println(strings.Join(rows, "\n"))
}

// runClickCase is one child of the reopen benchmark: open a library,
// neighbours of one photo in both spaces (the first click), then 20 more
// clicks. Seconds is from the parent's start of this process to both
// columns of the first click.
func runClickCase(folder string) (benchResult, error) {
	t0 := time.Now()
	if ns, err := strconv.ParseInt(os.Getenv(benchT0Env), 10, 64); err == nil {
		t0 = time.Unix(0, ns)
	}
	mainAt := time.Since(t0)
	lib, err := Open(folder, Options{ReadOnly: true})
	if err != nil {
		return benchResult{}, err
	}
	defer lib.Close()
	opened := time.Since(t0)
	for _, sp := range []string{engine.Visual, engine.Relational} {
		hits, err := lib.NeighboursByID(1, sp, 24)
		if err != nil || len(hits) != 24 {
			return benchResult{}, fmt.Errorf("first click, %s: %d hits, %v", sp, len(hits), err)
		}
	}
	both := time.Since(t0)
	firstPeak := peakRSSMB()
	var clicks []time.Duration
	for id := int64(2); id < 22; id++ {
		c0 := time.Now()
		for _, sp := range []string{engine.Visual, engine.Relational} {
			if _, err := lib.NeighboursByID(id*997, sp, 24); err != nil {
				return benchResult{}, fmt.Errorf("click: %w", err)
			}
		}
		clicks = append(clicks, time.Since(c0))
	}
	slices.Sort(clicks)
	return benchResult{N: 1, Seconds: both.Seconds(), Extra: fmt.Sprintf(
		"peak RSS at both columns of the first click %.0f MB; process start → main %.3f s, → opened %.3f s; later clicks (both columns) median %.1f ms, max %.1f ms; stores from %s/%s; at the end %s",
		firstPeak, mainAt.Seconds(), opened.Seconds(), ms(clicks[len(clicks)/2]), ms(clicks[len(clicks)-1]),
		storeFrom(lib, engine.Visual), storeFrom(lib, engine.Relational), rssSplit())}, nil
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

// rssSplit says how much of this process's resident memory is anonymous
// (heap, stacks) and how much file pages (the mapped snapshots, binaries).
func rssSplit() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "RSS unknown"
	}
	var parts []string
	for _, line := range strings.Split(string(b), "\n") {
		for _, k := range []string{"RssAnon:", "RssFile:"} {
			if rest, ok := strings.CutPrefix(line, k); ok {
				var kb float64
				fmt.Sscanf(strings.TrimSpace(rest), "%f", &kb)
				parts = append(parts, fmt.Sprintf("%s %.0f MB", strings.TrimSuffix(k, ":"), kb/1024))
			}
		}
	}
	return strings.Join(parts, ", ")
}
