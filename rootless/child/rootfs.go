package child

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"golang.org/x/sys/unix"

	"github.com/rl-containers/rl/fsoverlay"
	"github.com/rl-containers/rl/rootless/handshake"
	"github.com/rl-containers/rl/rootless/spec"
)

// legacyMaskedPaths and legacyReadonlyPaths are what rl-init masked and
// made read-only before the front end sent the lists (rootless/security.go
// has podman's): a spec without them, the record of a container created
// then, gets these.
var (
	legacyMaskedPaths = []string{
		"/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
		"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
		"/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
	}
	legacyReadonlyPaths = []string{"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}
)

// devices are bind-mounted from the host's /dev: an unprivileged user
// namespace cannot mknod(2) device nodes, and a device node on a mount made
// inside it would be unusable anyway (the kernel forces nodev there).
var devices = []string{"full", "null", "random", "tty", "urandom", "zero"}

var devLinks = [][2]string{
	{"/proc/self/fd", "fd"}, {"/proc/self/fd/0", "stdin"}, {"/proc/self/fd/1", "stdout"},
	{"/proc/self/fd/2", "stderr"}, {"/proc/kcore", "core"}, {"pts/ptmx", "ptmx"},
}

const (
	nsMountFlags = unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC
)

// OverlayError is a failure to mount the container's root overlay, the
// step that needs kernel support for overlayfs in a user namespace.
type OverlayError struct{ Err error }

func (e *OverlayError) Error() string {
	return "mounting the overlay root filesystem: " + e.Err.Error()
}
func (e *OverlayError) Unwrap() error { return e.Err }

// buildRootfs mounts the container's root filesystem under s.Rootfs.Mountpoint
// and everything a container expects below it. It runs in the container's
// mount namespace, before pivot_root.
func buildRootfs(s *spec.Spec) (string, error) {
	// Nothing we mount may propagate back to the host's namespace (the mount
	// namespace was copied with the host's shared mounts).
	if err := fsoverlay.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return "", err
	}
	root, err := ownRoot(s.Rootfs)
	if err != nil {
		return "", err
	}
	if err := inheritBinds(s); err != nil {
		return "", err
	}
	steps := []func(string, *spec.Spec) error{mountProc, mountSys, mountDev, mountUser, maskPaths}
	for _, step := range steps {
		if err := step(root, s); err != nil {
			return "", err
		}
	}
	if s.CwdMustExist {
		if err := checkWorkdir(root, s); err != nil {
			return "", err
		}
	} else if err := mkdirInRoot(root, s.Cwd); err != nil {
		return "", fmt.Errorf("creating working directory %s: %w", s.Cwd, err)
	}
	if err := writeContainerEnv(root, s); err != nil {
		return "", err
	}
	if s.ReadOnly {
		if err := fsoverlay.MakeReadOnly(root, false); err != nil {
			return "", err
		}
	}
	return root, nil
}

// ownRoot mounts the container's root filesystem, or, in a nested user
// namespace, attaches the detached copy of it that the outer rl-init
// made (mountNestedRoot), which is the nested namespace's own to pivot
// into.
//
// The nested namespace may not be able to reach the root by its path,
// whose directories are the caller's: it gets the copy as an fd and
// names it, and what is below it, by /proc/self/fd/N, which resolves
// without a lookup of the directories above.
func ownRoot(r spec.Rootfs) (string, error) {
	inherited := os.Getenv(handshake.EnvRoot)
	if inherited == "" {
		root, err := mountRoot(r)
		if err != nil {
			return "", &OverlayError{Err: err}
		}
		return root, nil
	}
	tree, err := strconv.Atoi(inherited)
	if err != nil {
		return "", fmt.Errorf("the outer rl-init's root fd %q: %w", inherited, err)
	}
	unix.CloseOnExec(tree)
	// On top of /, the one directory we surely may reach: what we
	// resolve from here on starts at our root, below that mount.
	if err := unix.MoveMount(tree, "", unix.AT_FDCWD, "/", unix.MOVE_MOUNT_F_EMPTY_PATH); err != nil {
		return "", fmt.Errorf("attaching the root filesystem in the nested user namespace: %w", err)
	}
	// tree stays open until the exec (CLOEXEC), as the root's name.
	return detachedPrefix + inherited, nil
}

