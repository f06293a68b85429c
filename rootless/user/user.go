// Package user resolves a container's user (a name or id, with a group)
// against the /etc/passwd and /etc/group of its root filesystem, as the
// front end sees its layers, without running anything in the container.
package user

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/moby/sys/user"
	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/rootless/spec"
)

// Resolve turns a user spec (name, uid, name:group, uid:gid, and mixes)
// into ids, the way docker does: names are looked up in the container's
// /etc/passwd and /etc/group, a numeric uid needs no entry, and
// supplementary groups come from /etc/group. It also returns the user's
// home directory for HOME.
//
// moby/sys/user parses the files; the resolution is rl's own rather than
// its GetExecUser, which differs from rl's rules where they are tested:
// it takes any integer for an id and refuses those above 2^31-1 (rl takes
// a uint32, and anything else for a name), it lists the primary group
// among the supplementary ones, and it has no "/root" for a root without
// an entry.
func Resolve(layers []string, value string) (spec.User, string, error) {
	u, home, err := resolve(layers, value)
	if err != nil {
		return spec.User{}, "", &Error{Value: value, Err: err}
	}
	return u, home, nil
}

// Error is Resolve's error: the user spec that did not resolve, and why.
type Error struct {
	Value string
	// FromImage: the spec is the image's User, not a --user.
	FromImage bool
	Err       error
}

func (e *Error) Error() string {
	if e.FromImage {
		return fmt.Sprintf("the image's User %q does not resolve: %v (run with --user to choose another)", e.Value, e.Err)
	}
	return fmt.Sprintf("resolving user %q: %v", e.Value, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// FromImage marks Resolve's error err as one about the image's User when
// fromImage (the caller gave no --user), so that it names its source.
// Other errors are returned as they are.
func FromImage(err error, fromImage bool) error {
	var e *Error
	if fromImage && errors.As(err, &e) {
		c := *e
		c.FromImage = true
		return &c
	}
	return err
}

func resolve(layers []string, value string) (spec.User, string, error) {
	userPart, groupPart, hasGroup := strings.Cut(value, ":")
	if userPart == "" {
		userPart = "0"
	}
	if hasGroup && groupPart == "" {
		return spec.User{}, "", errors.New("empty group; want USER[:GROUP]")
	}
	users, err := readRootfsFile(layers, "/etc/passwd", parsePasswd)
	if err != nil {
		return spec.User{}, "", err
	}
	groups, err := readRootfsFile(layers, "/etc/group", parseGroup)
	if err != nil {
		return spec.User{}, "", err
	}

	u := spec.User{}
	home := "/"
	name := ""
	if id, ok := parseID(userPart); ok {
		u.UID = id
		if i := slices.IndexFunc(users, func(e user.User) bool { return uint32(e.Uid) == id }); i >= 0 {
			u.GID, home, name = uint32(users[i].Gid), users[i].Home, users[i].Name
		}
	} else {
		i := slices.IndexFunc(users, func(e user.User) bool { return e.Name == userPart })
		if i < 0 {
			return spec.User{}, "", fmt.Errorf("no user %q in the container's /etc/passwd; use a numeric uid or a user the image has", userPart)
		}
		u.UID, u.GID, home, name = uint32(users[i].Uid), uint32(users[i].Gid), users[i].Home, users[i].Name
	}
	if hasGroup {
		gid, err := lookupGroup(groups, groupPart)
		if err != nil {
			return spec.User{}, "", err
		}
		u.GID = gid
	} else if name != "" {
		for _, g := range groups {
			if uint32(g.Gid) != u.GID && slices.Contains(g.List, name) {
				u.AdditionalGIDs = append(u.AdditionalGIDs, uint32(g.Gid))
			}
		}
	}
	if u.UID == 0 && home == "/" && name == "" {
		home = "/root"
	}
	return u, home, nil
}

func lookupGroup(groups []user.Group, g string) (uint32, error) {
	if id, ok := parseID(g); ok {
		return id, nil
	}
	if i := slices.IndexFunc(groups, func(e user.Group) bool { return e.Name == g }); i >= 0 {
		return uint32(groups[i].Gid), nil
	}
	return 0, fmt.Errorf("no group %q in the container's /etc/group; use a numeric gid or a group the image has", g)
}

// parseID reads a decimal uid or gid, 0 to 2^32-1.
func parseID(s string) (uint32, bool) {
	id, err := strconv.ParseUint(s, 10, 32)
	return uint32(id), err == nil
}

// parsePasswd parses /etc/passwd. moby/sys/user reads the fields; only
// well-formed lines reach it (see wellFormed), as glibc skips the others.
func parsePasswd(r io.Reader) []user.User {
	users, err := user.ParsePasswd(wellFormed(r, 7, 2, 3))
	if err != nil || len(users) == 0 {
		return nil
	}
	return users
}

// parseGroup parses /etc/group, as parsePasswd does /etc/passwd.
func parseGroup(r io.Reader) []user.Group {
	groups, err := user.ParseGroup(wellFormed(r, 4, 2))
	if err != nil || len(groups) == 0 {
		return nil
	}
	return groups
}

// wellFormed returns the lines of r that have at least n colon-separated
// fields, the fields at ids (counted from 0) decimal ids that fit 32 bits,
// and that are not comments. moby/sys/user's parsers take what they are
// given, a bad id as 0 and a comment in /etc/passwd as a user: an entry
// that could then match uid 0.
func wellFormed(r io.Reader, n int, ids ...int) io.Reader {
	var out bytes.Buffer
	sc := bufio.NewScanner(r)
	// A group's member list may be long; moby/sys/user reads lines of up
	// to 1 MiB too.
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		f := bytes.SplitN(line, []byte(":"), n)
		if len(f) < n || slices.ContainsFunc(ids, func(i int) bool { _, ok := parseID(string(f[i])); return !ok }) {
			continue
		}
		out.Write(line)
		out.WriteByte('\n')
	}
	return &out
}

// readRootfsFile parses a file of the root filesystem: from the top-most
// layer that has it. A missing file parses as empty; so does one deleted
// by a whiteout in a layer (a 0/0 character device, as containers/storage
// stores them). Anything else that is not a regular file is an error: a
// FIFO would block the read for ever, a directory or device has no
// entries to give.
//
// A layer is a directory of an image, or /proc/PID/root of a running
// container, whose files the container's processes may change at any
// time: the file is opened with openat2(2) and RESOLVE_IN_ROOT, which
// resolves every symlink and ".." as if the layer were "/", in the same
// call that opens it, so that no symlink swapped in between a lookup and
// the open can point at a host file (what securejoin.SecureJoin then
// os.Open allowed), and RESOLVE_NO_MAGICLINKS, so that no /proc/self/...
// link inside the root leads out of it. It is opened as O_PATH first,
// which opens nothing (a FIFO or device is not opened, which could block
// or act), and read only once fstat says it is a regular file.
func readRootfsFile[T any](layers []string, path string, parse func(io.Reader) []T) ([]T, error) {
	for _, layer := range layers {
		f, err := openInRoot(layer, path)
		if errors.Is(err, errDeleted) {
			return nil, nil
		}
		if errors.Is(err, errSkip) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading the container's %s: %w", path, err)
		}
		defer f.Close()
		return parse(f), nil
	}
	return nil, nil
}

