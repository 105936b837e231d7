package library

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// eventually polls cond for up to 15 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func TestWatch(t *testing.T) {
	folder := t.TempDir()
	for _, n := range []string{"dog.jpg", "eagle.jpg", "kite.jpg"} {
		copyFile(t, filepath.Join(samplePhotos, n), filepath.Join(folder, n))
	}
	lib := openLib(t, folder, t.TempDir(), Options{})
	if _, err := lib.Index(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	dog, err := lib.Lookup("dog.jpg")
	must(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	watching := make(chan struct{})
	go func() {
		done <- lib.Watch(ctx, func(p Progress) {
			if p.Phase == PhaseWatch {
				close(watching)
			}
		})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("watch: %v", err)
		}
	}()
	<-watching // changes from now on are seen

	// A new file in a new folder.
	copyFile(t, filepath.Join(samplePhotos, "scream.jpg"), filepath.Join(folder, "new", "scream.jpg"))
	eventually(t, "the new file", func() bool { _, err := lib.Lookup("new/scream.jpg"); return err == nil })
	// A rename keeps the row; a delete removes it.
	must(t, os.Rename(filepath.Join(folder, "dog.jpg"), filepath.Join(folder, "new", "hound.jpg")))
	must(t, os.Remove(filepath.Join(folder, "eagle.jpg")))
	eventually(t, "the rename and the delete", func() bool {
		im, err := lib.Lookup("new/hound.jpg")
		_, gone := lib.Lookup("eagle.jpg")
		return err == nil && im.ID == dog.ID && IsNotIndexed(gone)
	})
	if _, err := lib.Lookup("dog.jpg"); !IsNotIndexed(err) {
		t.Errorf("old name still catalogued: %v", err)
	}
	assertCatalogSound(t, lib, 3)
}
