package ui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"
	"relview/engine"
)

// The encoder of each space is a string preference: "" for the built-in
// encoder, else the path of a plug-in manifest (engine.Manifest) that fills
// that space. prefPlugin is the key of relview ≤ this change, which could
// only name a relational plug-in; it is read when the new key is unset.
const (
	prefEncoderRelational = "encoderRelational"
	prefEncoderVisual     = "encoderVisual"
	prefPlugin            = "relationalPlugin"
)

// engineConfig is what an engine is opened with; comparable, so the
// settings can tell whether the running engine is the one they ask for.
type engineConfig struct {
	threads    int    // 0: all cores
	relational string // manifest path; "": built-in
	visual     string
}

// manifest is the plug-in manifest of space ("": built-in).
func (c engineConfig) manifest(space string) string {
	if space == engine.Visual {
		return c.visual
	}
	return c.relational
}

// plugins lists the manifests, as engine.Options.Plugins takes them.
func (c engineConfig) plugins() []string {
	var out []string
	for _, m := range []string{c.relational, c.visual} {
		if m != "" {
			out = append(out, m)
		}
	}
	return out
}

func encoderPrefKey(space string) string {
	if space == engine.Visual {
		return prefEncoderVisual
	}
	return prefEncoderRelational
}

// encoderPref is the manifest chosen for space ("": built-in).
func encoderPref(p fyne.Preferences, space string) string {
	legacy := ""
	if space == engine.Relational {
		legacy = p.String(prefPlugin)
	}
	return p.StringWithFallback(encoderPrefKey(space), legacy)
}

// setEncoderPref stores the manifest of space ("": built-in).
func setEncoderPref(p fyne.Preferences, space, manifest string) {
	p.SetString(encoderPrefKey(space), manifest)
	if space == engine.Relational {
		p.RemoveValue(prefPlugin)
	}
}

// wantedEngine is the engine the preferences ask for.
func wantedEngine(p fyne.Preferences) engineConfig {
	return engineConfig{
		threads:    p.Int(prefThreads),
		relational: encoderPref(p, engine.Relational),
		visual:     encoderPref(p, engine.Visual),
	}
}

// checkManifest loads a manifest chosen for space and refuses one that is
// malformed, fills another space, or whose model file is missing. Whether
// ONNX Runtime accepts the model is known only when the engine opens it
// (ApplyEncoders), which keeps the running engine if it fails.
func checkManifest(path, space string) (*engine.Manifest, error) {
	m, err := engine.LoadManifest(path)
	if err != nil {
		return nil, err
	}
	if m.Space != space {
		return nil, fmt.Errorf("manifest %s fills the %s space, not the %s space", path, m.Space, space)
	}
	if _, err := os.Stat(m.ModelPath()); err != nil {
		return nil, fmt.Errorf("manifest %s: model: %w", path, err)
	}
	return m, nil
}

// encoderRow is the settings row of one space: which encoder fills it, a
// button that picks a plug-in manifest with a file dialog, one that goes
// back to the built-in encoder, and the last error.
type encoderRow struct {
	space   string
	prefs   fyne.Preferences
	win     fyne.Window
	current *widget.Label
	errText *widget.Label
	pickBtn *widget.Button
	builtin *widget.Button
	content fyne.CanvasObject
	changed func() // after the preference changed
}

func newEncoderRow(space string, p fyne.Preferences, win fyne.Window, changed func()) *encoderRow {
	r := &encoderRow{space: space, prefs: p, win: win, changed: changed,
		current: widget.NewLabel(""), errText: widget.NewLabel("")}
	r.current.Wrapping = fyne.TextWrapBreak
	r.errText.Wrapping = fyne.TextWrapWord
	r.errText.Importance = widget.DangerImportance
	r.errText.Hide()
	r.pickBtn = widget.NewButton("Plug-in manifest…", r.showFileDialog)
	r.builtin = widget.NewButton("Built-in", r.useBuiltin)
	r.content = container.NewVBox(container.NewBorder(nil, nil, nil, container.NewHBox(r.builtin, r.pickBtn), r.current), r.errText)
	r.refresh()
	return r
}

