package fsoverlay

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"golang.org/x/sys/unix"
)

// ForeignError is a lower tree that the container cannot use as it is
// because a directory of it is owned by an id outside the user
// namespace's map.
type ForeignError struct {
	Lower, Dir string
	UID        uint32
	Err        error
}

func (e *ForeignError) Error() string {
	return fmt.Sprintf("the root filesystem %s has %s owned by uid %d, outside your user namespace's map: %v", e.Lower, e.Dir, e.UID, e.Err)
}

func (e *ForeignError) Unwrap() error { return e.Err }

// PrepareUpper makes in the upper dir each directory of the lower tree
// that holds one of paths (rl-init's mount points and the directories it
// creates) and that belongs to an id mapped(uid, gid) says the container
// does not have (a tree made by root): container root has no rights over
// such a directory, so neither a mount point nor a copy-up can be made in
// it from inside. In the upper dir the directory is the user's, so
// container root owns it and may create in it, and overlayfs merges it
// with the lower one; it keeps the lower one's mode and times.
//
// It runs in the front end, as the user, before the overlay is mounted.
// Paths resolve in the lower tree as rl-init resolves them in the merged
// one (symlinks stay inside it), and directories are made by handle
// inside the upper dir, whose contents the container wrote and may have
// made symlinks of.
func PrepareUpper(lower, upper string, paths []string, mapped func(uid, gid uint32) bool) error {
	var upperDir *os.File
	defer func() {
		if upperDir != nil {
			upperDir.Close()
		}
	}()
	for _, p := range paths {
		// A directory we may not search keeps its symlinks from us: the
		// path as it is, then, down to the first one that is not a
		// directory we can see.
		full, err := securejoin.SecureJoin(lower, p)
		if err != nil {
			full = filepath.Join(lower, filepath.Clean("/"+p))
		}
		rel, err := filepath.Rel(lower, full)
		if err != nil || rel == "." {
			continue
		}
		// The root is the upper dir's own: only the directories below
		// it that hold the path's last part.
		parts := strings.Split(rel, "/")
		var parent unix.Stat_t
		if err := unix.Lstat(lower, &parent); err != nil {
			return err
		}
		for i := 1; i < len(parts); i++ {
			dir := filepath.Join(parts[:i]...)
			var st unix.Stat_t
			err := unix.Lstat(filepath.Join(lower, dir), &st)
			if errors.Is(err, unix.EACCES) && !mapped(parent.Uid, parent.Gid) {
				// Neither we nor the container may look inside.
				return &ForeignError{Lower: lower, Dir: "/" + filepath.Dir(dir), UID: parent.Uid, Err: err}
			}
			if err != nil || st.Mode&unix.S_IFMT != unix.S_IFDIR {
				break // rl-init makes the rest, in a directory the container owns
			}
			parent = st
			if mapped(st.Uid, st.Gid) {
				continue
			}
			if st.Mode&0o001 == 0 {
				// overlayfs looks names up in the lower dir as the
				// container's root, to whom its owner is a stranger.
				return &ForeignError{Lower: lower, Dir: "/" + dir, UID: st.Uid,
					Err: fmt.Errorf("the container's root may not look inside it (mode %04o): %w", st.Mode&0o7777, unix.EACCES)}
			}
			if upperDir == nil {
				if upperDir, err = os.OpenFile(upper, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0); err != nil {
					return err
				}
			}
			if err := copyDirs(upperDir, lower, parts[:i]); err != nil {
				return &ForeignError{Lower: lower, Dir: "/" + dir, UID: st.Uid, Err: fmt.Errorf("making it in the container's upper dir: %w", err)}
			}
		}
	}
	return nil
}

// copyDirs makes each directory of the lower tree from its root down to
// parts in the upper dir, with the lower one's mode and times, unless it
// is there already (an earlier start made it, or the container).
func copyDirs(upperDir *os.File, lower string, parts []string) error {
	for i := 1; i <= len(parts); i++ {
		rel := filepath.Join(parts[:i]...)
		if d, err := pathrs.OpenatInRoot(upperDir, rel); err == nil {
			d.Close()
			continue
		}
		var st unix.Stat_t
		if err := unix.Lstat(filepath.Join(lower, rel), &st); err != nil {
			return err
		}
		if err := copyDir(upperDir, rel, &st); err != nil {
			return err
		}
	}
	return nil
}

// copyDir makes rel, whose parent is in the upper dir, with st's mode
// and times.
func copyDir(upperDir *os.File, rel string, st *unix.Stat_t) error {
	mode := st.Mode & 0o7777
	d, err := pathrs.MkdirAllHandle(upperDir, rel, os.FileMode(mode&0o777))
	if err != nil {
		return err
	}
	defer d.Close()
	// The handle is O_PATH: its /proc/self/fd link names the directory.
	// mkdir(2) applied the umask and dropped the special bits.
	self := "/proc/self/fd/" + strconv.Itoa(int(d.Fd()))
	if err := unix.Fchmodat(unix.AT_FDCWD, self, mode, 0); err != nil {
		return err
	}
	return unix.UtimesNanoAt(unix.AT_FDCWD, self, []unix.Timespec{st.Atim, st.Mtim}, 0)
}
