package cli

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"relview/engine"
	"relview/engine/realbench"
)

func newBenchRealCmd(g *globalFlags) *cobra.Command {
	var (
		labels, photos, set string
		show                int
	)
	cmd := &cobra.Command{
		Use:   "real",
		Short: "Score both spaces on real photos labelled by the relation among their parts",
		Long: `Embed every photo of the real-photo benchmark (bench/realrel: unedited
photographs from Debian packages, each labelled by looking with the relation
that dominates it, or "none") and print, per relation group, the average
precision of each space when every labelled photo queries all the others and
the truth is "same relation", beside the chance level.

The photos are not part of relview: fetch them first with
  bench/realrel/fetch.sh [DIR]
(apt-get download + dpkg -x; nothing is installed). --show K also lists the
K nearest relational neighbours of each query, hits marked with +.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			start := time.Now()
			list, err := realbench.LoadLabels(labels, set)
			if err != nil {
				return err
			}
			if m := realbench.Missing(list, photos); len(m) > 0 {
				return fmt.Errorf("%d of %d photos are missing under %s (first: %s); fetch them with: %s %s",
					len(m), len(list), photos, m[0], filepath.Join(filepath.Dir(labels), "fetch.sh"), photos)
			}
			e, err := openEngine(g)
			if err != nil {
				return err
			}
			defer e.Close()
			var bar *progressbar.ProgressBar
			if isTerminal(cmd.ErrOrStderr()) {
				bar = progressbar.NewOptions(len(list), progressbar.OptionSetWriter(cmd.ErrOrStderr()),
					progressbar.OptionSetDescription("embedding"), progressbar.OptionShowCount(),
					progressbar.OptionClearOnFinish())
			}
			res, err := realbench.Run(list, photos, max(show, 1), func(path string) (map[string][]float32, error) {
				return e.EncodeFile(path)
			}, func(done, _ int) {
				if bar != nil {
					bar.Set(done)
				}
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(out, "real-photo benchmark: %d photos (set %s), labels %s, photos %s\n\n", len(list), set, labels, photos)
			spaces := []string{engine.Relational, engine.Visual}
			for _, s := range spaces {
				if info, ok := e.Space(s); ok {
					fmt.Fprintf(out, "- %s: %s (%d-d)\n", s, info.Model, info.Dim)
				}
			}
			fmt.Fprintln(out)
			fmt.Fprint(out, realbench.Table(spaces, res))
			rel, vis := res[engine.Relational], res[engine.Visual]
			if vis.MAP > 0 {
				fmt.Fprintf(out, "\nrelational / visual mAP: %.2f×\n", rel.MAP/vis.MAP)
			}
			if show > 0 {
				fmt.Fprintf(out, "\nTop %d relational neighbours per query (+ = same relation):\n\n", show)
				fmt.Fprint(out, realbench.Neighbours(list, rel))
			}
			fmt.Fprintf(out, "\n(%.1f s)\n", time.Since(start).Seconds())
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&labels, "labels", filepath.Join("bench", "realrel", "labels.tsv"), "labels file (set, group, package, version, path, note)")
	f.StringVar(&photos, "photos", realbench.DefaultDir(), "folder fetch.sh unpacked the photos into ($RELVIEW_REALREL_PHOTOS overrides the default)")
	f.StringVar(&set, "set", "dev", "which set of the labels to score (dev, held)")
	f.IntVar(&show, "show", 0, "list the K nearest relational neighbours of each query")
	return cmd
}
