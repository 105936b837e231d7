package cli

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"
	"relview/engine"
)

func newModelsCmd(g *globalFlags) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "models",
		Short: "Show the ONNX Runtime library, and each space's model, dimension and source",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			e, err := openEngine(g)
			if err != nil {
				return err
			}
			defer e.Close()
			rt := e.Runtime()
			out := cmd.OutOrStdout()
			if asJSON {
				return json.NewEncoder(out).Encode(struct {
					Runtime engine.RuntimeInfo `json:"runtime"`
					Spaces  []engine.SpaceInfo `json:"spaces"`
				}{rt, e.Spaces()})
			}
			fmt.Fprintf(out, "ONNX Runtime %s\n  %s\n\n", rt.Version, rt.Path)
			for _, s := range e.Spaces() {
				fmt.Fprintf(out, "%s space\n  model:  %s\n  dim:    %d\n  source: %s\n  note:   %s\n\n", s.Space, s.Model, s.Dim, s.Source, s.Note)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}
