//go:build darwin

package ortpaths

import (
	"fmt"
	"os"
	"path/filepath"
)

// LibName is the file name of the ONNX Runtime shared library relview loads
// (Homebrew's name; onnxruntime-node ships it as libonnxruntime.1.dylib).
const LibName = "libonnxruntime.dylib"

// DataDirHint names the user data dir in messages when no home is known.
const DataDirHint = "~/Library/Application Support/relview"

// LoadHint adds to the error of a library that would not load: a library
// downloaded by a browser carries the quarantine attribute, which stops dlopen.
const LoadHint = "; a downloaded library may need `xattr -d com.apple.quarantine` first"

// Exe lists the places beside the executable: lib/ next to it, and an
// app bundle's Contents/Frameworks/ (the executable is in Contents/MacOS/).
func Exe(dir string) []Candidate {
	return []Candidate{
		{"next to the executable", filepath.Join(dir, "lib", LibName)},
		{"in the app bundle", filepath.Join(dir, "..", "Frameworks", LibName)},
	}
}

// System lists the platform's usual install places: Homebrew's prefixes
// (`brew install onnxruntime`), /opt/homebrew on Apple silicon and /usr/local
// on Intel.
func System() []Candidate {
	return []Candidate{
		{"Homebrew", filepath.Join("/opt/homebrew/lib", LibName)},
		{"Homebrew", filepath.Join("/usr/local/lib", LibName)},
	}
}

// DataDir is ~/Library/Application Support/relview.
func DataDir() string {
	base, err := os.UserConfigDir()
	if err != nil || base == "" {
		return ""
	}
	return filepath.Join(base, "relview")
}

// GetCommand is the shell command that puts ONNX Runtime 1.30.0 (Apple
// silicon; onnxruntime-node ships no Intel build) into dir.
func GetCommand(dir string) string {
	return fmt.Sprintf("mkdir -p %q && npm pack onnxruntime-node@1.30.0 && "+
		"tar -xzf onnxruntime-node-1.30.0.tgz -O package/bin/napi-v6/darwin/arm64/libonnxruntime.1.dylib > %q/%s && "+
		"rm onnxruntime-node-1.30.0.tgz", dir, dir, LibName)
}
