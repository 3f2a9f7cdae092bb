package clientproc

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// CachedInstall is an SDK installed once per process into
// os.UserCacheDir()/mocknacos/<prefix>-<hash of the inputs>, and reused
// across runs while the inputs are unchanged.
type CachedInstall struct {
	Prefix string
	Inputs []string // files, relative to the repository's root; their contents key the directory
	// Install fills dir; run runs one command there, failing with its
	// output and the hint.
	Install  func(dir string, inputs [][]byte, run func(hint, name string, args ...string) error) error
	SkipHint string // how to skip the tests that need it, said with every failure

	once sync.Once
	dir  string
	err  error
}

// Path returns the directory, installing when needed.
func (ci *CachedInstall) Path(t *testing.T) string {
	t.Helper()
	ci.once.Do(func() { ci.dir, ci.err = ci.build(t) })
	if ci.err != nil {
		t.Fatal(ci.err)
	}
	return ci.dir
}

func (ci *CachedInstall) build(t *testing.T) (string, error) {
	h := sha256.New() // of the contents one after the other: for one file, the hash of that file
	var inputs [][]byte
	for _, f := range ci.Inputs {
		data, err := os.ReadFile(filepath.Join(Root(), f))
		if err != nil {
			return "", err
		}
		inputs = append(inputs, data)
		h.Write(data)
	}
	sum := h.Sum(nil)
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "mocknacos", ci.Prefix+"-"+hex.EncodeToString(sum)[:16])
	ready := filepath.Join(dir, ".mocknacos-ready") // written last: a directory without it is incomplete
	if _, err := os.Stat(ready); err == nil {
		t.Logf("%s: %s is up to date", ci.Prefix, dir)
		return dir, nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", err
	}
	// Several test processes (go test runs packages in parallel, and
	// developers run suites side by side) may install the same inputs at
	// once: one installs while the others wait on the lock, then find the
	// directory ready. A venv cannot be built elsewhere and renamed (its
	// scripts hold their absolute path), hence a lock rather than a rename.
	unlock, err := lockFile(dir + ".lock")
	if err != nil {
		return "", err
	}
	defer unlock()
	if _, err := os.Stat(ready); err == nil {
		t.Logf("%s: %s was installed by another process", ci.Prefix, dir)
		return dir, nil
	}
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	start := time.Now()
	run := func(hint, name string, args ...string) error {
		cmd := exec.CommandContext(ctx, name, args...)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("%s %s: %v\n%s\n%s; %s", name, strings.Join(args, " "), err, out.String(), hint, ci.SkipHint)
		}
		return nil
	}
	if err := ci.Install(dir, inputs, run); err != nil {
		return "", err
	}
	if err := os.WriteFile(ready, bytes.Join(inputs, nil), 0o644); err != nil {
		return "", err
	}
	t.Logf("%s: installed %s in %v", ci.Prefix, dir, time.Since(start).Round(time.Millisecond))
	return dir, nil
}