// refresh shows the stored choice.
func (r *encoderRow) refresh() {
	path := encoderPref(r.prefs, r.space)
	if path == "" {
		r.current.SetText("built-in")
		r.builtin.Disable()
		return
	}
	r.builtin.Enable()
	if m, err := engine.LoadManifest(path); err == nil {
		r.current.SetText(fmt.Sprintf("plug-in %s (%s)", m.Name, path))
	} else {
		r.current.SetText("plug-in " + path + " (cannot be read now)")
	}
}

func (r *encoderRow) setError(err error) {
	if err == nil {
		r.errText.SetText("")
		r.errText.Hide()
		return
	}
	r.errText.SetText(err.Error())
	r.errText.Show()
}

// pick validates the manifest at path and stores it; a bad one is shown
// and the stored choice kept. It reports whether path was taken.
func (r *encoderRow) pick(path string) bool {
	if _, err := checkManifest(path, r.space); err != nil {
		r.setError(err)
		return false
	}
	r.setError(nil)
	setEncoderPref(r.prefs, r.space, path)
	r.refresh()
	if r.changed != nil {
		r.changed()
	}
	return true
}

func (r *encoderRow) useBuiltin() {
	r.setError(nil)
	setEncoderPref(r.prefs, r.space, "")
	r.refresh()
	if r.changed != nil {
		r.changed()
	}
}

func (r *encoderRow) showFileDialog() {
	d := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil {
			r.setError(err)
			return
		}
		if rc == nil {
			return // cancelled
		}
		path := rc.URI().Path()
		rc.Close()
		r.pick(path)
	}, r.win)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".json"}))
	if cur := encoderPref(r.prefs, r.space); cur != "" {
		if l, err := storage.ListerForURI(storage.NewFileURI(filepath.Dir(cur))); err == nil {
			d.SetLocation(l)
		}
	}
	d.Resize(fyne.NewSize(900, 600))
	d.Show()
}

// runningEngine is the configuration the current engine was opened with,
// and whether one is open.
func (s *Session) runningEngine() (engineConfig, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.engCfg, s.engLoaded && s.engErr == nil
}

// ApplyEncoders opens an engine with the encoders and threads the
// preferences ask for. If it opens, it replaces the running engine and the
// open library is opened again with it, which re-embeds only the spaces
// whose encoder changed; if it does not, the running engine stays. done
// runs on the UI thread with the error. It is a step of the library
// lifecycle (see Session).
func (s *Session) ApplyEncoders(done func(error)) {
	cfg := wantedEngine(s.b.app.Preferences())
	s.b.status.message("Loading the encoders…")
	spawn(s.life, ticket{}, func() error {
		s.step.Lock()
		defer s.step.Unlock()
		return s.applyEngine(cfg)
	}, func(err error) {
		if err != nil {
			s.b.status.message("The encoders were not changed: " + err.Error())
		}
		if done != nil {
			done(err)
		}
	})
}

func (s *Session) applyEngine(cfg engineConfig) error {
	if s.openEngine == nil {
		return errors.New("no encoder engine configured")
	}
	s.engMu.Lock()
	eng, err := s.openEngine(cfg.threads, cfg.plugins())
	if err != nil {
		s.engMu.Unlock()
		return fmt.Errorf("loading the encoders: %w", err)
	}
	s.mu.Lock()
	old := s.eng
	s.eng, s.engErr, s.engLoaded, s.engCfg = eng, nil, true, cfg
	lib := s.lib
	s.mu.Unlock()
	s.engMu.Unlock()
	var openErr error
	if lib != nil {
		// open stops indexing and closes the library (which used the old
		// engine) before it opens the folder with the new one.
		openErr = s.open(lib.Root())
	}
	if old != nil {
		if openErr == nil || s.library() == nil {
			old.Close()
		}
	}
	return openErr
}