// mountNestedRoot is the outer rl-init's part of a nested user
// namespace's root filesystem: it remaps the image's layers (remapRootfs)
// and mounts the overlay here, where every directory of the store is
// ours to enter (the nested namespace may not map the caller, who owns
// them), so that its upper-dir work runs with our credentials. It
// returns fds of detached copies of the root and of each bind mount's
// source (-1 for a mount that is not a bind), for the nested rl-init.
func mountNestedRoot(s *spec.Spec) (int, []int, error) {
	if err := remapRootfs(s); err != nil {
		return -1, nil, err
	}
	if err := fsoverlay.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return -1, nil, err
	}
	root, err := mountRoot(s.Rootfs)
	if err != nil {
		return -1, nil, &OverlayError{Err: err}
	}
	// Detached copies: the nested rl-init attaches them in its own mount
	// namespace (a mount inherited from ours is locked there, and
	// pivot_root(2) refuses a locked new root), without a lookup of their
	// paths.
	fd, err := unix.OpenTree(unix.AT_FDCWD, root, unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC)
	if err != nil {
		return -1, nil, fmt.Errorf("detaching a copy of the root filesystem %s: %w", root, err)
	}
	binds := make([]int, len(s.Mounts))
	for i, m := range s.Mounts {
		binds[i] = -1
		if m.Kind != spec.Bind {
			continue
		}
		if binds[i], err = unix.OpenTree(unix.AT_FDCWD, m.Source, unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC|unix.AT_RECURSIVE); err != nil {
			return -1, nil, fmt.Errorf("detaching a copy of %s for %s: %w", m.Source, m.Destination, err)
		}
	}
	return fd, binds, nil
}

// inheritBinds, in a nested user namespace, names each bind mount's
// source by the fd of the detached copy that the outer rl-init passed
// (EnvBinds): mountOne moves that copy into place.
func inheritBinds(s *spec.Spec) error {
	list := os.Getenv(handshake.EnvBinds)
	if list == "" {
		return nil
	}
	fds := strings.Split(list, ",")
	if len(fds) != len(s.Mounts) {
		return fmt.Errorf("the outer rl-init passed %d bind sources for %d mounts", len(fds), len(s.Mounts))
	}
	for i, f := range fds {
		fd, err := strconv.Atoi(f)
		if err != nil {
			return fmt.Errorf("the outer rl-init's bind source fd %q: %w", f, err)
		}
		if fd >= 0 {
			unix.CloseOnExec(fd)
			s.Mounts[i].Source = detachedPrefix + f
		}
	}
	return nil
}

// detachedPrefix names a detached mount by its fd (inheritBinds).
const detachedPrefix = "/proc/self/fd/"

// bindSource binds source onto target, a handle of the mount point: a
// detached copy (inheritBinds) is moved there; a path is bound.
func bindSource(source string, target *os.File, flags uintptr) error {
	if fd, ok := strings.CutPrefix(source, detachedPrefix); ok {
		tree, err := strconv.Atoi(fd)
		if err == nil {
			err = unix.MoveMount(tree, "", int(target.Fd()), "", unix.MOVE_MOUNT_F_EMPTY_PATH|unix.MOVE_MOUNT_T_EMPTY_PATH)
		}
		if err != nil {
			return &fsoverlay.MountError{Op: "moving", Source: source, Target: procFD(target), Err: err}
		}
		return nil
	}
	return fsoverlay.Mount(source, procFD(target), "", unix.MS_BIND|unix.MS_REC|flags, "")
}

