// Package sample materialises relview's built-in sample library: the real
// photos embedded in package assets plus relational compositions made from
// them by the benchmark's templates (engine/relbench), so that a new user
// sees at once how the relational and the visual columns disagree: a
// photo's visual neighbours are the compositions made from the same photo,
// its relational neighbours the compositions that share its layout.
//
// The package imports no GUI toolkit; the GUI and the CLI can both use it.
package sample

import (
	"errors"
	"fmt"
	"image/jpeg"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"relview/assets"
	"relview/engine/relbench"
)

// Version is written to the marker file; a sample folder with another
// version is rebuilt.
const Version = "relview sample library v1"

// MarkerName is the (hidden, so never indexed) marker file in a complete
// sample folder.
const MarkerName = ".relview-sample"

// Seed drives the compositions' random choices.
const Seed = 20251207

// Templates are the relational templates composed for the sample: the
// multi-panel layouts the built-in relational encoder recognises best, and
// one single-canvas relation (a reflection).
var Templates = []string{
	relbench.TOddOneOut,
	relbench.TBeforeAfter,
	relbench.TRotational,
	relbench.TStages,
	relbench.TReflection,
}

// Mains are the photos each template is applied to: six photos that look
// nothing alike.
var Mains = []string{"chelsea.png", "coffee.png", "rocket.jpg", "horses.jpg", "astronaut.png", "scream.jpg"}

// Dir is where the sample library lives: dataDir/sample.
func Dir(dataDir string) string { return filepath.Join(dataDir, "sample") }

// Ensure returns the sample library folder under dataDir, writing it first
// when it is missing or from another version. The folder is written once and
// atomically: built in a temporary folder beside it, then renamed.
func Ensure(dataDir string) (string, error) {
	if dataDir == "" {
		return "", errors.New("sample library: no user data folder (set $XDG_DATA_HOME or $HOME)")
	}
	dir := Dir(dataDir)
	if Complete(dir) {
		return dir, nil
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return "", fmt.Errorf("sample library: %w", err)
	}
	tmp, err := os.MkdirTemp(dataDir, ".sample-tmp-")
	if err != nil {
		return "", fmt.Errorf("sample library: %w", err)
	}
	defer os.RemoveAll(tmp) // a no-op after a successful rename
	if err := Write(tmp); err != nil {
		return "", err
	}
	if _, err := os.Stat(dir); err == nil {
		// An old version (or an interrupted copy without its marker):
		// move it aside, put the new one in place, then delete the old.
		old := dir + fmt.Sprintf(".old-%d", os.Getpid())
		if err := os.Rename(dir, old); err != nil {
			return "", fmt.Errorf("sample library: %w", err)
		}
		defer os.RemoveAll(old)
	}
	if err := os.Rename(tmp, dir); err != nil {
		if Complete(dir) { // another process won the race
			return dir, nil
		}
		return "", fmt.Errorf("sample library: %w", err)
	}
	return dir, nil
}

// Complete reports whether dir holds a sample library of this Version.
func Complete(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, MarkerName))
	return err == nil && strings.TrimSpace(string(b)) == Version
}

// Write fills dir (which must exist) with the sample library: photos/ with
// every embedded photo and its licences, compositions/ with one JPEG per
// template and main photo, a README.md, and the marker file last.
func Write(dir string) error {
	photos := filepath.Join(dir, "photos")
	comps := filepath.Join(dir, "compositions")
	for _, d := range []string{photos, comps} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("sample library: %w", err)
		}
	}
	entries, err := fs.ReadDir(assets.Photos, "photos")
	if err != nil {
		return fmt.Errorf("sample library: %w", err)
	}
	for _, e := range entries {
		b, err := assets.Photos.ReadFile(path.Join("photos", e.Name()))
		if err != nil {
			return fmt.Errorf("sample library: %w", err)
		}
		if err := os.WriteFile(filepath.Join(photos, e.Name()), b, 0o644); err != nil {
			return fmt.Errorf("sample library: %w", err)
		}
	}
	list, err := Compositions(photos)
	if err != nil {
		return err
	}
	for _, c := range list {
		if err := writeJPEG(filepath.Join(comps, FileName(c)), c); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "README.md"), []byte(readme()), 0o644); err != nil {
		return fmt.Errorf("sample library: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, MarkerName), []byte(Version+"\n"), 0o644); err != nil {
		return fmt.Errorf("sample library: %w", err)
	}
	return nil
}

// Compositions builds the sample's compositions from the photos in
// photoDir (Templates × Mains, in that order).
func Compositions(photoDir string) ([]relbench.Composite, error) {
	byName := map[string]relbench.Template{}
	for _, t := range relbench.Templates() {
		byName[t.Name] = t
	}
	var tmpls []relbench.Template
	for _, n := range Templates {
		t, ok := byName[n]
		if !ok {
			return nil, fmt.Errorf("sample library: no template %q", n)
		}
		tmpls = append(tmpls, t)
	}
	comps, err := relbench.BuildWith(photoDir, relbench.Config{Seed: Seed, Mains: Mains, Templates: tmpls})
	if err != nil {
		return nil, fmt.Errorf("sample library: %w", err)
	}
	return comps, nil
}

// FileName is a composition's file name: "<template>-<photo>.jpg".
func FileName(c relbench.Composite) string {
	return strings.ReplaceAll(c.Template, "_", "-") + "-" + c.Photo + ".jpg"
}

func writeJPEG(p string, c relbench.Composite) error {
	f, err := os.Create(p)
	if err != nil {
		return fmt.Errorf("sample library: %w", err)
	}
	if err := jpeg.Encode(f, c.Image, &jpeg.Options{Quality: 90}); err != nil {
		f.Close()
		return fmt.Errorf("sample library: %s: %w", c.Name, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("sample library: %w", err)
	}
	return nil
}

func readme() string {
	var b strings.Builder
	b.WriteString("# relview sample library\n\n")
	b.WriteString("relview wrote this folder on its first start. photos/ holds real, permissively\n")
	b.WriteString("licensed photos (see photos/LICENSES.md); compositions/ holds pictures made from\n")
	b.WriteString("six of them by relational templates:\n\n")
	descr := map[string]string{}
	for _, t := range relbench.Templates() {
		descr[t.Name] = t.Description
	}
	for _, t := range Templates {
		fmt.Fprintf(&b, "- %s: %s\n", strings.ReplaceAll(t, "_", "-"), descr[t])
	}
	b.WriteString("\nClick a composition: its *visual* neighbours are mostly pictures of the same\n")
	b.WriteString("photo, its *relational* neighbours mostly the same template on other photos.\n")
	b.WriteString("Deleting this folder is safe; relview writes it again when it needs it.\n")
	return b.String()
}
