package cli

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"
	"relview/library"
)

func newExportCmd(g *globalFlags) *cobra.Command {
	var space string
	cmd := &cobra.Command{
		Use:   "export FOLDER [--space S]",
		Short: "Print the index of FOLDER as JSON Lines: one image per line with its path and vectors",
		Long: `Print one JSON object per indexed image of FOLDER:
  {"path": "sub/photo.jpg", "hash": "...", "width": 4000, "height": 3000,
   "relational": [...], "visual": [...]}
Paths are relative to FOLDER. A name that is not valid UTF-8 also comes
as "path_bytes", its bytes in base64 ("path" then shows U+FFFD in their
place). --space limits the vectors to one space.`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			lib, err := library.Open(args[0], library.Options{ReadOnly: true})
			if err != nil {
				return err
			}
			defer lib.Close()
			if space != "" {
				spaces, err := lib.Spaces()
				if err != nil {
					return err
				}
				if !contains(spaces, space) {
					return fmt.Errorf("--space %q: the index has %v", space, spaces)
				}
			}
			enc := json.NewEncoder(cmd.OutOrStdout())
			return lib.Export(space, func(im library.Image, vecs map[string][]float32) error {
				rec := map[string]any{"path": im.Path, "hash": im.Hash, "width": im.Width, "height": im.Height}
				if b := pathBytes(im.Path); b != nil {
					rec["path_bytes"] = b
				}
				for sp, v := range vecs {
					rec[sp] = v
				}
				if err := enc.Encode(rec); err != nil {
					return fmt.Errorf("write: %w", err)
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&space, "space", "", "only this space's vectors (relational or visual)")
	return cmd
}
