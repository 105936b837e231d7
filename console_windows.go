//go:build windows

package main

import (
	"os"

	"golang.org/x/sys/windows"
)

// The release relview.exe is a GUI-subsystem program (fyne package links it
// with -H=windowsgui, so a double-click opens no console window). Windows then
// gives it no standard output, and `relview.exe index C:\Photos` typed in a
// Command Prompt or PowerShell would print nothing. For a command-line run
// (any argument), attach to the console of the shell that started relview and
// write there. Output that the caller redirected to a file or a pipe already
// has valid handles and is left as it is; a run with no console at all (a
// double-click, a shortcut) changes nothing.
func init() {
	if len(os.Args) < 2 || validHandle(windows.STD_OUTPUT_HANDLE) && validHandle(windows.STD_ERROR_HANDLE) {
		return
	}
	if attachParentConsole() != nil {
		return
	}
	if !validHandle(windows.STD_OUTPUT_HANDLE) {
		if f := openConsole("CONOUT$"); f != nil {
			os.Stdout = f
		}
	}
	if !validHandle(windows.STD_ERROR_HANDLE) {
		if f := openConsole("CONOUT$"); f != nil {
			os.Stderr = f
		}
	}
}

func validHandle(std uint32) bool {
	h, err := windows.GetStdHandle(std)
	return err == nil && h != 0 && h != windows.InvalidHandle
}

var procAttachConsole = windows.NewLazySystemDLL("kernel32.dll").NewProc("AttachConsole")

// attachParentConsole is AttachConsole(ATTACH_PARENT_PROCESS).
func attachParentConsole() error {
	const attachParentProcess = ^uintptr(0) // (DWORD)-1
	if r, _, err := procAttachConsole.Call(attachParentProcess); r == 0 {
		return err
	}
	return nil
}

func openConsole(name string) *os.File {
	f, err := os.OpenFile(name, os.O_WRONLY, 0)
	if err != nil {
		return nil
	}
	return f
}
