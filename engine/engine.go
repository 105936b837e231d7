package engine

import (
	"errors"
	"fmt"
	"image"
	"runtime"
	"sort"
	"sync"
)

// Options configures an Engine.
type Options struct {
	ORTLib  string       // --ort-lib; "" to search the usual places
	Threads int          // ONNX Runtime intra-op threads per model; 0 = all cores
	Builtin BuiltinModel // the embedded backbone
	// Plugins are manifest files; each fills (and overrides) its space.
	Plugins []string
}

// MaxThreads is the most ONNX Runtime threads per model Open accepts: four
// per core (at least 16). More only adds threads fighting for the same cores
// (10,000 made one comparison run for minutes).
func MaxThreads() int { return max(16, 4*runtime.NumCPU()) }

// Engine owns ONNX Runtime and the encoders of every space.
type Engine struct {
	rt RuntimeInfo
	// mu lets Close wait for encodes in flight: destroying an ONNX Runtime
	// session while it runs would crash the process (the GUI swaps engines
	// when the user picks another encoder).
	mu       sync.RWMutex
	encoders []Encoder
	spaces   []SpaceInfo
}

// ErrClosed is returned by Encode after Close.
var ErrClosed = errors.New("engine is closed")

// Open loads ONNX Runtime and the encoders: plug-ins first, then the
// built-in backbone for whatever space no plug-in fills.
func Open(opts Options) (*Engine, error) {
	if opts.Threads < 0 || opts.Threads > MaxThreads() {
		return nil, fmt.Errorf("threads %d: want 0 (all cores) to %d (this machine has %d cores)", opts.Threads, MaxThreads(), runtime.NumCPU())
	}
	rt, err := LoadRuntime(opts.ORTLib)
	if err != nil {
		return nil, err
	}
	e := &Engine{rt: rt}
	so := SessionOptions{Threads: opts.Threads}
	filled := map[string]string{}
	for _, path := range opts.Plugins {
		m, err := LoadManifest(path)
		if err != nil {
			e.Close()
			return nil, err
		}
		if prev, dup := filled[m.Space]; dup {
			e.Close()
			return nil, fmt.Errorf("manifest %s: space %q is already filled by %s", path, m.Space, prev)
		}
		enc, err := OpenPlugin(m, so)
		if err != nil {
			e.Close()
			return nil, err
		}
		filled[m.Space] = path
		e.add(enc)
	}
	_, vis := filled[Visual]
	_, rel := filled[Relational]
	if !vis || !rel {
		if len(opts.Builtin.ONNX) == 0 {
			e.Close()
			return nil, errors.New("no built-in model given and not every space has a plug-in")
		}
		enc, err := OpenBuiltin(opts.Builtin, !vis, !rel, so)
		if err != nil {
			e.Close()
			return nil, err
		}
		e.add(enc)
	}
	sort.Slice(e.spaces, func(i, j int) bool { return e.spaces[i].Space < e.spaces[j].Space })
	return e, nil
}

func (e *Engine) add(enc Encoder) {
	e.encoders = append(e.encoders, enc)
	e.spaces = append(e.spaces, enc.Spaces()...)
}

// Runtime describes the loaded ONNX Runtime.
func (e *Engine) Runtime() RuntimeInfo { return e.rt }

// Spaces lists every space, sorted by name ("relational", "visual").
func (e *Engine) Spaces() []SpaceInfo { return append([]SpaceInfo(nil), e.spaces...) }

// Columns lists the searchable spaces (the columns relview shows), without
// the auxiliary ones (Objects).
func (e *Engine) Columns() []SpaceInfo {
	var out []SpaceInfo
	for _, s := range e.spaces {
		if !s.Aux {
			out = append(out, s)
		}
	}
	return out
}

// EncodeColumns encodes img in the searchable spaces only (no object
// detector): what a benchmark of the columns needs.
func (e *Engine) EncodeColumns(img image.Image) (Vectors, error) {
	var names []string
	for _, s := range e.Columns() {
		names = append(names, s.Space)
	}
	return e.EncodeSpaces(img, names...)
}

