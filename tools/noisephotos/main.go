// Command noisephotos writes N small PNGs of random noise, all distinct,
// 500 to a folder, for memory and speed measurements of indexing (see
// docs/benchmarks.md): noisephotos DIR N.
package main

import (
	"fmt"
	"image"
	"image/png"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: noisephotos DIR N")
		os.Exit(2)
	}
	n, err := strconv.Atoi(os.Args[2])
	if err != nil || n < 0 {
		fmt.Fprintf(os.Stderr, "noisephotos: N %q: want a count\n", os.Args[2])
		os.Exit(2)
	}
	if err := write(os.Args[1], n); err != nil {
		fmt.Fprintln(os.Stderr, "noisephotos:", err)
		os.Exit(1)
	}
}

func write(dir string, n int) error {
	rng := rand.New(rand.NewSource(1))
	for i := 0; i < n; i++ {
		img := image.NewNRGBA(image.Rect(0, 0, 64, 48))
		rng.Read(img.Pix)
		for p := 3; p < len(img.Pix); p += 4 {
			img.Pix[p] = 255
		}
		sub := filepath.Join(dir, fmt.Sprintf("d%03d", i/500))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			return err
		}
		f, err := os.Create(filepath.Join(sub, fmt.Sprintf("p%06d.png", i)))
		if err != nil {
			return err
		}
		if err := png.Encode(f, img); err != nil {
			f.Close()
			return fmt.Errorf("%s: %w", f.Name(), err)
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	return nil
}
