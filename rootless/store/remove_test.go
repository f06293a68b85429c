package store

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
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

// The exit codes of removed containers go once they are older than
// exitsKept, at the next exit recorded after that time.
func TestPruneExits(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	old, recent := strings.Repeat("a", 64), strings.Repeat("b", 64)
	for id, age := range map[string]time.Duration{old: exitsKept + time.Minute, recent: time.Minute} {
		p := filepath.Join(dir, id)
		if err := os.WriteFile(p, []byte("0\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, now.Add(-age), now.Add(-age)); err != nil {
			t.Fatal(err)
		}
	}
	pruneExits(dir, now)
	if Exists(filepath.Join(dir, old)) || !Exists(filepath.Join(dir, recent)) {
		t.Fatalf("after a prune: old kept %v, recent kept %v", Exists(filepath.Join(dir, old)), Exists(filepath.Join(dir, recent)))
	}
	// Within exitsKept of that prune, nothing is read again.
	if err := os.Chtimes(filepath.Join(dir, recent), now.Add(-2*exitsKept), now.Add(-2*exitsKept)); err != nil {
		t.Fatal(err)
	}
	pruneExits(dir, now.Add(time.Minute))
	if !Exists(filepath.Join(dir, recent)) {
		t.Fatal("pruned again within exitsKept of the last prune")
	}
}
