//go:build windows

package ortpaths

import (
	"fmt"
	"os"
	"path/filepath"
)

// LibName is the file name of the ONNX Runtime shared library relview loads.
const LibName = "onnxruntime.dll"

// DataDirHint names the user data dir in messages when none is known.
const DataDirHint = `%LOCALAPPDATA%\relview`

// LoadHint adds to the error of a DLL that would not load: the ONNX Runtime
// DLL needs the Microsoft Visual C++ runtime (MSVCP140.dll, VCRUNTIME140.dll,
// VCRUNTIME140_1.dll), which Windows does not always have, and a missing one
// shows as "The specified module could not be found".
const LoadHint = " and the Microsoft Visual C++ 2015-2022 Redistributable (x64): " +
	"\"The specified module could not be found\" for a DLL that exists means that it is missing"

// Exe lists the places beside the executable: its own folder (where
// the release .zip puts onnxruntime.dll, and where Windows finds the DLL's own
// dependencies) and lib\ in it.
func Exe(dir string) []Candidate {
	return []Candidate{
		{"next to the executable", filepath.Join(dir, LibName)},
		{"next to the executable", filepath.Join(dir, "lib", LibName)},
	}
}

// System lists the platform's usual install places: none, as Windows has no
// system-wide ONNX Runtime that relview can use. C:\Windows\System32\onnxruntime.dll, where Windows 11 has one, belongs to
// Windows ML and is older than the C API relview needs, so it is never loaded
// (relview always loads by full path, never by bare name).
func System() []Candidate { return nil }

// DataDir is %LOCALAPPDATA%\relview: per machine, not roaming (the DLL
// and the sample photos should not travel with a roaming profile). The
// library caches live in the same folder (os.UserCacheDir is %LOCALAPPDATA%).
func DataDir() string {
	base, err := os.UserCacheDir()
	if err != nil || base == "" {
		return ""
	}
	return filepath.Join(base, "relview")
}

// GetCommand is the Command Prompt line that puts ONNX Runtime 1.30.0's
// onnxruntime.dll into dir (npm from Node.js; tar.exe ships with Windows 10
// and later).
func GetCommand(dir string) string {
	return fmt.Sprintf(`mkdir "%s" & npm pack onnxruntime-node@1.30.0 && `+
		`tar -xzf onnxruntime-node-1.30.0.tgz --strip-components=5 -C "%s" package/bin/napi-v6/win32/x64/%s && `+
		`del onnxruntime-node-1.30.0.tgz`, dir, dir, LibName)
}
