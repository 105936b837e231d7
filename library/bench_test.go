package library

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/disintegration/imaging"
	"relview/engine"
)

// The library benchmarks run only when asked (they take minutes and write
// gigabytes to a temp folder):
//
//	RELVIEW_LIBRARY_BENCH=1 go test ./library -run TestLibraryBenchmarks -v -timeout 60m
//
// Each case runs in a child process so its peak memory (max RSS) is its own.
// The table goes to docs/benchmarks.md, section "Library".

const benchEnv = "RELVIEW_LIBRARY_BENCH"

// benchCaseEnv makes the test binary run one benchmark case and print one
// JSON line: RELVIEW_LIBRARY_BENCH_CASE=kind:folder.
const benchCaseEnv = "RELVIEW_LIBRARY_BENCH_CASE"

// benchChild runs a benchmark case when the binary was started as one (from
// TestMain: after every package init, so the JPEG decoder is registered).
func benchChild() {
	if c := os.Getenv(benchCaseEnv); c != "" {
		switch os.Getenv(benchStoreEnv) {
		case "flat":
			searchStore = flatStore
		case "int8":
			searchStore = quantStore
		}
		if os.Getenv(benchNoMapEnv) != "" {
			mapSnapshots = false
		}
		kind, folder, _ := strings.Cut(c, ":")
		res, err := runBenchCase(kind, folder)
		res.PeakMB = peakRSSMB()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		json.NewEncoder(os.Stdout).Encode(res)
		os.Exit(0)
	}
}

// benchStoreEnv picks the child's search store (flat or int8; unset: the
// library's default), benchNoSnapEnv makes it load from the catalog alone, as
// before snapshots existed.
const (
	benchStoreEnv  = "RELVIEW_LIBRARY_BENCH_STORE"
	benchNoSnapEnv = "RELVIEW_LIBRARY_BENCH_NOSNAP"
	// benchNoMapEnv makes the child read int8 snapshots onto the heap
	// instead of mapping them; benchT0Env is the parent's clock (Unix ns)
	// just before it started the child.
	benchNoMapEnv = "RELVIEW_LIBRARY_BENCH_NOMAP"
	benchT0Env    = "RELVIEW_LIBRARY_BENCH_T0"
)

type benchResult struct {
	PeakMB  float64 `json:"peak_mb"` // VmHWM of the child (not ru_maxrss, which keeps the parent's across exec)
	N       int     `json:"n"`
	Seconds float64 `json:"seconds"`
	Extra   string  `json:"extra"`
}

