// Package cli is relview's command line: the same engine and library as the
// GUI, with machine-readable output behind --json and errors on stderr.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"relview/engine"
)

// Version is relview's version, shown by `relview --version`.
const Version = "0.1.0"

// globalFlags are shared by every command.
type globalFlags struct {
	ortLib  string
	threads int
	plugins []string
}

// errQuiet is returned by a command that has already printed its errors and
// only needs a non-zero exit code.
var errQuiet = errors.New("")

// NewRoot builds the command tree. stdout and stderr are parameters so tests
// can run commands in-process.
func NewRoot(stdout, stderr io.Writer) *cobra.Command {
	g := &globalFlags{}
	root := &cobra.Command{
		Use:   "relview [FOLDER]",
		Short: "Explore photos by relational and visual similarity",
		Long: `relview shows, for any photo in a folder, its relationally similar neighbours
(the relations among its parts correspond) beside its visually similar ones
(it looks alike).

The built-in relational encoder is a structural approximation of the paper's
relsim model, not relsim itself; a real relsim ONNX export plugs in with
--plugin MANIFEST (see docs/relational.md).`,
		Version:       Version,
		SilenceUsage:  true,
		SilenceErrors: true,
		// A lone argument that is not a subcommand reaches here only when
		// it is not a folder (main opens the app on a folder): say what it
		// is instead of "unknown command".
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmd.Help()
			}
			return notAFolder(args)
		},
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	pf := root.PersistentFlags()
	pf.StringVar(&g.ortLib, "ort-lib", "", "path of "+engine.ORTLibName+" (default: $RELVIEW_ORT_LIB, next to the executable, the user data dir, the source tree)")
	pf.IntVar(&g.threads, "threads", 0, "ONNX Runtime threads (0: all cores)")
	pf.StringArrayVar(&g.plugins, "plugin", nil, "manifest of a plug-in ONNX encoder that fills its space (repeatable)")
	root.AddCommand(newModelsCmd(g), newEmbedCmd(g), newCompareCmd(g), newBenchCmd(g))
	root.AddCommand(newIndexCmd(g), newNeighborsCmd(g), newExportCmd(g), newStatusCmd(g))
	return root
}

// Main runs the command line and returns the process exit code.
func Main(args []string) int {
	root := NewRoot(os.Stdout, os.Stderr)
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		if err != errQuiet {
			fmt.Fprintln(os.Stderr, "relview:", err)
		}
		return 1
	}
	return 0
}

// notAFolder explains arguments that are neither a subcommand nor a folder.
func notAFolder(args []string) error {
	if len(args) > 1 {
		return fmt.Errorf("unknown command %q (relview FOLDER opens the app; relview --help lists the commands)", args[0])
	}
	p := args[0]
	st, err := os.Stat(p)
	switch {
	case err != nil && (strings.ContainsAny(p, `/\.`)):
		return fmt.Errorf("no such folder or image: %s (relview FOLDER opens the app on a folder of photos)", p)
	case err != nil:
		return fmt.Errorf("unknown command %q, and no folder of that name (relview --help lists the commands)", p)
	case !st.IsDir():
		return fmt.Errorf("%s is a file, not a folder: 'relview %s' opens the app on its folder; 'relview neighbors FOLDER %s' lists its neighbours", p, filepath.Dir(p), p)
	}
	return fmt.Errorf("%s: cannot open", p)
}
