//go:build !unix

package clientproc

// lockFile is a no-op where flock(2) does not exist: concurrent installs
// of the same SDK by several processes are then not serialised.
func lockFile(string) (func(), error) { return func() {}, nil }
