package main

import (
	"bytes"
	"os"
	"os/exec"
	"testing"
)

// TestMain lets a test run this binary as relview itself.
func TestMain(m *testing.M) {
	if os.Getenv("RELVIEW_TEST_AS_MAIN") == "1" {
		main()
	}
	os.Exit(m.Run())
}

func TestGUIFolder(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		args []string
		gui  bool
	}{
		{nil, true},
		{[]string{dir}, true},
		{[]string{"models"}, false},
		{[]string{"compare", "a", "b"}, false},
		{[]string{"--help"}, false},
		{[]string{dir + "/missing"}, false},
		{[]string{"main.go"}, false}, // a file, not a folder
	}
	for _, c := range cases {
		folder, gui := guiFolder(c.args)
		if gui != c.gui {
			t.Errorf("guiFolder(%q) = %v, want %v", c.args, gui, c.gui)
		}
		if gui && len(c.args) == 1 && folder != c.args[0] {
			t.Errorf("guiFolder(%q) folder = %q", c.args, folder)
		}
	}
}

// A command prints nothing on stderr at start-up, whatever the locale: Fyne
// is linked into the same binary, and its package init must not complain
// (LANG=C.UTF-8 is what containers and CI have; see internal/earlyenv).
func TestNoStartupNoise(t *testing.T) {
	for _, lang := range []string{"C.UTF-8", "C", "POSIX", "en_US.UTF-8", "fr_FR.UTF-8"} {
		cmd := exec.Command(os.Args[0], "--version")
		cmd.Env = []string{"RELVIEW_TEST_AS_MAIN=1", "PATH=/usr/bin:/bin", "HOME=" + t.TempDir(), "LANG=" + lang}
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Run(); err != nil {
			t.Fatalf("LANG=%s: %v\n%s", lang, err, stderr.String())
		}
		if stderr.Len() != 0 || !bytes.Contains(stdout.Bytes(), []byte("relview version")) {
			t.Errorf("LANG=%s: stdout %q, stderr %q: want the version and a silent stderr", lang, stdout.String(), stderr.String())
		}
	}
}
