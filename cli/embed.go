package cli

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"
)

func newEmbedCmd(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "embed [--json] FILE...",
		Short: "Print each image's vectors as JSON Lines",
		Long: `Print one JSON object per line and file:
  {"path": "...", "relational": [...], "visual": [...], "objects": [...]}
("objects", with the built-in relational encoder only: 1, then the strengths
of its object relations, which name "why" and are never searched)
or {"path": "...", "error": "..."} for a file that cannot be read; the other
files still print and the exit code is non-zero at the end.`,
		Args: minArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			e, err := openEngine(g)
			if err != nil {
				return err
			}
			defer e.Close()
			enc := json.NewEncoder(cmd.OutOrStdout())
			failed := 0
			for _, f := range files {
				rec := map[string]any{"path": f}
				v, err := e.EncodeFile(f)
				if err != nil {
					failed++
					rec["error"] = err.Error()
					fmt.Fprintln(cmd.ErrOrStderr(), "relview:", err)
				} else {
					for space, vec := range v {
						rec[space] = vec
					}
				}
				if err := enc.Encode(rec); err != nil {
					return fmt.Errorf("write: %w", err)
				}
			}
			if failed > 0 {
				fmt.Fprintf(cmd.ErrOrStderr(), "relview: %d of %d files failed\n", failed, len(files))
				return errQuiet
			}
			return nil
		},
	}
	// JSON Lines is the only output; the flag exists so scripts can say it.
	cmd.Flags().Bool("json", true, "print JSON Lines (the default and only format)")
	return cmd
}
