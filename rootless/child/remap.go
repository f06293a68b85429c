package child

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/spec"
	"github.com/rl-containers/rl/userns"
)

// remapRootfs readies the root filesystem of a container whose user
// namespace nests in ours (keep-id, nomap, --uidmap): each image layer
// gets its remapped copy (spec.Rootfs.Source) unless an earlier start
// made it, and the upper and work dirs go to container root, so that the
// nested rl-init may mount the overlay over them and the container's /
// is root's, as do the files rl wrote for the container. We are root in
// the caller's namespace, where every id of the store has a name.
func remapRootfs(s *spec.Spec) error {
	r := s.Rootfs
	ids := remapper{uids: s.Nested.UIDs, gids: s.Nested.GIDs}
	for i, src := range r.Source {
		if err := ids.layer(src, r.Lower[i]); err != nil {
			return fmt.Errorf("remapping image layer %s for the container's user namespace: %w", src, err)
		}
	}
	uid, uok := userns.ToHost(ids.uids, 0)
	gid, gok := userns.ToHost(ids.gids, 0)
	if !uok || !gok {
		return nil
	}
	dirs := []string{r.Work}
	if len(r.Source) > 0 {
		dirs = append(dirs, r.Upper)
	}
	for _, d := range dirs {
		if err := os.Lchown(d, int(uid), int(gid)); err != nil {
			return fmt.Errorf("giving %s to container root: %w", d, err)
		}
	}
	for _, m := range s.Mounts {
		if m.Generated {
			// In the container's run dir, where the container makes
			// nothing: no symlink to fear.
			if err := os.Lchown(m.Source, int(uid), int(gid)); err != nil {
				return fmt.Errorf("giving the container's %s to its root: %w", m.Destination, err)
			}
		}
	}
	return giveWritten(r, int(uid), int(gid))
}

// giveWritten gives what the front end wrote into the upper dir to
// container root. The paths resolve beneath the upper dir without
// symlinks: the container may have put one there on an earlier run.
func giveWritten(r spec.Rootfs, uid, gid int) error {
	if len(r.Written) == 0 {
		return nil
	}
	upper, err := unix.Open(r.Upper, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(upper)
	for _, p := range r.Written {
		fd, err := unix.Openat2(upper, p, &unix.OpenHow{
			Flags: unix.O_PATH | unix.O_NOFOLLOW | unix.O_CLOEXEC, Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS,
		})
		if err == nil {
			err = unix.Fchownat(fd, "", uid, gid, unix.AT_EMPTY_PATH|unix.AT_SYMLINK_NOFOLLOW)
			unix.Close(fd)
		}
		if err != nil {
			return fmt.Errorf("giving the container's /%s to its root: %w", p, err)
		}
	}
	return nil
}

// remapper copies layers for a nested user namespace with maps uids and
// gids: a file the image gives to id N is owned, in the copy, by the id
// of ours that is N in the nested namespace. An id those maps leave out
// goes to one of ours that they leave out too, which shows as the
// overflow id (nobody) inside, as it would in a kernel's idmapped mount.
type remapper struct{ uids, gids []userns.IDMap }

// layer makes dst, the remapped copy of src, atomically: it is built
// beside dst and renamed into place, and a copy that another start made
// meanwhile wins.
func (m remapper) layer(src, dst string) error {
	if _, err := os.Lstat(dst); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dst), filepath.Base(dst)+".tmp-")
	if err != nil {
		return err
	}
	if err := m.tree(src, tmp); err != nil {
		_ = os.RemoveAll(tmp)
		return err
	}
	if err := os.Rename(tmp, dst); err != nil {
		_ = os.RemoveAll(tmp)
		if _, statErr := os.Lstat(dst); statErr == nil {
			return nil
		}
		return err
	}
	return nil
}

// dirTimes is a directory's times, set once everything in it is made.
type dirTimes struct {
	path  string
	times []unix.Timespec
}

// tree copies src's content into the existing directory dst: files with
// their data, hard links as links, directories, symlinks, fifos and
// overlay whiteouts, each with its mode, times and user.* and security.*
// extended attributes (overlayfs's opaque marks, file capabilities).
func (m remapper) tree(src, dst string) error {
	links := map[[2]uint64]string{}
	var dirs []dirTimes
	err := filepath.WalkDir(src, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		to := filepath.Join(dst, rel)
		var st unix.Stat_t
		if err := unix.Lstat(p, &st); err != nil {
			return err
		}
		times := []unix.Timespec{st.Atim, st.Mtim}
		made, err := m.entry(p, to, &st, links)
		if err != nil || !made {
			return err
		}
		if err := m.attributes(p, to, &st); err != nil {
			return err
		}
		if st.Mode&unix.S_IFMT == unix.S_IFDIR {
			dirs = append(dirs, dirTimes{to, times})
			return nil
		}
		return unix.UtimesNanoAt(unix.AT_FDCWD, to, times, unix.AT_SYMLINK_NOFOLLOW)
	})
	if err != nil {
		return err
	}
	for _, d := range slices.Backward(dirs) {
		if err := unix.UtimesNanoAt(unix.AT_FDCWD, d.path, d.times, unix.AT_SYMLINK_NOFOLLOW); err != nil {
			return err
		}
	}
	return nil
}

