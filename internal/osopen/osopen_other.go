//go:build !windows && !darwin

package osopen

import "os/exec"

// Open opens path (a file or a folder) with the desktop's default
// application through xdg-open (freedesktop.org's xdg-utils).
func Open(path string) error {
	return start(exec.Command("xdg-open", path), path)
}
