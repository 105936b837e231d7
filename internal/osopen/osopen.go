// Package osopen opens a file or folder with the desktop's own default
// application: xdg-open on Linux and the BSDs, open on macOS, Explorer on
// Windows (osopen_*.go). It has no cgo and no Fyne, so every platform's file
// is vetted from any machine.
package osopen

import (
	"fmt"
	"os/exec"
)

// start runs cmd without waiting for it (a file manager or viewer may keep
// running) and reaps it in the background. Only a failure to start is an
// error: launchers such as explorer.exe exit non-zero even when they worked.
func start(cmd *exec.Cmd, path string) error {
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("open %s with %s: %w", path, cmd.Path, err)
	}
	go cmd.Wait()
	return nil
}
