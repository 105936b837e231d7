package cli

import (
	"fmt"

	"relview/assets"
	"relview/engine"
)

// openEngine loads ONNX Runtime, the embedded model and any plug-ins.
func openEngine(g *globalFlags) (*engine.Engine, error) {
	mean, err := assets.VisualMean()
	if err != nil {
		return nil, fmt.Errorf("built-in model: %w", err)
	}
	rel, err := assets.RelationalStats()
	if err != nil {
		return nil, fmt.Errorf("built-in model: %w", err)
	}
	return engine.Open(engine.Options{
		ORTLib:  g.ortLib,
		Threads: g.threads,
		Builtin: engine.BuiltinModel{Name: assets.ModelName, ONNX: assets.ModelONNX(), VisualMean: mean, RelationalStats: rel, Detector: assets.DetectorONNX()},
		Plugins: g.plugins,
	})
}

// OpenEngine opens the engine exactly as the commands do, for the GUI (main
// wires it in), so both share one way of opening it.
func OpenEngine(ortLib string, threads int, plugins []string) (*engine.Engine, error) {
	return openEngine(&globalFlags{ortLib: ortLib, threads: threads, plugins: plugins})
}
