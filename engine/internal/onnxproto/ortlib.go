package onnxproto

import (
	"os"
	"path/filepath"
)

// ORTLibEnv names the environment variable that overrides the location of
// the ONNX Runtime shared library used by tests.
const ORTLibEnv = "RELVIEW_ORT_LIB"

// ORTLibraryPath locates the ONNX Runtime shared library for tests that want
// to run models built with this package: the file named by $RELVIEW_ORT_LIB
// if set, otherwise lib/libonnxruntime.so.1 in the nearest directory at or
// above the working directory that contains go.mod. It returns "" and false
// when no such file exists (callers should t.Skip then).
func ORTLibraryPath() (string, bool) {
	if p := os.Getenv(ORTLibEnv); p != "" {
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, true
		}
		return "", false
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			p := filepath.Join(dir, "lib", "libonnxruntime.so.1")
			if st, err := os.Stat(p); err == nil && !st.IsDir() {
				return p, true
			}
			return "", false
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}
