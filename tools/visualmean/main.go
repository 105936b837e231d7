// Command visualmean computes the built-in visual space's centre: the mean of
// the unit-normalised pooled vectors of real photos (each photo whole, in
// corner and centre crops, and mirrored), written as little-endian float32 to
// assets/models/<model>.visual-mean.f32. Developers run it after the model
// changes:
//
//	go run ./tools/visualmean [-photos assets/photos] [-out assets/models/mobilenet_v2_140_224.visual-mean.f32]
package main

import (
	"encoding/binary"
	"flag"
	"fmt"
	"image"
	"math"
	"os"
	"path/filepath"
	"sort"

	"github.com/disintegration/imaging"
	"relview/assets"
	"relview/engine"
)

func main() {
	photos := flag.String("photos", "assets/photos", "folder of real photos")
	out := flag.String("out", "assets/models/"+assets.ModelName+".visual-mean.f32", "output file")
	flag.Parse()
	if err := run(*photos, *out); err != nil {
		fmt.Fprintln(os.Stderr, "visualmean:", err)
		os.Exit(1)
	}
}

func run(dir, out string) error {
	if _, err := engine.LoadRuntime(""); err != nil {
		return err
	}
	zero := make([]float32, engine.BuiltinPooledDim)
	// With a zero mean the visual vector is exactly the unit pooled vector.
	enc, err := engine.OpenBuiltin(engine.BuiltinModel{Name: assets.ModelName, ONNX: assets.ModelONNX(), VisualMean: zero}, true, false, engine.SessionOptions{})
	if err != nil {
		return err
	}
	defer enc.Close()
	var files []string
	for _, pat := range []string{"*.jpg", "*.png"} {
		m, err := filepath.Glob(filepath.Join(dir, pat))
		if err != nil {
			return err
		}
		files = append(files, m...)
	}
	sort.Strings(files)
	sum := make([]float64, engine.BuiltinPooledDim)
	n := 0
	for _, f := range files {
		img, err := engine.DecodeFile(f)
		if err != nil {
			return err
		}
		for _, v := range views(img) {
			vec, err := enc.Encode(v)
			if err != nil {
				return fmt.Errorf("%s: %w", f, err)
			}
			for i, x := range vec[engine.Visual] {
				sum[i] += float64(x)
			}
			n++
		}
	}
	if n == 0 {
		return fmt.Errorf("no photos in %s", dir)
	}
	buf := make([]byte, 4*len(sum))
	for i, s := range sum {
		binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(float32(s/float64(n))))
	}
	tmp := out + ".tmp"
	if err := os.WriteFile(tmp, buf, 0o644); err != nil {
		return err
	}
	fmt.Printf("mean of %d views of %d photos -> %s\n", n, len(files), out)
	return os.Rename(tmp, out)
}

// views are the photo whole, its four corner crops and centre crop at 70%,
// and the whole photo mirrored.
func views(img image.Image) []image.Image {
	b := img.Bounds()
	w, h := b.Dx()*7/10, b.Dy()*7/10
	v := []image.Image{img, imaging.FlipH(img), imaging.CropCenter(img, w, h)}
	for _, a := range []imaging.Anchor{imaging.TopLeft, imaging.TopRight, imaging.BottomLeft, imaging.BottomRight} {
		v = append(v, imaging.CropAnchor(img, w, h, a))
	}
	return v
}
