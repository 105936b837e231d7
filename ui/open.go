package ui

import "relview/internal/osopen"

// openPath opens a file or folder with the desktop's default application:
// xdg-open, macOS's open, or Explorer on Windows (internal/osopen, one file
// per platform).
func openPath(p string) error { return osopen.Open(p) }
