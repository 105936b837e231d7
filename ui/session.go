package ui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2/dialog"
	"relview/engine"
	"relview/library"
	"relview/sample"
)

// Preference keys.
const (
	prefLastFolder = "lastFolder"
	prefRecent     = "recentFolders"
	prefK          = "neighboursPerColumn"
	prefThreads    = "threads"
	maxRecent      = 8
)

// Session owns the engine and the open library, and switches libraries:
// the Browser shows whatever the session opened.
//
// Opening, switching, clearing and closing a library are steps of one
// serialised lifecycle: each runs off the UI thread after the one before
// has ended, so there is never more than one library open (one SQLite
// handle, one writer lock), and a library is closed only once its
// indexing and the views' work on it have stopped.
type Session struct {
	b          *Browser
	openEngine func(threads int, plugins []string) (*engine.Engine, error)
	dataDir    string // for the sample library
	cacheRoot  string // "" : the default
	// stopTimeout bounds the wait for a library's indexing to stop before
	// it is closed; a library whose indexing has not stopped by then stays
	// open and shown, and the step fails.
	stopTimeout time.Duration

	life  *tasks        // the lifecycle steps; their errors reach the UI thread
	step  sync.Mutex    // held by the running step
	opens atomic.Uint64 // the latest Open: an earlier one not yet started is skipped

	engMu     sync.Mutex // serialises opening engines
	mu        sync.Mutex
	eng       *engine.Engine
	engErr    error
	engLoaded bool
	engCfg    engineConfig // what eng was opened with
	lib       *library.Library

	// OnIndexed runs on the UI thread after each indexing run.
	OnIndexed func(library.Summary, error)
}

// NewSession ties a Browser to libraries opened with the given engine
// opener (nil: no engine; libraries are then only queried, not indexed).
func NewSession(b *Browser, openEngine func(threads int, plugins []string) (*engine.Engine, error), dataDir, cacheRoot string) *Session {
	return &Session{b: b, openEngine: openEngine, dataDir: dataDir, cacheRoot: cacheRoot,
		stopTimeout: 30 * time.Second, life: newTasks(b.ui.do)}
}

// engine opens the engine the first time it is needed (slow: loads ONNX
// Runtime and the models) with the encoders and threads of the preferences;
// ApplyEncoders replaces it.
func (s *Session) engine() (*engine.Engine, error) {
	s.engMu.Lock()
	defer s.engMu.Unlock()
	s.mu.Lock()
	if s.engLoaded {
		defer s.mu.Unlock()
		return s.eng, s.engErr
	}
	s.mu.Unlock()
	cfg := wantedEngine(s.b.app.Preferences())
	var eng *engine.Engine
	err := errors.New("no encoder engine configured")
	if s.openEngine != nil {
		eng, err = s.openEngine(cfg.threads, cfg.plugins())
	}
	s.mu.Lock()
	s.eng, s.engErr, s.engLoaded, s.engCfg = eng, err, true, cfg
	s.mu.Unlock()
	return eng, err
}

// StartFolder decides what to open at start: folder if given, else the last
// library, else the built-in sample library (written on first use).
func (s *Session) StartFolder(folder string) (string, error) {
	if folder != "" {
		return folder, nil
	}
	if last := s.b.app.Preferences().String(prefLastFolder); last != "" {
		if st, err := os.Stat(last); err == nil && st.IsDir() {
			return last, nil
		}
	}
	return sample.Ensure(s.dataDir)
}

// lifecycle runs step off the UI thread once the steps before it have
// ended; an error it returns is shown in a dialog. Call it on the UI
// thread.
func (s *Session) lifecycle(step func() error) {
	spawn(s.life, ticket{}, func() error {
		s.step.Lock()
		defer s.step.Unlock()
		return step()
	}, func(err error) {
		if err != nil {
			s.b.status.message(err.Error())
			dialog.ShowError(err, s.b.win)
		}
	})
}

// openWith queues opening the folder that where names; a later Open
// supersedes it if it has not started by then.
func (s *Session) openWith(where func() (string, error)) {
	n := s.opens.Add(1)
	s.lifecycle(func() error {
		if s.opens.Load() != n {
			return nil // the user asked for another folder since
		}
		folder, err := where()
		if err != nil {
			return err
		}
		return s.open(folder)
	})
}

// Open opens folder in the background: closes the current library, opens
// the new one (read-only when another process is indexing it), shows it and
// starts indexing. Errors are shown in a dialog.
func (s *Session) Open(folder string) {
	s.b.status.message("Opening " + folder + "…")
	s.openWith(func() (string, error) { return folder, nil })
}

// OpenStart opens what StartFolder chooses for folder.
func (s *Session) OpenStart(folder string) {
	s.b.status.message("Preparing the library (the first start writes the sample library)…")
	s.openWith(func() (string, error) { return s.StartFolder(folder) })
}

// OpenSample opens the built-in sample library.
func (s *Session) OpenSample() {
	s.openWith(func() (string, error) {
		dir, err := sample.Ensure(s.dataDir)
		if err != nil {
			return "", fmt.Errorf("writing the sample library: %w", err)
		}
		return dir, nil
	})
}

// Reindex refreshes the open library's index.
func (s *Session) Reindex() {
	s.lifecycle(func() error {
		lib := s.library()
		if lib == nil || lib.ReadOnly() {
			return nil
		}
		if !s.b.ui.run(func() { s.b.StartIndexing(lib, s.OnIndexed) }) {
			return errUIGone
		}
		return nil
	})
}

