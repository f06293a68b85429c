package child

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	securejoin "github.com/cyphar/filepath-securejoin"
	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/spec"
)

// prepareSource readies a bind's source before mountUser mounts it, in the
// container's user namespace, where the ids of the image's files and of
// the container's user are the container's own: a volume's first mount
// copies the image's content at the destination into it (CopyUp, as
// docker and podman do, so that a volume on /var/lib/db starts with what
// the image put there), and U gives the source's content to the
// container's user.
func prepareSource(root string, m spec.Mount, u spec.User) error {
	if m.Kind != spec.Bind {
		return nil
	}
	if m.CopyUp {
		if err := copyUp(root, m, u); err != nil {
			return fmt.Errorf("copying the image's %s into volume %s: %w", m.Destination, m.Volume, err)
		}
	}
	if m.Chown {
		if err := chownTree(m.Source, int(u.UID), int(u.GID)); err != nil {
			return fmt.Errorf("giving %s to uid %d (the U option): %w", m.Source, u.UID, err)
		}
	}
	return nil
}

// copyUp copies the image's directory at m.Destination into the volume,
// when the volume is empty (one filled meanwhile by another container is
// left alone) and the image has a directory there; where it has none,
// the volume's root goes to the container's user, as podman gives it
// (so that `--user 1000 -v vol:/data` can write to /data).
func copyUp(root string, m spec.Mount, u spec.User) error {
	entries, err := os.ReadDir(m.Source)
	if err != nil || len(entries) > 0 {
		return err
	}
	// The image's symlinks resolve inside the root.
	from, err := securejoin.SecureJoin(root, m.Destination)
	if err != nil {
		return err
	}
	fi, err := os.Lstat(from)
	if errors.Is(err, os.ErrNotExist) || err == nil && !fi.IsDir() {
		return os.Lchown(m.Source, int(u.UID), int(u.GID))
	}
	if err != nil {
		return err
	}
	return filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, p)
		if err != nil {
			return err
		}
		return copyEntry(p, filepath.Join(m.Source, rel), d)
	})
}

// copyEntry copies one file, directory or symlink with its owner and mode;
// devices, sockets and fifos are skipped. Nothing is created through a
// symlink (O_NOFOLLOW, O_EXCL): another container sharing the volume may
// write into it meanwhile.
func copyEntry(src, dst string, d fs.DirEntry) error {
	fi, err := d.Info()
	if err != nil {
		return err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fmt.Errorf("%s: no ownership", src)
	}
	uid, gid := int(st.Uid), int(st.Gid)
	switch {
	case d.IsDir():
		if err := os.Mkdir(dst, 0o700); err != nil && !os.IsExist(err) {
			return err
		}
		f, err := os.OpenFile(dst, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			return err
		}
		defer f.Close()
		return ownAndMode(f, uid, gid, fi.Mode())
	case d.Type()&fs.ModeSymlink != 0:
		target, err := os.Readlink(src)
		if err != nil {
			return err
		}
		if err := os.Symlink(target, dst); err != nil {
			return err
		}
		return os.Lchown(dst, uid, gid)
	case d.Type().IsRegular():
		out, err := copyContent(src, dst)
		if err != nil {
			return err
		}
		defer out.Close()
		return ownAndMode(out, uid, gid, fi.Mode())
	}
	return nil
}

// ownAndMode sets f's owner, then its mode (a chown clears set-id bits).
func ownAndMode(f *os.File, uid, gid int, mode fs.FileMode) error {
	if err := f.Chown(uid, gid); err != nil {
		return err
	}
	perm := uint32(mode.Perm())
	if mode&fs.ModeSetuid != 0 {
		perm |= unix.S_ISUID
	}
	if mode&fs.ModeSetgid != 0 {
		perm |= unix.S_ISGID
	}
	if mode&fs.ModeSticky != 0 {
		perm |= unix.S_ISVTX
	}
	return unix.Fchmod(int(f.Fd()), perm)
}

// chownTree gives dir and everything below it to uid:gid, symlinks
// themselves rather than their targets.
func chownTree(dir string, uid, gid int) error {
	return filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	})
}

// setBindFlags sets the mount flags noexec, nosuid and nodev of flags on
// the bind at target and every mount below it, with mount_setattr(2),
// which leaves the flags the kernel locks alone.
func setBindFlags(target string, flags uintptr) error {
	var attr unix.MountAttr
	for _, f := range []struct {
		ms   uintptr
		attr uint64
	}{{unix.MS_NOEXEC, unix.MOUNT_ATTR_NOEXEC}, {unix.MS_NOSUID, unix.MOUNT_ATTR_NOSUID}, {unix.MS_NODEV, unix.MOUNT_ATTR_NODEV}} {
		if flags&f.ms != 0 {
			attr.Attr_set |= f.attr
		}
	}
	if attr.Attr_set == 0 {
		return nil
	}
	return unix.MountSetattr(-1, target, unix.AT_NO_AUTOMOUNT|unix.AT_RECURSIVE, &attr)
}
