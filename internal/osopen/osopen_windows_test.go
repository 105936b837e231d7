//go:build windows

package osopen

import (
	"strings"
	"testing"
)

// Explorer gets the path quoted whole, spaces and commas included (a comma
// would otherwise split Explorer's own argument list).
func TestCommandLineQuotesThePathWhole(t *testing.T) {
	got := commandLine(`C:\Windows\explorer.exe`, `C:\Users\a b\Pictures\x, y.jpg`)
	want := `"C:\Windows\explorer.exe" "C:\Users\a b\Pictures\x, y.jpg"`
	if got != want {
		t.Fatalf("command line %s, want %s", got, want)
	}
}

// Explorer is taken from %SystemRoot% by full path; when it is not there,
// Open says so with the path it tried to open.
func TestOpenNamesExplorerAndThePath(t *testing.T) {
	root := t.TempDir()
	t.Setenv("SystemRoot", root)
	if p := explorerPath(); !strings.EqualFold(p, root+`\explorer.exe`) {
		t.Fatalf("explorer path %s, want it in %s", p, root)
	}
	err := Open(`C:\photos\a.jpg`)
	if err == nil || !strings.Contains(err.Error(), `C:\photos\a.jpg`) || !strings.Contains(err.Error(), "explorer.exe") {
		t.Fatalf("Open with no explorer.exe: %v; want an error naming the path and explorer.exe", err)
	}
}
