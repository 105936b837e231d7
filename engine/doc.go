// Package engine is relview's pure computation: it loads ONNX Runtime, decodes
// and preprocesses images, runs the encoders that fill each embedding space
// ("relational", "visual") and compares vectors.
//
// It imports nothing else of relview and no GUI toolkit, so the library, the
// CLI and the GUI all share exactly the same numbers.
package engine
