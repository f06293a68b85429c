package store

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
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

// The test binary is also the purge process that Purge starts.
func TestMain(m *testing.M) {
	if IsPurger() {
		os.Exit(RunPurger())
	}
	os.Exit(m.Run())
}

// RemoveLater unlists a container (its name free, Load failing) before it
// returns; its files go in the purge process, which holds the container's
// lock and the purging lock until they are gone, and a Repair meanwhile
// leaves them to it.
func TestRemoveLaterUnlistsNowAndPurgesAfter(t *testing.T) {
	dir := t.TempDir()
	s := Store{Root: filepath.Join(dir, "root"), RunRoot: filepath.Join(dir, "run")}
	c, unlock, err := s.Create("doomed", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	unlock()
	unlockMonitor, err := c.LockMonitor(false)
	if err != nil {
		t.Fatal(err)
	}
	// A process that would wait out the removal holds the data
	// directory open, as rl wait does.
	waiter, err := os.Open(c.DataDir())
	if err != nil {
		t.Fatal(err)
	}
	defer waiter.Close()
	if err := c.RemoveLocked(); err != nil {
		t.Fatal(err)
	}
	unlockMonitor()
	for _, ref := range []string{"doomed", c.State.ID[:12]} {
		if _, err := s.Load(ref); !errors.Is(err, ErrNoContainer) {
			t.Fatalf("Load(%q) of a container that RemoveLater removed: %v", ref, err)
		}
	}
	if !Exists(c.DataDir()) {
		t.Fatal("RemoveLater removed the files itself")
	}
	if err := s.Repair(); err != nil || !Exists(c.DataDir()) {
		t.Fatalf("Repair (%v) took the files of a container whose purge holds its lock", err)
	}
	// From the unlisting on, the purging lock waits for the files.
	busy, err := os.Open(filepath.Join(s.RunRoot, PurgingLock))
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	if err := flock(busy, unix.LOCK_EX|unix.LOCK_NB); err == nil {
		t.Fatal("the purging lock is free while a removed container's files wait for their purge")
	}
	// A process that the purge is to wait for, as for an rl-init still
	// tearing its namespaces down: cat, until its stdin closes.
	cat := exec.Command("cat")
	stdin, err := cat.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cat.Start(); err != nil {
		t.Fatal(err)
	}
	pidfd, err := unix.PidfdOpen(cat.Process.Pid, 0)
	if err != nil {
		t.Fatal(err)
	}
	wait := os.NewFile(uintptr(pidfd), "pidfd")
	handed, err := Purge([]*os.File{wait})
	wait.Close()
	if err != nil || !handed {
		t.Fatalf("Purge: handed %v, %v", handed, err)
	}
	// The container's lock goes with its files, ...
	if err := flock(waiter, unix.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	if Exists(c.DataDir()) || Exists(c.RunDir()) {
		t.Fatal("the container's lock is free, its files are still there")
	}
	// ... the purging lock only once cat has exited too.
	if err := flock(busy, unix.LOCK_EX|unix.LOCK_NB); err == nil {
		t.Fatal("the purge let go of the purging lock before the process it waits for exited")
	}
	stdin.Close()
	if err := cat.Wait(); err != nil {
		t.Fatal(err)
	}
	if err := flock(busy, unix.LOCK_EX); err != nil {
		t.Fatal(err)
	}
}
