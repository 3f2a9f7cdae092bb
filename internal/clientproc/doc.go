// Package clientproc runs the real-client programs of the tests (the Java
// programs of javaapps/, the Python ones of clients/python, the Node ones of
// clients/node) and reads what they print.
//
// A program is started, driven step by step over stdin, and answers with
// one JSON object per line on stdout; a test waits for lines without
// polling. The SDKs that need installing (the Python venv, the Node
// modules) are installed once into a directory cached across runs and
// keyed by a hash of what they install (CachedInstall, Python, Node).
//
// It serves the tests of package mocknacos and the compatibility suite
// (compat/), which drive the same programs against the mock and against a
// real Nacos.
package clientproc
