package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

// exactArgs is cobra.ExactArgs with the usage line in its error: "accepts
// 2 arg(s), received 0" alone does not say which two.
func exactArgs(n int) cobra.PositionalArgs {
	return withUsage(cobra.ExactArgs(n))
}

// minArgs is cobra.MinimumNArgs with the usage line in its error.
func minArgs(n int) cobra.PositionalArgs {
	return withUsage(cobra.MinimumNArgs(n))
}

func withUsage(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return fmt.Errorf("%s: %v\nusage: relview %s\n(relview %s --help for more)", cmd.Name(), err, cmd.Use, cmd.Name())
		}
		return nil
	}
}
