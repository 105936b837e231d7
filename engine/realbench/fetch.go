package realbench

import (
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
)

// Fetch makes sure the photos of a labels file are under dir, running the
// fetch.sh beside the labels (apt-get download + dpkg -x; nothing is
// installed) when any is missing. Its error carries fetch.sh's last words.
func Fetch(labelsFile, dir string) error {
	photos, err := LoadLabels(labelsFile)
	if err != nil {
		return err
	}
	if len(Missing(photos, dir)) == 0 {
		return nil
	}
	script := filepath.Join(filepath.Dir(labelsFile), "fetch.sh")
	var stderr bytes.Buffer
	cmd := exec.Command("bash", script, dir)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
		return fmt.Errorf("%s %s: %w: %s", script, dir, err, strings.Join(lines[max(len(lines)-3, 0):], " / "))
	}
	if m := Missing(photos, dir); len(m) > 0 {
		return fmt.Errorf("%s %s: still %d photos missing (first: %s)", script, dir, len(m), m[0])
	}
	return nil
}