// open is the step that shows folder: it closes the current library and
// opens folder's (a lifecycle step).
func (s *Session) open(folder string) error {
	abs, err := filepath.Abs(folder)
	if err != nil {
		return fmt.Errorf("open %s: %w", folder, err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return fmt.Errorf("open %s: %w", folder, err)
	}
	if !st.IsDir() {
		return fmt.Errorf("open %s: not a folder", folder)
	}
	s.b.ui.do(func() { s.b.status.message("Loading the encoders…") })
	eng, engErr := s.engine()

	if err := s.closeLibrary(); err != nil {
		return fmt.Errorf("open %s: %w", folder, err)
	}
	opts := library.Options{Engine: eng, CacheRoot: s.cacheRoot}
	if t := s.b.app.Preferences().Int(prefThreads); t > 0 {
		opts.Workers = t
	}
	lib, err := library.Open(abs, opts)
	readOnly := false
	if err != nil && eng != nil {
		// Another relview may be indexing it: show what is catalogued.
		opts.ReadOnly = true
		if l2, err2 := library.Open(abs, opts); err2 == nil {
			lib, err, readOnly = l2, nil, true
		}
	}
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.lib = lib
	s.mu.Unlock()
	var spaces []engine.SpaceInfo
	if eng != nil {
		spaces = eng.Spaces()
	} else if st, err := lib.Status(); err == nil {
		for _, sp := range st.Spaces {
			spaces = append(spaces, engine.SpaceInfo{Space: sp.Space, Model: sp.Model, Dim: sp.Dim})
		}
	}
	s.b.ui.run(func() { // if the window has gone, Close closes lib
		s.b.SetSource(libSource{lib}, spaces)
		s.remember(lib.Root())
		switch {
		case engErr != nil:
			s.b.status.message("Cannot index: " + engErr.Error())
			dialog.ShowError(fmt.Errorf("the encoders could not be loaded, so relview shows only what is already indexed:\n%w", engErr), s.b.win)
		case readOnly:
			s.b.status.message("Another relview process is indexing this folder; showing what is catalogued.")
		default:
			s.b.StartIndexing(lib, s.OnIndexed)
		}
	})
	return nil
}

// closeLibrary stops the open library's indexing, takes it out of the
// views, waits for their work on it and closes it (a lifecycle step, off
// the UI thread). If its indexing does not stop within stopTimeout, the
// library stays open and shown and closeLibrary fails.
func (s *Session) closeLibrary() error {
	lib := s.library()
	if lib == nil {
		return nil
	}
	var stopped <-chan struct{}
	if !s.b.ui.run(func() { stopped = s.b.CancelIndexing() }) {
		return errUIGone
	}
	if !waitClosed(stopped, s.stopTimeout) {
		return fmt.Errorf("the indexing of %s did not stop within %s, so it stays open; try again", lib.Root(), s.stopTimeout)
	}
	var work *tasks
	if !s.b.ui.run(func() { work = s.b.attach(nil, nil) }) {
		return errUIGone
	}
	return s.release(lib, work)
}

// release closes lib once the views' work on it (work, nil: none) has
// ended.
func (s *Session) release(lib *library.Library, work *tasks) error {
	if work != nil {
		work.wait(0) // queries and thumbnails: they end
	}
	s.mu.Lock()
	if s.lib == lib {
		s.lib = nil
	}
	s.mu.Unlock()
	if err := lib.Close(); err != nil {
		return fmt.Errorf("closing the library %s: %w", lib.Root(), err)
	}
	return nil
}

// errUIGone fails a lifecycle step that needs the UI thread once the UI
// loop has ended (the window closed during the step; Close finishes up).
var errUIGone = errors.New("the window has closed")

// waitClosed waits up to timeout for ch to close.
func waitClosed(ch <-chan struct{}, timeout time.Duration) bool {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-ch:
		return true
	case <-t.C:
		return false
	}
}

// remember makes folder the last library and puts it first in the recents.
func (s *Session) remember(folder string) {
	p := s.b.app.Preferences()
	p.SetString(prefLastFolder, folder)
	recent := []string{folder}
	for _, r := range p.StringList(prefRecent) {
		if r != folder && len(recent) < maxRecent {
			recent = append(recent, r)
		}
	}
	p.SetStringList(prefRecent, recent)
}

// Recent lists the recently opened folders, most recent first.
func (s *Session) Recent() []string { return s.b.app.Preferences().StringList(prefRecent) }

// library is the open library, or nil.
func (s *Session) library() *library.Library {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lib
}

// ClearCache deletes the open library's cache folder (catalog and
// thumbnails; never the photos) and opens the folder again, which indexes
// it anew.
func (s *Session) ClearCache() {
	lib := s.library()
	if lib == nil || lib.ReadOnly() {
		return
	}
	root, dir := lib.Root(), lib.CacheFolder()
	s.lifecycle(func() error {
		if s.library() != lib {
			return nil // another library was opened since
		}
		if err := s.closeLibrary(); err != nil {
			return fmt.Errorf("clearing the cache of %s: %w", root, err)
		}
		if err := os.RemoveAll(dir); err != nil {
			return fmt.Errorf("clearing the cache of %s: %w", root, err)
		}
		return s.open(root)
	})
}

// Close stops indexing and closes the library and the engine. It runs on
// the UI thread once the UI loop has ended (Run), or in tests once nothing
// is in flight: it does not wait for lifecycle steps that need the UI.
func (s *Session) Close() {
	s.life.close()
	s.step.Lock()
	defer s.step.Unlock()
	if lib := s.library(); lib != nil {
		// Out of the views first: the indexing is cancelled and nothing the
		// library's work still posts touches them.
		work := s.b.attach(nil, nil)
		if work != nil && !work.wait(s.stopTimeout) {
			return // its indexing still uses the library and the engine; the process ends anyway
		}
		_ = s.release(lib, nil) // the process ends: nothing to tell
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.eng != nil {
		s.eng.Close()
		s.eng = nil
	}
}