// mountRoot mounts the container's overlay at or below r.Mountpoint and
// returns where: with the kernel's overlayfs, or with fuse-overlayfs when
// configured so or when the kernel refuses and fuse-overlayfs is
// installed.
func mountRoot(r spec.Rootfs) (string, error) {
	if r.RootMode != 0 {
		if err := os.Chmod(r.Upper, os.FileMode(r.RootMode)); err != nil {
			return "", fmt.Errorf("giving the container's / the image's mode: %w", err)
		}
	}
	layers := fsoverlay.Layers{Lower: r.Lower, Upper: r.Upper, Work: r.Work, UserXattr: r.UserXattr}
	if r.FuseOnly {
		return fsoverlay.MountFuse(r.FuseOverlay, layers, r.Mountpoint)
	}
	err := fsoverlay.MountOverlay(layers, r.Mountpoint)
	if err == nil || r.FuseOverlay == "" {
		return r.Mountpoint, err
	}
	root, fuseErr := fsoverlay.MountFuse(r.FuseOverlay, layers, r.Mountpoint)
	if fuseErr != nil {
		return "", fmt.Errorf("%w; the fuse-overlayfs fallback failed too: %w", err, fuseErr)
	}
	return root, nil
}

func mountProc(root string, _ *spec.Spec) error {
	// A new proc instance shows only the processes of our pid namespace.
	return fsoverlay.Mount("proc", mkdir(root, "/proc"), "proc", nsMountFlags, "")
}

// freshSysfs records that mountSys mounted a sysfs of our own, on which
// cgroup2 goes (rl-init sets up one container and exits).
var freshSysfs bool

func mountSys(root string, s *spec.Spec) error {
	target := mkdir(root, "/sys")
	err := fsoverlay.Mount("sysfs", target, "sysfs", nsMountFlags|unix.MS_RDONLY, "")
	if err == nil {
		freshSysfs = true
		if s.AwaitCgroup {
			return nil // after the cgroup namespace (enterCgroupNamespace)
		}
		return mountCgroup(target, s)
	}
	if !errors.Is(err, unix.EPERM) {
		return err
	}
	// A fresh sysfs needs a network namespace owned by our user namespace;
	// with --network host we have none, so bind the host's /sys read-only,
	// as runc does for rootless containers.
	if err := fsoverlay.Mount("/sys", target, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return err
	}
	return fsoverlay.MakeReadOnly(target, true)
}

// mountCgroup mounts cgroup v2, read-only, on the fresh sysfs's
// /sys/fs/cgroup when the host runs cgroup v2: in our cgroup namespace it
// shows the container's own cgroup as its root. On a v1 or hybrid host it
// leaves the directory empty.
//
// With --cgroupns host there is no namespace of ours to mount cgroup2 in
// (the mount needs CAP_SYS_ADMIN over the cgroup namespace's owner): it
// binds the host's hierarchy read-only instead.
func mountCgroup(sys string, s *spec.Spec) error {
	if s.HostCgroupNS {
		target := filepath.Join(sys, "fs/cgroup")
		if err := fsoverlay.Mount("/sys/fs/cgroup", target, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
			return err
		}
		return fsoverlay.MakeReadOnly(target, true)
	}
	var st unix.Statfs_t
	if unix.Statfs("/sys/fs/cgroup", &st) != nil || st.Type != unix.CGROUP2_SUPER_MAGIC {
		return nil
	}
	return fsoverlay.Mount("cgroup2", filepath.Join(sys, "fs/cgroup"), "cgroup2", nsMountFlags|unix.MS_RDONLY, "")
}

// touch creates the empty file path (mode, less the umask) for a bind
// mount: two system calls where os.WriteFile makes nine (an os.File
// registers with the poller), six times in every start.
func touch(path string, mode uint32) error {
	fd, err := unix.Open(path, unix.O_WRONLY|unix.O_CREAT|unix.O_TRUNC|unix.O_CLOEXEC, mode)
	if err != nil {
		return &os.PathError{Op: "open", Path: path, Err: err}
	}
	return unix.Close(fd)
}

