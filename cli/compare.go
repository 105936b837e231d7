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
		Args:  exactArgs(2),
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
			scores := map[string]any{}
			for _, s := range e.Columns() {
				scores[s.Space] = engine.Cosine(a[s.Space], b[s.Space])
			}
			// What the two share, when the relational encoder can say.
			var why []engine.Relation
			if rel, ok := e.Space(engine.Relational); ok {
				why = engine.ExplainRelational(rel.Model, a[engine.Relational], b[engine.Relational], a[engine.Objects], b[engine.Objects])
				if engine.CanExplain(rel.Model) {
					scores["why"] = append([]engine.Relation{}, why...)
				}
			}
			out := cmd.OutOrStdout()
			if asJSON {
				return json.NewEncoder(out).Encode(scores)
			}
			fmt.Fprintf(out, "%s\n%s\n", args[0], args[1])
			for _, s := range e.Columns() {
				fmt.Fprintf(out, "  %-10s %6.3f   (%s)\n", s.Space, scores[s.Space], s.Model)
			}
			if len(why) > 0 {
				fmt.Fprintf(out, "  shared relations: %s\n", whyText(why))
			} else if _, ok := scores["why"]; ok {
				fmt.Fprintln(out, "  shared relations: none of the named ones stands out in both")
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, `print {"relational": r, "visual": v, "why": [{"relation", "strength"}...]} ("why" only for the built-in relational encoder)`)
	return cmd
}
