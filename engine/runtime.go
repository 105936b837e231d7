package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	ort "github.com/yalue/onnxruntime_go"
	"relview/engine/internal/ortpaths"
)

// ORTLibName is the file name of the ONNX Runtime shared library relview
// loads on this platform: libonnxruntime.so.1, onnxruntime.dll or
// libonnxruntime.dylib (internal/ortpaths).
const ORTLibName = ortpaths.LibName

// ORTLibEnv names the environment variable that points at the library.
const ORTLibEnv = "RELVIEW_ORT_LIB"

// GetORTCommand is the shell command that fetches ONNX Runtime 1.30.0 (from
// the onnxruntime-node npm package, MIT) into the user data dir, one of the
// places relview looks (scripts/get-onnxruntime.sh does the same for lib/ of
// the source tree).
func GetORTCommand() string {
	dir := ortpaths.DataDirHint + string(filepath.Separator) + "lib"
	if d := UserDataDir(); d != "" {
		dir = filepath.Join(d, "lib")
	}
	return ortpaths.GetCommand(dir)
}

// RuntimeCandidate is one place relview looks for the ONNX Runtime library.
type RuntimeCandidate struct {
	Source string // "--ort-lib", "$RELVIEW_ORT_LIB", "next to the executable", ...
	Path   string
}

// RuntimeCandidates lists, in order, where the library is looked for:
// the flag, the environment variable, the places of the platform's install
// next to the executable (internal/ortpaths: lib/ next to the executable and
// ../lib/relview/ on Linux; the executable's own folder on Windows; the app
// bundle's Frameworks on macOS), the user data dir, the platform's usual
// system places (Homebrew on macOS), and lib/ of the relview source tree the
// working directory is in.
func RuntimeCandidates(flagPath string) []RuntimeCandidate {
	var c []RuntimeCandidate
	if flagPath != "" {
		c = append(c, RuntimeCandidate{"--ort-lib", flagPath})
	}
	if p := os.Getenv(ORTLibEnv); p != "" {
		c = append(c, RuntimeCandidate{"$" + ORTLibEnv, p})
	}
	if exe, err := os.Executable(); err == nil {
		if real, err := filepath.EvalSymlinks(exe); err == nil {
			exe = real
		}
		c = appendCandidates(c, ortpaths.Exe(filepath.Dir(exe)))
	}
	if d := UserDataDir(); d != "" {
		c = append(c, RuntimeCandidate{"user data dir", filepath.Join(d, "lib", ORTLibName)})
	}
	c = appendCandidates(c, ortpaths.System())
	if root := findProjectRoot(); root != "" {
		c = append(c, RuntimeCandidate{"project folder", filepath.Join(root, "lib", ORTLibName)})
	}
	return c
}

// UserDataDir is relview's per-user data folder: $XDG_DATA_HOME/relview when
// that is set (on every OS), else the platform's place (internal/ortpaths:
// ~/.local/share/relview, %LOCALAPPDATA%\relview, ~/Library/Application
// Support/relview); it returns "" when none is known.
func UserDataDir() string {
	if x := os.Getenv("XDG_DATA_HOME"); x != "" {
		return filepath.Join(x, "relview")
	}
	return ortpaths.DataDir()
}

func appendCandidates(c []RuntimeCandidate, more []ortpaths.Candidate) []RuntimeCandidate {
	for _, m := range more {
		c = append(c, RuntimeCandidate{m.Source, m.Path})
	}
	return c
}

// findProjectRoot walks up from the working directory to the folder holding
// relview's go.mod, so `go run`/`go test` inside the source tree find lib/.
func findProjectRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.HasPrefix(strings.TrimSpace(string(b)), "module relview") {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// ErrRuntimeNotFound is wrapped by FindRuntime's error when no candidate exists.
var ErrRuntimeNotFound = errors.New("ONNX Runtime library not found")

// FindRuntime returns the first candidate path that exists. A path given by
// flag or environment variable that does not exist is an error of its own:
// the user asked for it explicitly.
func FindRuntime(flagPath string) (string, error) {
	cands := RuntimeCandidates(flagPath)
	var looked []string
	for _, c := range cands {
		st, err := os.Stat(c.Path)
		if err == nil && st.Mode().IsRegular() {
			// dlopen reads a bare relative name as a library name to search
			// for, not as a path.
			if abs, aerr := filepath.Abs(c.Path); aerr == nil {
				return abs, nil
			}
			return c.Path, nil
		}
		if c.Source == "--ort-lib" || strings.HasPrefix(c.Source, "$") {
			if err == nil {
				// A FIFO or device would block or crash dlopen.
				err = errors.New("is not a regular file")
			}
			return "", fmt.Errorf("ONNX Runtime library %s (from %s): %w", c.Path, c.Source, err)
		}
		looked = append(looked, fmt.Sprintf("  %s: %s", c.Source, c.Path))
	}
	return "", fmt.Errorf("%w; looked in:\n%s\nget it with:\n  %s\n(or run scripts/get-onnxruntime.sh in the relview source tree, or point --ort-lib / $%s at ONNX Runtime's %s, version >= 1.24)",
		ErrRuntimeNotFound, strings.Join(looked, "\n"), GetORTCommand(), ORTLibEnv, ORTLibName)
}

// RuntimeInfo describes the loaded ONNX Runtime.
type RuntimeInfo struct {
	Path    string `json:"path"`
	Version string `json:"version"`
}

var runtimeState struct {
	sync.Mutex
	info RuntimeInfo
	err  error
	done bool
}

// LoadRuntime finds and initialises ONNX Runtime once per process. Later calls
// return the first result (ONNX Runtime cannot be re-initialised in-process).
func LoadRuntime(flagPath string) (RuntimeInfo, error) {
	runtimeState.Lock()
	defer runtimeState.Unlock()
	if runtimeState.done {
		return runtimeState.info, runtimeState.err
	}
	path, err := FindRuntime(flagPath)
	if err != nil {
		// Not cached: the user may fetch the library and try again.
		return RuntimeInfo{}, err
	}
	ort.SetSharedLibraryPath(path)
	if err := ort.InitializeEnvironment(ort.WithLogLevelError()); err != nil {
		return RuntimeInfo{}, fmt.Errorf("load ONNX Runtime %s: %w (relview needs ONNX Runtime >= 1.24%s; get 1.30 with: %s)", path, err, ortpaths.LoadHint, GetORTCommand())
	}
	_ = ort.DisableTelemetry()
	runtimeState.info = RuntimeInfo{Path: path, Version: ort.GetVersion()}
	runtimeState.done = true
	return runtimeState.info, nil
}
