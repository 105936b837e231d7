package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMain lets a test re-run this binary as the relview command, for cases
// that need a fresh process (ONNX Runtime loads once per process).
func TestMain(m *testing.M) {
	if os.Getenv("RELVIEW_TEST_AS_MAIN") == "1" {
		os.Exit(Main(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// relview runs the command in a child process and returns stdout, stderr and
// the exit code.
func relview(t *testing.T, env []string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "RELVIEW_TEST_AS_MAIN=1"), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

// run executes a command in-process.
func run(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	root := NewRoot(&out, &errb)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), errb.String(), err
}

const photos = "../assets/photos/"

func TestCompareJSON(t *testing.T) {
	out, _, err := run(t, "compare", "--json", photos+"motorcycle_left.png", photos+"motorcycle_left.png")
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Relational, Visual *float64
		Why                *[]struct {
			Relation string
			Strength float64
		}
	}
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("output %q: %v", out, err)
	}
	for space, v := range map[string]*float64{"relational": s.Relational, "visual": s.Visual} {
		if v == nil || math.Abs(*v-1) > 1e-4 {
			t.Errorf("%s = %v, want 1.000", space, v)
		}
	}
	if s.Why == nil {
		t.Errorf("no \"why\" for the built-in relational encoder: %s", out)
	}
	out, _, err = run(t, "compare", photos+"motorcycle_left.png", photos+"motorcycle_right.png")
	if err != nil || !strings.Contains(out, "relational") || !strings.Contains(out, "approximation of relsim") {
		t.Errorf("text output %q, %v: want both spaces named honestly", out, err)
	}
}

func TestEmbedKeepsGoingAndFailsAtEnd(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "broken.jpg")
	os.WriteFile(bad, []byte("\xff\xd8\xff garbage"), 0o644)
	stdout, stderr, code := relview(t, nil, "embed", photos+"chelsea.png", bad, dir, photos+"rocket.jpg")
	if code == 0 {
		t.Errorf("exit code 0, want non-zero when a file failed")
	}
	var recs []map[string]any
	sc := bufio.NewScanner(strings.NewReader(stdout))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var r map[string]any
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		recs = append(recs, r)
	}
	if len(recs) != 4 {
		t.Fatalf("%d JSON lines, want 4 (one per file)\nstderr: %s", len(recs), stderr)
	}
	for i, want := range []bool{true, false, false, true} {
		_, hasVec := recs[i]["visual"]
		_, hasRel := recs[i]["relational"]
		errMsg, hasErr := recs[i]["error"].(string)
		if hasVec != want || hasRel != want || hasErr == want {
			t.Errorf("line %d = %v: want vectors=%v", i, recs[i]["path"], want)
		}
		if hasErr && !strings.Contains(errMsg, recs[i]["path"].(string)) {
			t.Errorf("error %q does not name the file", errMsg)
		}
	}
	if !strings.Contains(stderr, "2 of 4 files failed") {
		t.Errorf("stderr %q: want a summary", stderr)
	}
}

func TestModelsJSON(t *testing.T) {
	out, _, err := run(t, "models", "--json")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Runtime struct{ Path, Version string }
		Spaces  []struct {
			Space, Model, Source string
			Dim                  int
		}
	}
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(m.Runtime.Version, "1.") || m.Runtime.Path == "" {
		t.Errorf("runtime %+v", m.Runtime)
	}
	if len(m.Spaces) != 3 || m.Spaces[0].Space != "objects" || m.Spaces[1].Space != "relational" || m.Spaces[2].Space != "visual" || m.Spaces[2].Dim != 1792 {
		t.Errorf("spaces %+v", m.Spaces)
	}
}

func TestBadRuntimeLibraryIsAClearError(t *testing.T) {
	dir := t.TempDir()
	bogus := filepath.Join(dir, "libonnxruntime.so.1")
	os.WriteFile(bogus, []byte("not a shared library"), 0o755)
	cases := map[string][]string{
		"not a library": {"--ort-lib", bogus, "models"},
		"missing":       {"--ort-lib", filepath.Join(dir, "absent.so"), "models"},
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			_, stderr, code := relview(t, nil, args...)
			if code == 0 || strings.Contains(stderr, "panic") || !strings.Contains(stderr, args[1]) {
				t.Errorf("exit %d, stderr %q: want one clear error naming %s", code, stderr, args[1])
			}
		})
	}
	t.Run("nowhere", func(t *testing.T) {
		work := t.TempDir()
		cmd := []string{"RELVIEW_ORT_LIB=", "XDG_DATA_HOME=" + work}
		// Run from outside the source tree so the project's lib/ is not found.
		wd, _ := os.Getwd()
		os.Chdir(work)
		defer os.Chdir(wd)
		_, stderr, code := relview(t, cmd, "models")
		if code == 0 || !strings.Contains(stderr, "npm pack onnxruntime-node@1.30.0") || !strings.Contains(stderr, "looked in") {
			t.Errorf("exit %d, stderr %q: want where it looked and how to get it", code, stderr)
		}
	})
}
