package library

import (
	"context"
	"fmt"
	"image"
	"os"
	"runtime"
	"sync"
	"testing"
	"time"
)

// The two-pass indexing benchmark runs only when given a photo folder:
//
//	RELVIEW_TWOPASS_BENCH=/path/to/photos go test ./library -run TestTwoPassBenchmark -v -timeout 30m
//
// It indexes the folder from scratch (a fresh cache each time) with the
// relational space filled in a second pass, and with both spaces in one pass
// (Options.SinglePass), alternating, and prints the rates (docs/benchmarks.md,
// "Indexing in two passes").
const twoPassBenchEnv = "RELVIEW_TWOPASS_BENCH"

func TestTwoPassBenchmark(t *testing.T) {
	folder := os.Getenv(twoPassBenchEnv)
	if folder == "" {
		t.Skip("set " + twoPassBenchEnv + "=FOLDER to run the two-pass indexing benchmark")
	}
	eng := testEngine(t)
	// Past the slow first runs of each worker's ONNX Runtime sessions.
	var wg sync.WaitGroup
	for range runtime.NumCPU() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 3 {
				eng.Encode(image.NewNRGBA(image.Rect(0, 0, 300, 200)))
			}
		}()
	}
	wg.Wait()
	rounds := 3
	var best struct{ single, singleTotal, pass1, pass2, total float64 }
	for r := range rounds {
		for _, single := range []bool{true, false} {
			lib := openLib(t, folder, t.TempDir(), Options{SinglePass: single})
			start := time.Now()
			sum, err := lib.Index(context.Background(), nil)
			total := time.Since(start).Seconds()
			if err != nil {
				t.Fatal(err)
			}
			n := float64(sum.Indexed)
			if single {
				t.Logf("round %d single pass: %d images, %.2f s, %.1f images/s (index loop %.1f images/s)", r, sum.Indexed, total, n/total, sum.Rate)
				best.single = max(best.single, sum.Rate)
				best.singleTotal = max(best.singleTotal, n/total)
			} else {
				t.Logf("round %d two passes: %d images, %.2f s in all (%.1f images/s); first pass %.1f images/s, second pass %.1f images/s (%.2f s); related %d, failed %d",
					r, sum.Indexed, total, n/total, sum.Rate, sum.RelateRate, sum.RelateElapsed.Seconds(), sum.Related, sum.RelateFailed)
				best.pass1 = max(best.pass1, sum.Rate)
				best.pass2 = max(best.pass2, sum.RelateRate)
				best.total = max(best.total, n/total)
			}
			lib.Close()
		}
	}
	fmt.Printf("best of %d, %d workers: single pass %.1f images/s (whole run %.1f); two passes: first %.1f, second %.1f, whole run %.1f images/s\n",
		rounds, runtime.NumCPU(), best.single, best.singleTotal, best.pass1, best.pass2, best.total)
}
