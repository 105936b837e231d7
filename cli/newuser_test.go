package cli

import (
	"os"
	"strings"
	"testing"

	"relview/library"
)

// What a new user met on the command line (issue 10): each case failed
// before its fix.
func TestNewUserRoughEdges(t *testing.T) {
	t.Run("status and export of a folder never indexed create nothing", func(t *testing.T) {
		dir := photoFolder(t, "dog.jpg")
		cache := os.Getenv(library.CacheDirEnv)
		out, _, err := run(t, "status", dir)
		if err != nil || !strings.Contains(out, "not indexed yet") {
			t.Errorf("status: %q, %v", out, err)
		}
		out, _, err = run(t, "status", "--json", dir)
		if err != nil || !strings.Contains(out, `"indexed":false`) {
			t.Errorf("status --json: %q, %v", out, err)
		}
		if _, _, err := run(t, "export", dir); err == nil || !strings.Contains(err.Error(), "relview index") {
			t.Errorf("export of a folder never indexed: %v, want an error saying to index it", err)
		}
		if ents, _ := os.ReadDir(cache); len(ents) != 0 {
			t.Errorf("the cache root holds %d entries after status and export of a folder never indexed", len(ents))
		}
	})
	t.Run("missing arguments show the usage line", func(t *testing.T) {
		for _, args := range [][]string{{"neighbors"}, {"compare", "a.jpg"}, {"index"}} {
			_, _, err := run(t, args...)
			if err == nil || !strings.Contains(err.Error(), "usage: relview "+args[0]) {
				t.Errorf("relview %v: %v, want the usage line", args, err)
			}
		}
	})
	t.Run("models --json keys are snake_case", func(t *testing.T) {
		out, _, err := run(t, "models", "--json")
		if err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{`"path":`, `"version":`, `"space":`} {
			if !strings.Contains(out, key) {
				t.Errorf("models --json lacks %s: %s", key, out)
			}
		}
		if strings.Contains(out, `"Path"`) || strings.Contains(out, `"Version"`) {
			t.Errorf("models --json mixes Go field names in: %s", out)
		}
	})
}
