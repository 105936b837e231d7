package ui

import (
	"errors"
	"fmt"
	"os/exec"

	"relview/internal/osopen"
)

// openPath opens a file or folder with the desktop's default application:
// xdg-open, macOS's open, or Explorer on Windows (internal/osopen, one file
// per platform). Without that program it says what to install.
func openPath(p string) error {
	err := osopen.Open(p)
	if errors.Is(err, exec.ErrNotFound) {
		return fmt.Errorf("relview cannot open %s: the desktop's program for opening files is not installed (on Linux it is xdg-open: sudo apt install xdg-utils); Copy path gives the path to open it yourself: %w", p, err)
	}
	return err
}
