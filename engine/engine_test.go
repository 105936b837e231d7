package engine

import (
	"errors"
	"image"
	"math"
	"testing"
)

func TestCompareSelfIsOne(t *testing.T) {
	e := engineForTest(t)
	a, err := e.EncodeFile(photo("motorcycle_left.png"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.EncodeFile(photo("motorcycle_left.png"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range e.Spaces() {
		if got := Cosine(a[s.Space], b[s.Space]); math.Abs(float64(got)-1) > 1e-5 {
			t.Errorf("%s: self-similarity %.6f, want 1", s.Space, got)
		}
		if len(a[s.Space]) != s.Dim {
			t.Errorf("%s: vector has %d values, Spaces says %d", s.Space, len(a[s.Space]), s.Dim)
		}
		var n float64
		for _, x := range a[s.Space] {
			n += float64(x) * float64(x)
		}
		if !s.Aux && math.Abs(n-1) > 1e-4 { // an auxiliary space (objects) holds strengths
			t.Errorf("%s: |v|² = %v, want unit vectors", s.Space, n)
		}
	}
}

// Two photos of the same motorcycle must be visually much closer than
// unrelated photos are to each other.
func TestVisualSameObjectBeatsUnrelated(t *testing.T) {
	e := engineForTest(t)
	vec := func(name string) []float32 {
		v, err := e.EncodeFile(photo(name))
		if err != nil {
			t.Fatal(err)
		}
		return v[Visual]
	}
	left, right := vec("motorcycle_left.png"), vec("motorcycle_right.png")
	same := Cosine(left, right)
	var worst float32 = -1
	for _, other := range []string{"chelsea.png", "coffee.png", "rocket.jpg", "dog.jpg", "astronaut.png", "kite.jpg"} {
		o := vec(other)
		worst = max(worst, Cosine(left, o), Cosine(right, o))
	}
	t.Logf("motorcycle left/right %.3f, highest unrelated %.3f", same, worst)
	if same < 0.8 || same-worst < 0.3 {
		t.Errorf("same object %.3f vs highest unrelated %.3f: want >= 0.8 and a margin of 0.3", same, worst)
	}
}

func TestEncodeMirrorRelational(t *testing.T) {
	// The relational descriptor averages over flips, so a mirrored photo has
	// the same structure; a different photo does not.
	e := engineForTest(t)
	img, err := DecodeFile(photo("astronaut.png"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := e.Encode(img)
	if err != nil {
		t.Fatal(err)
	}
	b, err := e.Encode(flipH(img))
	if err != nil {
		t.Fatal(err)
	}
	mirror := Cosine(a[Relational], b[Relational])
	for _, other := range []string{"chelsea.png", "coffee.png", "rocket.jpg", "kite.jpg"} {
		o, err := e.EncodeFile(photo(other))
		if err != nil {
			t.Fatal(err)
		}
		if c := Cosine(a[Relational], o[Relational]); c >= mirror {
			t.Errorf("relational(astronaut, %s) = %.3f >= relational(astronaut, its mirror) = %.3f", other, c, mirror)
		}
	}
}

// Close while other goroutines encode must wait for them and then refuse new
// work, never destroy a session in use (which would crash the process).
func TestCloseWaitsForEncodes(t *testing.T) {
	e, err := Open(Options{Builtin: builtinForTest(t), Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	img, err := DecodeFile(photo("coffee.png"))
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 40)
	for g := 0; g < 4; g++ {
		go func() {
			for i := 0; i < 10; i++ {
				_, err := e.Encode(img)
				errs <- err
			}
		}()
	}
	<-errs // at least one encode has run
	e.Close()
	closed := 0
	for i := 1; i < 40; i++ {
		switch err := <-errs; {
		case err == nil:
		case errors.Is(err, ErrClosed):
			closed++
		default:
			t.Errorf("encode during close: %v", err)
		}
	}
	if _, err := e.Encode(img); !errors.Is(err, ErrClosed) {
		t.Errorf("encode after close: %v, want ErrClosed", err)
	}
	t.Logf("%d of 40 encodes refused after close", closed)
}

// A batch gives every image the vectors it gets alone.
func TestEncodeSpacesBatchMatchesSingle(t *testing.T) {
	e := engineForTest(t)
	var imgs []image.Image
	for _, name := range []string{"chelsea.png", "dog.jpg", "rocket.jpg"} {
		img, err := DecodeFile(photo(name))
		if err != nil {
			t.Fatal(err)
		}
		imgs = append(imgs, img)
	}
	vs, errs := e.EncodeSpacesBatch(imgs, Visual, Relational)
	if len(vs) != 3 || len(errs) != 3 {
		t.Fatalf("%d vectors, %d errors for 3 images", len(vs), len(errs))
	}
	for i, img := range imgs {
		if errs[i] != nil {
			t.Fatalf("image %d: %v", i, errs[i])
		}
		one, err := e.EncodeSpaces(img, Visual, Relational)
		if err != nil {
			t.Fatal(err)
		}
		if len(vs[i]) != 2 {
			t.Errorf("image %d: spaces %d, want 2 (no objects asked for)", i, len(vs[i]))
		}
		for _, sp := range []string{Visual, Relational} {
			if c := Cosine(vs[i][sp], one[sp]); c < 0.9999 {
				t.Errorf("image %d, %s: batch vs alone cosine %.6f", i, sp, c)
			}
		}
	}
	if _, errs := e.EncodeSpacesBatch(imgs[:1], "nowhere"); errs[0] == nil {
		t.Error("a space no encoder fills gave no error")
	}
}
