//go:build unix && !darwin

package ortpaths

import (
	"fmt"
	"os"
	"path/filepath"
)

// LibName is the file name of the ONNX Runtime shared library relview loads.
const LibName = "libonnxruntime.so.1"

// DataDirHint names the user data dir in messages when no home is known.
const DataDirHint = "~/.local/share/relview"

// LoadHint adds to the error of a library that would not load.
const LoadHint = ""

// Exe lists the places beside the executable: lib/ next to it (an
// unpacked source build) and ../lib/relview/ (an installed Fyne package puts
// the binary in bin/ and scripts/package.sh the library in lib/relview/).
func Exe(dir string) []Candidate {
	return []Candidate{
		{"next to the executable", filepath.Join(dir, "lib", LibName)},
		{"beside the executable's folder", filepath.Join(dir, "..", "lib", "relview", LibName)},
	}
}

// System lists the platform's usual install places: none, as Debian and most
// distributions package no ONNX Runtime.
func System() []Candidate { return nil }

// DataDir is ~/.local/share/relview (the XDG default).
func DataDir() string {
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return ""
	}
	return filepath.Join(home, ".local", "share", "relview")
}

// GetCommand is the shell command that puts ONNX Runtime 1.30.0 into dir.
func GetCommand(dir string) string {
	return fmt.Sprintf("mkdir -p %s && npm pack onnxruntime-node@1.30.0 && "+
		"tar -xzf onnxruntime-node-1.30.0.tgz -O package/bin/napi-v6/linux/x64/libonnxruntime.so.1 > %s/%s && "+
		"rm onnxruntime-node-1.30.0.tgz", dir, dir, LibName)
}
