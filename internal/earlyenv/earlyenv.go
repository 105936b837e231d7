// Package earlyenv fixes the process environment before any GUI package
// initialises. It is its own module, named to sort before every other import
// path, because Go initialises packages in import-path order once their own
// imports are ready: this init therefore runs before Fyne's.
//
// Why: Fyne's lang package parses the user's locale during its init. With
// LANG=C.UTF-8 (the Debian default in containers and CI) its locale library
// yields the tag "C", which does not parse, and Fyne prints a three-line
// error at the start of every relview command, CLI included. The C/POSIX
// locale means "no localisation", so setting LANGUAGE=en for it changes no
// behaviour and silences the error. A user's own LANGUAGE is left alone.
package earlyenv

import (
	"os"
	"strings"
)

func init() {
	if os.Getenv("LANGUAGE") != "" {
		return
	}
	loc := ""
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if loc = os.Getenv(v); loc != "" {
			break
		}
	}
	base, _, _ := strings.Cut(loc, ".")
	if base == "C" || base == "POSIX" {
		os.Setenv("LANGUAGE", "en")
	}
}
