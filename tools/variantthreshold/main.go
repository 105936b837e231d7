// Command variantthreshold measures the visual cosine that separates a
// photo's near-duplicates (crops, flips, re-encoded copies, small edits)
// from distinct photos, on the sample library, with the built-in encoder:
//
//	go run ./tools/variantthreshold -ort lib/libonnxruntime.so.1 FOLDER
//
// (a FOLDER that does not exist gets the sample library written into it)
//
// It prints the lowest variant score, the highest distinct-pair score and
// a few quantiles of each; ui.variantThreshold is chosen between them.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/jpeg"
	"io/fs"
	"log"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/disintegration/imaging"
	"relview/cli"
	"relview/engine"
	"relview/sample"
)

func main() {
	ort := flag.String("ort", "", "ONNX Runtime library")
	flag.Parse()
	if flag.NArg() != 1 {
		log.Fatal("usage: variantthreshold [-ort LIB] FOLDER")
	}
	eng, err := cli.OpenEngine(*ort, 2, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer eng.Close()
	dir := flag.Arg(0)
	if _, err := os.Stat(dir); err != nil {
		if dir, err = sample.Ensure(dir); err != nil { // the sample library
			log.Fatal(err)
		}
	}
	var files []string
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".jpg") || strings.HasSuffix(p, ".png")) {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		log.Fatal(err)
	}
	sort.Strings(files)
	vis := func(img image.Image) []float32 {
		v, err := eng.EncodeSpaces(img, engine.Visual)
		if err != nil {
			log.Fatal(err)
		}
		return v[engine.Visual]
	}
	var originals [][]float32
	variants := map[string][]float64{}
	for _, f := range files {
		img, err := engine.DecodeFile(f)
		if err != nil {
			log.Fatal(err)
		}
		o := vis(img)
		originals = append(originals, o)
		b := img.Bounds()
		edits := map[string]image.Image{
			"flip":     imaging.FlipH(img),
			"crop90":   imaging.CropCenter(img, b.Dx()*9/10, b.Dy()*9/10),
			"crop75":   imaging.CropCenter(img, b.Dx()*3/4, b.Dy()*3/4),
			"brighter": imaging.AdjustBrightness(img, 12),
			"contrast": imaging.AdjustContrast(img, 15),
			"small":    imaging.Resize(img, b.Dx()/3, 0, imaging.Box),
			"jpeg q40": reencode(img, 40),
		}
		for name, e := range edits {
			variants[name] = append(variants[name], cosine(o, vis(e)))
		}
	}
	var distinct []float64
	for i := range originals {
		for j := i + 1; j < len(originals); j++ {
			distinct = append(distinct, cosine(originals[i], originals[j]))
		}
	}
	var all []float64
	names := make([]string, 0, len(variants))
	for n := range variants {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		s := variants[n]
		sort.Float64s(s)
		all = append(all, s...)
		fmt.Printf("%-9s n=%d min %.3f p10 %.3f median %.3f\n", n, len(s), s[0], q(s, 0.1), q(s, 0.5))
	}
	sort.Float64s(all)
	sort.Float64s(distinct)
	fmt.Printf("variants  n=%d min %.3f p01 %.3f p05 %.3f\n", len(all), all[0], q(all, 0.01), q(all, 0.05))
	fmt.Printf("distinct  n=%d max %.3f p999 %.3f p99 %.3f p95 %.3f\n", len(distinct), distinct[len(distinct)-1], q(distinct, 0.999), q(distinct, 0.99), q(distinct, 0.95))
	fmt.Println("files:", len(files))
	for t := 0.70; t < 0.951; t += 0.025 {
		fmt.Printf("threshold %.3f: variants caught %.1f%%, distinct pairs taken for variants %d of %d\n", t, 100*above(all, t), int(above(distinct, t)*float64(len(distinct))+0.5), len(distinct))
	}
}

func reencode(img image.Image, quality int) image.Image {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		log.Fatal(err)
	}
	out, err := jpeg.Decode(&buf)
	if err != nil {
		log.Fatal(err)
	}
	return out
}

func q(s []float64, p float64) float64 { return s[int(p*float64(len(s)-1))] }

func cosine(a, b []float32) float64 {
	var ab, aa, bb float64
	for i := range a {
		ab += float64(a[i]) * float64(b[i])
		aa += float64(a[i]) * float64(a[i])
		bb += float64(b[i]) * float64(b[i])
	}
	return ab / math.Sqrt(aa*bb)
}

// above is the fraction of sorted s at or above t.
func above(s []float64, t float64) float64 {
	return float64(len(s)-sort.SearchFloat64s(s, t)) / float64(len(s))
}
