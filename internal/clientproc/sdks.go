package clientproc

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var root = sync.OnceValue(func() string {
	dir, err := os.Getwd()
	if err != nil {
		return "."
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return dir
		}
	}
})

// Root is the repository's root: the nearest directory above the working
// directory (a test's package directory) that holds go.mod.
func Root() string { return root() }

// PythonDir and NodeDir hold the client programs, relative to Root.
const (
	PythonDir = "clients/python"
	NodeDir   = "clients/node"
)

// pyVenv is the venv with requirements.txt installed, made once per process
// and reused across runs while requirements.txt is unchanged; pyVenv3 the
// same for sdk3/requirements.txt (nacos-sdk-python 3.x, which no longer
// ships the 1.x client).
var (
	pyVenv  = pythonVenv("pyvenv", PythonDir+"/requirements.txt")
	pyVenv3 = pythonVenv("pyvenv3", PythonDir+"/sdk3/requirements.txt")
)

func pythonVenv(prefix, requirements string) *CachedInstall {
	return &CachedInstall{
		Prefix:   prefix,
		Inputs:   []string{requirements},
		SkipHint: "set MOCKNACOS_SKIP_PYTHON=1 to skip the nacos-sdk-python tests",
		Install: func(dir string, _ [][]byte, run func(hint, name string, args ...string) error) error {
			req := filepath.Join(Root(), requirements)
			if err := run("python3 -m venv failed (Debian: apt-get install python3-venv)", "python3", "-m", "venv", dir); err != nil {
				return err
			}
			return run("pip could not install "+req+" (the first run needs PyPI)", filepath.Join(dir, "bin", "python"), "-m", "pip", "install",
				"--disable-pip-version-check", "--no-input", "-q", "-r", req)
		},
	}
}

// Python returns the venv's python, creating the venv when needed; it
// skips the test only under MOCKNACOS_SKIP_PYTHON=1.
func Python(t *testing.T) string {
	t.Helper()
	checkPython(t)
	return filepath.Join(pyVenv.Path(t), "bin", "python")
}

// checkPython skips under MOCKNACOS_SKIP_PYTHON=1 and fails without python3.
func checkPython(t *testing.T) {
	t.Helper()
	if os.Getenv("MOCKNACOS_SKIP_PYTHON") == "1" {
		t.Skip("MOCKNACOS_SKIP_PYTHON=1: the nacos-sdk-python tests are skipped")
	}
	if _, err := exec.LookPath("python3"); err != nil {
		t.Fatalf("python3 not found on PATH: the nacos-sdk-python tests need python3 with venv and pip " +
			"(Debian: apt-get install python3 python3-venv); set MOCKNACOS_SKIP_PYTHON=1 to skip them")
	}
}

// Python3 is Python with nacos-sdk-python 3.x (sdk3/requirements.txt)
// installed instead; the same programs run on it (v2.nacos, gRPC).
func Python3(t *testing.T) string {
	t.Helper()
	checkPython(t)
	return filepath.Join(pyVenv3.Path(t), "bin", "python")
}

// StartPython runs one of the programs of clients/python with python (from
// Python), env added to the environment; it writes its logs under its own
// temporary directory (--dir).
func StartPython(t *testing.T, python, script string, env []string, args ...string) *Proc {
	t.Helper()
	dir := t.TempDir()
	abs := filepath.Join(Root(), PythonDir, script)
	cmd := exec.Command(python, append([]string{"-u", abs, "--dir", dir}, args...)...)
	cmd.Dir = dir // the v1 client writes snapshots relative to the working directory
	cmd.Env = append(os.Environ(), "HOME="+dir, "PYTHONDONTWRITEBYTECODE=1", "NACOS_USERNAME=", "NACOS_PASSWORD=")
	cmd.Env = append(cmd.Env, env...)
	return Start(t, script, cmd, filepath.Join(dir, "logs", "*.log"))
}

// nodeModules is the npm ci of clients/node, made once per process.
var nodeModules = &CachedInstall{
	Prefix:   "node",
	Inputs:   []string{NodeDir + "/package.json", NodeDir + "/package-lock.json"},
	SkipHint: "set MOCKNACOS_SKIP_NODE=1 to skip the nacos npm package tests",
	Install: func(dir string, inputs [][]byte, run func(hint, name string, args ...string) error) error {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		for i, name := range []string{"package.json", "package-lock.json"} {
			if err := os.WriteFile(filepath.Join(dir, name), inputs[i], 0o644); err != nil {
				return err
			}
		}
		return run("npm ci could not install clients/node (the first run needs the npm registry)",
			"npm", "ci", "--prefix", dir, "--no-audit", "--no-fund", "--loglevel=error")
	},
}

// StartNode runs one of the programs of clients/node against addr, given
// as NACOS_ADDR (the programs' default server) with the credentials of
// env, e.g. NACOS_USERNAME=nacos. It skips the test only under
// MOCKNACOS_SKIP_NODE=1.
func StartNode(t *testing.T, script, addr string, env []string, args ...string) *Proc {
	t.Helper()
	if os.Getenv("MOCKNACOS_SKIP_NODE") == "1" {
		t.Skip("MOCKNACOS_SKIP_NODE=1: the nacos npm package tests are skipped")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node not found on PATH: the nacos npm package tests need node and npm " +
			"(Debian: apt-get install nodejs npm); set MOCKNACOS_SKIP_NODE=1 to skip them")
	}
	modules := filepath.Join(nodeModules.Path(t), "node_modules")
	abs := filepath.Join(Root(), NodeDir, script)
	dir := t.TempDir()
	cmd := exec.Command(node, append([]string{abs, "--dir", dir}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+dir, "NODE_PATH="+modules, "NACOS_ADDR="+addr,
		"NACOS_USERNAME=", "NACOS_PASSWORD=", "NACOS_NAMESPACE=")
	cmd.Env = append(cmd.Env, env...)
	return Start(t, script, cmd, "")
}
