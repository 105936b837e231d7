package cli

import (
	"fmt"
	"image"
	"time"

	"github.com/spf13/cobra"
	"relview/engine/relbench"
)

func newBenchCmd(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Run relview's benchmarks",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cmd.Help()
		},
	}
	cmd.AddCommand(newBenchRelationalCmd(g), newBenchRealCmd(g))
	return cmd
}

func newBenchRelationalCmd(g *globalFlags) *cobra.Command {
	var (
		seed   uint64
		photos string
		sheet  string
	)
	cmd := &cobra.Command{
		Use:   "relational",
		Short: "Score both spaces on the relational benchmark (composites of real photos)",
		Long: `Compose every benchmark photo with every relational template (reflection,
odd one out, nesting, before/after, rotational symmetry, stages, mirrored
scene, inset), embed each composite in both spaces, and print, per space,
the mean average precision against the relational truth (same template)
and the visual truth (same photo), then the per-template APs.

A relational space should rank by template, a visual space by photo. See
docs/relational.md for the method and the targets.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			start := time.Now()
			comps, err := relbench.Build(photos, seed)
			if err != nil {
				return err
			}
			if sheet != "" {
				if err := relbench.WriteContactSheet(relbench.PickPerTemplate(comps, 4), sheet); err != nil {
					return fmt.Errorf("contact sheet: %w", err)
				}
			}
			e, err := openEngine(g)
			if err != nil {
				return err
			}
			defer e.Close()
			res, err := relbench.Run(comps, func(img image.Image) (map[string][]float32, error) {
				return e.EncodeColumns(img)
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "relational benchmark: %d composites, seed %d, photos %s\n\n", len(comps), seed, photos)
			for _, s := range e.Columns() {
				fmt.Fprintf(out, "- %s: %s (%d-d)\n", s.Space, s.Model, s.Dim)
			}
			fmt.Fprintln(out)
			fmt.Fprint(out, relbench.Report(res))
			fmt.Fprintf(out, "\n(%.1f s)\n", time.Since(start).Seconds())
			if sheet != "" {
				fmt.Fprintf(out, "contact sheet: %s\n", sheet)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.Uint64Var(&seed, "seed", 1, "seed of the composites (1 is the one the tests enforce)")
	f.StringVar(&photos, "photos", "assets/photos", "folder with the benchmark photos")
	f.StringVar(&sheet, "sheet", "", "also write a contact sheet PNG of 4 composites per template to this path")
	return cmd
}