var (
	// errSkip: the file is not in this layer (or the layer is gone):
	// look in the next.
	errSkip = errors.New("not in this layer")
	// errDeleted: a whiteout deletes the file in this layer.
	errDeleted = errors.New("deleted in this layer")
)

// openInRoot opens path (absolute, as the container sees it) inside the
// directory root for reading; see readRootfsFile.
func openInRoot(root, path string) (*os.File, error) {
	dir, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, errSkip
	}
	defer unix.Close(dir)
	how := &unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS,
	}
	var fd int
	for {
		fd, err = unix.Openat2(dir, strings.TrimLeft(path, "/"), how)
		if !errors.Is(err, unix.EINTR) && !errors.Is(err, unix.EAGAIN) {
			break
		}
		// EAGAIN: a rename raced the lookup (openat2(2), RESOLVE_IN_ROOT); retry.
	}
	if err != nil {
		// Before Linux 5.6 there is no openat2: rl needs 5.11 for overlayfs
		// in a user namespace anyway.
		if errors.Is(err, unix.ENOSYS) {
			return nil, fmt.Errorf("opening %s: openat2 needs Linux 5.6 or later: %w", path, err)
		}
		return nil, errSkip
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFREG:
	case unix.S_IFCHR:
		if st.Rdev == 0 {
			return nil, errDeleted
		}
		fallthrough
	default:
		return nil, fmt.Errorf("%w (%s); it must be a regular file", errNotRegular, fileType(st.Mode))
	}
	// Reopening the O_PATH descriptor through /proc/self/fd opens the very
	// inode that was checked, whatever has been renamed since.
	r, err := unix.Open(fmt.Sprintf("/proc/self/fd/%d", fd), unix.O_RDONLY|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	return os.NewFile(uintptr(r), path), nil
}

// errNotRegular: the file is a FIFO, a directory, a device or a socket.
var errNotRegular = errors.New("not a regular file")

// fileType names the type of a file mode, for errors.
func fileType(mode uint32) string {
	switch mode & unix.S_IFMT {
	case unix.S_IFIFO:
		return "a FIFO"
	case unix.S_IFDIR:
		return "a directory"
	case unix.S_IFCHR:
		return "a character device"
	case unix.S_IFBLK:
		return "a block device"
	case unix.S_IFSOCK:
		return "a socket"
	}
	return fmt.Sprintf("type %#o", mode&unix.S_IFMT)
}

// ReadFile returns the content of the file path (absolute, as the
// container sees it) from the top-most of layers that has it, read as
// readRootfsFile reads passwd; nil when no layer has it.
func ReadFile(layers []string, path string) ([]byte, error) {
	b, err := readRootfsFile(layers, path, func(r io.Reader) [][]byte {
		b, _ := io.ReadAll(io.LimitReader(r, 16<<20))
		return [][]byte{b}
	})
	if len(b) == 0 {
		return nil, err
	}
	return b[0], err
}

// GroupIDs resolves --group-add's groups: gids as they are, names in the
// /etc/group of the root filesystem whose layers are given.
func GroupIDs(layers []string, groups []string) ([]uint32, error) {
	var out []uint32
	for _, g := range groups {
		if n, err := strconv.ParseUint(g, 10, 32); err == nil {
			out = append(out, uint32(n))
			continue
		}
		// The group part of a user spec is looked up as --group-add's.
		u, _, err := Resolve(layers, "0:"+g)
		if err != nil {
			var ue *Error
			if errors.As(err, &ue) {
				err = ue.Err
			}
			return nil, fmt.Errorf("--group-add %s: %w", g, err)
		}
		out = append(out, u.GID)
	}
	return out, nil
}

// AddGroups adds gids to u's supplementary groups, each once: a group of
// --group-add that /etc/group gives the user too is not listed twice.
func AddGroups(u *spec.User, gids []uint32) {
	for _, g := range gids {
		if !slices.Contains(u.AdditionalGIDs, g) {
			u.AdditionalGIDs = append(u.AdditionalGIDs, g)
		}
	}
}