// Space returns the info of one space.
func (e *Engine) Space(name string) (SpaceInfo, bool) {
	for _, s := range e.spaces {
		if s.Space == name {
			return s, true
		}
	}
	return SpaceInfo{}, false
}

// Encode returns one vector per space (a unit vector in every searchable
// space). Safe for concurrent use.
func (e *Engine) Encode(img image.Image) (Vectors, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.encoders == nil {
		return nil, ErrClosed
	}
	all := Vectors{}
	for _, enc := range e.encoders {
		v, err := enc.Encode(img)
		if err != nil {
			return nil, err
		}
		for k, x := range v {
			all[k] = x
		}
	}
	return all, nil
}

// spaceEncoder is an Encoder that can fill a subset of its spaces for less.
type spaceEncoder interface {
	EncodeSpaces(img image.Image, want map[string]bool) (Vectors, error)
}

// EncodeSpaces returns one vector for each of the named spaces only,
// running just the encoders (and the parts of them) those spaces need: a
// library fills a Deferred space in a pass of its own.
func (e *Engine) EncodeSpaces(img image.Image, spaces ...string) (Vectors, error) {
	vs, errs := e.EncodeSpacesBatch([]image.Image{img}, spaces...)
	return vs[0], errs[0]
}

// batchEncoder is a spaceEncoder that encodes several images for less
// than one at a time.
type batchEncoder interface {
	EncodeSpacesBatch(imgs []image.Image, want map[string]bool) ([]Vectors, []error)
}

// EncodeSpacesBatch is EncodeSpaces for several images: encoders that can
// run a batch at once (the built-in backbone) do; each image gets its
// vectors or its own error. Safe for concurrent use.
func (e *Engine) EncodeSpacesBatch(imgs []image.Image, spaces ...string) ([]Vectors, []error) {
	vs, errs := make([]Vectors, len(imgs)), make([]error, len(imgs))
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.encoders == nil {
		for i := range errs {
			errs[i] = ErrClosed
		}
		return vs, errs
	}
	want := map[string]bool{}
	for _, s := range spaces {
		want[s] = true
	}
	for i := range vs {
		vs[i] = Vectors{}
	}
	for _, enc := range e.encoders {
		needed := false
		for _, si := range enc.Spaces() {
			needed = needed || want[si.Space]
		}
		if !needed {
			continue
		}
		var got []Vectors
		var gerrs []error
		if be, ok := enc.(batchEncoder); ok {
			got, gerrs = be.EncodeSpacesBatch(imgs, want)
		} else {
			got, gerrs = make([]Vectors, len(imgs)), make([]error, len(imgs))
			for i, img := range imgs {
				if se, ok := enc.(spaceEncoder); ok {
					got[i], gerrs[i] = se.EncodeSpaces(img, want)
				} else {
					got[i], gerrs[i] = enc.Encode(img)
				}
			}
		}
		for i := range imgs {
			if errs[i] == nil && gerrs[i] != nil {
				errs[i] = gerrs[i]
			}
			for k, x := range got[i] {
				if want[k] {
					vs[i][k] = x
				}
			}
		}
	}
	for i := range imgs {
		if errs[i] != nil {
			vs[i] = nil
			continue
		}
		for _, s := range spaces {
			if _, ok := vs[i][s]; !ok {
				errs[i] = fmt.Errorf("space %q: no encoder fills it", s)
				vs[i] = nil
				break
			}
		}
	}
	return vs, errs
}

// EncodeFile decodes an image file and encodes it.
func (e *Engine) EncodeFile(path string) (Vectors, error) {
	img, err := DecodeFileScaled(path)
	if err != nil {
		return nil, err
	}
	v, err := e.Encode(img)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", path, err)
	}
	return v, nil
}

// Close waits for encodes in flight, then releases every model session (ONNX
// Runtime itself stays loaded for the life of the process). Encode after
// Close returns ErrClosed.
func (e *Engine) Close() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, enc := range e.encoders {
		enc.Close()
	}
	e.encoders = nil
}
