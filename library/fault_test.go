package library

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"image/png"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/disintegration/imaging"
	"relview/engine"
)

// pngChunk builds one PNG chunk with its CRC.
func pngChunk(typ string, data []byte) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, uint32(len(data)))
	b.WriteString(typ)
	b.Write(data)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	return b.Bytes()
}

// hugePNG is a PNG whose header claims w×h pixels, with a little IDAT.
func hugePNG(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	b.Write(pngChunk("IHDR", ihdr))
	b.Write(pngChunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01}))
	b.Write(pngChunk("IEND", nil))
	return b.Bytes()
}

func TestHostileCorpus(t *testing.T) {
	folder := t.TempDir()
	put := func(name string, data []byte) {
		t.Helper()
		must(t, os.MkdirAll(filepath.Dir(filepath.Join(folder, name)), 0o755))
		must(t, os.WriteFile(filepath.Join(folder, name), data, 0o644))
	}
	good := map[string]bool{}
	bad := map[string]string{} // name -> part of the reason
	goodJPEG, _ := os.ReadFile(filepath.Join(samplePhotos, "dog.jpg"))

	put("ok.jpg", goodJPEG)
	good["ok.jpg"] = true
	put("empty.jpg", nil)
	bad["empty.jpg"] = "empty"
	put("truncated.jpg", goodJPEG[:len(goodJPEG)/3])
	bad["truncated.jpg"] = "jpeg"
	rnd := make([]byte, 5000)
	rand.New(rand.NewSource(1)).Read(rnd)
	put("random.jpg", rnd)
	bad["random.jpg"] = "not a supported image"
	put("huge.png", hugePNG(60000, 60000))
	bad["huge.png"] = "exceeds"
	put("photo.heic", []byte("\x00\x00\x00\x18ftypheic junk"))
	bad["photo.heic"] = "not a supported image"

	// 16-bit PNG.
	img16 := image.NewRGBA64(image.Rect(0, 0, 96, 64))
	for y := 0; y < 64; y++ {
		for x := 0; x < 96; x++ {
			img16.SetRGBA64(x, y, color.RGBA64{uint16(x * 600), uint16(y * 900), 40000, 0xffff})
		}
	}
	var b16 bytes.Buffer
	must(t, png.Encode(&b16, img16))
	put("deep/16bit.png", b16.Bytes())
	good["deep/16bit.png"] = true

	// Animated GIF: three frames.
	src := imaging.Resize(openSample(t, "chelsea.png"), 120, 80, imaging.Box)
	anim := &gif.GIF{}
	for i := 0; i < 3; i++ {
		fr := image.NewPaletted(image.Rect(0, 0, 120, 80), palette.Plan9)
		for y := 0; y < 80; y++ {
			for x := 0; x < 120; x++ {
				fr.Set(x, y, src.At((x+20*i)%120, y))
			}
		}
		anim.Image = append(anim.Image, fr)
		anim.Delay = append(anim.Delay, 10)
	}
	var bg bytes.Buffer
	must(t, gif.EncodeAll(&bg, anim))
	put("animated.gif", bg.Bytes())
	good["animated.gif"] = true

	// A JPEG with no extension is found by its content; a text file is not.
	put("no-extension", goodJPEG)
	good["no-extension"] = true
	put("readme.txt", []byte("hello"))

	// A file name that is not UTF-8.
	latin1 := "caf\xe9 au lait.jpg"
	writeJPEG(t, filepath.Join(folder, latin1), openSample(t, "coffee.png"), 85)
	good[latin1] = true

	// CMYK JPEG (Adobe, inverted), when this build can write one.
	if cmyk, err := cmykJPEG(openSample(t, "astronaut.png")); err == nil {
		put("cmyk.jpg", cmyk)
		good["cmyk.jpg"] = true
	} else {
		t.Logf("no CMYK JPEG in the corpus: %v", err)
	}

	// Symbolic links: a self loop, a loop through a folder, a link to a file.
	must(t, os.Symlink("loop", filepath.Join(folder, "loop")))
	must(t, os.Symlink("..", filepath.Join(folder, "deep", "up")))
	must(t, os.Symlink("ok.jpg", filepath.Join(folder, "link-to-ok.jpg")))
	good["link-to-ok.jpg"] = true

	// Unreadable file and folder: root reads anything, so only as a user.
	unreadable := os.Geteuid() != 0
	if unreadable {
		put("locked/inside.jpg", goodJPEG)
		put("secret.jpg", goodJPEG)
		must(t, os.Chmod(filepath.Join(folder, "secret.jpg"), 0))
		must(t, os.Chmod(filepath.Join(folder, "locked"), 0))
		t.Cleanup(func() { os.Chmod(filepath.Join(folder, "locked"), 0o755) })
		bad["secret.jpg"] = "permission denied"
	} else {
		t.Log("running as root: the unreadable file and folder cases are skipped (root reads them)")
	}

	before := treeDigest(t, folder)
	lib := openLib(t, folder, t.TempDir(), Options{})
	sum, err := lib.Index(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	imgs, err := lib.Images()
	if err != nil {
		t.Fatal(err)
	}
	byPath := map[string]Image{}
	for _, im := range imgs {
		byPath[im.Path] = im
	}
	for name := range good {
		im, ok := byPath[name]
		if !ok || im.Status != StatusIndexed {
			t.Errorf("%q: %+v (present %v), want indexed", name, im, ok)
		}
	}
	for name, why := range bad {
		im, ok := byPath[name]
		if !ok || im.Status != StatusFailed || !strings.Contains(strings.ToLower(im.Reason), why) {
			t.Errorf("%q: %+v (present %v), want failed with %q in the reason", name, im, ok, why)
		}
	}
	if len(imgs) != len(good)+len(bad) {
		t.Errorf("%d catalogued files, want %d: %+v", len(imgs), len(good)+len(bad), imgs)
	}
	if sum.Failed != len(bad) || len(sum.Failures) != len(bad) {
		t.Errorf("summary %+v: want %d failures", sum, len(bad))
	}
	if im := byPath["deep/16bit.png"]; im.Width != 96 || im.Height != 64 {
		t.Errorf("16-bit PNG size %dx%d", im.Width, im.Height)
	}
	st, _ := lib.Status()
	var loopSeen bool
	for _, p := range st.Problems {
		if p.Path == "loop" {
			loopSeen = true
		}
	}
	if !loopSeen {
		t.Errorf("the symlink loop is not recorded among the problems: %+v", st.Problems)
	}
	if unreadable {
		var dirSeen bool
		for _, p := range st.Problems {
			dirSeen = dirSeen || p.Path == "locked"
		}
		if !dirSeen {
			t.Errorf("the unreadable folder is not recorded: %+v", st.Problems)
		}
	}
	// The non-UTF-8 name round-trips and can be queried.
	if hits, err := lib.Neighbours(latin1, engine.Visual, 2); err != nil || len(hits) != 2 {
		t.Errorf("neighbours of the non-UTF-8 file: %v, %v", hits, err)
	}
	// A second run retries nothing that is broken for good.
	sum, err = lib.Index(context.Background(), nil)
	if err != nil || sum.Indexed != 0 || sum.Failed != 0 {
		t.Errorf("second run over the hostile corpus: %+v, %v", sum, err)
	}
	sameTree(t, before, treeDigest(t, folder))
}

// killCorpus writes n distinct JPEGs (crops of the sample photos).
func killCorpus(t *testing.T, dir string, n int) {
	t.Helper()
	names := samples(t)
	rng := rand.New(rand.NewSource(7))
	for i := 0; i < n; i++ {
		src := openSample(t, names[i%len(names)])
		b := src.Bounds()
		cw, ch := b.Dx()*2/3, b.Dy()*2/3
		x, y := rng.Intn(b.Dx()-cw+1), rng.Intn(b.Dy()-ch+1)
		crop := imaging.Crop(src, image.Rect(x, y, x+cw, y+ch))
		writeJPEG(t, filepath.Join(dir, string(rune('a'+i%5)), fmt.Sprintf("img%03d.jpg", i)), imaging.Resize(crop, 1000, 0, imaging.Linear), 92)
	}
}

func TestKillDuringIndexing(t *testing.T) {
	if testing.Short() {
		t.Skip("kill -9 test spawns processes")
	}
	folder := t.TempDir()
	const n = 120
	killCorpus(t, folder, n)
	cache := t.TempDir()
	before := treeDigest(t, folder)
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	kills, interrupted := 0, 0
	for round := 0; round < 6; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"="+folder, CacheDirEnv+"="+cache)
		out, err := cmd.StdoutPipe()
		must(t, err)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		must(t, cmd.Start())
		started := make(chan struct{})
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				if sc.Text() == "started" {
					close(started)
				}
			}
		}()
		select {
		case <-started:
		case <-time.After(60 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("child did not start: %s", stderr.String())
		}
		// Some rounds kill almost at once, others well into the work.
		time.Sleep(time.Duration(50+rng.Intn(700)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err == nil {
			kills++
		}
		err = cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && !ws.Signaled() && ws.ExitStatus() != 0 {
			t.Fatalf("child failed on its own (%v): %s", err, stderr.String())
		}
		// After each kill the catalog opens, is sound, and holds part of the work.
		ro := openLib(t, folder, cache, Options{ReadOnly: true})
		assertCatalogSound(t, ro, -1)
		// A run is unfinished while either pass is: the first catalogues
		// the images with both columns' vectors, the second finds their
		// objects.
		var indexed, related int
		ro.db.QueryRow(`SELECT count(*) FROM images`).Scan(&indexed)
		ro.db.QueryRow(`SELECT count(DISTINCT image_id) FROM vectors WHERE space = 'objects'`).Scan(&related)
		ro.Close()
		if indexed < n || related < n {
			interrupted++
		}
		t.Logf("round %d: %d of %d catalogued, %d with objects when killed", round, indexed, n, related)
	}
	if kills == 0 || interrupted < 2 {
		t.Fatalf("%d kills, %d interrupted an unfinished run: the test did not test", kills, interrupted)
	}
	lib := openLib(t, folder, cache, Options{})
	assertCatalogSound(t, lib, -1)
	sum, err := lib.Index(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("after %d kills the final run found %d unchanged and indexed %d", kills, sum.Unchanged, sum.Indexed)
	if sum.Failed != 0 || sum.Indexed+sum.Unchanged != n {
		t.Errorf("final run %+v", sum)
	}
	assertCatalogSound(t, lib, n)
	sameTree(t, before, treeDigest(t, folder))
}
