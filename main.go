// Command relview explores a photo folder by relational and visual similarity.
// With subcommands it is a CLI; the wiring lives in package cli.
package main

import (
	"os"

	"relview/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:]))
}
