package ui

import (
	"errors"
	"runtime"
)

// ErrNoDisplay says the GUI cannot start: no X11 or Wayland display.
var ErrNoDisplay = errors.New("no display: $DISPLAY and $WAYLAND_DISPLAY are not set, so the window cannot open.\n" +
	"Run relview inside a desktop session (or under Xvfb), or use the command line: relview --help")

// CheckDisplay returns ErrNoDisplay on a Unix without a display; getenv is
// os.Getenv outside tests.
func CheckDisplay(getenv func(string) string) error {
	switch runtime.GOOS {
	case "windows", "darwin", "android", "ios":
		return nil
	}
	if getenv("DISPLAY") == "" && getenv("WAYLAND_DISPLAY") == "" {
		return ErrNoDisplay
	}
	return nil
}
