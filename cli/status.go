package cli

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"relview/engine"
	"relview/library"
)

func newStatusCmd(g *globalFlags) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status FOLDER [--json]",
		Short: "Counts, failures, models, and the catalog's location and size for FOLDER",
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			lib, err := library.Open(args[0], library.Options{ReadOnly: true})
			if errors.Is(err, library.ErrNoIndex) {
				out := cmd.OutOrStdout()
				if asJSON {
					return json.NewEncoder(out).Encode(map[string]any{"folder": args[0], "indexed": false})
				}
				fmt.Fprintf(out, "folder     %s\nnot indexed yet: run 'relview index %s'\n", args[0], args[0])
				return nil
			}
			if err != nil {
				return err
			}
			// With the engine (and any --plugin), status can tell whether the
			// stored vectors are the ones this configuration would make.
			if eng, err := openEngine(g); err == nil {
				defer eng.Close()
				lib.Close()
				if lib, err = library.Open(args[0], library.Options{ReadOnly: true, Engine: eng}); err != nil {
					return err
				}
			}
			defer func() { lib.Close() }()
			st, err := lib.Status()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return json.NewEncoder(out).Encode(st)
			}
			fmt.Fprintf(out, "folder     %s\n", st.Folder)
			fmt.Fprintf(out, "catalog    %s (%s, schema %d)\n", st.Catalog, library.FormatBytes(st.CatalogSize), st.Schema)
			fmt.Fprintf(out, "thumbnails %s\n", library.FormatBytes(st.ThumbsSize))
			fmt.Fprintf(out, "images     %d indexed, %d failed\n", st.Indexed, st.Failed)
			for _, sp := range st.Spaces {
				stale := ""
				if !sp.Current {
					stale = "  (not what these encoders make: run 'relview index' with them to re-embed)"
				}
				fmt.Fprintf(out, "  %-10s %d vectors, %s (dim %d)%s\n", sp.Space, sp.Vectors, sp.Model, sp.Dim, stale)
			}
			for _, c := range st.Coverage {
				if c.Total > 0 && c.Have < c.Total {
					fmt.Fprintf(out, "  %-10s %s\n", c.Space, coverageText(c))
				}
			}
			if st.Failed > 0 {
				fmt.Fprintln(out, "failed:")
				printProblems(out, st.Failures, 50)
			}
			if len(st.Problems) > 0 {
				fmt.Fprintln(out, "not read:")
				printProblems(out, st.Problems, 50)
			}
			if st.Images == 0 {
				fmt.Fprintf(out, "not indexed yet: run 'relview index %s'\n", args[0])
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the status as JSON")
	return cmd
}

// coverageText says how far a space's vectors cover the indexed images:
// "812 of 3108 images analysed for objects (2 failed); 'relview index' goes on".
func coverageText(c library.Coverage) string {
	verb := "encoded"
	if c.Space == engine.Objects {
		verb = "analysed for objects"
	}
	s := fmt.Sprintf("%d of %d images %s", c.Have, c.Total, verb)
	if c.Failed > 0 {
		s += fmt.Sprintf(" (%d failed)", c.Failed)
	}
	if !c.Complete() {
		s += "; 'relview index' goes on"
	}
	return s
}
