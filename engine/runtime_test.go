package engine

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFindRuntimeOrder(t *testing.T) {
	dir := t.TempDir()
	flagLib := filepath.Join(dir, "flag.so")
	envLib := filepath.Join(dir, "env.so")
	for _, p := range []string{flagLib, envLib} {
		os.WriteFile(p, []byte("x"), 0o644)
	}
	t.Setenv(ORTLibEnv, envLib)
	if got, err := FindRuntime(flagLib); err != nil || got != flagLib {
		t.Errorf("with flag: %q, %v; want the flag's path", got, err)
	}
	if got, err := FindRuntime(""); err != nil || got != envLib {
		t.Errorf("with env: %q, %v; want the env's path", got, err)
	}
	// An explicit path that does not exist is an error, not a silent fallback.
	if _, err := FindRuntime(filepath.Join(dir, "absent.so")); err == nil || !strings.Contains(err.Error(), "absent.so") {
		t.Errorf("missing --ort-lib: %v", err)
	}
}

func TestFindRuntimeNotFoundSaysWhereAndHow(t *testing.T) {
	t.Setenv(ORTLibEnv, "")
	t.Setenv("XDG_DATA_HOME", t.TempDir())
	t.Chdir(t.TempDir()) // outside the source tree
	_, err := FindRuntime("")
	if !errors.Is(err, ErrRuntimeNotFound) {
		t.Fatalf("err = %v, want ErrRuntimeNotFound", err)
	}
	for _, want := range []string{"next to the executable", "user data dir", "npm pack onnxruntime-node@1.30.0", "--ort-lib"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q:\n%v", want, err)
		}
	}
}