func runBenchCase(kind, folder string) (benchResult, error) {
	switch kind {
	case "decode":
		// The plain decode path alone: read + decode, one goroutine per core.
		var files []string
		filepath.Walk(folder, func(p string, info os.FileInfo, err error) error {
			if err == nil && info.Mode().IsRegular() {
				files = append(files, p)
			}
			return nil
		})
		start := time.Now()
		ch := make(chan string)
		var wg sync.WaitGroup
		var firstErr error
		var mu sync.Mutex
		for i := 0; i < runtime.NumCPU(); i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for p := range ch {
					if _, err := engine.DecodeFile(p); err != nil {
						mu.Lock()
						firstErr = err
						mu.Unlock()
					}
				}
			}()
		}
		for _, f := range files {
			ch <- f
		}
		close(ch)
		wg.Wait()
		return benchResult{N: len(files), Seconds: time.Since(start).Seconds()}, firstErr
	case "index", "refresh":
		eng, err := openTestEngine()
		if err != nil {
			return benchResult{}, err
		}
		lib, err := Open(folder, Options{Engine: eng})
		if err != nil {
			return benchResult{}, err
		}
		defer lib.Close()
		// The first runs of an ONNX Runtime session are slow; a library that
		// indexes for long is past them. Warm each worker's share first.
		w0 := time.Now()
		var wg sync.WaitGroup
		for i := 0; i < runtime.NumCPU(); i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := 0; k < 3; k++ {
					eng.Encode(image.NewNRGBA(image.Rect(0, 0, 300, 200)))
				}
			}()
		}
		wg.Wait()
		warm := time.Since(w0)
		start := time.Now()
		sum, err := lib.Index(context.Background(), nil)
		sec := time.Since(start).Seconds()
		n := sum.Indexed + sum.Copied
		if kind == "refresh" {
			n = sum.Unchanged
		}
		return benchResult{N: n, Seconds: sec, Extra: fmt.Sprintf("indexed %d, copied %d, unchanged %d, failed %d; engine warm-up before timing %.2f s", sum.Indexed, sum.Copied, sum.Unchanged, sum.Failed, warm.Seconds())}, err
	case "click":
		return runClickCase(folder)
	case "open":
		if dir := os.Getenv("RELVIEW_BENCH_CPUPROFILE"); dir != "" {
			// A CPU profile per child, to see where opening spends its time.
			f, err := os.Create(filepath.Join(dir, fmt.Sprintf("open-%d.pprof", os.Getpid())))
			if err == nil {
				pprof.StartCPUProfile(f)
				defer pprof.StopCPUProfile()
			}
		}
		start := time.Now()
		lib, err := Open(folder, Options{ReadOnly: true, NoSnapshots: os.Getenv(benchNoSnapEnv) != ""})
		if err != nil {
			return benchResult{}, err
		}
		defer lib.Close()
		hits, err := lib.NeighboursByID(1, engine.Visual, 12)
		first := time.Since(start).Seconds()
		if err != nil || len(hits) != 12 {
			return benchResult{}, fmt.Errorf("first neighbours: %d hits, %v", len(hits), err)
		}
		t1 := time.Now()
		if _, err := lib.NeighboursByID(2, engine.Relational, 12); err != nil {
			return benchResult{}, err
		}
		second := time.Since(t1).Seconds()
		t2 := time.Now()
		if _, err := lib.NeighboursByID(3, engine.Visual, 12); err != nil {
			return benchResult{}, err
		}
		warm := time.Since(t2).Seconds()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return benchResult{N: 1, Seconds: first, Extra: fmt.Sprintf("store %s, loaded from %s; then first relational query %.3f s (loads that space), warm visual query %.4f s; HeapInuse %.0f MB",
			searchStore.name, storeFrom(lib, engine.Visual), second, warm, float64(ms.HeapInuse)/(1<<20))}, nil
	}
	return benchResult{}, fmt.Errorf("unknown bench case %q", kind)
}

// runCase runs one case in a child with its own cache root and returns the
// result and the child's peak RSS in MB.
func runCase(t *testing.T, kind, folder, cache string, env ...string) (benchResult, float64) {
	t.Helper()
	return runCaseBin(t, os.Args[0], kind, folder, cache, env...)
}

// runCaseBin is runCase with another test binary of this package (an older
// build, for a baseline).
func runCaseBin(t *testing.T, bin, kind, folder, cache string, env ...string) (benchResult, float64) {
	t.Helper()
	cmd := exec.Command(bin, "-test.run=^$")
	cmd.Env = append(append(os.Environ(), benchCaseEnv+"="+kind+":"+folder, CacheDirEnv+"="+cache), env...)
	var errb strings.Builder
	cmd.Stderr = &errb
	cmd.Env = append(cmd.Env, fmt.Sprintf("%s=%d", benchT0Env, time.Now().UnixNano()))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", kind, folder, err, errb.String())
	}
	var r benchResult
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("%s: %q: %v", kind, out, err)
	}
	return r, r.PeakMB
}

// peakRSSMB is this process's peak resident set (VmHWM), in MB.
func peakRSSMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb float64
			fmt.Sscanf(strings.TrimSpace(rest), "%f", &kb)
			return kb / 1024
		}
	}
	return 0
}

// photoSet writes n distinct JPEGs of w×h made from the sample photos
// (random crops, scaled up or down), quality 90.
func photoSet(t *testing.T, dir string, n, w, h int) {
	t.Helper()
	names := samples(t)
	rng := rand.New(rand.NewSource(int64(n*w + h)))
	var wg sync.WaitGroup
	ch := make(chan int)
	for k := 0; k < runtime.NumCPU(); k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range ch {
				src := openSample(t, names[i%len(names)])
				b := src.Bounds()
				cw, ch := b.Dx()*3/4, b.Dy()*3/4
				x, y := (i*37)%(b.Dx()-cw+1), (i*53)%(b.Dy()-ch+1)
				crop := imaging.Crop(src, image.Rect(x, y, x+cw, y+ch))
				writeJPEG(t, filepath.Join(dir, fmt.Sprintf("%02d", i%10), fmt.Sprintf("p%05d.jpg", i)), imaging.Resize(crop, w, h, imaging.Linear), 90)
			}
		}()
	}
	_ = rng
	for i := 0; i < n; i++ {
		ch <- i
	}
	close(ch)
	wg.Wait()
}

