//go:build windows

package osopen

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
)

// Open opens path with Explorer: a folder in a File Explorer window, a file
// with the application associated with its type (as a double-click does).
func Open(path string) error {
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	exe := explorerPath()
	cmd := exec.Command(exe)
	// Explorer parses its own command line and does not follow the C runtime's
	// quoting rules that exec.Command applies; Windows paths cannot contain a
	// double quote, so quoting the path whole is always right.
	cmd.SysProcAttr = &syscall.SysProcAttr{CmdLine: commandLine(exe, path)}
	return start(cmd, path)
}

// commandLine is the exact command line Open gives Explorer.
func commandLine(exe, path string) string {
	return `"` + exe + `" "` + path + `"`
}

// explorerPath is %SystemRoot%\explorer.exe, found by full path so that no
// explorer.exe in the working folder or on PATH can stand in for it.
func explorerPath() string {
	root := os.Getenv("SystemRoot")
	if root == "" {
		root = `C:\Windows`
	}
	return filepath.Join(root, "explorer.exe")
}
