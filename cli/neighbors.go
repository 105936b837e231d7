package cli

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"relview/engine"
	"relview/library"
)

func newNeighborsCmd(g *globalFlags) *cobra.Command {
	var k int
	var space string
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "neighbors FOLDER IMAGE [-k N] [--space relational|visual] [--json]",
		Aliases: []string{"neighbours"},
		Short:   "The indexed images of FOLDER most similar to IMAGE, in each space",
		Long: `Print the k images of FOLDER's index most similar to IMAGE, relationally and
visually (or in one --space), with cosine scores. IMAGE may be a path inside
FOLDER (relative to it or not) or any other image file, which is then encoded.
Run 'relview index FOLDER' first.`,
		Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if k < 1 {
				return fmt.Errorf("-k %d: want at least 1", k)
			}
			folder, img := args[0], args[1]
			lib, err := library.Open(folder, library.Options{ReadOnly: true})
			if err != nil {
				return err
			}
			defer func() { lib.Close() }()
			spaces, err := lib.Spaces()
			if err != nil {
				return err
			}
			if len(spaces) == 0 {
				return fmt.Errorf("%s has no index yet: run 'relview index %s' first", folder, folder)
			}
			if space != "" {
				if !contains(spaces, space) {
					return fmt.Errorf("--space %q: the index has %v", space, spaces)
				}
				spaces = []string{space}
			}
			// An image outside the catalog, or changed since indexing,
			// needs the engine to encode it.
			needs, err := lib.NeedsEngine(img)
			if err != nil {
				return err
			}
			// A plug-in decides which vectors answer: open the engine so the
			// library searches (and checks) that encoder's space.
			if needs || len(g.plugins) > 0 {
				eng, err := openEngine(g)
				if err != nil {
					return err
				}
				defer eng.Close()
				lib.Close()
				if lib, err = library.Open(folder, library.Options{ReadOnly: true, Engine: eng}); err != nil {
					return err
				}
			}
			res, err := lib.NeighboursOfFileIn(img, spaces, k)
			if err != nil {
				return err
			}
			if note := lib.DamagedNote(); note != "" {
				fmt.Fprintln(cmd.ErrOrStderr(), "relview: "+note)
			}
			out := cmd.OutOrStdout()
			if asJSON {
				type hit struct {
					Path      string            `json:"path"`
					PathBytes []byte            `json:"path_bytes,omitempty"` // a name that is not UTF-8, as it is
					Score     float32           `json:"score"`
					Why       []engine.Relation `json:"why,omitempty"`
				}
				js := map[string][]hit{}
				for sp, hs := range res {
					js[sp] = []hit{}
					for _, h := range hs {
						js[sp] = append(js[sp], hit{Path: h.Path, PathBytes: pathBytes(h.Path), Score: h.Score, Why: h.Why})
					}
				}
				return json.NewEncoder(out).Encode(js)
			}
			for _, sp := range spaces {
				note := ""
				if sp == engine.Relational {
					note = "  (built-in approximation of relsim unless a plug-in fills it)"
				}
				fmt.Fprintf(out, "%s neighbours of %s%s\n", sp, img, note)
				for i, h := range res[sp] {
					fmt.Fprintf(out, "  %2d  %6.3f  %s\n", i+1, h.Score, printable(h.Path))
					if len(h.Why) > 0 {
						fmt.Fprintf(out, "               why: %s\n", whyText(h.Why))
					}
				}
			}
			return nil
		},
	}
	cmd.Flags().IntVarP(&k, "k", "k", 10, "neighbours per space")
	cmd.Flags().StringVar(&space, "space", "", "only this space (relational or visual); default both")
	cmd.Flags().BoolVar(&asJSON, "json", false, `print {"relational": [{"path", "score", "why"}...], "visual": [{"path", "score"}...]}`)
	return cmd
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// whyText renders shared relations as "mirror symmetry 0.62, …".
func whyText(why []engine.Relation) string {
	parts := make([]string, len(why))
	for i, r := range why {
		parts[i] = fmt.Sprintf("%s %.2f", r.Relation, r.Strength)
	}
	return strings.Join(parts, ", ")
}