func TestLibraryBenchmarks(t *testing.T) {
	if os.Getenv(benchEnv) == "" {
		t.Skip("set " + benchEnv + "=1 to run the library benchmarks")
	}
	work := t.TempDir()
	var rows []string
	row := func(s string, args ...any) {
		rows = append(rows, fmt.Sprintf(s, args...))
		t.Logf(s, args...)
	}
	row("| case | images | time | rate | peak RSS | notes |")
	row("|---|---|---|---|---|---|")
	only100k := os.Getenv(benchEnv) == "100k"

	for _, c := range []struct {
		name string
		n    int
		w, h int
	}{{"~1 MP JPEG (1155×866)", 120, 1155, 866}, {"12 MP JPEG (4000×3000)", 80, 4000, 3000}} {
		if only100k {
			break
		}
		dir := filepath.Join(work, fmt.Sprintf("set%d", c.w))
		photoSet(t, dir, c.n, c.w, c.h)
		d, drss := runCase(t, "decode", dir, filepath.Join(work, "cache-decode"))
		row("| %s: plain decode only (Go, %d goroutines) | %d | %.1f s | %.1f images/s | %.0f MB | the decode alone, same files |", c.name, runtime.NumCPU(), d.N, d.Seconds, float64(d.N)/d.Seconds, drss)
		for _, dec := range []struct{ name, env string }{{engine.JPEGDecoder(), "RELVIEW_JPEG="}, {"Go image/jpeg + box shrink", "RELVIEW_JPEG=go"}} {
			r, rss := runCase(t, "index", dir, filepath.Join(work, "cache-"+filepath.Base(dir)+dec.env), dec.env)
			row("| %s: index, both spaces + thumbnails, %s | %d | %.1f s | %.1f images/s | %.0f MB | %s |", c.name, dec.name, r.N, r.Seconds, float64(r.N)/r.Seconds, rss, r.Extra)
		}
	}

	// An unchanged 10k library: 10k small distinct-name files (copies of 100
	// distinct images, so the first index is quick).
	if only100k {
		goto big
	}
	{
		lib10k := filepath.Join(work, "lib10k")
		photoSet(t, filepath.Join(work, "seed"), 100, 320, 240)
		seeds, _ := filepath.Glob(filepath.Join(work, "seed", "*", "*.jpg"))
		for i := 0; i < 10000; i++ {
			b, err := os.ReadFile(seeds[i%len(seeds)])
			must(t, err)
			p := filepath.Join(lib10k, fmt.Sprintf("d%03d", i/100), fmt.Sprintf("f%05d.jpg", i))
			must(t, os.MkdirAll(filepath.Dir(p), 0o755))
			must(t, os.WriteFile(p, b, 0o644))
		}
		cache10k := filepath.Join(work, "cache10k")
		first, rss := runCase(t, "index", lib10k, cache10k)
		row("| 10k library, first index (100 distinct images, the rest copies) | %d | %.1f s | %.0f images/s | %.0f MB | %s |", first.N, first.Seconds, float64(first.N)/first.Seconds, rss, first.Extra)
		ref, rss := runCase(t, "refresh", lib10k, cache10k)
		row("| 10k library, unchanged refresh | %d | %.2f s | — | %.0f MB | stat only, nothing read |", ref.N, ref.Seconds, rss)
	}
big:

	// 100k images: a catalog filled with random unit vectors of the real
	// dimensions, then a fresh process opens it and asks for neighbours.
	lib100k := filepath.Join(work, "lib100k")
	must(t, os.MkdirAll(lib100k, 0o755))
	cache100k := filepath.Join(work, "cache100k")
	t0 := time.Now()
	fill100k(t, lib100k, cache100k, 100000)
	t.Logf("filled the 100k catalog in %s", time.Since(t0))
	for _, c := range []struct {
		name string
		env  []string
	}{
		{"flat float32, no snapshots (as before)", []string{benchStoreEnv + "=flat", benchNoSnapEnv + "=1"}},
		{"flat float32, first open (catalog load, writes snapshots)", []string{benchStoreEnv + "=flat"}},
		{"flat float32, snapshots current", []string{benchStoreEnv + "=flat"}},
		{"int8, first open (float32 snapshots do not fit: catalog load, writes int8 snapshots)", []string{benchStoreEnv + "=int8"}},
		{"int8, snapshots current", []string{benchStoreEnv + "=int8"}},
	} {
		op, rss := runCase(t, "open", lib100k, cache100k, c.env...)
		row("| 100k catalog, %s: open + first visual neighbours (k=12) | 100000 | %.2f s | — | %.0f MB | %s |", c.name, op.Seconds, rss, op.Extra)
	}

	fmt.Println(strings.Join(rows, "\n"))
}