// entry makes to as a copy of p's kind and content; it reports false for
// what it skips (sockets, and device nodes, which no user namespace can
// make) and for a hard link to a file copied already.
func (m remapper) entry(p, to string, st *unix.Stat_t, links map[[2]uint64]string) (bool, error) {
	mode := st.Mode & unix.S_IFMT
	if mode != unix.S_IFDIR && st.Nlink > 1 {
		key := [2]uint64{st.Dev, st.Ino}
		if first, ok := links[key]; ok {
			return false, os.Link(first, to)
		}
		links[key] = to
	}
	switch mode {
	case unix.S_IFDIR:
		if err := os.Mkdir(to, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
			return false, err
		}
	case unix.S_IFREG:
		out, err := copyContent(p, to)
		if err != nil {
			return false, err
		}
		return true, out.Close()
	case unix.S_IFLNK:
		target, err := os.Readlink(p)
		if err != nil {
			return false, err
		}
		return true, os.Symlink(target, to)
	case unix.S_IFIFO:
		return true, unix.Mkfifo(to, 0o600)
	case unix.S_IFCHR:
		if st.Rdev != 0 {
			return false, nil
		}
		// An overlay whiteout: a 0/0 character device, which a user
		// namespace may make.
		return true, unix.Mknod(to, unix.S_IFCHR|0o600, 0)
	default:
		return false, nil
	}
	return true, nil
}

// copyContent creates to with from's data and returns it open: mode and
// owner are the caller's to set. Neither end is opened through a symlink
// (O_NOFOLLOW), and to must be new (O_EXCL).
func copyContent(from, to string) (*os.File, error) {
	in, err := os.OpenFile(from, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	out, err := os.OpenFile(to, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return nil, err
	}
	return out, nil
}

// attributes gives to its remapped owner, then p's mode (a chown clears
// set-id bits) and extended attributes.
func (m remapper) attributes(p, to string, st *unix.Stat_t) error {
	uid, err := remapID(m.uids, st.Uid)
	if err != nil {
		return fmt.Errorf("%s: uid %w", p, err)
	}
	gid, err := remapID(m.gids, st.Gid)
	if err != nil {
		return fmt.Errorf("%s: gid %w", p, err)
	}
	if err := unix.Lchown(to, int(uid), int(gid)); err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT == unix.S_IFLNK {
		return nil
	}
	if err := unix.Chmod(to, st.Mode&0o7777); err != nil {
		return err
	}
	return copyXattrs(p, to)
}

// remapID is the id of ours that id of the image is in the nested
// namespace, or one that the nested namespace leaves out.
func remapID(maps []userns.IDMap, id uint32) (uint32, error) {
	if host, ok := userns.ToHost(maps, id); ok {
		return host, nil
	}
	free := userns.FreeHostRange(maps, 0, 1)
	if free > 4294967294 {
		return 0, fmt.Errorf("%d is not mapped, and no id is free to stand for it", id)
	}
	return uint32(free), nil
}

// copyXattrs copies the user.* and security.* extended attributes of p
// (the trusted.* ones are no user namespace's to read or write). A
// security.* attribute the kernel will not set here is left out.
func copyXattrs(p, to string) error {
	names, err := listXattrs(p)
	if err != nil {
		return err
	}
	for _, name := range names {
		security := strings.HasPrefix(name, "security.")
		if !security && !strings.HasPrefix(name, "user.") {
			continue
		}
		value, err := getXattr(p, name)
		if err == nil {
			err = unix.Lsetxattr(to, name, value, 0)
		}
		if err != nil && !security {
			return fmt.Errorf("copying %s of %s: %w", name, p, err)
		}
	}
	return nil
}

func listXattrs(p string) ([]string, error) {
	size, err := unix.Llistxattr(p, nil)
	if err != nil || size == 0 {
		if errors.Is(err, unix.ENOTSUP) {
			err = nil
		}
		return nil, err
	}
	buf := make([]byte, size)
	if size, err = unix.Llistxattr(p, buf); err != nil {
		return nil, err
	}
	return strings.FieldsFunc(string(buf[:size]), func(r rune) bool { return r == 0 }), nil
}

func getXattr(p, name string) ([]byte, error) {
	size, err := unix.Lgetxattr(p, name, nil)
	if err != nil {
		return nil, err
	}
	buf := make([]byte, size)
	size, err = unix.Lgetxattr(p, name, buf)
	return buf[:size], err
}
