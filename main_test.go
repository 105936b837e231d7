package main

import "testing"

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
