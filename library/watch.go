package library

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Debounce of Watch: changes are applied once the folder has been quiet for
// watchQuiet, or at the latest watchMaxWait after the first change.
const (
	watchQuiet   = 500 * time.Millisecond
	watchMaxWait = 3 * time.Second
)

// Watch keeps the catalog up to date while ctx lives: new, changed, moved
// and deleted files are picked up from file-system events (debounced) and
// applied by a refresh limited to the paths that changed, without a full
// rescan. Run Index once first (Watch does not catch up with changes made
// before it started). progress receives the events of each refresh; it may
// be nil. Watch returns when ctx ends (nil) or when watching fails.
func (l *Library) Watch(ctx context.Context, progress func(Progress)) error {
	if l.opts.ReadOnly || l.eng == nil {
		return errors.New("watch: the library needs the writer lock and an engine")
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch %s: %w", l.root, err)
	}
	defer w.Close()
	addTree := func(rel string) {
		abs := filepath.Join(l.root, filepath.FromSlash(rel))
		filepath.WalkDir(abs, func(p string, d os.DirEntry, err error) error {
			if err != nil || !d.IsDir() {
				return nil
			}
			if p != abs && hidden(d.Name()) || p == l.dir {
				return filepath.SkipDir
			}
			_ = w.Add(p) // an unwatchable folder is caught by the next Index
			return nil
		})
	}
	addTree("")
	if progress != nil {
		progress(Progress{Phase: PhaseWatch})
	}
	pending := map[string]bool{}
	var first time.Time
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				// Events were lost: fall back to a full refresh.
				pending[""] = true
				timer.Reset(watchQuiet)
				continue
			}
			return fmt.Errorf("watch %s: %w", l.root, err)
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			rel, inside := toRel(l.root, ev.Name)
			if !inside || rel == "" || hiddenPath(rel) || ev.Op == fsnotify.Chmod {
				continue
			}
			if ev.Op.Has(fsnotify.Create) {
				if st, err := os.Lstat(ev.Name); err == nil && st.IsDir() {
					addTree(rel)
				}
			}
			pending[rel] = true
			if len(pending) == 1 {
				first = time.Now()
			}
			wait := watchQuiet
			if left := watchMaxWait - time.Since(first); left < wait {
				wait = max(left, 0)
			}
			timer.Reset(wait)
		case <-timer.C:
			if len(pending) == 0 {
				continue
			}
			scope := make([]string, 0, len(pending))
			for p := range pending {
				scope = append(scope, p)
			}
			if pending[""] {
				scope = nil
			}
			pending = map[string]bool{}
			if _, err := l.refresh(ctx, scope, progress); err != nil && ctx.Err() == nil {
				return fmt.Errorf("watch: %w", err)
			}
		}
	}
}

// hiddenPath reports whether any component of a relative path is hidden.
func hiddenPath(rel string) bool {
	for rel != "." && rel != "" && rel != "/" {
		if hidden(path.Base(rel)) {
			return true
		}
		rel = path.Dir(rel)
	}
	return false
}
