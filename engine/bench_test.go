package engine

import (
	"fmt"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/disintegration/imaging"
)

// Benchmarks of encoding one image end to end (decode, preprocess, inference
// and both spaces' vectors), on a ~1 MP photo and a 12 MP JPEG made from a
// real photo. Run: go test ./engine -run '^$' -bench Encode -benchtime 20x

var benchFiles struct {
	once      sync.Once
	mp1, mp12 string
	err       error
}

func benchImages(b *testing.B) (mp1, mp12 string) {
	b.Helper()
	benchFiles.once.Do(func() {
		src, err := DecodeFile(photo("kite.jpg")) // 1352×900 real photo
		if err != nil {
			benchFiles.err = err
			return
		}
		dir, err := os.MkdirTemp("", "relview-bench")
		if err != nil {
			benchFiles.err = err
			return
		}
		write := func(name string, img image.Image) string {
			p := filepath.Join(dir, name)
			f, err := os.Create(p)
			if err != nil {
				benchFiles.err = err
				return ""
			}
			defer f.Close()
			if err := jpeg.Encode(f, img, &jpeg.Options{Quality: 90}); err != nil {
				benchFiles.err = err
			}
			return p
		}
		benchFiles.mp1 = write("1mp.jpg", imaging.Resize(src, 1224, 816, imaging.Lanczos))
		benchFiles.mp12 = write("12mp.jpg", imaging.Resize(src, 4000, 3000, imaging.Lanczos))
	})
	if benchFiles.err != nil {
		b.Fatal(benchFiles.err)
	}
	return benchFiles.mp1, benchFiles.mp12
}

func BenchmarkEncodeFile(b *testing.B) {
	mp1, mp12 := benchImages(b)
	e := engineForTest(b)
	for _, c := range []struct{ name, path string }{{"1MP", mp1}, {"12MP", mp12}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := e.EncodeFile(c.path); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// The stages of EncodeFile, to see where the time goes.
func BenchmarkEncodeStages(b *testing.B) {
	mp1, mp12 := benchImages(b)
	e := engineForTest(b)
	for _, c := range []struct{ name, path string }{{"1MP", mp1}, {"12MP", mp12}} {
		img, err := DecodeFile(c.path)
		if err != nil {
			b.Fatal(err)
		}
		b.Run("decode/"+c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := DecodeFile(c.path); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("resize224/"+c.name, func(b *testing.B) {
			for b.Loop() {
				BuiltinInputSpec.Fit(img)
			}
		})
	}
	small := BuiltinInputSpec.Fit(image.Image(nil2(b)))
	b.Run("inference+descriptors", func(b *testing.B) {
		for b.Loop() {
			if _, err := e.Encode(small); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func nil2(b *testing.B) image.Image {
	img, err := DecodeFile(photo("chelsea.png"))
	if err != nil {
		b.Fatal(err)
	}
	return img
}

// The backbone alone, batch size and threads measured rather than assumed
// (issue 11): per image, one session of 1 thread running batches of 1, 2 or
// 4 images, and one session of 2 threads running single images (the
// library's pool instead runs one 1-thread session per core).
//
//	go test ./engine -run '^$' -bench BackboneBatch -benchtime 40x
func BenchmarkBackboneBatch(b *testing.B) {
	m := builtinForTest(b)
	engineForTest(b) // ONNX Runtime loaded
	one := make([]float32, BuiltinSize*BuiltinSize*3)
	for i := range one {
		one[i] = float32(i%251) / 251
	}
	for _, c := range []struct {
		threads, batch int
	}{{1, 1}, {1, 2}, {1, 4}, {2, 1}} {
		s, err := newSession("bench", m.ONNX, BuiltinInput, []string{BuiltinPooled, "block_12"}, SessionOptions{Threads: c.threads})
		if err != nil {
			b.Fatal(err)
		}
		in := make([]float32, 0, c.batch*len(one))
		for range c.batch {
			in = append(in, one...)
		}
		b.Run(fmt.Sprintf("threads%d/batch%d", c.threads, c.batch), func(b *testing.B) {
			for b.Loop() {
				if _, err := s.run(in, []int64{int64(c.batch), BuiltinSize, BuiltinSize, 3}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N*c.batch), "ms/image")
		})
		s.close()
	}
}