func mountDev(root string, s *spec.Spec) error {
	dev := mkdir(root, "/dev")
	if err := fsoverlay.Mount("tmpfs", dev, "tmpfs", unix.MS_NOSUID|unix.MS_STRICTATIME, "mode=755,size=65536k"); err != nil {
		return err
	}
	for _, d := range devices {
		target := filepath.Join(dev, d)
		if err := touch(target, 0o666); err != nil {
			return fmt.Errorf("creating /dev/%s: %w", d, err)
		}
		if err := fsoverlay.Mount("/dev/"+d, target, "", unix.MS_BIND, ""); err != nil {
			return err
		}
	}
	if s.HostDevices {
		if err := bindHostDevices(dev); err != nil {
			return err
		}
	}
	for _, l := range devLinks {
		if err := os.Symlink(l[0], filepath.Join(dev, l[1])); err != nil {
			return fmt.Errorf("creating /dev/%s: %w", l[1], err)
		}
	}
	// newinstance gives the container its own pty numbering, so it sees
	// only its own terminals in /dev/pts.
	pts := "newinstance,ptmxmode=0666,mode=0620"
	if s.TTYGroup >= 0 {
		pts += fmt.Sprintf(",gid=%d", s.TTYGroup)
	}
	mounts := []struct {
		path, fstype string
		flags        uintptr
		data         string
	}{
		{"pts", "devpts", unix.MS_NOSUID | unix.MS_NOEXEC, pts},
		{"shm", "tmpfs", nsMountFlags, "mode=1777,size=65536k"},
		// A new mqueue instance belongs to our ipc namespace.
		{"mqueue", "mqueue", nsMountFlags, ""},
	}
	for _, m := range mounts {
		target := filepath.Join(dev, m.path)
		if err := os.Mkdir(target, 0o755); err != nil {
			return fmt.Errorf("creating /dev/%s: %w", m.path, err)
		}
		if err := fsoverlay.Mount(m.fstype, target, m.fstype, m.flags, m.data); err != nil {
			return err
		}
	}
	return nil
}

// mountUser performs the -v, --tmpfs and --read-only-tmpfs mounts, parents
// before children.
//
// Each destination is resolved, and created, inside the root with
// securejoin's handle-based calls (openat2 RESOLVE_IN_ROOT, or an emulation
// that checks each step), and the mount goes onto the handle through
// /proc/self/fd. Resolving a path string first (SecureJoin) and mounting or
// creating that path later lets anyone who can write one of its
// directories meanwhile (another container sharing a volume) swap a
// component for a symlink and put the mount, or a mkdir, outside the root:
// CVE-2021-30465, which runc fixed the same way.
func mountUser(root string, s *spec.Spec) error {
	if len(s.Mounts) == 0 {
		return nil
	}
	mounts := append([]spec.Mount(nil), s.Mounts...)
	sort.SliceStable(mounts, func(i, j int) bool {
		return strings.Count(filepath.Clean(mounts[i].Destination), "/") < strings.Count(filepath.Clean(mounts[j].Destination), "/")
	})
	rootDir, err := os.OpenFile(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("opening the root filesystem: %w", err)
	}
	defer rootDir.Close()
	for _, m := range mounts {
		if err := prepareSource(root, m, s.User); err != nil {
			return err
		}
		if err := mountOne(root, rootDir, m); err != nil {
			return err
		}
	}
	return nil
}

