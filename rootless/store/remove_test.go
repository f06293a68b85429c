package store

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRemoveOwnTreeOpensDirectoriesOfOurs(t *testing.T) {
	if os.Getuid() == 0 {
		t.Skip("root enters any directory: nothing to open up")
	}
	dir := filepath.Join(t.TempDir(), "ctr")
	// As overlayfs leaves a container's work directory: work/work at 0.
	locked := filepath.Join(dir, "work", "work")
	if err := os.MkdirAll(filepath.Join(locked, "inner"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "upper"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(locked, 0); err != nil {
		t.Fatal(err)
	}
	if err := removeOwnTree(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(dir); !os.IsNotExist(err) {
		t.Fatalf("%s is still there: %v", dir, err)
	}
}