// fill100k writes a catalog of n images with random vectors in both spaces.
func fill100k(t *testing.T, folder, cache string, n int) {
	t.Helper()
	dims := map[string]int{engine.Visual: engine.BuiltinPooledDim, engine.Relational: engine.RelationalDim}
	rng := rand.New(rand.NewSource(1))
	fillCatalog(t, folder, cache, n, func(space string, _ int) []float32 {
		v := make([]float32, dims[space])
		for j := range v {
			v[j] = float32(rng.NormFloat64())
		}
		return v
	})
}

// fillCatalog writes a catalog of n indexed images whose vectors in both
// spaces vec makes (normalised here), in transactions of 5000 images.
func fillCatalog(t *testing.T, folder, cache string, n int, vec func(space string, i int) []float32) {
	t.Helper()
	lib, err := Open(folder, Options{CacheRoot: cache})
	must(t, err)
	defer lib.Close()
	models := map[string]string{engine.Visual: "synthetic-visual", engine.Relational: "synthetic-relational"}
	const batch = 5000
	for start := 0; start < n; start += batch {
		tx, err := lib.db.Begin()
		must(t, err)
		insImg, err := tx.Prepare(`INSERT INTO images(id, path, size, mtime, hash, width, height, format, status) VALUES (?, ?, 1000, 1, ?, 4000, 3000, 'jpeg', 'indexed')`)
		must(t, err)
		insVec, err := tx.Prepare(`INSERT INTO vectors(image_id, space, model, dim, data) VALUES (?, ?, ?, ?, ?)`)
		must(t, err)
		for i := start; i < min(n, start+batch); i++ {
			id := int64(i + 1)
			_, err := insImg.Exec(id, fmt.Sprintf("d%04d/p%07d.jpg", i/1000, i), fmt.Sprintf("%032x", i))
			must(t, err)
			for _, sp := range []string{engine.Visual, engine.Relational} {
				v := vec(sp, i)
				engine.Normalize(v)
				_, err := insVec.Exec(id, sp, models[sp], len(v), encodeVector(v))
				must(t, err)
			}
		}
		insImg.Close()
		insVec.Close()
		must(t, tx.Commit())
		if start%100000 == 0 && start > 0 {
			t.Logf("filled %d of %d", start, n)
		}
	}
}

// BenchmarkStages times the stages of indexing one photo, on a ~1 MP and a
// 12 MP JPEG made from a sample photo:
//
//	go test ./library -run '^$' -bench Stages -benchtime 20x
func BenchmarkStages(b *testing.B) {
	eng := testEngine(b)
	for _, size := range []struct {
		name string
		w, h int
	}{{"1MP", 1155, 866}, {"12MP", 4000, 3000}} {
		src := imaging.Resize(openSample(b, "motorcycle_left.png"), size.w, size.h, imaging.Linear)
		p := filepath.Join(b.TempDir(), "x.jpg")
		writeJPEG(b, p, src, 90)
		data, err := os.ReadFile(p)
		must(b, err)
		goImg, err := engine.DecodeBytes(data)
		must(b, err)
		b.Run(size.name+"/decode-go", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := engine.DecodeBytes(data); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(size.name+"/decode-scaled", func(b *testing.B) { // libjpeg-turbo when built with it
			for i := 0; i < b.N; i++ {
				if _, _, _, err := engine.DecodeScaled(data); err != nil {
					b.Fatal(err)
				}
			}
		})
		small, _, _, _ := engine.DecodeScaled(data)
		b.Run(size.name+"/thumbnail-from-go-decode", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				makeThumb(goImg)
			}
		})
		b.Run(size.name+"/encode-from-go-decode", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := eng.Encode(goImg); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(size.name+"/encode-from-index-decode", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				if _, err := eng.Encode(small); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(size.name+"/hash", func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				contentHash(data)
			}
		})
	}
}