// mkdirInRoot creates the directory p inside root, as mountOne creates a
// mount point: SecureJoin names it, following the image's symlinks (dangling
// ones too) inside the root, and it is made by handle, inside the root: a
// path resolved first and created later could be swapped meanwhile.
func mkdirInRoot(root, p string) error {
	full, err := securejoin.SecureJoin(root, p)
	if err != nil {
		return err
	}
	rel, err := filepath.Rel(root, full)
	if err != nil {
		return err
	}
	rootDir, err := os.OpenFile(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer rootDir.Close()
	dir, err := pathrs.MkdirAllHandle(rootDir, rel, 0o755)
	if err != nil {
		return err
	}
	return dir.Close()
}

func mountOne(root string, rootDir *os.File, m spec.Mount) error {
	// SecureJoin follows the image's symlinks inside the root, dangling
	// ones too, to name the mount point; what is created and opened there
	// is then resolved again, by handle and inside the root.
	full, err := securejoin.SecureJoin(root, m.Destination)
	if err != nil {
		return fmt.Errorf("resolving mount destination %s: %w", m.Destination, err)
	}
	dest, err := filepath.Rel(root, full)
	if err != nil {
		return fmt.Errorf("resolving mount destination %s: %w", m.Destination, err)
	}
	target, err := mountpoint(rootDir, m, dest)
	if err != nil {
		return fmt.Errorf("creating mount point %s: %w", m.Destination, err)
	}
	defer target.Close()
	if m.Kind == spec.Tmpfs {
		return fsoverlay.Mount("tmpfs", procFD(target), "tmpfs", m.Flags, m.Data)
	}
	if err := bindSource(m.Source, target, m.Flags); err != nil {
		return err
	}
	if !m.ReadOnly && m.Flags == 0 {
		return nil
	}
	// The handle is what the mount now covers; the new mount is what a
	// lookup finds. It must be the source's root: a name swapped meanwhile
	// would make some other mount read-only, and leave this one writable.
	top, err := pathrs.OpenatInRoot(rootDir, dest)
	if err != nil {
		return fmt.Errorf("making %s read-only: %w", m.Destination, err)
	}
	defer top.Close()
	if err := sameFile(top, m.Source); err != nil {
		return fmt.Errorf("making %s read-only: %w", m.Destination, err)
	}
	// A bind takes no flags of its own (mount(2) ignores them with
	// MS_BIND): noexec, nosuid and nodev are set on it afterwards.
	if err := setBindFlags(procFD(top), m.Flags); err != nil {
		return fmt.Errorf("setting the flags of %s: %w", m.Destination, err)
	}
	if !m.ReadOnly {
		return nil
	}
	return fsoverlay.MakeReadOnly(procFD(top), true)
}

// mountpoint returns an O_PATH handle on dest (relative to the root,
// symlinks resolved), creating it as a directory or an empty file,
// matching what m's source is (a tmpfs: a directory).
func mountpoint(rootDir *os.File, m spec.Mount, dest string) (*os.File, error) {
	dir := m.Kind == spec.Tmpfs
	if !dir {
		fi, err := os.Stat(m.Source)
		if err != nil {
			return nil, err
		}
		dir = fi.IsDir()
	}
	if dir {
		return pathrs.MkdirAllHandle(rootDir, dest, 0o755)
	}
	parent, err := pathrs.MkdirAllHandle(rootDir, filepath.Dir(dest), 0o755)
	if err != nil {
		return nil, err
	}
	defer parent.Close()
	name := filepath.Base(dest)
	// O_NOFOLLOW: a symlink put there since SecureJoin looked is refused,
	// not followed.
	fd, err := unix.Openat(int(parent.Fd()), name, unix.O_CREAT|unix.O_EXCL|unix.O_WRONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o644)
	if err == nil {
		unix.Close(fd)
	} else if !errors.Is(err, unix.EEXIST) {
		return nil, err
	}
	return openNoFollow(parent, name)
}

// sameFile fails unless f is the file at path (the mount's source).
func sameFile(f *os.File, path string) error {
	var got, want unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &got); err != nil {
		return err
	}
	if err := unix.Stat(path, &want); err != nil {
		return err
	}
	if got.Dev != want.Dev || got.Ino != want.Ino {
		return errors.New("the mount point was replaced while mounting")
	}
	return nil
}

// openNoFollow opens name below dir as an O_PATH handle, refusing a
// symlink.
func openNoFollow(dir *os.File, name string) (*os.File, error) {
	fd, err := unix.Openat(int(dir.Fd()), name, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), name)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		f.Close()
		return nil, err
	}
	if st.Mode&unix.S_IFMT == unix.S_IFLNK {
		f.Close()
		return nil, &os.PathError{Op: "open", Path: name, Err: unix.ELOOP}
	}
	return f, nil
}

// procFD names the file f holds, for a mount(2) that takes a path:
// /proc/self/fd/N resolves to that very file, whatever its path says now.
func procFD(f *os.File) string {
	return "/proc/self/fd/" + strconv.Itoa(int(f.Fd()))
}

