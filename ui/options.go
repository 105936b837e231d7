package ui

import "relview/engine"

// AppID is relview's Fyne application ID (also in FyneApp.toml).
const AppID = "io.relview.app"

// DebugEnv names the environment variable that turns on status lines on
// stderr ("relview: indexed N ...", "relview: neighbours relational=K
// visual=K ..."), which scripts/gui-smoke.sh reads.
const DebugEnv = "RELVIEW_DEBUG"

// Options configures Run.
type Options struct {
	Folder     string                                                      // "" : the last library, or the sample
	OpenEngine func(threads int, plugins []string) (*engine.Engine, error) // how the CLI opens it
}
