//go:build darwin

package osopen

import "os/exec"

// Open opens path (a file or a folder) with its default application, or in
// the Finder for a folder, through macOS's open(1).
func Open(path string) error {
	return start(exec.Command("/usr/bin/open", "--", path), path)
}