// maskPaths hides the spec's masked paths, kernel information and
// interfaces that a container must not read (and --security-opt mask='s):
// a file is covered with /dev/null, a directory with an empty read-only
// tmpfs. The read-only paths (the kernel's, under /proc) stay visible but
// cannot be written. A path the container lacks is skipped.
func maskPaths(root string, s *spec.Spec) error {
	masked, readonly := s.MaskedPaths, s.ReadonlyPaths
	if masked == nil && readonly == nil {
		masked, readonly = legacyMaskedPaths, legacyReadonlyPaths
	}
	if len(masked) == 0 && len(readonly) == 0 {
		return nil
	}
	rootDir, err := os.OpenFile(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("opening the root filesystem: %w", err)
	}
	defer rootDir.Close()
	for _, p := range masked {
		if err := maskOne(root, rootDir, p); err != nil {
			return fmt.Errorf("masking %s: %w", p, err)
		}
	}
	for _, p := range readonly {
		target := filepath.Join(root, p)
		if _, err := os.Lstat(target); errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err := fsoverlay.BindReadOnly(target); err != nil {
			return err
		}
	}
	return nil
}

// maskOne masks p. Under /proc and /sys, fresh kernel mounts that the
// image cannot touch, the path is joined; any other (mask=) is opened by
// handle inside the root and masked through /proc/self/fd, as mountUser's
// mount points are, so that neither an image's symlink nor one swapped in
// meanwhile (CVE-2021-30465) aims the mask at the host's files.
func maskOne(root string, rootDir *os.File, p string) error {
	target := filepath.Join(root, p)
	var fi os.FileInfo
	var err error
	if strings.HasPrefix(p, "/proc/") || strings.HasPrefix(p, "/sys/") {
		fi, err = os.Lstat(target)
	} else {
		var f *os.File
		f, err = pathrs.OpenatInRoot(rootDir, p)
		if err == nil {
			defer f.Close()
			target = procFD(f)
			fi, err = f.Stat()
		}
	}
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return fsoverlay.Mount("tmpfs", target, "tmpfs", nsMountFlags|unix.MS_RDONLY, "size=0")
	}
	return fsoverlay.Mount(filepath.Join(root, "/dev/null"), target, "", unix.MS_BIND, "")
}

// bindHostDevices binds the host's device nodes into the container's
// /dev, as podman's rootless --privileged does (pkg/util
// AddPrivilegedDevices): every character and block device under /dev but
// pts, shm, mqueue and fd, the console, the host's /dev/ptmx (the
// container has its own), /dev/tty and the virtual consoles /dev/ttyN,
// and the ones /dev already has. A node the user can neither read nor
// write is skipped: bound, it would only fail to open.
func bindHostDevices(dev string) error {
	return filepath.WalkDir("/dev", func(p string, d os.DirEntry, err error) error {
		if err != nil {
			if p != "/dev" && (errors.Is(err, os.ErrPermission) || errors.Is(err, os.ErrNotExist)) {
				return filepath.SkipDir
			}
			return err
		}
		name := strings.TrimPrefix(p, "/dev/")
		if d.IsDir() {
			switch name {
			case "pts", "shm", "mqueue", "fd", ".lxc", ".lxd-mounts":
				return filepath.SkipDir
			}
			return nil
		}
		if d.Type()&os.ModeDevice == 0 || !hostDevice(name) {
			return nil
		}
		target := filepath.Join(dev, name)
		if _, err := os.Lstat(target); err == nil {
			return nil // one of the defaults
		}
		if unix.Access(p, unix.R_OK) != nil && unix.Access(p, unix.W_OK) != nil {
			return nil
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return fmt.Errorf("creating /dev/%s: %w", filepath.Dir(name), err)
		}
		if err := touch(target, 0o600); err != nil {
			return fmt.Errorf("creating /dev/%s: %w", name, err)
		}
		return fsoverlay.Mount(p, target, "", unix.MS_BIND, "")
	})
}

// hostDevice reports whether /dev/NAME is one that --privileged binds.
func hostDevice(name string) bool {
	switch name {
	case "console", "ptmx", "tty":
		return false
	}
	if n, ok := strings.CutPrefix(name, "tty"); ok && n != "" && strings.Trim(n, "0123456789") == "" {
		return false // a virtual console
	}
	return true
}

// mkdir makes sure the directory p exists under root (an image may lack
// /proc or /dev) and returns its host-side path. The root is a fresh
// overlay, so a failure shows up as a mount error right after.
func mkdir(root, p string) string {
	target := filepath.Join(root, p)
	_ = os.Mkdir(target, 0o755)
	return target
}
