// Package realbench is the real-photo relational benchmark: unedited
// photographs from Debian packages, each labelled by looking with the
// relation that dominates it (leading lines, repetition, a figure on empty
// ground, …) or "none". A relational space should rank photos of the same
// relation first whatever they show; a visual space, scored on the same
// truth, shows how much of it "looks alike" already solves.
//
// The labels live in bench/realrel/labels.tsv; the photos are fetched, never
// committed (bench/realrel/fetch.sh). See docs/relational.md.
package realbench

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// None is the group of ordinary photos: distractors, never queries.
const None = "none"

// DefaultDir is where bench/realrel/fetch.sh unpacks the photos by default
// (${TMPDIR:-/tmp}/relview-realrel); $RELVIEW_REALREL_PHOTOS overrides it.
func DefaultDir() string {
	if d := os.Getenv("RELVIEW_REALREL_PHOTOS"); d != "" {
		return d
	}
	tmp := os.Getenv("TMPDIR")
	if tmp == "" {
		tmp = "/tmp"
	}
	return filepath.Join(tmp, "relview-realrel")
}

// Photo is one row of labels.tsv.
type Photo struct {
	Set     string // "dev", "held" or "calib"
	Group   string // the relation, or None
	Package string // the Debian package that ships it
	Version string
	Path    string // inside the package
	Note    string // why it has this label
}

// Name is the photo's short name: package and file name.
func (p Photo) Name() string { return p.Package + "/" + filepath.Base(p.Path) }

// File is where fetch.sh unpacks the photo under dir.
func (p Photo) File(dir string) string { return filepath.Join(dir, p.Package, p.Path) }

// LoadLabels reads a labels file (tab-separated: set, group, package,
// version, path, note; one header line) and keeps the rows of the given
// sets (all rows when sets is empty).
func LoadLabels(path string, sets ...string) ([]Photo, error) {
	// A FIFO or device would block or never end: only a regular file.
	if st, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("labels: %w", err)
	} else if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("labels %s: not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("labels: %w", err)
	}
	defer f.Close()
	var out []Photo
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		if line == 1 || strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		c := strings.Split(sc.Text(), "\t")
		if len(c) != 6 {
			return nil, fmt.Errorf("labels %s:%d: %d columns, want 6", path, line, len(c))
		}
		p := Photo{Set: c[0], Group: c[1], Package: c[2], Version: c[3], Path: c[4], Note: c[5]}
		if len(sets) == 0 || contains(sets, p.Set) {
			out = append(out, p)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("labels %s: %w", path, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("labels %s: no photos in set %v", path, sets)
	}
	return out, nil
}

// Missing lists the photos not found under dir.
func Missing(photos []Photo, dir string) []string {
	var m []string
	for _, p := range photos {
		if st, err := os.Stat(p.File(dir)); err != nil || !st.Mode().IsRegular() {
			m = append(m, p.File(dir))
		}
	}
	return m
}

func contains(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}
