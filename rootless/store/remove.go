package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/cgroupsd"
	"github.com/rl-containers/rl/rootless/launch"
)

// Remove deletes the container's directories and name. Files in its
// writable layer that belong to subordinate ids are not ours on the host;
// those are removed from inside a user namespace (launch.RemoveAll).
func (c *Container) Remove() error {
	err := errors.Join(c.unlist(), c.leaveCgroup())
	Crashpoint("remove")
	if err = errors.Join(err, c.purge()); err != nil {
		return fmt.Errorf("removing container %.12s: %w", c.State.ID, err)
	}
	return nil
}

// unlist is the first part of a removal: the state goes first, and from
// then on the container is not listed; its entry in the active index and
// its name go with it. What is left of it, should rl die now, is garbage
// for Repair. The state is renamed, not unlinked: on ext4 (auto_da_alloc)
// the rename that last replaced it started its data's writeback, which an
// unlink waits out (0.2 to 4 ms here); the purge unlinks it with the rest.
func (c *Container) unlist() error {
	err := ignoreMissing(os.Rename(filepath.Join(c.DataDir(), "state.json"), filepath.Join(c.DataDir(), "state.removed")))
	if err == nil {
		err = c.Store.unmarkActive(c.State.ID)
	}
	if c.State.Name != "" {
		if target, _ := os.Readlink(c.Store.nameLink(c.State.Name)); target == c.State.ID {
			err = errors.Join(err, os.Remove(c.Store.nameLink(c.State.Name)))
		}
	}
	return err
}

// leaveCgroup removes the container's cgroup, if it has one: at once,
// with the unlisting, since a cgroup of a unit that ends with the command
// (a systemd scope kills what is left in it) would stay otherwise.
func (c *Container) leaveCgroup() error {
	if cg := c.State.Cgroup; cg != nil {
		return cgroupsd.Cleanup(cg.Manager, cg.Path)
	}
	return nil
}

// purge is the rest of a removal, once the container is unlisted: its run
// directory and its data directory.
func (c *Container) purge() error {
	errs := []error{os.RemoveAll(c.RunDir())}
	Crashpoint("purge")
	// overlayfs leaves work/work at mode 0: opened up first, the tree
	// goes in one pass instead of a failed one, a walk and another.
	_ = os.Chmod(filepath.Join(c.Work(), "work"), 0o700)
	if err := removeOwnTree(c.DataDir()); err != nil {
		errs = append(errs, launch.RemoveAll(c.DataDir()))
	}
	return errors.Join(errs...)
}

// removeOwnTree removes dir as far as its owner can, without a user
// namespace: overlayfs leaves its work/work directory at mode 0, so a
// directory of ours that denies us entry is opened up and the removal
// tried again. Only files of subordinate ids (written by a container user
// other than root, or copied up from an image's non-root files) are left,
// and the error says so: launching a user namespace for those costs a
// start-up's worth of time (newuidmap, newgidmap, rl-init), which a
// plain `rl run --rm` need not pay.
func removeOwnTree(dir string) error {
	if os.RemoveAll(dir) == nil {
		return nil
	}
	uid := uint32(os.Getuid())
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		var st unix.Stat_t
		if unix.Lstat(p, &st) == nil && st.Uid == uid && st.Mode&0o700 != 0o700 {
			_ = unix.Chmod(p, st.Mode&0o7777|0o700)
		}
		return nil
	})
	return os.RemoveAll(dir)
}

// RemoveLocked removes c under the store's lock: at once, unless this
// process holds the container's lock (LockMonitor), which lets the
// removal of its files end after this process (RemoveLater).
func (c *Container) RemoveLocked() error {
	unlock, err := c.Store.Lock()
	if err != nil {
		return err
	}
	defer unlock()
	return c.RemoveLater()
}

// RemoveLater removes c from the store's listings and frees its name at
// once; its directories go after this process has exited, in a process of
// its own that Purge starts (rl-init, or rl re-executed: "rl purge" in ps), so
// that the caller's exit does not wait on the disk. The caller holds the
// store's lock. That process holds the container's lock, which is this
// process's (without it, the removal is Remove's, at once), until the
// directories are gone: Repair leaves those alone, and repairs what a
// purge killed half way leaves.
func (c *Container) RemoveLater() error {
	if c.lock == nil {
		return c.Remove()
	}
	lock, err := dupFile(c.lock)
	if err != nil {
		return c.Remove()
	}
	// As Remove, the files go whatever the unlisting's error.
	err = errors.Join(c.unlist(), c.leaveCgroup())
	Crashpoint("remove")
	purges.add(c, lock)
	if err != nil {
		return fmt.Errorf("removing container %.12s: %w", c.State.ID, err)
	}
	return nil
}

// dupFile is a second descriptor of f's open file, close-on-exec: its
// flock(2) lock stays held while either is open.
func dupFile(f *os.File) (*os.File, error) {
	fd, err := unix.FcntlInt(f.Fd(), unix.F_DUPFD_CLOEXEC, 3)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), f.Name()), nil
}
