package library

import (
	"context"
	"os"
	"path/filepath"
	"runtime/pprof"
	"testing"
	"time"
)

// TestIndexProfile indexes a folder from scratch (fresh cache, both spaces,
// two passes, the library's worker pool) under the CPU profiler, for the
// per-stage profile in docs/benchmarks.md:
//
//	RELVIEW_PROFILE_INDEX=/tmp/jpeg12 RELVIEW_PROFILE_OUT=/tmp/index.pprof \
//	  go test ./library -run TestIndexProfile -v -timeout 30m
//	go tool pprof -top -cum library.test /tmp/index.pprof
func TestIndexProfile(t *testing.T) {
	folder, out := os.Getenv("RELVIEW_PROFILE_INDEX"), os.Getenv("RELVIEW_PROFILE_OUT")
	if folder == "" || out == "" {
		t.Skip("set RELVIEW_PROFILE_INDEX (a photo folder) and RELVIEW_PROFILE_OUT (the profile)")
	}
	eng := testEngine(t)
	lib, err := Open(folder, Options{Engine: eng, CacheRoot: t.TempDir()})
	must(t, err)
	defer lib.Close()
	f, err := os.Create(out)
	must(t, err)
	defer f.Close()
	must(t, pprof.StartCPUProfile(f))
	start := time.Now()
	sum, err := lib.Index(context.Background(), nil)
	el := time.Since(start)
	pprof.StopCPUProfile()
	must(t, err)
	t.Logf("%s: indexed %d in %.2f s (%.1f images/s; first pass %.1f/s, second %.1f/s)", filepath.Base(folder), sum.Indexed, el.Seconds(), float64(sum.Indexed)/el.Seconds(), sum.Rate, sum.RelateRate)
}
