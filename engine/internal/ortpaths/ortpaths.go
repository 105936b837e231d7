// Package ortpaths says, for the platform it is built for, what the ONNX
// Runtime shared library is called, where relview looks for it beside its
// executable and in the system, where the user data dir is, and how to fetch
// the library. It has no cgo, so `GOOS=darwin go vet` checks the macOS file on
// any machine (the engine itself needs cgo for onnxruntime_go).
package ortpaths

// Candidate is one place to look: Source says which kind of place it is.
type Candidate struct {
	Source string
	Path   string
}
