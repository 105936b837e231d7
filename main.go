// Command relview explores a photo folder by relational and visual
// similarity. With no argument or a folder it opens the desktop app (package
// ui); with a subcommand it is the command line (package cli, which imports
// no GUI toolkit).
package main

import (
	_ "0relview/earlyenv" // before Fyne initialises: see its package comment

	"io"
	"os"

	"relview/cli"
	"relview/engine"
	"relview/ui"
)

func main() {
	args := os.Args[1:]
	if folder, ok := guiFolder(args); ok {
		os.Exit(ui.Run(ui.Options{
			Folder: folder,
			OpenEngine: func(threads int, plugins []string) (*engine.Engine, error) {
				return cli.OpenEngine("", threads, plugins)
			},
		}))
	}
	os.Exit(cli.Main(args))
}

// guiFolder says whether args ask for the GUI: no argument at all, or one
// argument that is a folder and not a subcommand's name.
func guiFolder(args []string) (string, bool) {
	if len(args) == 0 {
		return "", true
	}
	if len(args) != 1 {
		return "", false
	}
	root := cli.NewRoot(io.Discard, io.Discard)
	if cmd, _, err := root.Find(args); err == nil && cmd != root {
		return "", false
	}
	if st, err := os.Stat(args[0]); err == nil && st.IsDir() {
		return args[0], true
	}
	return "", false
}
