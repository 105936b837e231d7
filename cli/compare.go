package cli

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"
	"relview/engine"
)

func newCompareCmd(g *globalFlags) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "compare [--json] IMAGE_A IMAGE_B",
		Short: "Relational and visual similarity (cosine) of two images",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			e, err := openEngine(g)
			if err != nil {
				return err
			}
			defer e.Close()
			a, err := e.EncodeFile(args[0])
			if err != nil {
				return err
			}
			b, err := e.EncodeFile(args[1])
			if err != nil {
				return err
			}
			scores := map[string]float32{}
			for _, s := range e.Spaces() {
				scores[s.Space] = engine.Cosine(a[s.Space], b[s.Space])
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return json.NewEncoder(out).Encode(scores)
			}
			fmt.Fprintf(out, "%s\n%s\n", args[0], args[1])
			for _, s := range e.Spaces() {
				fmt.Fprintf(out, "  %-10s %6.3f   (%s)\n", s.Space, scores[s.Space], s.Model)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, `print {"relational": r, "visual": v}`)
	return cmd
}
