package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path"
	"sort"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"
	"relview/library"
)

func newIndexCmd(g *globalFlags) *cobra.Command {
	var asJSON, wait bool
	cmd := &cobra.Command{
		Use:   "index FOLDER",
		Short: "Index a photo folder, or refresh its index (only new and changed files are read)",
		Long: `Index FOLDER into its catalog (in the user cache dir, or $RELVIEW_CACHE_DIR):
new and changed images are decoded, encoded in every space and thumbnailed;
unchanged files are not read; moved files keep their vectors; files gone from
the folder leave the catalog. The folder itself is never written to.

With the built-in encoders indexing runs in two passes: the first fills the
gallery and both columns (visual and relational), the second ("relating")
runs the object detector, whose object relations only name why two photos
relate; 'relview status' says how far it got.

A progress bar shows on a terminal, plain lines otherwise. Ctrl-C stops after
writing what is done; the next run resumes (in the second pass too).`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			lg := *g
			if lg.threads == 0 {
				lg.threads = 1 // one image per core at a time: the library runs a worker per core
			}
			eng, err := openEngine(&lg)
			if err != nil {
				return err
			}
			defer eng.Close()
			lib, err := library.Open(args[0], library.Options{Engine: eng, Wait: wait})
			if err != nil {
				return err
			}
			defer lib.Close()
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			show := newProgressView(cmd.ErrOrStderr(), asJSON)
			sum, err := lib.Index(ctx, show.update)
			show.finish()
			out := cmd.OutOrStdout()
			if asJSON {
				if jerr := json.NewEncoder(out).Encode(sum); jerr != nil {
					return fmt.Errorf("write: %w", jerr)
				}
			} else {
				printSummary(out, lib, sum)
			}
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the summary as JSON (no progress bar)")
	cmd.Flags().BoolVar(&wait, "wait", false, "wait for another relview process indexing this folder instead of failing")
	return cmd
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progressView shows index progress: a bar on a terminal, a line every few
// seconds otherwise, nothing in JSON mode.
type progressView struct {
	w     io.Writer
	tty   bool
	quiet bool
	bar   *progressbar.ProgressBar
	phase string // of the bar, or of the last line
	done  int    // of the last line
	last  time.Time
}

// phaseLabel names a pass for the progress bar and lines.
func phaseLabel(phase string) string {
	switch phase {
	case library.PhaseRelate:
		return "finding objects"
	case library.PhaseUpgrade:
		return "upgrading the catalog"
	}
	return "indexing"
}

func newProgressView(w io.Writer, quiet bool) *progressView {
	return &progressView{w: w, tty: isTerminal(w), quiet: quiet}
}

func (v *progressView) update(p library.Progress) {
	if v.quiet || (p.Phase != library.PhaseIndex && p.Phase != library.PhaseRelate && p.Phase != library.PhaseUpgrade) || p.Total == 0 {
		return
	}
	label := phaseLabel(p.Phase)
	if v.tty {
		if v.bar != nil && v.phase != p.Phase {
			v.bar.Finish()
			v.bar = nil
		}
		if v.bar == nil {
			v.phase = p.Phase
			v.bar = progressbar.NewOptions(p.Total, progressbar.OptionSetWriter(v.w),
				progressbar.OptionSetDescription(label), progressbar.OptionShowCount(),
				progressbar.OptionSetItsString("images"), progressbar.OptionShowIts(),
				progressbar.OptionSetPredictTime(true), progressbar.OptionThrottle(100*time.Millisecond),
				progressbar.OptionFullWidth(), progressbar.OptionClearOnFinish())
		}
		desc := label
		if p.Paused {
			desc = "paused"
		}
		v.bar.Describe(desc)
		v.bar.Set(p.Done)
		return
	}
	if p.Phase == v.phase && (p.Done == v.done || time.Since(v.last) < 2*time.Second && p.Done != p.Total) {
		return // nothing new, or too soon (the last line of a pass always shows, once)
	}
	v.last, v.phase, v.done = time.Now(), p.Phase, p.Done
	eta := ""
	if p.ETA > 0 {
		eta = fmt.Sprintf(", %s left", p.ETA.Round(time.Second))
	}
	if p.Phase == library.PhaseUpgrade {
		fmt.Fprintf(v.w, "upgrading the catalog %d/%d vectors (no photo is read)\n", p.Done, p.Total)
		return
	}
	if p.Phase == library.PhaseRelate {
		fmt.Fprintf(v.w, "finding objects %d/%d (%.1f images/s%s, %d failed) %s\n",
			p.Done, p.Total, p.Rate, eta, p.Failed, p.Current)
		return
	}
	fmt.Fprintf(v.w, "indexed %d/%d (%.1f images/s%s, %d unchanged, %d failed) %s\n",
		p.Done, p.Total, p.Rate, eta, p.Skipped, p.Failed, p.Current)
}

func (v *progressView) finish() {
	if v.bar != nil {
		v.bar.Finish()
	}
}

func printSummary(w io.Writer, lib *library.Library, s library.Summary) {
	if r := s.Rebuilt; r != nil {
		fmt.Fprintf(w, "The catalog was damaged (%s): it was set aside as %s and rebuilt from the photos.\n", r.Cause, r.SetAside)
	}
	fmt.Fprintf(w, "%s: %d images\n", lib.Root(), s.Scanned)
	fmt.Fprintf(w, "  indexed    %d", s.Indexed)
	if s.Reembed > 0 {
		fmt.Fprintf(w, " (%d re-embedded for a new model)", s.Reembed)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  unchanged  %d\n", s.Unchanged)
	for _, x := range []struct {
		n    int
		name string
	}{{s.Moved, "moved"}, {s.Copied, "copies"}, {s.Touched, "touched"}, {s.Removed, "removed"}} {
		if x.n > 0 {
			fmt.Fprintf(w, "  %-10s %d\n", x.name, x.n)
		}
	}
	if s.Repaired > 0 {
		fmt.Fprintf(w, "  repaired   %d damaged vectors found in the catalog, encoded again\n", s.Repaired)
	}
	if s.Upgraded > 0 {
		fmt.Fprintf(w, "  upgraded   %d vectors of the previous encoder, converted without reading the photos\n", s.Upgraded)
	}
	if s.DatesRead > 0 {
		fmt.Fprintf(w, "  dates      %d capture dates (EXIF) read for a catalog made by an older relview\n", s.DatesRead)
	}
	fmt.Fprintf(w, "  failed     %d\n", s.Failed)
	printProblems(w, s.Failures, 20)
	if len(s.Problems) > 0 {
		fmt.Fprintf(w, "  not read   %d\n", len(s.Problems))
		printProblems(w, s.Problems, 10)
	}
	if len(s.Deferred) > 0 {
		fmt.Fprintf(w, "  objects    %d analysed (for why)", s.Related)
		if s.RelateRate > 0 {
			fmt.Fprintf(w, " (%.1f images/s)", s.RelateRate)
		}
		if s.RelateLeft > 0 {
			fmt.Fprintf(w, ", %d left for the next run", s.RelateLeft)
		}
		fmt.Fprintln(w)
		if s.RelateFailed > 0 {
			fmt.Fprintf(w, "  objects failed %d\n", s.RelateFailed)
			printProblems(w, s.RelateFailures, 20)
		}
	}
	rate := ""
	if s.Rate > 0 {
		rate = fmt.Sprintf(", %.1f images/s", s.Rate)
		if len(s.Deferred) > 0 {
			rate += " in the first pass"
		}
	}
	fmt.Fprintf(w, "  time       %s%s\n", s.Elapsed.Round(time.Millisecond), rate)
}

// printProblems lists up to max problems, grouping the rest by reason.
func printProblems(w io.Writer, ps []library.Problem, max int) {
	sort.Slice(ps, func(i, j int) bool { return ps[i].Path < ps[j].Path })
	for i, p := range ps {
		if i == max {
			fmt.Fprintf(w, "      ... and %d more\n", len(ps)-max)
			break
		}
		fmt.Fprintf(w, "      %s: %s\n", printable(p.Path), p.Reason)
	}
}

// printable quotes a path that is not valid UTF-8 or holds control characters.
func printable(p string) string {
	if strings.ToValidUTF8(p, "\uFFFD") != p || strings.ContainsFunc(p, func(r rune) bool { return r < 0x20 }) {
		return fmt.Sprintf("%q", p)
	}
	return path.Clean(p)
}

// pathBytes is a path's bytes when it is not valid UTF-8 (JSON would turn
// them into U+FFFD, so that two names could print alike), else nil.
func pathBytes(p string) []byte {
	if utf8.ValidString(p) {
		return nil
	}
	return []byte(p)
}
