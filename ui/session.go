package ui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"fyne.io/fyne/v2"
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
type Session struct {
	b          *Browser
	openEngine func(threads int, plugins []string) (*engine.Engine, error)
	dataDir    string // for the sample library
	cacheRoot  string // "" : the default

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
	return &Session{b: b, openEngine: openEngine, dataDir: dataDir, cacheRoot: cacheRoot}
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

// Open opens folder in the background: closes the current library, opens
// the new one (read-only when another process is indexing it), shows it and
// starts indexing. Errors are shown in a dialog.
func (s *Session) Open(folder string) {
	s.b.status.message("Opening " + folder + "…")
	s.b.jobs.Add(1)
	go func() {
		defer s.b.jobs.Done()
		err := s.open(folder)
		if err != nil {
			fyne.Do(func() {
				s.b.status.message(err.Error())
				dialog.ShowError(err, s.b.win)
			})
		}
	}()
}

// OpenSample opens the built-in sample library.
func (s *Session) OpenSample() {
	s.b.jobs.Add(1)
	go func() {
		defer s.b.jobs.Done()
		dir, err := sample.Ensure(s.dataDir)
		if err != nil {
			fyne.Do(func() { dialog.ShowError(err, s.b.win) })
			return
		}
		if err := s.open(dir); err != nil {
			fyne.Do(func() { dialog.ShowError(err, s.b.win) })
		}
	}()
}

func (s *Session) open(folder string) error {
	abs, err := filepath.Abs(folder)
	if err != nil {
		return err
	}
	st, err := os.Stat(abs)
	if err != nil {
		return fmt.Errorf("open %s: %w", folder, err)
	}
	if !st.IsDir() {
		return fmt.Errorf("open %s: not a folder", folder)
	}
	fyne.DoAndWait(func() { s.b.status.message("Loading the encoders…") })
	eng, engErr := s.engine()

	// Stop the current library first.
	fyne.DoAndWait(func() { s.b.CancelIndexing() })
	s.b.waitIndexing(30 * time.Second)
	s.mu.Lock()
	old := s.lib
	s.lib = nil
	s.mu.Unlock()
	if old != nil {
		fyne.DoAndWait(func() { s.b.SetSource(nil, nil) })
		old.Close()
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
	fyne.DoAndWait(func() {
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
	s.b.CancelIndexing()
	s.b.jobs.Add(1)
	go func() {
		defer s.b.jobs.Done()
		s.b.waitIndexing(30 * time.Second)
		s.mu.Lock()
		if s.lib == lib {
			s.lib = nil
		}
		s.mu.Unlock()
		fyne.DoAndWait(func() { s.b.SetSource(nil, nil) })
		lib.Close()
		if err := os.RemoveAll(dir); err != nil {
			fyne.Do(func() { dialog.ShowError(err, s.b.win) })
			return
		}
		if err := s.open(root); err != nil {
			fyne.Do(func() { dialog.ShowError(err, s.b.win) })
		}
	}()
}

// Close stops indexing and closes the library and the engine.
func (s *Session) Close() {
	s.b.CancelIndexing()
	s.b.waitIndexing(10 * time.Second)
	if s.b.thumbs != nil {
		s.b.thumbs.close()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lib != nil {
		s.lib.Close()
		s.lib = nil
	}
	if s.eng != nil {
		s.eng.Close()
		s.eng = nil
	}
}
